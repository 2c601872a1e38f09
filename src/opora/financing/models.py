"""Personified financing (ПФДО, docs/domain.md §4): certificates and their ledgers per
financing period, municipal cost parameters, certification of modules, contracts with
their monthly amounts, and the monthly invoices of providers.

Rows are changed only by the services of this app (``certificates``, ``periods``,
``certification``, ``contracts``, ``settlement``). Money is ``Decimal`` in roubles with
kopecks (``MONEY``); the constraints below are the last line of defence of the money
rules when requests race: a ledger's balance never goes below zero, a period never
commits more than its budget nor gives more financing places than it has.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Round
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


def kopecks(expression):
    """A sum of money columns rounded to kopecks. PostgreSQL's numeric is exact and the
    rounding changes nothing; SQLite keeps decimals as binary floats, where 26568.26 +
    5313.65 is not 31881.91, so every sum stored or compared in SQL goes through this
    (the settlement's SQL does the same, ``dialect.money``)."""
    return Round(expression, 2)
SHARE = {"max_digits": 5, "decimal_places": 4}  # 0.8000 = 80 %


class NominalUnit(models.TextChoices):
    ROUBLES = "roubles", _("Рубли")
    HOURS = "hours", _("Академические часы в неделю")


class FinancingPeriod(models.Model):
    """A municipality's programme of personified financing for a span of dates: its
    budget, the number of financing certificates it pays for and their nominal.

    ``committed`` (money reserved or paid from the ledgers of this period) and
    ``financing_places`` (financing certificates holding a place in it) are kept by the
    services with conditional UPDATEs, so concurrent confirmations and issues can never
    pass the budget or the cap."""

    uuid = models.UUIDField(_("идентификатор"), default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey("registry.Municipality", verbose_name=_("муниципалитет"),
                                     on_delete=models.PROTECT, related_name="financing_periods")
    title = models.CharField(_("название"), max_length=200)
    starts_on = models.DateField(_("начало периода"))
    ends_on = models.DateField(_("окончание периода"))
    budget = models.DecimalField(_("объём финансирования, ₽"), **MONEY)
    certificates_cap = models.PositiveIntegerField(_("число сертификатов финансирования"))
    nominal = models.DecimalField(_("номинал сертификата"), **MONEY)
    nominal_unit = models.CharField(_("единица номинала"), max_length=10,
                                    choices=NominalUnit.choices, default=NominalUnit.ROUBLES)
    hour_cost = models.DecimalField(
        _("нормативная стоимость академического часа, ₽"), null=True, blank=True, **MONEY,
        help_text=_("Нужна, если номинал задан в часах: часы × стоимость часа дают рубли."))
    fallback_on = models.DateField(
        _("срок использования сертификата финансирования"), null=True, blank=True,
        help_text=_("Сертификат финансирования без договора в этом периоде после этой даты "
                    "становится сертификатом учёта."))
    advance_share = models.DecimalField(_("доля аванса"), default="0.8000", **SHARE)
    price_cap_share = models.DecimalField(
        _("предельная цена к нормативной стоимости"), default="1.5000", **SHARE)
    committed = models.DecimalField(_("зарезервировано и оплачено, ₽"), default=0,
                                    db_default=0, editable=False, **MONEY)
    financing_places = models.PositiveIntegerField(_("выдано сертификатов финансирования"),
                                                   default=0, db_default=0, editable=False)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)

    SCOPE = {"municipality": "municipality"}

    class Meta:
        verbose_name = _("период финансирования")
        verbose_name_plural = _("периоды финансирования")
        ordering = ["municipality", "starts_on"]
        constraints = [
            models.CheckConstraint(name="period_dates", condition=Q(starts_on__lt=F("ends_on"))),
            models.CheckConstraint(name="period_budget_not_overcommitted",
                                   condition=Q(committed__gte=0, committed__lte=F("budget"))),
            models.CheckConstraint(name="period_places_within_cap",
                                   condition=Q(financing_places__lte=F("certificates_cap"))),
            models.CheckConstraint(name="period_shares",
                                   condition=Q(advance_share__gte=0, advance_share__lte=1,
                                               price_cap_share__gte=1)),
            models.CheckConstraint(name="period_money_not_negative",
                                   condition=Q(budget__gte=0, nominal__gte=0)),
        ]

    def __str__(self):
        return self.title

    @property
    def nominal_money(self):
        """The nominal of one financing certificate in roubles."""
        if self.nominal_unit == NominalUnit.HOURS:
            from opora.financing.pricing import hours_to_money

            return hours_to_money(self.nominal, self.hour_cost or 0)
        return self.nominal


class PeriodFallback(models.Model):
    """The fallback of a period's unused financing certificates has run (on ``ran_on``):
    it runs once per period, so places given after the deadline are kept."""

    period = models.OneToOneField(FinancingPeriod, verbose_name=_("период финансирования"),
                                  on_delete=models.CASCADE, related_name="fallback")
    ran_on = models.DateField(_("дата перевода неиспользованных сертификатов"))

    class Meta:
        verbose_name = _("перевод неиспользованных сертификатов")
        verbose_name_plural = _("переводы неиспользованных сертификатов")

    def __str__(self):
        return f"{self.period} — {self.ran_on:%d.%m.%Y}"


class CertificateKind(models.TextChoices):
    ACCOUNTING = "accounting", _("Сертификат учёта")
    FINANCING = "financing", _("Сертификат финансирования")


class CertificateStatus(models.TextChoices):
    REQUESTED = "requested", _("Заявление подано")
    ISSUED = "issued", _("Выдан")
    REFUSED = "refused", _("Отказано")
    FROZEN = "frozen", _("Заморожен")


class Certificate(models.Model):
    """The one certificate of a child: requested by a parent, issued by the МОЦ after
    checking the child's identity (then it gets its immutable ``number``), valid until
    the day before the 18th birthday. An accounting certificate that wants financing
    while the period's places are taken waits in line (``financing_wanted_at``)."""

    uuid = models.UUIDField(_("идентификатор"), default=uuid.uuid4, unique=True, editable=False)
    child = models.OneToOneField("enrollment.Child", verbose_name=_("ребёнок"),
                                 on_delete=models.PROTECT, related_name="certificate")
    municipality = models.ForeignKey("registry.Municipality", verbose_name=_("муниципалитет"),
                                     on_delete=models.PROTECT, related_name="certificates")
    number = models.CharField(_("номер сертификата"), max_length=10, null=True, blank=True,
                              unique=True, editable=False)
    kind = models.CharField(_("вид"), max_length=12, choices=CertificateKind.choices,
                            default=CertificateKind.ACCOUNTING)
    status = models.CharField(_("статус"), max_length=12, choices=CertificateStatus.choices,
                              default=CertificateStatus.REQUESTED)
    wants_financing = models.BooleanField(_("просит сертификат финансирования"), default=True)
    financing_wanted_at = models.DateTimeField(
        _("в очереди на финансирование с"), null=True, blank=True,
        help_text=_("Места финансирования заняты: сертификат получит финансирование в порядке "
                    "очереди."))
    valid_until = models.DateField(_("действует до"), null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("заявитель"),
                                     null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("заявление подано"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("решение принял"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(_("решение принято"), null=True, blank=True)
    reason = models.TextField(_("причина отказа или заморозки"), blank=True)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)

    SCOPE = {"municipality": "municipality"}

    class Meta:
        verbose_name = _("сертификат")
        verbose_name_plural = _("сертификаты")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="certificate_issued_has_number",
                condition=Q(status__in=["requested", "refused"]) | Q(number__isnull=False)),
            models.CheckConstraint(name="certificate_number_digits",
                                   condition=Q(number__isnull=True) | Q(number__regex=r"^[0-9]{10}$")),
        ]
        indexes = [models.Index(fields=["municipality", "financing_wanted_at"])]

    def __str__(self):
        return self.number or _("Заявление на сертификат № %(id)s") % {"id": self.pk}


class SocialCertificate(models.Model):
    """A social certificate (189-ФЗ) for one service: formed when the provider confirms
    an application to a group paid for by social certificates, for a child whose
    certificate is on the register (issued, of either kind). Its nominal is what the
    municipality pays for that service, min(total, normative) of the contract, from the
    budget of the period holding the start; its money lives in a ledger of its own
    (``CertificateLedger.social_certificate``) that the contract reserves from and the
    monthly settlement pays from like any other."""

    uuid = models.UUIDField(_("идентификатор"), default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("номер социального сертификата"), max_length=30, unique=True)
    certificate = models.ForeignKey(Certificate, verbose_name=_("сертификат из реестра"),
                                    on_delete=models.PROTECT, related_name="social_certificates")
    application = models.OneToOneField("enrollment.Application", verbose_name=_("заявка"),
                                       on_delete=models.PROTECT, related_name="social_certificate")
    period = models.ForeignKey(FinancingPeriod, verbose_name=_("период финансирования"),
                               on_delete=models.PROTECT, related_name="social_certificates")
    nominal = models.DecimalField(_("номинал, ₽"), **MONEY)
    issued_at = models.DateTimeField(_("сформирован"))

    SCOPE = {"municipality": "period__municipality"}

    class Meta:
        verbose_name = _("социальный сертификат")
        verbose_name_plural = _("социальные сертификаты")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="social_certificate_nominal", condition=Q(nominal__gte=0)),
        ]

    def __str__(self):
        return _("Социальный сертификат № %(number)s") % {"number": self.number}


