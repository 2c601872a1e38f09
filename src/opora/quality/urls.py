from opora.quality import rating_views
from opora.quality.views import app_name
from opora.quality.views import urlpatterns as assessment_urls

urlpatterns = assessment_urls + rating_views.urlpatterns

__all__ = ["app_name", "urlpatterns"]
