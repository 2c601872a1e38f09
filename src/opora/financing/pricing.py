"""Pricing of certificate contracts and normative costs (docs/domain.md §4), as pure functions.

No database and no Django here: services pass plain dates and ``Decimal`` amounts in
and store what comes out. Money is ``Decimal`` in roubles with kopecks; a float is
refused. Every division is done exactly with ``fractions.Fraction`` and floored to the
kopeck once, at the end, so no intermediate rounding can move a kopeck (a ``Decimal``
quotient such as 1/3 is rounded to 28 digits, and 1/3 × 3.00 would then floor to 0.99
instead of 1.00). Every amount returned has exactly two decimal places.

Contract price, with D_group = days of the group period and D = days of the contract
(both counted inclusively, end − start + 1):

- total = ⌊D / D_group × module price⌋, normative = ⌊D / D_group × normative cost⌋,
  both floored to the kopeck;
- certificate part = min(total, normative, balance of the period), a negative balance
  counting as zero; parent part = total − certificate part;
- each part is split over the M calendar months the contract touches: with d1 = days
  of the contract in its first month, every later month pays
  ⌊(D − d1) / D × amount / (M − 1)⌋ and the first month takes the rest, so the months
  sum exactly to the part. With M = 1 there is one payment.

Normative cost of a module, per child, from the municipal parameters (the caller picks
the urban or the rural set):

    cost = ⌊(p × k × (1 + s) + r + e) × h / n⌋

p — teacher pay per academic hour (roubles); k — qualification coefficient; s — staff
development share of the pay (0.05 = 5 %); r — premises cost per academic hour; e —
equipment cost per academic hour; h — academic hours of the module; n — average group
size. In words: an hour of the group costs the teacher's pay raised by the
qualification coefficient and by the staff-development share, plus premises and
equipment; the module costs that per hour times its hours, shared by the children of
an average group, floored to the kopeck.

Invalid arguments raise ``ValueError`` (``TypeError`` for a non-Decimal amount): they
are programming errors, since callers validate what users type.
"""

import math
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction

KOPECK = Decimal("0.01")
DEFAULT_CAP_SHARE = Decimal("1.50")


# --- money helpers ---------------------------------------------------------------------


def floor_kopecks(x: Decimal | Fraction) -> Decimal:
    """Round an amount down (towards −∞) to whole kopecks; a Fraction is floored exactly."""
    if isinstance(x, Fraction):
        return Decimal(math.floor(x * 100)).scaleb(-2)
    return x.quantize(KOPECK, rounding=ROUND_FLOOR)


def _money(name: str, value: Decimal, *, kopecks: bool = True, non_negative: bool = True) -> Decimal:
    """Check an amount argument and return it with two decimal places when ``kopecks``."""
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"{name} must be a finite number, got {value}")
    if non_negative and value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    if kopecks:
        if value != value.quantize(KOPECK, rounding=ROUND_FLOOR):
            raise ValueError(f"{name} must be whole kopecks, got {value}")
        return value.quantize(KOPECK)
    return value


def _days(start: date, end: date) -> int:
    """Days of the interval [start, end], both ends included."""
    return (end - start).days + 1


# --- calendar ------------------------------------------------------------------------


def contract_end(group_end: date, period_end: date) -> date:
    """A contract ends with its group or with the financing period that holds its start."""
    return min(group_end, period_end)


def months_touched(start: date, end: date) -> list[date]:
    """First days of the calendar months the interval [start, end] touches, in order."""
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def split_monthly(amount: Decimal, start: date, end: date) -> list[tuple[date, Decimal]]:
    """Split an amount over the months of [start, end]: equal later months, the first takes the rest.

    With D = days of the interval, d1 = its days in the first month and M = months
    touched, every later month pays ⌊(D − d1) / D × amount / (M − 1)⌋ to the kopeck
    and the first month pays amount − (M − 1) × that, so the months sum exactly to
    the amount; with M = 1 the whole amount falls in one month. The quotient is
    computed as an exact ``Fraction`` and floored once, so no intermediate rounding
    changes a kopeck. The first month is never below its exact share d1 / D × amount
    (and exceeds it by less than M − 1 kopecks); it may be smaller than a later month
    when the contract starts late in its first month.
    """
    amount = _money("amount", amount)
    months = months_touched(start, end)
    if len(months) == 1:
        return [(months[0], amount)]

    days = _days(start, end)
    first_month_days = _days(start, _last_day_of_month(start))
    later_months = len(months) - 1
    later = floor_kopecks(Fraction(days - first_month_days, days) * Fraction(amount) / later_months)
    first = amount - later * later_months
    return [(months[0], first)] + [(month, later) for month in months[1:]]