class LedgerQuerySet(models.QuerySet):
    def personal(self):
        """The ledgers of certificates (one per certificate and period), without those of
        social certificates."""
        return self.filter(certificate__isnull=False)


def paid_lines():
    """Invoice lines whose amount is paid from a ledger: on a final or supplementary
    invoice that is not cancelled (each settles its contract's month)."""
    return (InvoiceLine.objects.filter(invoice__kind__in=[InvoiceKind.FINAL, InvoiceKind.SUPPLEMENTARY])
            .exclude(invoice__status=InvoiceStatus.CANCELLED))


class LedgerManager(models.Manager.from_queryset(LedgerQuerySet)):
    """Every ledger read carries ``paid`` (the sum of its contracts' paid lines) and
    ``reserved`` (``committed`` less it): a region's month close writes its lines and
    nothing on 400,000 ledgers. A sum over many ledgers is better taken from the lines
    directly (``reports.nominal_vs_used``)."""

    def get_queryset(self):
        paid = (paid_lines().filter(contract__ledger_id=OuterRef("pk")).order_by()
                .values("contract__ledger_id").annotate(total=Sum("amount")).values("total"))
        money = models.DecimalField(**MONEY)
        return (super().get_queryset()
                .annotate(paid=Round(Coalesce(Subquery(paid), Value(ZERO)), 2, output_field=money))
                .annotate(reserved=Round(F("committed") - F("paid"), 2, output_field=money)))


