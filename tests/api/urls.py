"""The project's URLs with the API mounted, until ``opora.urls`` includes it itself."""

from django.urls import include, path

from opora.urls import urlpatterns as project_urlpatterns

API_PREFIX = "api/v1/"

urlpatterns = list(project_urlpatterns)
if not any(str(pattern.pattern) == API_PREFIX for pattern in urlpatterns):
    urlpatterns.append(path(API_PREFIX, include("opora.api.urls")))
