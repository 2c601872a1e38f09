from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "opora.core"
    verbose_name = _("Общее")

    def ready(self):
        from django.db.backends.signals import connection_created

        from opora.core.middleware import connection_opened

        connection_created.connect(connection_opened, dispatch_uid="opora.core.connection_opened")
