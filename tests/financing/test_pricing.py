"""Contract pricing and normative costs (docs/domain.md §4): hand-computed cases, then properties."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opora.financing.pricing import (
    KOPECK,
    CostParameters,
    MonthAmount,
    Price,
    contract_end,
    floor_kopecks,
    hours_to_money,
    months_touched,
    normative_cost,
    price_cap,
    price_contract,
    split_monthly,
)

D = Decimal


@dataclass(frozen=True)
class Case:
    group_start: date
    group_end: date
    start: date
    end: date
    module_price: Decimal
    normative_cost: Decimal
    balance: Decimal
    expected: Price


def _months(*rows):
    return tuple(MonthAmount(month=month, certificate=D(certificate), parent=D(parent))
                 for month, certificate, parent in rows)


# A school-year group: 2026-09-01 … 2027-05-31 has
# 30 + 31 + 30 + 31 + 31 + 28 + 31 + 30 + 31 = 273 days.
SCHOOL_YEAR = (date(2026, 9, 1), date(2027, 5, 31))

CASES = [
    pytest.param(Case(
        *SCHOOL_YEAR, date(2026, 10, 5), date(2026, 10, 24),
        module_price=D("27300.00"), normative_cost=D("30030.00"), balance=D("5000.00"),
        # D = 20, D_group = 273, M = 1.
        # total = 20/273 × 27300 = 2000.00; normative = 20/273 × 30030 = 2200.00
        # certificate = min(2000.00, 2200.00, 5000.00) = 2000.00; parent = 0.00; one payment.
        expected=Price(D("2000.00"), D("2200.00"), D("2000.00"), D("0.00"),
                       _months((date(2026, 10, 1), "2000.00", "0.00"))),
    ), id="inside-one-month"),
    pytest.param(Case(
        date(2026, 12, 15), date(2027, 1, 20), date(2026, 12, 15), date(2027, 1, 20),
        module_price=D("1000.00"), normative_cost=D("900.00"), balance=D("5000.00"),
        # D = D_group = 17 (15–31 Dec) + 20 (1–20 Jan) = 37, d1 = 17, M = 2.
        # total = 1000.00; normative = 900.00; certificate = 900.00; parent = 100.00.
        # certificate: Jan = ⌊20/37 × 900.00⌋ = ⌊486.486…⌋ = 486.48; Dec = 900.00 − 486.48 = 413.52
        # parent:      Jan = ⌊20/37 × 100.00⌋ = ⌊54.054…⌋ = 54.05;   Dec = 100.00 − 54.05 = 45.95
        expected=Price(D("1000.00"), D("900.00"), D("900.00"), D("100.00"),
                       _months((date(2026, 12, 1), "413.52", "45.95"),
                               (date(2027, 1, 1), "486.48", "54.05"))),
    ), id="across-a-year-boundary"),
    pytest.param(Case(
        *SCHOOL_YEAR, date(2027, 1, 31), date(2027, 3, 10),
        module_price=D("27300.00"), normative_cost=D("27300.00"), balance=D("10000.00"),
        # D = 1 (31 Jan) + 28 (Feb) + 10 (1–10 Mar) = 39, d1 = 1, M = 3.
        # total = normative = 39/273 × 27300 = 3900.00; certificate = 3900.00; parent = 0.00.
        # certificate: Feb = Mar = ⌊38/39 × 3900.00 / 2⌋ = 1900.00; Jan = 3900.00 − 3800.00 = 100.00
        # (a later month pays more than the first one when the contract starts late in it).
        expected=Price(D("3900.00"), D("3900.00"), D("3900.00"), D("0.00"),
                       _months((date(2027, 1, 1), "100.00", "0.00"),
                               (date(2027, 2, 1), "1900.00", "0.00"),
                               (date(2027, 3, 1), "1900.00", "0.00"))),
    ), id="starts-on-the-last-day-of-a-month"),
    pytest.param(Case(
        date(2026, 9, 1), date(2026, 9, 30), date(2026, 9, 1), date(2026, 9, 30),
        module_price=D("6000.00"), normative_cost=D("4500.00"), balance=D("10000.00"),
        # D = D_group = 30, M = 1. total = 6000.00; normative = 4500.00
        # certificate = min(6000.00, 4500.00, 10000.00) = 4500.00; parent = 6000.00 − 4500.00 = 1500.00.
        expected=Price(D("6000.00"), D("4500.00"), D("4500.00"), D("1500.00"),
                       _months((date(2026, 9, 1), "4500.00", "1500.00"))),
    ), id="price-above-normative"),
    pytest.param(Case(
        date(2026, 10, 1), date(2026, 11, 30), date(2026, 10, 1), date(2026, 11, 30),
        module_price=D("6100.00"), normative_cost=D("7000.00"), balance=D("2500.50"),
        # D = D_group = 31 + 30 = 61, d1 = 31, M = 2. total = 6100.00; normative = 7000.00
        # certificate = min(6100.00, 7000.00, 2500.50) = 2500.50; parent = 3599.50.
        # certificate: Nov = ⌊30/61 × 2500.50⌋ = ⌊75015/61⌋ = ⌊1229.754…⌋ = 1229.75; Oct = 1270.75
        # parent:      Nov = ⌊30/61 × 3599.50⌋ = ⌊107985/61⌋ = ⌊1770.245…⌋ = 1770.24; Oct = 1829.26
        expected=Price(D("6100.00"), D("7000.00"), D("2500.50"), D("3599.50"),
                       _months((date(2026, 10, 1), "1270.75", "1829.26"),
                               (date(2026, 11, 1), "1229.75", "1770.24"))),
    ), id="balance-below-price"),
    pytest.param(Case(
        date(2026, 9, 1), date(2026, 11, 30), date(2026, 9, 1), date(2026, 11, 30),
        module_price=D("1000.00"), normative_cost=D("1000.00"), balance=D("0.00"),
        # D = D_group = 30 + 31 + 30 = 91, d1 = 30, M = 3. total = normative = 1000.00
        # certificate = min(1000.00, 1000.00, 0.00) = 0.00; parent = 1000.00.
        # parent: Oct = Nov = ⌊61/91 × 1000.00 / 2⌋ = ⌊30500/91⌋ = ⌊335.164…⌋ = 335.16
        #         Sep = 1000.00 − 2 × 335.16 = 329.68
        expected=Price(D("1000.00"), D("1000.00"), D("0.00"), D("1000.00"),
                       _months((date(2026, 9, 1), "0.00", "329.68"),
                               (date(2026, 10, 1), "0.00", "335.16"),
                               (date(2026, 11, 1), "0.00", "335.16"))),
    ), id="zero-balance-parent-pays-all"),
    pytest.param(Case(
        date(2027, 3, 8), date(2027, 3, 8), date(2027, 3, 8), date(2027, 3, 8),
        module_price=D("500.00"), normative_cost=D("450.00"), balance=D("300.00"),
        # D = D_group = 1, M = 1. total = 500.00; normative = 450.00
        # certificate = min(500.00, 450.00, 300.00) = 300.00; parent = 200.00.
        expected=Price(D("500.00"), D("450.00"), D("300.00"), D("200.00"),
                       _months((date(2027, 3, 1), "300.00", "200.00"))),
    ), id="one-day-group"),
    pytest.param(Case(
        *SCHOOL_YEAR, date(2026, 11, 10), date(2027, 5, 31),
        module_price=D("12345.67"), normative_cost=D("10000.00"), balance=D("8000.00"),
        # D = 21 (10–30 Nov) + 31 + 31 + 28 + 31 + 30 + 31 = 203, d1 = 21, M = 7; D/D_group = 203/273 = 29/39.
        # total = ⌊29/39 × 12345.67⌋ = ⌊358024.43/39⌋ = ⌊9180.113…⌋ = 9180.11
        # normative = ⌊29/39 × 10000.00⌋ = ⌊290000/39⌋ = ⌊7435.897…⌋ = 7435.89
        # certificate = min(9180.11, 7435.89, 8000.00) = 7435.89; parent = 9180.11 − 7435.89 = 1744.22.
        # (D − d1)/D = 182/203 = 26/29.
        # certificate: later = ⌊26/29 × 7435.89 / 6⌋ = ⌊193333.14/174⌋ = 1111.11 exactly;
        #              Nov = 7435.89 − 6 × 1111.11 = 769.23
        # parent:      later = ⌊26/29 × 1744.22 / 6⌋ = ⌊45349.72/174⌋ = ⌊260.630…⌋ = 260.63;
        #              Nov = 1744.22 − 6 × 260.63 = 180.44
        expected=Price(D("9180.11"), D("7435.89"), D("7435.89"), D("1744.22"),
                       _months((date(2026, 11, 1), "769.23", "180.44"),
                               *((date(year, month, 1), "1111.11", "260.63")
                                 for year, month in [(2026, 12), (2027, 1), (2027, 2), (2027, 3),
                                                     (2027, 4), (2027, 5)]))),
    ), id="shorter-than-group-with-flooring"),
    pytest.param(Case(
        date(2026, 9, 1), date(2026, 9, 30), date(2026, 9, 1), date(2026, 9, 10),
        module_price=D("3.00"), normative_cost=D("3.00"), balance=D("1.00"),
        # D = 10, D_group = 30: total = normative = 10/30 × 3.00 = 1.00 exactly
        # (a rounded 0.333… × 3.00 would floor to 0.99). certificate = 1.00; parent = 0.00.
        expected=Price(D("1.00"), D("1.00"), D("1.00"), D("0.00"),
                       _months((date(2026, 9, 1), "1.00", "0.00"))),
    ), id="exact-third-is-not-rounded-down"),
]


@pytest.mark.parametrize("case", CASES)
def test_hand_computed_contract_price(case):
    price = price_contract(
        group_start=case.group_start, group_end=case.group_end, start=case.start, end=case.end,
        module_price=case.module_price, normative_cost=case.normative_cost, balance=case.balance,
    )

    assert price == case.expected


def test_negative_balance_pays_nothing_from_the_certificate():
    price = price_contract(
        group_start=date(2026, 9, 1), group_end=date(2026, 9, 30), start=date(2026, 9, 1), end=date(2026, 9, 30),
        module_price=D("1000.00"), normative_cost=D("1000.00"), balance=D("-5.00"),
    )

    assert (price.certificate_part, price.parent_part) == (D("0.00"), D("1000.00"))


@pytest.mark.parametrize("changes, message", [
    ({"start": date(2026, 9, 20), "end": date(2026, 9, 10)}, "after contract end"),
    ({"group_start": date(2026, 10, 1), "group_end": date(2026, 9, 1)}, "after group end"),
    ({"start": date(2026, 8, 31)}, "outside its group period"),
    ({"end": date(2026, 10, 1)}, "outside its group period"),
    ({"module_price": D("-0.01")}, "module_price must not be negative"),
    ({"normative_cost": D("-1.00")}, "normative_cost must not be negative"),
    ({"module_price": D("10.001")}, "whole kopecks"),
    ({"balance": D("NaN")}, "finite"),
])
def test_invalid_arguments_are_refused(changes, message):
    arguments = dict(
        group_start=date(2026, 9, 1), group_end=date(2026, 9, 30), start=date(2026, 9, 1), end=date(2026, 9, 30),
        module_price=D("1000.00"), normative_cost=D("1000.00"), balance=D("1000.00"),
    )

    with pytest.raises(ValueError, match=message):
        price_contract(**(arguments | changes))


def test_float_amounts_are_refused():
    with pytest.raises(TypeError, match="must be a Decimal"):
        split_monthly(100.0, date(2026, 9, 1), date(2026, 9, 30))


# --- calendar helpers ------------------------------------------------------------------


def test_contract_ends_with_the_group_or_the_period_whichever_is_first():
    assert contract_end(date(2027, 5, 31), date(2026, 12, 31)) == date(2026, 12, 31)
    assert contract_end(date(2026, 11, 30), date(2026, 12, 31)) == date(2026, 11, 30)


def test_months_touched_across_a_year_boundary():
    assert months_touched(date(2026, 11, 30), date(2027, 2, 1)) == [
        date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1),
    ]
    assert months_touched(date(2026, 3, 5), date(2026, 3, 5)) == [date(2026, 3, 1)]


def test_floor_kopecks_rounds_down_towards_minus_infinity():
    assert floor_kopecks(D("1.999")) == D("1.99")
    assert floor_kopecks(D("-1.001")) == D("-1.01")
    assert floor_kopecks(Fraction(1, 3)) == D("0.33")
    assert floor_kopecks(D("5")).as_tuple().exponent == -2


# --- normative cost --------------------------------------------------------------------


def test_normative_cost_of_a_module():
    parameters = CostParameters(
        teacher_pay_per_hour=D("500.00"), qualification_coefficient=D("1.2"), hours=D("144"),
        average_group_size=D("12"), premises_cost_per_hour=D("150.00"), equipment_cost_per_hour=D("30.00"),
        staff_development_share=D("0.05"),
    )

    # per hour: 500.00 × 1.2 × 1.05 + 150.00 + 30.00 = 630.00 + 180.00 = 810.00
    # per child: 810.00 × 144 / 12 = 9720.00
    assert normative_cost(parameters) == D("9720.00")


def test_normative_cost_is_floored_to_kopecks():
    parameters = CostParameters(
        teacher_pay_per_hour=D("100.00"), qualification_coefficient=D("1"), hours=D("1"),
        average_group_size=D("3"), premises_cost_per_hour=D("0"), equipment_cost_per_hour=D("0"),
        staff_development_share=D("0"),
    )

    # 100.00 × 1 / 3 = 33.333… → 33.33
    assert normative_cost(parameters) == D("33.33")


def test_normative_cost_needs_a_positive_group_size():
    parameters = CostParameters(
        teacher_pay_per_hour=D("100.00"), qualification_coefficient=D("1"), hours=D("1"),
        average_group_size=D("0"), premises_cost_per_hour=D("0"), equipment_cost_per_hour=D("0"),
        staff_development_share=D("0"),
    )

    with pytest.raises(ValueError, match="average_group_size"):
        normative_cost(parameters)


def test_price_cap_is_150_percent_of_normative_by_default():
    assert price_cap(D("9720.00")) == D("14580.00")
    # 333.33 × 1.5 = 499.995 → 499.99
    assert price_cap(D("333.33")) == D("499.99")
    assert price_cap(D("1000.00"), cap_share=D("1.20")) == D("1200.00")


def test_weekly_hours_nominal_as_money():
    # 4 hours × 67.50 = 270.00; 2.5 hours × 33.33 = 83.325 → 83.32
    assert hours_to_money(D("4"), D("67.50")) == D("270.00")
    assert hours_to_money(D("2.5"), D("33.33")) == D("83.32")


# --- properties ------------------------------------------------------------------------

AMOUNTS = st.decimals(min_value=D("0.00"), max_value=D("1000000.00"), places=2)


@st.composite
def contracts(draw):
    """A group period of up to about two years and a contract inside it."""
    group_start = draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)))
    group_days = draw(st.integers(min_value=1, max_value=731))
    start_offset = draw(st.integers(min_value=0, max_value=group_days - 1))
    end_offset = draw(st.integers(min_value=start_offset, max_value=group_days - 1))
    return (group_start, group_start + timedelta(days=group_days - 1),
            group_start + timedelta(days=start_offset), group_start + timedelta(days=end_offset))


def _is_kopecks(amount):
    return amount.as_tuple().exponent == -2 and amount >= 0


@given(amount=AMOUNTS, dates=contracts())
def test_monthly_split_sums_to_the_amount_one_entry_per_month(amount, dates):
    _, _, start, end = dates

    split = split_monthly(amount, start, end)

    assert [month for month, _ in split] == months_touched(start, end)
    assert sum(part for _, part in split) == amount
    assert all(_is_kopecks(part) for _, part in split)


@given(amount=AMOUNTS, dates=contracts())
def test_later_months_are_equal_and_the_first_covers_its_days(amount, dates):
    _, _, start, end = dates

    split = split_monthly(amount, start, end)

    if len(split) == 1:
        assert split[0][1] == amount
        return
    (_, first), *later = split
    days = (end - start).days + 1
    first_month_days = (later[0][0] - start).days
    # every later month pays the same amount
    assert len({part for _, part in later}) == 1
    # the first month pays at least its days' exact share and exceeds it by less than one
    # kopeck per later month (the flooring remainders). It is NOT always ≥ a later month:
    # see the hand case "starts-on-the-last-day-of-a-month".
    exact_share = Fraction(first_month_days, days) * Fraction(amount)
    assert exact_share <= Fraction(first) < exact_share + len(later) * Fraction(KOPECK)


@given(dates=contracts(), module_price=AMOUNTS, normative=AMOUNTS, balance=AMOUNTS)
def test_contract_price_parts(dates, module_price, normative, balance):
    group_start, group_end, start, end = dates

    price = price_contract(group_start=group_start, group_end=group_end, start=start, end=end,
                           module_price=module_price, normative_cost=normative, balance=balance)

    assert price.certificate_part == min(price.total, price.normative, balance)
    assert price.parent_part == price.total - price.certificate_part
    assert price.total <= module_price
    assert price.normative <= normative
    assert [entry.month for entry in price.months] == months_touched(start, end)
    assert sum(entry.certificate for entry in price.months) == price.certificate_part
    assert sum(entry.parent for entry in price.months) == price.parent_part
    amounts = [price.total, price.normative, price.certificate_part, price.parent_part]
    amounts += [entry.certificate for entry in price.months] + [entry.parent for entry in price.months]
    assert all(_is_kopecks(amount) for amount in amounts)


@given(dates=contracts(), module_price=AMOUNTS, normative=AMOUNTS, balance=AMOUNTS)
def test_total_share_is_the_exact_days_share_floored(dates, module_price, normative, balance):
    group_start, group_end, start, end = dates
    share = Fraction((end - start).days + 1, (group_end - group_start).days + 1)

    price = price_contract(group_start=group_start, group_end=group_end, start=start, end=end,
                           module_price=module_price, normative_cost=normative, balance=balance)

    assert Fraction(price.total) <= share * Fraction(module_price) < Fraction(price.total) + Fraction(KOPECK)


@given(dates=contracts(), module_price=AMOUNTS, normative=AMOUNTS, balance=AMOUNTS)
def test_whole_group_period_costs_the_module_price(dates, module_price, normative, balance):
    group_start, group_end, _, _ = dates

    price = price_contract(group_start=group_start, group_end=group_end, start=group_start, end=group_end,
                           module_price=module_price, normative_cost=normative, balance=balance)

    assert (price.total, price.normative) == (module_price, normative)