class CertificateLedger(models.Model):
    """Money in one financing period: balance = nominal − committed, never below zero,
    where ``committed`` is what is reserved for contracts and paid by their settled
    months together; the paid part is derived from the lines (``LedgerManager``). It
    belongs either to a certificate (its ledger in the period, one per period) or to a
    social certificate (the money of its one service). ``frozen_nominal`` keeps the
    nominal while the certificate is frozen (its nominal is then cut to what is
    committed)."""

    # db_index=False: the unique (certificate, period) constraint's index serves it.
    certificate = models.ForeignKey(Certificate, verbose_name=_("сертификат"), db_index=False,
                                    null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="ledgers")
    social_certificate = models.OneToOneField(
        SocialCertificate, verbose_name=_("социальный сертификат"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="ledger")
    period = models.ForeignKey(FinancingPeriod, verbose_name=_("период"),
                               on_delete=models.PROTECT, related_name="ledgers")
    nominal = models.DecimalField(_("номинал, ₽"), **MONEY)
    committed = models.DecimalField(_("зарезервировано и оплачено, ₽"), default=0, **MONEY)
    frozen_nominal = models.DecimalField(_("номинал до заморозки, ₽"), null=True, blank=True,
                                         **MONEY)

    objects = LedgerManager()

    SCOPE = {"municipality": "period__municipality"}

    class Meta:
        verbose_name = _("счёт сертификата в периоде")
        verbose_name_plural = _("счета сертификатов в периодах")
        constraints = [
            models.UniqueConstraint(fields=["certificate", "period"], name="ledger_per_period"),
            models.CheckConstraint(
                name="ledger_has_one_owner",
                condition=Q(certificate__isnull=False, social_certificate__isnull=True)
                | Q(certificate__isnull=True, social_certificate__isnull=False)),
            models.CheckConstraint(
                name="ledger_balance_not_negative",
                condition=Q(committed__gte=0, nominal__gte=F("committed"))),
        ]

    def __str__(self):
        owner = self.certificate if self.certificate_id else self.social_certificate
        return f"{owner} · {self.period}"

    @property
    def balance(self):
        return self.nominal - self.committed

    # ``paid`` and ``reserved`` come with the row (``LedgerManager``); a ledger made in this
    # process or reached through a join looks them up.
    @cached_property
    def paid(self) -> Decimal:
        return CertificateLedger.objects.values_list("paid", flat=True).get(pk=self.pk) if self.pk else ZERO

    @cached_property
    def reserved(self) -> Decimal:
        return self.committed - self.paid

    def refresh_from_db(self, *args, **kwargs):
        for name in ("paid", "reserved"):
            self.__dict__.pop(name, None)
        super().refresh_from_db(*args, **kwargs)


class CostParameters(models.Model):
    """A municipality's parameters of the normative cost of an academic hour of a
    module (one set for towns, one for rural areas); see ``pricing.normative_cost``."""

    municipality = models.ForeignKey("registry.Municipality", verbose_name=_("муниципалитет"),
                                     on_delete=models.CASCADE, related_name="cost_parameters")
    is_rural = models.BooleanField(_("для сельской местности"), default=False)
    teacher_pay_per_hour = models.DecimalField(_("оплата педагога за академический час, ₽"),
                                               **MONEY)
    qualification_coefficient = models.DecimalField(_("коэффициент квалификации"),
                                                    max_digits=6, decimal_places=3)
    staff_development_share = models.DecimalField(_("доля на повышение квалификации"), **SHARE)
    premises_per_hour = models.DecimalField(_("помещения за академический час, ₽"), **MONEY)
    equipment_per_hour = models.DecimalField(_("оборудование за академический час, ₽"), **MONEY)
    average_group_size = models.DecimalField(_("средняя наполняемость группы"),
                                             max_digits=6, decimal_places=2)
    updated_at = models.DateTimeField(_("изменены"), auto_now=True)

    SCOPE = {"municipality": "municipality"}

    class Meta:
        verbose_name = _("параметры нормативной стоимости")
        verbose_name_plural = _("параметры нормативной стоимости")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "is_rural"], name="cost_parameters_set"),
            models.CheckConstraint(name="cost_parameters_positive",
                                   condition=Q(average_group_size__gt=0,
                                               qualification_coefficient__gt=0)),
        ]

    def __str__(self):
        return f"{self.municipality} ({_('село') if self.is_rural else _('город')})"


