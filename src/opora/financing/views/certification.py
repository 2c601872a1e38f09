"""Pages of personified financing: certification."""

urlpatterns = []
