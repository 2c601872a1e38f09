"""Pages of personified financing: the parent's certificate in the cabinet
(``cabinet/certificate/``), contracts (``cabinet/contracts/``, ``office/contracts/``),
and the back office of the МОЦ, the authority and providers under ``office/financing/``.
Each area keeps its routes next to its views."""

from opora.financing.views import (
    agreements,
    certificates,
    certification,
    contracts,
    invoices,
    periods,
    prolongation,
    switching,
)

app_name = "financing"
urlpatterns = [
    *certificates.urlpatterns,
    *periods.urlpatterns,
    *certification.urlpatterns,
    *contracts.urlpatterns,
    *invoices.urlpatterns,
    *prolongation.urlpatterns,
    *switching.urlpatterns,
    *agreements.urlpatterns,
]
