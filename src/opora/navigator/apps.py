from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NavigatorConfig(AppConfig):
    name = "opora.navigator"
    verbose_name = _("Навигатор")

    def ready(self):
        from django.db.backends.signals import connection_created

        from opora.navigator import receivers, search

        receivers.connect()
        connection_created.connect(search.register_sqlite_functions,
                                   dispatch_uid="opora.navigator.sqlite_functions")
