from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One state change: who, what, when, from which state to which, and why."""

    # A default, not auto_now_add: ``audit.event(at=...)`` keeps a past moment (the demo's
    # history); every other event is stamped when it is built.
    created_at = models.DateTimeField(_("когда"), default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("кто"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    action = models.CharField(_("действие"), max_length=100, db_index=True)
    target_type = models.CharField(_("тип объекта"), max_length=100)
    target_id = models.CharField(_("объект"), max_length=64)
    target_repr = models.CharField(_("название объекта"), max_length=300)
    from_state = models.CharField(_("было"), max_length=50, blank=True)
    to_state = models.CharField(_("стало"), max_length=50, blank=True)
    reason = models.TextField(_("комментарий"), blank=True)
    data = models.JSONField(_("подробности"), default=dict, blank=True)

    class Meta:
        verbose_name = _("событие")
        verbose_name_plural = _("журнал событий")
        indexes = [models.Index(fields=["target_type", "target_id", "created_at"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"

    @property
    def action_label(self):
        from opora.audit.labels import label_for

        return label_for(self.action)

    @property
    def details(self):
        from opora.audit.labels import details_for

        return details_for(self)

    @property
    def from_label(self):
        from opora.audit.labels import state_label

        return state_label(self.target_type, self.from_state)

    @property
    def to_label(self):
        from opora.audit.labels import state_label

        return state_label(self.target_type, self.to_state)
