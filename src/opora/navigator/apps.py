from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NavigatorConfig(AppConfig):
    name = "opora.navigator"
    verbose_name = _("Навигатор")
