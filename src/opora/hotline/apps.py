from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "opora.hotline"
    verbose_name = _("Горячая линия")
