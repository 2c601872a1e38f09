"""Financing periods and cost parameters through their services: who may set them,
every rule with a clear Russian message and nothing changed, the audit of changes, the
nominal applied to ledgers, the queue served when places appear, and the selectors of
the current and next period."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from opora.audit.models import AuditEvent
from opora.errors import PermissionDenied, ValidationFailed
from opora.financing import certificates, selectors
from opora.financing.models import (
    CertificateKind,
    CertificateLedger,
    CostParameters,
    FinancingPeriod,
    NominalUnit,
)
from opora.financing.periods import save_cost_parameters, save_period
from tests.financing.conftest import make_certificate, make_period

TODAY = timezone.localdate()


def period_data(**kw):
    data = {"title": "ПФДО 2026/27", "starts_on": dt.date(TODAY.year, 1, 1),
            "ends_on": dt.date(TODAY.year, 12, 31), "budget": Decimal("3000000.00"),
            "certificates_cap": 100, "nominal": Decimal("30000.00"),
            "nominal_unit": NominalUnit.ROUBLES, "hour_cost": None, "fallback_on": None,
            "advance_share": Decimal("0.8"), "price_cap_share": Decimal("1.5")}
    data.update(kw)
    return data


def cost_data(**kw):
    data = {"teacher_pay_per_hour": Decimal("500.00"), "qualification_coefficient": Decimal("1.2"),
            "staff_development_share": Decimal("0.05"), "premises_per_hour": Decimal("100.00"),
            "equipment_per_hour": Decimal("50.00"), "average_group_size": Decimal("10")}
    data.update(kw)
    return data


def audit_of(target):
    return list(AuditEvent.objects.filter(target_type=target._meta.label_lower,
                                          target_id=str(target.pk)).order_by("pk"))


@pytest.mark.parametrize("who", ["operator", "authority"])
def test_operator_or_authority_creates_a_period(request, city, who):
    actor = request.getfixturevalue(who)

    period = save_period(actor, city, period_data())

    assert (period.municipality, period.budget, period.certificates_cap, period.nominal) == (
        city, Decimal("3000000.00"), 100, Decimal("30000.00"))
    assert (period.advance_share, period.price_cap_share) == (Decimal("0.8000"), Decimal("1.5000"))
    [event] = audit_of(period)
    assert (event.action, event.actor) == ("financing.period.created", actor)
    assert event.data["changes"]["budget"] == [None, "3000000.00"]


def test_defaults_advance_eighty_and_cap_one_hundred_fifty(operator, city):
    data = period_data()
    del data["advance_share"], data["price_cap_share"]
    period = save_period(operator, city, data)
    assert (period.advance_share, period.price_cap_share) == (Decimal("0.8000"), Decimal("1.5000"))


@pytest.mark.parametrize("who", ["other_operator", "staff", "parent", "regional"])
def test_others_may_not_set_periods(request, city, who):
    with pytest.raises(PermissionDenied):
        save_period(request.getfixturevalue(who), city, period_data())
    assert FinancingPeriod.objects.count() == 0


def test_a_period_of_another_municipality_is_not_changed_through_ones_own(operator, city, district):
    foreign = make_period(district)
    with pytest.raises(PermissionDenied):
        save_period(operator, city, period_data(), period=foreign)
    assert FinancingPeriod.objects.get(pk=foreign.pk).title == foreign.title


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"title": " "}, "title", "название"),
    ({"ends_on": dt.date(TODAY.year, 1, 1)}, "ends_on", "позже его начала"),
    ({"starts_on": None}, "starts_on", "Укажите дату"),
    ({"budget": Decimal("-1")}, "budget", "меньше 0"),
    ({"nominal": Decimal("-0.01")}, "nominal", "меньше 0"),
    ({"nominal": Decimal("10.001")}, "nominal", "знаков после запятой"),
    ({"budget": "много"}, "budget", "Введите число"),
    ({"certificates_cap": -1}, "certificates_cap", "целое число"),
    ({"certificates_cap": 2.5}, "certificates_cap", "целое число"),
    ({"nominal_unit": NominalUnit.HOURS}, "hour_cost", "стоимость академического часа"),
    ({"nominal_unit": "coins"}, "nominal_unit", "единицу"),
    ({"advance_share": Decimal("1.2")}, "advance_share", "больше 1"),
    ({"price_cap_share": Decimal("0.9")}, "price_cap_share", "меньше 1"),
    ({"fallback_on": dt.date(TODAY.year + 1, 1, 1)}, "fallback_on", "внутри периода"),
])
def test_bad_input_names_the_field_and_changes_nothing(operator, city, change, field, words):
    with pytest.raises(ValidationFailed) as error:
        save_period(operator, city, period_data(**change))
    assert words in " ".join(error.value.errors[field])
    assert FinancingPeriod.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_periods_of_a_municipality_do_not_overlap(operator, city, district):
    save_period(operator, city, period_data())
    make_period(district, starts_on=dt.date(TODAY.year, 6, 1), ends_on=dt.date(TODAY.year + 1, 5, 31))

    with pytest.raises(ValidationFailed) as error:
        save_period(operator, city, period_data(title="Второй", starts_on=dt.date(TODAY.year, 12, 31),
                                                ends_on=dt.date(TODAY.year + 1, 6, 30)))

    assert "пересекаются с периодом «ПФДО 2026/27»" in error.value.errors["starts_on"][0] or \
        "пересекаются" in error.value.errors["starts_on"][0]
    # the next period starts the day after: a current and a next period coexist
    following = save_period(operator, city, period_data(title="Второй", starts_on=dt.date(TODAY.year + 1, 1, 1),
                                                        ends_on=dt.date(TODAY.year + 1, 12, 31)))
    assert selectors.next_period(city, dt.date(TODAY.year, 6, 1)) == following
    assert selectors.current_period(city, dt.date(TODAY.year, 6, 1)).title == "ПФДО 2026/27"
    assert selectors.current_period(city, dt.date(TODAY.year + 1, 1, 1)) == following
    assert selectors.next_period(city, dt.date(TODAY.year + 1, 1, 1)) is None


def test_budget_and_cap_stay_above_what_is_used(operator, city):
    period = save_period(operator, city, period_data(certificates_cap=2))
    FinancingPeriod.objects.filter(pk=period.pk).update(committed=Decimal("50000.00"), financing_places=2)

    with pytest.raises(ValidationFailed) as error:
        save_period(operator, city, period_data(budget=Decimal("49999.99"), certificates_cap=1), period=period)

    assert "50\xa0000,00 ₽" in error.value.errors["budget"][0]
    assert "2" in error.value.errors["certificates_cap"][0]
    period.refresh_from_db()
    assert (period.budget, period.certificates_cap) == (Decimal("3000000.00"), 2)


def test_an_edit_is_recorded_with_before_and_after(operator, authority, city):
    period = save_period(operator, city, period_data())

    save_period(authority, city, period_data(budget=Decimal("2500000.00"), advance_share=Decimal("0.7")),
                period=period)
    again = save_period(authority, city, period_data(budget=Decimal("2500000.00"),
                                                     advance_share=Decimal("0.7")), period=period)

    events = audit_of(period)
    assert [e.action for e in events] == ["financing.period.created", "financing.period.updated"]
    assert events[1].actor == authority
    assert events[1].data["changes"] == {"budget": ["3000000.00", "2500000.00"],
                                         "advance_share": ["0.8000", "0.7"]}
    assert again.advance_share == Decimal("0.7000")


def test_a_changed_nominal_applies_to_ledgers(operator, city, parent, child):
    period = save_period(operator, city, period_data())
    certificate = make_certificate(child, period)
    CertificateLedger.objects.filter(certificate=certificate).update(committed=Decimal("25000.00"))

    with pytest.raises(ValidationFailed) as error:
        save_period(operator, city, period_data(nominal=Decimal("24999.99")), period=period)
    assert "(24\xa0999,99 ₽)" in error.value.errors["nominal"][0]
    assert "25\xa0000,00 ₽" in error.value.errors["nominal"][0]
    assert certificate.ledgers.get().nominal == Decimal("30000.00")

    save_period(operator, city, period_data(nominal=Decimal("35000.00")), period=period)
    assert certificate.ledgers.get().nominal == Decimal("35000.00")


def test_a_new_nominal_is_kept_aside_on_a_frozen_ledger(operator, city, child):
    period = save_period(operator, city, period_data())
    certificate = make_certificate(child, period)
    CertificateLedger.objects.filter(certificate=certificate).update(
        nominal=Decimal("0.00"), frozen_nominal=Decimal("30000.00"))

    save_period(operator, city, period_data(nominal=Decimal("8"), nominal_unit=NominalUnit.HOURS,
                                            hour_cost=Decimal("400.00")), period=period)

    ledger = certificate.ledgers.get()
    assert (ledger.nominal, ledger.frozen_nominal) == (Decimal("0.00"), Decimal("3200.00"))


def test_contracts_keep_the_dates_of_their_period(operator, city):
    period = save_period(operator, city, period_data())
    # no contract yet: the dates move freely
    moved = save_period(operator, city, period_data(starts_on=dt.date(TODAY.year, 2, 1)), period=period)
    assert moved.starts_on == dt.date(TODAY.year, 2, 1)


def test_a_raised_cap_serves_the_queue(operator, city, parent, child):
    period = save_period(operator, city, period_data(certificates_cap=0))
    certificate = certificates.issue_certificate(operator, certificates.request_certificate(parent, child)[0])
    assert certificate.financing_wanted_at is not None

    save_period(operator, city, period_data(certificates_cap=1), period=period)

    certificate.refresh_from_db()
    assert certificate.kind == CertificateKind.FINANCING
    assert FinancingPeriod.objects.get(pk=period.pk).financing_places == 1


def test_warning_when_the_cap_times_the_nominal_exceeds_the_budget(operator, city):
    period = save_period(operator, city, period_data(budget=Decimal("100000.00"), certificates_cap=4))
    [warning] = selectors.period_warnings(period)
    assert "(120\xa0000,00 ₽)" in warning and "(100\xa0000,00 ₽)" in warning
    period = save_period(operator, city, period_data(budget=Decimal("120000.00"), certificates_cap=4),
                         period=period)
    assert selectors.period_warnings(period) == []


# --- cost parameters -----------------------------------------------------------------


@pytest.mark.parametrize("who", ["operator", "authority"])
def test_payer_sets_town_and_rural_parameters(request, city, who):
    actor = request.getfixturevalue(who)
    town = save_cost_parameters(actor, city, False, cost_data())
    rural = save_cost_parameters(actor, city, True, cost_data(teacher_pay_per_hour=Decimal("450.00")))

    assert (town.is_rural, town.teacher_pay_per_hour, rural.is_rural, rural.teacher_pay_per_hour) == (
        False, Decimal("500.00"), True, Decimal("450.00"))
    changed = save_cost_parameters(actor, city, False, cost_data(average_group_size=Decimal("12")))
    assert changed.pk == town.pk and CostParameters.objects.count() == 2
    events = audit_of(town)
    assert [e.action for e in events] == ["financing.cost_parameters.updated"] * 2
    assert events[1].data["changes"] == {"average_group_size": ["10.00", "12"]}


@pytest.mark.parametrize(("change", "field"), [
    ({"average_group_size": Decimal("0")}, "average_group_size"),
    ({"qualification_coefficient": Decimal("0")}, "qualification_coefficient"),
    ({"staff_development_share": Decimal("1.5")}, "staff_development_share"),
    ({"teacher_pay_per_hour": Decimal("-5")}, "teacher_pay_per_hour"),
    ({"premises_per_hour": None}, "premises_per_hour"),
    ({"equipment_per_hour": Decimal("1.005")}, "equipment_per_hour"),
])
def test_bad_cost_parameters_are_refused(operator, city, change, field):
    with pytest.raises(ValidationFailed) as error:
        save_cost_parameters(operator, city, False, cost_data(**change))
    assert field in error.value.errors
    assert CostParameters.objects.count() == 0


@pytest.mark.parametrize("who", ["other_operator", "staff", "parent", "regional"])
def test_others_may_not_set_cost_parameters(request, city, who):
    with pytest.raises(PermissionDenied):
        save_cost_parameters(request.getfixturevalue(who), city, False, cost_data())
    assert CostParameters.objects.count() == 0
