from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinancingConfig(AppConfig):
    name = "opora.financing"
    verbose_name = _("Персонифицированное финансирование")

    def ready(self):
        from opora.enrollment import children, notices
        from opora.enrollment import services as enrollment_services
        from opora.financing import certificates, certification, contracts, hints
        from opora.registry import services as registry_services

        if contracts.application_changed not in enrollment_services.after_status_change:
            enrollment_services.after_status_change.append(contracts.application_changed)
        if certification.module_changed not in registry_services.after_module_changed:
            registry_services.after_module_changed.append(certification.module_changed)
        if certificates.children_merged not in children.before_merge_delete:
            children.before_merge_delete.append(certificates.children_merged)
        if hints.certificate_notices not in notices.apply_notices:
            notices.apply_notices.append(hints.certificate_notices)
