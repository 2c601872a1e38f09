"""Prolongation (пролонгация) of certificate contracts into the next financing period
(docs/domain.md §4, «The next school year»): the municipality's setting of automatic
acceptance and one offer per continuing contract and new period.

Imported by ``opora.financing.models``; rows are changed only by
``opora.financing.prolongation`` (and the offer's status, by the contract services as the
parent decides).
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProlongationSettings(models.Model):
    """A municipality's rule of prolongation: after how many days an offer the parent
    has not answered is accepted on their behalf (empty: never, the parent decides)."""

    municipality = models.OneToOneField("registry.Municipality", verbose_name=_("муниципалитет"),
                                        on_delete=models.CASCADE, related_name="prolongation_settings")
    auto_accept_days = models.PositiveSmallIntegerField(
        _("автоматически принимать оферту продления через, дней"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("Пусто — только родитель принимает оферту. Иначе оферта, на которую родитель "
                    "не ответил за это число дней, считается принятой."))
    updated_at = models.DateTimeField(_("изменены"), auto_now=True)

    SCOPE = {"municipality": "municipality"}

    class Meta:
        verbose_name = _("правила продления договоров")
        verbose_name_plural = _("правила продления договоров")

    def __str__(self):
        return str(self.municipality)


class ProlongationStatus(models.TextChoices):
    OFFERED = "offered", _("Ждёт решения родителя")
    ACCEPTED = "accepted", _("Продлён")
    DECLINED = "declined", _("Родитель отказался")
    REFUSED = "refused", _("Продлить не удалось")
    LEFT_OUT = "left_out", _("Организация не предложила продление")


class ProlongationOffer(models.Model):
    """The continuation of one contract (``source``) into a financing period
    (``period``) in a group of the next module or year (``group``): the new contract
    when one was made (the offer, with its reserve), else the reason it could not be.
    One per source contract and period: a rerun finds it instead of offering twice."""

    uuid = models.UUIDField(_("идентификатор"), default=uuid.uuid4, unique=True, editable=False)
    source = models.ForeignKey("financing.Contract", verbose_name=_("продлеваемый договор"),
                               on_delete=models.PROTECT, related_name="prolongation_offers")
    period = models.ForeignKey("financing.FinancingPeriod", verbose_name=_("новый период"),
                               on_delete=models.PROTECT, related_name="prolongation_offers")
    group = models.ForeignKey("registry.Group", verbose_name=_("группа на новый период"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="prolongation_offers")
    contract = models.OneToOneField("financing.Contract", verbose_name=_("новый договор"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="prolongation")
    status = models.CharField(_("статус"), max_length=12, choices=ProlongationStatus.choices)
    reason = models.TextField(_("причина"), blank=True)
    accepted_automatically = models.BooleanField(_("принята автоматически"), default=False)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("предложил"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("предложено"), auto_now_add=True)
    offered_at = models.DateTimeField(_("оферта направлена"), null=True, blank=True)
    decided_at = models.DateTimeField(_("решение"), null=True, blank=True)

    SCOPE = {"organization": "source__organization", "municipality": "period__municipality"}

    class Meta:
        verbose_name = _("продление договора")
        verbose_name_plural = _("продления договоров")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "period"], name="prolongation_once_per_period"),
            models.CheckConstraint(
                name="prolongation_offer_has_contract",
                condition=~models.Q(status__in=["offered", "accepted"]) | models.Q(contract__isnull=False)),
        ]
        indexes = [models.Index(fields=["period", "status"])]

    def __str__(self):
        return _("Продление договора № %(number)s") % {"number": self.source.number}
