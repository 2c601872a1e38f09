"""Back-office pages of the registry: the МОЦ's side (office) and the provider's (staff)."""

from opora.registry.views import excel, office, staff

app_name = "registry"
urlpatterns = office.urlpatterns + staff.urlpatterns + excel.urlpatterns
