from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "opora.registry"
    verbose_name = _("Реестр")

    def ready(self):
        from opora.registry import flags  # noqa: F401  registers the lookup
