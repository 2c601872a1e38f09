from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "opora.accounts"
    verbose_name = _("Пользователи")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from opora.accounts.middleware import signed_in

        user_logged_in.connect(signed_in, dispatch_uid="opora.accounts.signed_in")
