"""The HTTP API under ``/api/v1/``: one NinjaAPI, one router per app.

Every endpoint needs a signed-in user unless it says ``auth=None``; every
refusal is answered by the handlers of ``opora.api.errors`` and listed in the
document by ``opora.api.openapi``.
"""

from opora.api import errors
from opora.api.auth import BACK_OFFICE
from opora.api.openapi import Api
from opora.api.parser import Parser
from opora.api.renderers import JSONRenderer
from opora.enrollment.api import router as enrollment_router
from opora.events.api import router as events_router
from opora.financing.api import router as financing_router
from opora.hotline.api import router as hotline_router
from opora.mailing.api import router as mailing_router
from opora.monitoring.api import router as monitoring_router
from opora.navigator.api import router as navigator_router
from opora.plans.api import router as plans_router
from opora.practices.api import router as practices_router
from opora.quality.api import router as quality_router
from opora.registry.api import router as registry_router
from opora.surveys.api import router as surveys_router
from opora.training.api import router as training_router

api = Api(
    title="Opora API",
    version="1",
    description="API информационной системы муниципального опорного центра "
                "дополнительного образования детей.",
    urls_namespace="api",
    auth=BACK_OFFICE,
    renderer=JSONRenderer(),
    parser=Parser(),
)
errors.install(api)

# Each app adds its router here, one line per app.
api.add_router("", navigator_router)
api.add_router("", registry_router)
api.add_router("", enrollment_router)
api.add_router("", financing_router)
api.add_router("", surveys_router)
api.add_router("", plans_router)
api.add_router("", events_router)
api.add_router("", monitoring_router)
api.add_router("", training_router)
api.add_router("", hotline_router)
api.add_router("", mailing_router)
api.add_router("", quality_router)
api.add_router("", practices_router)
