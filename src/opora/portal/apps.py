from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "opora.portal"
    verbose_name = _("Портал")

    def ready(self):
        from wagtail.models import PageLogEntry

        from opora.plans.signals import plan_changed
        from opora.portal import evidence  # noqa: F401  (registers the portal's evidence of plans)
        from opora.portal.plans import on_plan_changed
        from opora.portal.receivers import mirror_page_log

        post_save.connect(mirror_page_log, sender=PageLogEntry, dispatch_uid="portal.mirror_page_log")
        plan_changed.connect(on_plan_changed, dispatch_uid="portal.publish_plan")
