"""Pages of personified financing: periods."""

urlpatterns = []
