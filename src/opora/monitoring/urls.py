"""Pages of monitoring: ``office/monitoring/`` and the open data ``opendata/coverage.*``."""

from opora.monitoring.views import app_name, urlpatterns

__all__ = ["app_name", "urlpatterns"]
