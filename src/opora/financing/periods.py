"""The payer's settings (docs/domain.md §4): financing periods and the parameters of the
normative cost. Only the education authority or the МОЦ operator of the municipality
changes them (``financing.configure``); every change is recorded with the values
before and after.

- ``save_period(actor, municipality, data, period=None) -> FinancingPeriod`` creates
  or changes a period. ``data`` holds the model's fields: ``title``, ``starts_on``,
  ``ends_on``, ``budget``, ``certificates_cap``, ``nominal``, ``nominal_unit``,
  ``hour_cost``, ``fallback_on``, ``advance_share`` and ``price_cap_share`` (shares as
  fractions: 0.8 is 80 %); missing keys keep their current (or default) value.
- ``save_cost_parameters(actor, municipality, is_rural, data) -> CostParameters`` sets
  the town or the rural set.

Rules of a period: its dates are ordered and do not overlap another period of the
municipality (so a current and a next period coexist, never two current ones); the
budget is not below what is already committed and the number of financing
certificates not below the places already given; money is whole kopecks and not
negative; a nominal in weekly hours needs the cost of an hour; the advance share is
0–100 %, the price cap at least 100 % (at most 1000 %); the fallback deadline lies within
the period. Dates may not move so that a contract of the period starts outside it.

Budget and nominal (decision): the budget is NOT required to cover
``certificates_cap × nominal``. Children rarely spend a whole nominal, so payers plan
more certificates than the budget would pay in full; what keeps the money safe is
``committed ≤ budget``, enforced when contracts reserve money. The pages show a warning
(``selectors.period_warnings``) when the cap times the nominal exceeds the budget.

A changed nominal applies to the period's ledgers at once (frozen ledgers keep the new
nominal aside); it may not drop below what a ledger has already reserved and paid. A
cap raised, or a new period, gives its free places to the queue at once.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from opora import audit, locking
from opora.accounts import scope
from opora.errors import PermissionDenied, ValidationFailed
from opora.financing import certificates
from opora.financing.models import (
    CertificateLedger,
    Contract,
    ContractStatus,
    CostParameters,
    FinancingPeriod,
    NominalUnit,
)
from opora.financing.pricing import hours_to_money
from opora.money import amount
from opora.registry.models import Municipality

MAX_CAP = 10_000_000  # far above any region's children, far below the column's limit
PERIOD_FIELDS = ("title", "starts_on", "ends_on", "budget", "certificates_cap", "nominal",
                 "nominal_unit", "hour_cost", "fallback_on", "advance_share", "price_cap_share")
COST_FIELDS = ("teacher_pay_per_hour", "qualification_coefficient", "staff_development_share",
               "premises_per_hour", "equipment_per_hour", "average_group_size")
MAX_MONEY = Decimal("999999999999.99")
MAX_CAP_SHARE = Decimal("10")
KOPECK = Decimal("0.01")


class _Errors(dict):
    def add(self, field, message):
        self.setdefault(field, []).append(message)

    def raise_if_any(self):
        if self:
            raise ValidationFailed(dict(self))


def _decimal(errors, data, field, *, places, required=True, minimum=Decimal(0), maximum=None,
             above=None):
    """A Decimal from ``data[field]`` with at most ``places`` decimals, within bounds."""
    value = data.get(field)
    if value in (None, ""):
        if required:
            errors.add(field, _("Заполните поле."))
        return None
    try:
        value = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        errors.add(field, _("Введите число."))
        return None
    if not value.is_finite():
        errors.add(field, _("Введите число."))
        return None
    if value != value.quantize(Decimal(1).scaleb(-places)):
        errors.add(field, _("Не более %(n)s знаков после запятой.") % {"n": places})
        return None
    if above is not None and value <= above:
        errors.add(field, _("Значение должно быть больше %(n)s.") % {"n": above})
        return None
    if value < minimum:
        errors.add(field, _("Значение не может быть меньше %(n)s.") % {"n": minimum})
        return None
    if maximum is not None and value > maximum:
        errors.add(field, _("Значение не может быть больше %(n)s.") % {"n": maximum})
        return None
    return value


def _plain(value):
    """A value as the audit keeps it (JSON)."""
    if value is None:
        return None
    if isinstance(value, Decimal | dt.date):
        return str(value)
    return value


def _require_configure(actor, municipality):
    scope.require(actor, "financing.configure", municipality)


# --- periods -------------------------------------------------------------------------


def _clean_period(data: dict, period: FinancingPeriod) -> dict:
    """Check the values of a period; returns them clean or raises ValidationFailed."""
    errors = _Errors()
    values = {name: data.get(name, getattr(period, name)) for name in PERIOD_FIELDS}
    clean = {}
    title = (values["title"] or "").strip()
    if not title:
        errors.add("title", _("Укажите название периода."))
    elif len(title) > 200:
        errors.add("title", _("Не более 200 символов."))
    clean["title"] = title
    for name in ("starts_on", "ends_on", "fallback_on"):
        value = values[name]
        if value is not None and not isinstance(value, dt.date):
            errors.add(name, _("Введите дату."))
            value = None
        if value is None and name != "fallback_on":
            errors.add(name, _("Укажите дату."))
        clean[name] = value
    if clean["starts_on"] and clean["ends_on"] and clean["starts_on"] >= clean["ends_on"]:
        errors.add("ends_on", _("Окончание периода должно быть позже его начала."))
    if clean["fallback_on"] and clean["starts_on"] and clean["ends_on"] and not (
            clean["starts_on"] <= clean["fallback_on"] <= clean["ends_on"]):
        errors.add("fallback_on", _("Срок использования сертификата должен быть внутри периода."))
    clean["budget"] = _decimal(errors, values, "budget", places=2, maximum=MAX_MONEY)
    clean["nominal"] = _decimal(errors, values, "nominal", places=2, maximum=MAX_MONEY)
    cap = values["certificates_cap"]
    if cap in (None, "") or isinstance(cap, bool) or not isinstance(cap, int) or not 0 <= cap <= MAX_CAP:
        errors.add("certificates_cap", _("Укажите целое число от 0 до %(max)s.") % {"max": MAX_CAP})
        cap = None
    clean["certificates_cap"] = cap
    unit = values["nominal_unit"] or NominalUnit.ROUBLES
    if unit not in NominalUnit.values:
        errors.add("nominal_unit", _("Выберите единицу номинала."))
    clean["nominal_unit"] = unit
    clean["hour_cost"] = _decimal(errors, values, "hour_cost", places=2, required=False,
                                  maximum=MAX_MONEY)
    if unit == NominalUnit.HOURS and not clean["hour_cost"]:
        errors.add("hour_cost", _("Номинал задан в часах: укажите стоимость академического часа."))
    clean["advance_share"] = _decimal(errors, values, "advance_share", places=4,
                                      maximum=Decimal(1))
    clean["price_cap_share"] = _decimal(errors, values, "price_cap_share", places=4,
                                        minimum=Decimal(1), maximum=MAX_CAP_SHARE)
    errors.raise_if_any()
    return clean


def _check_against_facts(clean: dict, municipality, period: FinancingPeriod) -> None:
    """The rules that read other rows: overlaps, what is committed and given, contracts."""
    errors = _Errors()
    overlapping = (FinancingPeriod.objects.filter(municipality=municipality)
                   .filter(starts_on__lte=clean["ends_on"], ends_on__gte=clean["starts_on"])
                   .exclude(pk=period.pk).order_by("starts_on").first())
    if overlapping is not None:
        errors.add("starts_on", _("Даты пересекаются с периодом «%(title)s» (%(start)s – %(end)s).") % {
            "title": overlapping.title, "start": overlapping.starts_on.strftime("%d.%m.%Y"),
            "end": overlapping.ends_on.strftime("%d.%m.%Y")})
    if period.pk:
        if clean["budget"] < period.committed:
            errors.add("budget", _("Объём финансирования не может быть меньше уже "
                                   "зарезервированного и оплаченного: %(n)s ₽.") % {"n": amount(period.committed)})
        if clean["certificates_cap"] < period.financing_places:
            errors.add("certificates_cap", _("Уже выдано сертификатов финансирования: %(n)s; "
                                             "число не может быть меньше.") % {"n": period.financing_places})
        outside = Contract.objects.filter(period=period).exclude(status=ContractStatus.REFUSED).filter(
            Q(starts_on__lt=clean["starts_on"]) | Q(starts_on__gt=clean["ends_on"])
            | Q(ends_on__gt=clean["ends_on"])).exists()
        if outside:
            errors.add("starts_on", _("Есть договоры этого периода, которые начинаются или "
                                      "заканчиваются вне новых дат."))
        nominal = _nominal_money(clean)
        used = CertificateLedger.objects.personal().filter(period=period).aggregate(
            most=Max("committed"))["most"]
        # SQLite returns the maximum of a sum without its scale.
        used = None if used is None else Decimal(used).quantize(KOPECK)
        if used is not None and nominal < used:
            errors.add("nominal", _("Номинал в рублях (%(nominal)s ₽) не может быть меньше уже "
                                    "зарезервированного и оплаченного по одному сертификату: %(used)s ₽.")
                       % {"nominal": amount(nominal), "used": amount(used)})
    errors.raise_if_any()


def _nominal_money(clean: dict) -> Decimal:
    if clean["nominal_unit"] == NominalUnit.HOURS:
        return hours_to_money(clean["nominal"], clean["hour_cost"] or Decimal(0))
    return clean["nominal"]


def save_period(actor, municipality: Municipality, data: dict,
                period: FinancingPeriod | None = None) -> FinancingPeriod:
    """The payer creates or changes a financing period of its municipality (the rules
    are in the module docstring); the change is recorded with the values before and
    after, and free places go to the financing queue."""
    _require_configure(actor, municipality)
    # A lock wait or deadlock with a confirmation becomes «try again», never an error page;
    # the ledgers are locked before the period, the order of every money path.
    with locking.atomic():
        if period is not None:
            locking.rows(CertificateLedger.objects.filter(period=period).values_list("pk", flat=True))
            period = locking.row(FinancingPeriod, period.pk)
            if period.municipality_id != municipality.pk:
                raise PermissionDenied(_("Период относится к другому муниципалитету."))
        else:
            period = FinancingPeriod(municipality=municipality)
        # Two payers saving periods of one municipality at once must see each other.
        locking.rows(Municipality.objects.filter(pk=municipality.pk).values_list("pk", flat=True))
        clean = _clean_period(data, period)
        _check_against_facts(clean, municipality, period)
        created = period.pk is None
        before = {name: getattr(period, name) for name in PERIOD_FIELDS}
        nominal_before = None if created else period.nominal_money
        changed = {name: [_plain(before[name]), _plain(clean[name])] for name in PERIOD_FIELDS
                   if created or before[name] != clean[name]}
        for name, value in clean.items():
            setattr(period, name, value)
        if not changed:
            return period
        period.save()
        if not created and period.nominal_money != nominal_before:
            _renominate(period)
        audit.record(actor, "financing.period.created" if created else "financing.period.updated",
                     period, changes=changed)
        certificates.serve_financing_queue(period, actor=actor)
    period.refresh_from_db()
    return period


def _renominate(period: FinancingPeriod) -> None:
    """A changed nominal applies to every certificate's ledger of the period: a frozen
    ledger keeps it aside, the others get it (``_check_against_facts`` made sure it covers
    their use). A social certificate keeps its own: the nominal of its one service."""
    nominal = period.nominal_money
    ledgers = CertificateLedger.objects.personal().filter(period=period)
    ledgers.filter(frozen_nominal__isnull=True).update(nominal=nominal)
    ledgers.filter(frozen_nominal__isnull=False).update(frozen_nominal=nominal)


# --- cost parameters -----------------------------------------------------------------


def save_cost_parameters(actor, municipality: Municipality, is_rural: bool,
                         data: dict) -> CostParameters:
    """The payer sets the parameters of the normative cost for towns or rural areas;
    certifications already made keep the parameters they were computed with."""
    _require_configure(actor, municipality)
    errors = _Errors()
    clean = {
        "teacher_pay_per_hour": _decimal(errors, data, "teacher_pay_per_hour", places=2,
                                         maximum=MAX_MONEY),
        "qualification_coefficient": _decimal(errors, data, "qualification_coefficient",
                                              places=3, above=Decimal(0), maximum=Decimal(999)),
        "staff_development_share": _decimal(errors, data, "staff_development_share", places=4,
                                            maximum=Decimal(1)),
        "premises_per_hour": _decimal(errors, data, "premises_per_hour", places=2,
                                      maximum=MAX_MONEY),
        "equipment_per_hour": _decimal(errors, data, "equipment_per_hour", places=2,
                                       maximum=MAX_MONEY),
        "average_group_size": _decimal(errors, data, "average_group_size", places=2,
                                       above=Decimal(0), maximum=Decimal(9999)),
    }
    errors.raise_if_any()
    with transaction.atomic():
        current = locking.first(CostParameters.objects.filter(municipality=municipality,
                                                              is_rural=bool(is_rural)))
        created = current is None
        if created:
            current = CostParameters(municipality=municipality, is_rural=bool(is_rural))
        before = {name: getattr(current, name, None) for name in COST_FIELDS}
        changed = {name: [_plain(before[name]), _plain(value)] for name, value in clean.items()
                   if created or before[name] != value}
        if not changed:
            return current
        for name, value in clean.items():
            setattr(current, name, value)
        current.save()
        audit.record(actor, "financing.cost_parameters.updated", current,
                     is_rural=bool(is_rural), changes=changed)
    return current
