from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "opora.monitoring"
    verbose_name = _("Мониторинг показателей")