class CertificationStatus(models.TextChoices):
    AWAITING = "awaiting", _("Ожидает сертификации")
    CERTIFIED = "certified", _("Сертифицирован")
    REFUSED = "refused", _("Отказано в сертификации")


class ModuleCertification(models.Model):
    """A module offered for certificate funding: the provider's price for the whole
    group period, the normative cost computed from the municipal parameters (both the
    parameters used and the result are kept) and the МОЦ's decision. A certified module
    whose content changes goes back to awaiting."""

    module = models.OneToOneField("registry.Module", verbose_name=_("модуль"),
                                  on_delete=models.CASCADE, related_name="certification")
    status = models.CharField(_("статус"), max_length=12, choices=CertificationStatus.choices,
                              default=CertificationStatus.AWAITING)
    price = models.DecimalField(_("цена модуля, ₽"), **MONEY)
    normative_cost = models.DecimalField(_("нормативная стоимость, ₽"), **MONEY)
    parameters = models.JSONField(_("параметры расчёта"), default=dict)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("запросил"),
                                     null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("запрошено"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("решение принял"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(_("решение принято"), null=True, blank=True)
    remark = models.TextField(_("замечание"), blank=True)

    SCOPE = {"organization": "module__program__organization",
             "municipality": "module__program__organization__municipality"}

    class Meta:
        verbose_name = _("сертификация модуля")
        verbose_name_plural = _("сертификация модулей")
        constraints = [
            models.CheckConstraint(name="certified_price_positive",
                                   condition=Q(price__gte=0, normative_cost__gte=0)),
        ]

    def __str__(self):
        return str(self.module)


class ContractStatus(models.TextChoices):
    CREATED = "created", _("Создан")
    CONFIRMED = "confirmed", _("Оферта направлена (средства зарезервированы)")
    ACTIVE = "active", _("Действует")
    CLOSED = "closed", _("Завершён")
    REFUSED = "refused", _("Отклонён")


class Contract(models.Model):
    """The contract of a child's studies paid with a certificate, created when the
    provider confirms the application; its amounts follow ``pricing.price_contract``
    and its monthly schedule is in ``months``. ``ends_on`` is the earlier of the
    group's end and the end of the period that holds the start; ``terminated_on`` is
    the last day paid for after an expulsion or a withdrawal."""

    uuid = models.UUIDField(_("идентификатор"), default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("номер договора"), max_length=30, unique=True)
    application = models.OneToOneField("enrollment.Application", verbose_name=_("заявка"),
                                       on_delete=models.PROTECT, related_name="contract")
    certificate = models.ForeignKey(Certificate, verbose_name=_("сертификат"),
                                    on_delete=models.PROTECT, related_name="contracts")
    period = models.ForeignKey(FinancingPeriod, verbose_name=_("период финансирования"),
                               on_delete=models.PROTECT, related_name="contracts")
    # The ledger the certificate part is reserved from and paid from: the certificate's
    # in the period, or the social certificate's; none when the certificate pays nothing.
    # A fallback deletes unused ledgers, whose only contracts were refused.
    ledger = models.ForeignKey(CertificateLedger, verbose_name=_("счёт сертификата"), null=True,
                               blank=True, on_delete=models.SET_NULL, related_name="contracts")
    # The cooperation agreement a child of another municipality studies under (the payer
    # is the child's municipality, the provider in the agreement's host); none at home.
    agreement = models.ForeignKey("financing.CooperationAgreement", verbose_name=_("соглашение о сотрудничестве"),
                                  null=True, blank=True, on_delete=models.PROTECT, related_name="contracts")
    organization = models.ForeignKey("registry.Organization", verbose_name=_("организация"),
                                     on_delete=models.PROTECT, related_name="contracts")
    module = models.ForeignKey("registry.Module", verbose_name=_("модуль"),
                               on_delete=models.PROTECT, related_name="contracts")
    group = models.ForeignKey("registry.Group", verbose_name=_("группа"),
                              on_delete=models.PROTECT, related_name="contracts")
    status = models.CharField(_("статус"), max_length=12, choices=ContractStatus.choices,
                              default=ContractStatus.CREATED)
    signed_on = models.DateField(_("дата договора"))
    starts_on = models.DateField(_("начало обучения"))
    ends_on = models.DateField(_("окончание обучения"))
    terminated_on = models.DateField(_("расторгнут с"), null=True, blank=True)
    total = models.DecimalField(_("стоимость обучения, ₽"), **MONEY)
    normative = models.DecimalField(_("нормативная стоимость, ₽"), **MONEY)
    certificate_part = models.DecimalField(_("оплачивается сертификатом, ₽"), **MONEY)
    parent_part = models.DecimalField(_("оплачивается родителем, ₽"), **MONEY)
    reason = models.TextField(_("причина отказа или расторжения"), blank=True)
    accepted_at = models.DateTimeField(_("оферта принята"), null=True, blank=True)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)

    SCOPE = {"organization": "organization", "municipality": "period__municipality"}

    class Meta:
        verbose_name = _("договор")
        verbose_name_plural = _("договоры")
        ordering = ["-signed_on", "-pk"]
        constraints = [
            models.CheckConstraint(name="contract_dates", condition=Q(starts_on__lte=F("ends_on"))),
            models.CheckConstraint(
                name="contract_parts_sum",
                condition=Q(certificate_part__gte=0, parent_part__gte=0,
                            total=kopecks(F("certificate_part") + F("parent_part")))),
        ]
        indexes = [models.Index(fields=["period", "status"])]

    def __str__(self):
        return _("Договор № %(number)s") % {"number": self.number}


def settling_lines(contract=None, month=None):
    """The lines that settle a contract's month (the outer month's, by default): on a
    final or supplementary invoice of the month that is not cancelled (its reserve then
    counts as paid)."""
    contract = OuterRef("contract_id") if contract is None else contract
    month = OuterRef("month") if month is None else month
    return paid_lines().filter(contract_id=contract, invoice__month=month)


class ContractMonthManager(models.Manager):
    """Every month read carries ``settled``, derived from its line (``settling_lines``):
    a region's month close writes its lines and nothing on 441,000 months."""

    def get_queryset(self):
        return super().get_queryset().annotate(settled=Exists(settling_lines()))


class ContractMonth(models.Model):
    """One month of a contract's schedule: what the certificate and the parent pay.
    ``settled`` (not stored) is true while the month's line is on a live final or
    supplementary invoice: its reserve has moved to paid."""

    contract = models.ForeignKey(Contract, verbose_name=_("договор"), on_delete=models.CASCADE,
                                 db_index=False, related_name="months")  # (contract, month) serves it
    month = models.DateField(_("месяц"))  # its first day
    certificate_amount = models.DecimalField(_("сертификатом, ₽"), **MONEY)
    parent_amount = models.DecimalField(_("родителем, ₽"), **MONEY)
    cancelled = models.BooleanField(_("снят при расторжении"), default=False)

    objects = ContractMonthManager()

    class Meta:
        verbose_name = _("месяц договора")
        verbose_name_plural = _("месяцы договора")
        ordering = ["contract", "month"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "month"], name="contract_month"),
            models.CheckConstraint(name="contract_month_first_day", condition=Q(month__day=1)),
            models.CheckConstraint(name="contract_month_not_negative",
                                   condition=Q(certificate_amount__gte=0, parent_amount__gte=0)),
        ]

    def __str__(self):
        return f"{self.contract} · {self.month:%m.%Y}"

    @cached_property
    def settled(self) -> bool:
        """Comes with the row (``ContractMonthManager``); a month made in this process or
        reached through a join looks it up."""
        return settling_lines(self.contract_id, self.month).exists()

    def refresh_from_db(self, *args, **kwargs):
        self.__dict__.pop("settled", None)
        super().refresh_from_db(*args, **kwargs)


