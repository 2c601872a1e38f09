"""Pages of data requests (``office/surveys/``); the routes live next to their views."""

from opora.surveys.views import app_name, urlpatterns  # noqa: F401
