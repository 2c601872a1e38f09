from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentConfig(AppConfig):
    name = "opora.enrollment"
    verbose_name = _("Зачисление")

    def ready(self):
        from opora.enrollment import services
        from opora.registry import services as registry_services

        if services.after_capacity_change not in registry_services.after_group_saved:
            registry_services.after_group_saved.append(services.after_capacity_change)
        if services.group_terms_blocker not in registry_services.group_edit_blockers:
            registry_services.group_edit_blockers.append(services.group_terms_blocker)
