"""Pages of personified financing: contracts."""

urlpatterns = []
