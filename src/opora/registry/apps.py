from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "opora.registry"
    verbose_name = _("Реестр")

    def ready(self):
        from opora.audit.labels import DETAIL_WRITERS
        from opora.registry import flags  # noqa: F401  registers the lookup
        from opora.registry.prices import price_event_details
        from opora.registry.revisions import revision_event_details

        DETAIL_WRITERS["registry.group.price_"] = price_event_details
        DETAIL_WRITERS["registry.program.revision_"] = revision_event_details