class InvoiceKind(models.TextChoices):
    ADVANCE = "advance", _("Аванс")
    FINAL = "final", _("Итоговый счёт")
    # Months that became billable after the provider's final invoice of the month left
    # draft (``opora.financing.supplementary``); any number per month, one draft at a time.
    SUPPLEMENTARY = "supplementary", _("Дополнительный счёт")


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Черновик")
    SUBMITTED = "submitted", _("Направлен")
    ACCEPTED = "accepted", _("Принят")
    PAID = "paid", _("Оплачен")
    CANCELLED = "cancelled", _("Отменён")


class Invoice(models.Model):
    """What a municipality owes a provider for one month: the advance at the start of
    the month, the final invoice after it with the completeness of each contract and
    the amount due after the advance."""

    uuid = models.UUIDField(_("идентификатор"), default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey("registry.Municipality", verbose_name=_("плательщик"),
                                     on_delete=models.PROTECT, related_name="invoices")
    organization = models.ForeignKey("registry.Organization", verbose_name=_("организация"),
                                     on_delete=models.PROTECT, related_name="invoices")
    month = models.DateField(_("месяц"))
    kind = models.CharField(_("вид"), max_length=13, choices=InvoiceKind.choices)
    status = models.CharField(_("статус"), max_length=10, choices=InvoiceStatus.choices,
                              default=InvoiceStatus.DRAFT)
    amount = models.DecimalField(_("сумма, ₽"), default=0, **MONEY)
    advance = models.DecimalField(_("выплаченный аванс, ₽"), default=0, **MONEY)
    created_at = models.DateTimeField(_("сформирован"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)

    SCOPE = {"organization": "organization", "municipality": "municipality"}

    class Meta:
        verbose_name = _("счёт")
        verbose_name_plural = _("счета")
        ordering = ["-month", "organization", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "organization", "month", "kind"],
                                    condition=~Q(status="cancelled") & ~Q(kind="supplementary"),
                                    name="one_invoice_per_month"),
            models.UniqueConstraint(fields=["municipality", "organization", "month"],
                                    condition=Q(kind="supplementary", status="draft"),
                                    name="one_draft_supplementary_per_month"),
            models.CheckConstraint(name="invoice_month_first_day", condition=Q(month__day=1)),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.organization} · {self.month:%m.%Y}"

    @property
    def due(self):
        """What is left to pay: the amount less the advance (the final invoice)."""
        return self.amount - self.advance