def _last_day_of_month(day: date) -> date:
    following = date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


# --- contract price --------------------------------------------------------------------


@dataclass(frozen=True)
class MonthAmount:
    """What the certificate and the parent pay for one calendar month (``month`` is its first day)."""

    month: date
    certificate: Decimal
    parent: Decimal


@dataclass(frozen=True)
class Price:
    """The price of a contract: its totals and their monthly split, in roubles."""

    total: Decimal
    normative: Decimal
    certificate_part: Decimal
    parent_part: Decimal
    months: tuple[MonthAmount, ...]


def price_contract(
    *,
    group_start: date,
    group_end: date,
    start: date,
    end: date,
    module_price: Decimal,
    normative_cost: Decimal,
    balance: Decimal,
) -> Price:
    """Price a contract [start, end] in a group period: the days' share of the module price and
    normative cost, the certificate paying up to the normative cost and the period's balance,
    the parent the rest, each part split by month.

    ``module_price`` and ``normative_cost`` are for the whole group period; ``balance`` is
    the certificate's balance in the financing period holding the start (a negative one
    pays nothing).
    """
    if group_start > group_end:
        raise ValueError(f"group start {group_start} is after group end {group_end}")
    if start > end:
        raise ValueError(f"contract start {start} is after contract end {end}")
    if start < group_start or end > group_end:
        raise ValueError(f"contract {start}–{end} lies outside its group period {group_start}–{group_end}")
    module_price = _money("module_price", module_price)
    normative_cost = _money("normative_cost", normative_cost)
    balance = _money("balance", balance, non_negative=False)

    share = Fraction(_days(start, end), _days(group_start, group_end))
    total = floor_kopecks(share * Fraction(module_price))
    normative = floor_kopecks(share * Fraction(normative_cost))
    certificate_part = min(total, normative, max(balance, Decimal("0.00")))
    parent_part = total - certificate_part

    certificate_months = split_monthly(certificate_part, start, end)
    parent_months = split_monthly(parent_part, start, end)
    months = tuple(
        MonthAmount(month=month, certificate=certificate, parent=parent)
        for (month, certificate), (_, parent) in zip(certificate_months, parent_months, strict=True)
    )
    return Price(
        total=total,
        normative=normative,
        certificate_part=certificate_part,
        parent_part=parent_part,
        months=months,
    )


# --- normative cost --------------------------------------------------------------------


@dataclass(frozen=True)
class CostParameters:
    """Municipal parameters of the normative cost of a module (one set for towns, one for rural areas).

    Money is in roubles per academic hour; ``staff_development_share`` is a fraction of
    the teacher's pay (``Decimal("0.05")`` for 5 %).
    """

    teacher_pay_per_hour: Decimal
    qualification_coefficient: Decimal
    hours: Decimal
    average_group_size: Decimal
    premises_cost_per_hour: Decimal
    equipment_cost_per_hour: Decimal
    staff_development_share: Decimal


def normative_cost(parameters: CostParameters) -> Decimal:
    """Normative cost of a module per child: ⌊(p × k × (1 + s) + r + e) × h / n⌋ (see the module docstring)."""
    p = _exact("teacher_pay_per_hour", parameters.teacher_pay_per_hour)
    k = _exact("qualification_coefficient", parameters.qualification_coefficient)
    h = _exact("hours", parameters.hours)
    n = _exact("average_group_size", parameters.average_group_size)
    r = _exact("premises_cost_per_hour", parameters.premises_cost_per_hour)
    e = _exact("equipment_cost_per_hour", parameters.equipment_cost_per_hour)
    s = _exact("staff_development_share", parameters.staff_development_share)
    if n == 0:
        raise ValueError("average_group_size must be positive")
    return floor_kopecks((p * k * (1 + s) + r + e) * h / n)


def price_cap(normative: Decimal, cap_share: Decimal = DEFAULT_CAP_SHARE) -> Decimal:
    """The highest price a module may have: its normative cost × the cap share (150 % by default)."""
    return floor_kopecks(_exact("normative", normative) * _exact("cap_share", cap_share))


def hours_to_money(weekly_hours: Decimal, cost_per_hour: Decimal) -> Decimal:
    """A nominal in weekly academic hours as money: hours × the program's normative cost per hour."""
    return floor_kopecks(_exact("weekly_hours", weekly_hours) * _exact("cost_per_hour", cost_per_hour))


def _exact(name: str, value: Decimal) -> Fraction:
    """A non-negative Decimal parameter as an exact Fraction (it may carry more than two decimals)."""
    return Fraction(_money(name, value, kopecks=False))
