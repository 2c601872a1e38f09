from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "opora.audit"
    verbose_name = _("Журнал действий")