class InvoiceLine(models.Model):
    # Both references are proven per statement by triggers, not per row by foreign keys
    # (migration 0010): a region's month close writes hundreds of thousands of lines.
    invoice = models.ForeignKey(Invoice, verbose_name=_("счёт"), on_delete=models.CASCADE, db_constraint=False,
                                db_index=False, related_name="lines")  # (invoice, contract) serves it
    contract = models.ForeignKey(Contract, verbose_name=_("договор"), on_delete=models.PROTECT,
                                 db_constraint=False, related_name="invoice_lines")
    contract_number = models.CharField(_("номер договора"), max_length=30)
    certificate_number = models.CharField(_("номер сертификата"), max_length=10)
    month_amount = models.DecimalField(_("по графику, ₽"), **MONEY)
    completeness = models.DecimalField(_("полнота оказания услуги, %"), max_digits=5,
                                       decimal_places=2, default=100)
    amount = models.DecimalField(_("к оплате, ₽"), **MONEY)

    class Meta:
        verbose_name = _("строка счёта")
        verbose_name_plural = _("строки счёта")
        ordering = ["invoice", "contract_number"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "contract"], name="invoice_line_per_contract"),
            models.CheckConstraint(name="invoice_line_completeness",
                                   condition=Q(completeness__gte=0, completeness__lte=100)),
            models.CheckConstraint(name="invoice_line_amount",
                                   condition=Q(amount__gte=0, amount__lte=F("month_amount"))),
        ]

    def __str__(self):
        return f"{self.invoice} · {self.contract_number}"


# Cooperation agreements between municipalities (the payer matrix) and prolongation into
# the next period live in modules of their own (this one stays a screen).
from opora.financing.agreement_models import AgreementStatus, CooperationAgreement  # noqa: E402, F401
from opora.financing.prolongation_models import (  # noqa: E402, F401
    ProlongationOffer,
    ProlongationSettings,
    ProlongationStatus,
)

# Group switches and disputes over invoice lines live in their own module too.
from opora.financing.switching_models import (  # noqa: E402, F401
    UNRESOLVED,
    DisputeStatus,
    GroupSwitch,
    InvoiceDispute,
    SwitchStatus,
)
