from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticesConfig(AppConfig):
    name = "opora.practices"
    verbose_name = _("Банк лучших практик")
