"""Pages of the hotline; the routes live next to their views."""

from opora.hotline.views import app_name, urlpatterns  # noqa: F401
