"""Amendments of contracts and disputes over invoice lines (docs/domain.md §4,
«Switching groups» and «Disputes»): a child moved to another group of the same program
with the contract's amounts recomputed from a month, and a parent's disagreement with
the completeness of a month on a final (or supplementary) invoice.

Imported by ``opora.financing.models``; rows are changed only by
``opora.financing.switching`` and ``opora.financing.disputes``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}


class SwitchStatus(models.TextChoices):
    PROPOSED = "proposed", _("Ждёт согласия родителя")
    APPLIED = "applied", _("Переведён")
    DECLINED = "declined", _("Родитель отказался")
    WITHDRAWN = "withdrawn", _("Предложение отозвано")


class GroupSwitch(models.Model):
    """A move of a contract's child from ``from_group`` to ``to_group`` (same program)
    with the contract amended from ``effective_on`` (the first day of a month). The
    parent switches at once; the provider proposes and the parent agrees. When applied,
    the amounts before and after are kept (``months``: one entry per month from the
    effective month on, before and after), with the reserve moved on the certificate."""

    uuid = models.UUIDField(_("идентификатор"), default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey("financing.Contract", verbose_name=_("договор"),
                                 on_delete=models.CASCADE, related_name="group_switches")
    from_group = models.ForeignKey("registry.Group", verbose_name=_("из группы"),
                                   on_delete=models.PROTECT, related_name="+")
    to_group = models.ForeignKey("registry.Group", verbose_name=_("в группу"),
                                 on_delete=models.PROTECT, related_name="+")
    effective_on = models.DateField(_("с месяца"))
    status = models.CharField(_("статус"), max_length=12, choices=SwitchStatus.choices)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("предложил"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("решение принял"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    decided_at = models.DateTimeField(_("решение принято"), null=True, blank=True)
    total_before = models.DecimalField(_("стоимость до перевода, ₽"), null=True, blank=True, **MONEY)
    certificate_before = models.DecimalField(_("сертификатом до перевода, ₽"), null=True, blank=True, **MONEY)
    parent_before = models.DecimalField(_("родителем до перевода, ₽"), null=True, blank=True, **MONEY)
    total_after = models.DecimalField(_("стоимость после перевода, ₽"), null=True, blank=True, **MONEY)
    certificate_after = models.DecimalField(_("сертификатом после перевода, ₽"), null=True, blank=True, **MONEY)
    parent_after = models.DecimalField(_("родителем после перевода, ₽"), null=True, blank=True, **MONEY)
    reserve_change = models.DecimalField(_("изменение резерва сертификата, ₽"), null=True, blank=True,
                                         **MONEY)
    months = models.JSONField(_("помесячно до и после"), default=list, blank=True)

    SCOPE = {"organization": "contract__organization", "municipality": "contract__period__municipality"}

    class Meta:
        verbose_name = _("перевод в другую группу")
        verbose_name_plural = _("переводы в другую группу")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["contract"], condition=Q(status="proposed"),
                                    name="one_proposed_switch_per_contract"),
            models.CheckConstraint(name="switch_effective_first_day", condition=Q(effective_on__day=1)),
        ]

    def __str__(self):
        return _("Перевод по договору № %(number)s") % {"number": self.contract.number}


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Ждёт ответа организации")
    ANSWERED = "answered", _("Организация ответила")
    PARENT_RIGHT = "parent_right", _("Решён в пользу родителя")
    PROVIDER_RIGHT = "provider_right", _("Решён в пользу организации")
    DISMISSED = "dismissed", _("Закрыт без решения")


UNRESOLVED = (DisputeStatus.OPEN, DisputeStatus.ANSWERED)


class InvoiceDispute(models.Model):
    """A parent's disagreement with the completeness of a month on a line of a final or
    supplementary invoice, opened before the invoice is accepted. The payer may hold the
    line (the invoice then cannot be accepted until the dispute is decided); the provider
    answers; the payer decides: the parent is right (the line is reduced to the
    completeness decided, 0 % takes it out of payment, the difference returns to the
    certificate) or the provider is (nothing changes)."""

    uuid = models.UUIDField(_("идентификатор"), default=uuid.uuid4, unique=True, editable=False)
    line = models.ForeignKey("financing.InvoiceLine", verbose_name=_("строка счёта"),
                             on_delete=models.CASCADE, related_name="disputes")
    status = models.CharField(_("статус"), max_length=16, choices=DisputeStatus.choices,
                              default=DisputeStatus.OPEN)
    text = models.TextField(_("с чем не согласен родитель"))
    claimed_completeness = models.DecimalField(_("полнота по мнению родителя, %"), max_digits=5,
                                               decimal_places=2, null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("открыл"), null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(_("открыт"), auto_now_add=True)
    held = models.BooleanField(_("строка удержана плательщиком"), default=False)
    answer = models.TextField(_("ответ организации"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("ответил"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(_("ответ дан"), null=True, blank=True)
    resolution = models.TextField(_("решение"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("решил"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(_("решён"), null=True, blank=True)
    completeness_before = models.DecimalField(_("полнота до решения, %"), max_digits=5, decimal_places=2,
                                              null=True, blank=True)
    completeness_after = models.DecimalField(_("полнота после решения, %"), max_digits=5, decimal_places=2,
                                             null=True, blank=True)
    returned = models.DecimalField(_("возвращено на сертификат, ₽"), null=True, blank=True, **MONEY)

    SCOPE = {"organization": "line__invoice__organization", "municipality": "line__invoice__municipality"}

    class Meta:
        verbose_name = _("спор по строке счёта")
        verbose_name_plural = _("споры по строкам счетов")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["line"], condition=Q(status__in=["open", "answered"]),
                                    name="one_unresolved_dispute_per_line"),
            models.CheckConstraint(
                name="dispute_claimed_completeness",
                condition=Q(claimed_completeness__isnull=True)
                | Q(claimed_completeness__gte=0, claimed_completeness__lte=100)),
        ]

    def __str__(self):
        return _("Спор по договору № %(number)s") % {"number": self.line.contract_number}

    @property
    def is_unresolved(self):
        return self.status in UNRESOLVED
