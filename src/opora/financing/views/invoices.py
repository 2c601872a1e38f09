"""Pages of personified financing: invoices."""

urlpatterns = []
