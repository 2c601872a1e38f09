from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "opora.training"
    verbose_name = _("Повышение квалификации")

    def ready(self):
        # the share of teachers trained this year joins the monitoring's indicators
        from opora.training import selectors  # noqa: F401
