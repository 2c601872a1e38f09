"""Pages of mailings; the routes live next to their views."""

from opora.mailing.views import app_name, urlpatterns  # noqa: F401
