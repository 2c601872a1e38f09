"""Cooperation agreements between municipalities (the payer matrix, docs/domain.md §4,
«Children from other municipalities»): the payer municipality pays, from its financing
period and its certificates' nominal, for its resident children studying with the
providers of the host municipality.

Imported by ``opora.financing.models``; rows are changed only by
``opora.financing.agreements``.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}


class AgreementStatus(models.TextChoices):
    PROPOSED = "proposed", _("Ожидает согласования")
    ACTIVE = "active", _("Действует")
    ENDED = "ended", _("Прекращено")
    CANCELLED = "cancelled", _("Отменено")


# The state a list filters by: a status, or «expired» (agreed, past its end date), which is
# no status of its own (``CooperationAgreement.expired``).
EXPIRED = "expired"


class AgreementQuerySet(models.QuerySet):
    def in_state(self, state: str):
        """Agreements in ``state`` as the pages show it: «Действует» is agreed and not past
        its end date, «Истекло» (``EXPIRED``) agreed and past it, the rest their status."""
        today = timezone.localdate()
        if state == EXPIRED:
            return self.filter(status=AgreementStatus.ACTIVE, valid_to__lt=today)
        if state == AgreementStatus.ACTIVE:
            return self.filter(status=state, valid_to__gte=today)
        return self.filter(status=state)

    def in_force(self, on: dt.date | None = None):
        """Agreed and covering ``on`` (today by default): the one rule of «in force» that
        ``agreements.resolve_payer`` and the pages read, so an agreement past its end date
        stops applying on its own, with no nightly task."""
        on = on or timezone.localdate()
        return self.filter(status=AgreementStatus.ACTIVE, valid_from__lte=on, valid_to__gte=on)


class CooperationAgreement(models.Model):
    """«``payer`` pays for its children studying with the providers of ``host``», from
    ``valid_from`` to ``valid_to``, for at most ``max_children`` children and
    ``max_amount`` roubles of certificate parts (each optional). Proposed by one side
    (``proposer``), agreed by the other; a contract whose child lives in ``payer`` and
    whose provider is in ``host`` is made only under an active agreement covering its
    start (``Contract.agreement``)."""

    uuid = models.UUIDField(_("идентификатор"), default=uuid.uuid4, unique=True, editable=False)
    payer = models.ForeignKey("registry.Municipality", verbose_name=_("плательщик (муниципалитет детей)"),
                              on_delete=models.PROTECT, related_name="agreements_as_payer")
    host = models.ForeignKey("registry.Municipality", verbose_name=_("муниципалитет организаций"),
                             on_delete=models.PROTECT, related_name="agreements_as_host")
    proposer = models.ForeignKey("registry.Municipality", verbose_name=_("предложившая сторона"),
                                 on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("статус"), max_length=10, choices=AgreementStatus.choices,
                              default=AgreementStatus.PROPOSED)
    valid_from = models.DateField(_("действует с"))
    valid_to = models.DateField(_("действует по"))
    max_children = models.PositiveIntegerField(_("не более детей"), null=True, blank=True)
    max_amount = models.DecimalField(_("не более, ₽"), null=True, blank=True, **MONEY)
    document = models.CharField(_("реквизиты соглашения"), max_length=200, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("предложил"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    proposed_at = models.DateTimeField(_("предложено"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("решение принял"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("согласовано или отменено"), null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("прекратил"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="+")
    ended_at = models.DateTimeField(_("прекращено"), null=True, blank=True)
    reason = models.TextField(_("причина отмены или прекращения"), blank=True)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    objects = AgreementQuerySet.as_manager()

    # Both sides read an agreement; the selectors filter on either side
    # (``agreements.visible_agreements``), this path serves the payer's side.
    SCOPE = {"municipality": "payer"}

    class Meta:
        verbose_name = _("соглашение о сотрудничестве")
        verbose_name_plural = _("соглашения о сотрудничестве")
        ordering = ["-valid_from", "-pk"]
        constraints = [
            models.CheckConstraint(name="agreement_two_sides", condition=~Q(payer=F("host"))),
            models.CheckConstraint(name="agreement_proposer_is_a_side",
                                   condition=Q(proposer=F("payer")) | Q(proposer=F("host"))),
            models.CheckConstraint(name="agreement_dates", condition=Q(valid_from__lte=F("valid_to"))),
            models.CheckConstraint(name="agreement_limits",
                                   condition=(Q(max_children__isnull=True) | Q(max_children__gte=1))
                                   & (Q(max_amount__isnull=True) | Q(max_amount__gt=0))),
        ]
        indexes = [models.Index(fields=["payer", "host", "status"])]

    def __str__(self):
        return _("Соглашение: %(payer)s → %(host)s") % {"payer": self.payer.name, "host": self.host.name}

    @property
    def expired(self) -> bool:
        """Agreed, but its end date has passed: it no longer applies to new contracts or
        switches (``AgreementQuerySet.in_force``); shown as «Истекло»."""
        return self.status == AgreementStatus.ACTIVE and self.valid_to < timezone.localdate()

    @property
    def state_label(self) -> str:
        return str(_("Истекло")) if self.expired else str(self.get_status_display())
