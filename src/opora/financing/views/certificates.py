"""Pages of personified financing: certificates."""

urlpatterns = []
