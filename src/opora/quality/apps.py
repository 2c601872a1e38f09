from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "opora.quality"
    verbose_name = _("Оценка качества")

    def ready(self):
        # Lower apps ask through their hooks; quality answers (docs/decisions.md).
        from opora.enrollment import services as enrollment_services
        from opora.financing import certification
        from opora.quality import hooks, ratings
        from opora.registry import hooks as registry_hooks

        if hooks.certification_blocker not in certification.certification_blockers:
            certification.certification_blockers.append(hooks.certification_blocker)
        if hooks.public_badges not in registry_hooks.program_badges:
            registry_hooks.program_badges.append(hooks.public_badges)
        if hooks.office_panel not in registry_hooks.program_panels:
            registry_hooks.program_panels.append(hooks.office_panel)
        if ratings.application_changed not in enrollment_services.after_status_change:
            enrollment_services.after_status_change.append(ratings.application_changed)
