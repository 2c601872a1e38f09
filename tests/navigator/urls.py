"""The project's URLs with the navigator's API router mounted at ``/api/v1/``, until
``opora.api.api`` adds it itself (then the project's API is used as it is)."""

from django.urls import path
from ninja import NinjaAPI

from opora.api import errors
from opora.api.api import api as project_api
from opora.api.auth import BACK_OFFICE
from opora.api.renderers import JSONRenderer
from opora.navigator.api import router
from opora.urls import urlpatterns as project_urlpatterns

urlpatterns = list(project_urlpatterns)
if not any(mounted is router for _prefix, mounted in project_api._routers):
    # as the project's API: signed-in users only unless a router says otherwise
    test_api = NinjaAPI(title="Opora API", version="1", urls_namespace="navigator-api-test",
                        renderer=JSONRenderer(), auth=BACK_OFFICE)
    errors.install(test_api)
    test_api.add_router("", router)
    urlpatterns.insert(0, path("api/v1/", test_api.urls))
    API = test_api
else:
    API = project_api
