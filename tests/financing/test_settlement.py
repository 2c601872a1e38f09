# ruff: noqa: F811 — the tests take the fixtures imported from settlement_fixtures
"""Monthly settlement: advances, final invoices with completeness, refunds to the
certificate's balance and the budget, idempotent reruns, December, cancellation and the
life of an invoice. Contracts are built directly with hand-chosen monthly amounts.

Every amount below is computed by hand in the comments next to it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opora.accounts.models import Role
from opora.audit.models import AuditEvent
from opora.errors import InvalidTransition, PermissionDenied, ValidationFailed
from opora.financing import reserves, settlement
from opora.financing.models import (
    CertificateLedger,
    Contract,
    ContractMonth,
    ContractStatus,
    Invoice,
    InvoiceLine,
)
from tests import factories as f
from tests.enrollment.conftest import add_child, open_group
from tests.financing.conftest import (
    DEC,
    NOV,
    OCT,
    make_certificate,
    make_contract,
    make_period,
    on_day,
    snapshot,
)
from tests.financing.settlement_fixtures import (  # noqa: F401 — fixtures
    _after_october,
    groups,
    period,
    second_certificate,
    second_child,
    two_contracts,
)

D = Decimal


# --- builders --------------------------------------------------------------------------


def district_contract(district, months):
    """A contract paid by the district (its own period, parent, child and provider)."""
    other_period = make_period(district, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2027, 8, 31))
    child = add_child(f.user(Role.PARENT, municipality=district), first_name="Вера")
    other_certificate = make_certificate(child, other_period)
    return make_contract(other_certificate, open_group(f.program(f.organization(district)), name="Районная"),
                         other_period, months)


def ledger_of(certificate, period):
    return CertificateLedger.objects.get(certificate=certificate, period=period)



# --- advance, final, completeness ----------------------------------------------------------


def test_advance_then_final_with_completeness_below_100(operator, staff, provider, period, certificate,
                                                        second_certificate, two_contracts):
    a, b = two_contracts
    # given: reserves 8,000.00 (A) and 6,666.67 (B), committed 14,666.67
    assert period.committed == D("14666.67")

    # when: the advances of October
    opened = settlement.open_month(operator, period.municipality, OCT)

    # then: one draft advance invoice, 80 % floored: 3,200.00 and ⌊2,666.664⌋ = 2,666.66
    assert (opened.invoices_created, opened.lines_created) == (1, 2)
    advance = Invoice.objects.get(kind="advance")
    assert (advance.organization, advance.month, advance.status) == (provider, OCT, "draft")
    lines = {line.contract_id: line for line in advance.lines.all()}
    assert lines[a.pk].amount == D("3200.00") and lines[b.pk].amount == D("2666.66")
    assert lines[b.pk].month_amount == D("3333.33") and lines[b.pk].certificate_number == second_certificate.number
    assert advance.amount == D("5866.66")
    # advances move no money
    assert ledger_of(certificate, period).reserved == D("8000.00")
    assert ledger_of(certificate, period).paid == D("0.00")

    # when: October is closed on 5 November
    closed = settlement.close_month(operator, period.municipality, OCT)

    # then: a final invoice at 100 % with the advance deducted, the reserve moved to paid
    assert (closed.invoices_created, closed.lines_created, closed.months_settled) == (1, 2, 2)
    final = Invoice.objects.get(kind="final")
    assert (final.amount, final.advance, final.due) == (D("7333.33"), D("5866.66"), D("1466.67"))
    assert ledger_of(certificate, period).reserved == D("4000.00")
    assert ledger_of(certificate, period).paid == D("4000.00")
    assert ledger_of(second_certificate, period).reserved == D("3333.34")
    assert ledger_of(second_certificate, period).paid == D("3333.33")
    assert set(ContractMonth.objects.filter(settled=True).values_list("contract_id", "month")) == {
        (a.pk, OCT), (b.pk, OCT)}
    period.refresh_from_db()
    assert period.committed == D("14666.67")  # reserve became paid: nothing freed yet

    # when: the provider says B got 85.5 % of October
    line_b = final.lines.get(contract=b)
    settlement.set_completeness(staff, line_b, "85,5")

    # then: ⌊3,333.33 × 0.855⌋ = ⌊2,849.99715⌋ = 2,849.99; 483.34 goes back
    line_b.refresh_from_db()
    assert (line_b.completeness, line_b.amount) == (D("85.50"), D("2849.99"))
    final.refresh_from_db()
    assert (final.amount, final.due) == (D("6849.99"), D("983.33"))
    ledger = ledger_of(second_certificate, period)
    assert (ledger.reserved, ledger.paid, ledger.balance) == (D("3333.34"), D("2849.99"), D("23816.67"))
    period.refresh_from_db()
    assert period.committed == D("14183.33")  # 14,666.67 − 483.34
    event = AuditEvent.objects.get(action="financing.invoice.completeness_changed")
    assert (event.actor, event.target_id) == (staff, str(final.pk))
    assert event.data["returned"] == "483.34" and event.data["completeness_to"] == "85.50"

    # when: completeness is raised back to 100 %, the money is taken again
    settlement.set_completeness(staff, line_b, D("100"))
    final.refresh_from_db()
    assert final.amount == D("7333.33")
    assert ledger_of(second_certificate, period).paid == D("3333.33")
    period.refresh_from_db()
    assert period.committed == D("14666.67")


def test_zero_completeness_pays_nothing_and_due_goes_negative(operator, staff, period, certificate,
                                                             two_contracts):
    a, _b = two_contracts
    settlement.open_month(operator, period.municipality, OCT)
    settlement.close_month(operator, period.municipality, OCT)
    final = Invoice.objects.get(kind="final")
    settlement.set_completeness(staff, final.lines.get(contract=a), 0)
    final.refresh_from_db()
    # 7,333.33 − 4,000.00 = 3,333.33, less the advance 5,866.66: the provider owes 2,533.33
    assert (final.amount, final.due) == (D("3333.33"), D("-2533.33"))
    ledger = ledger_of(certificate, period)
    assert (ledger.reserved, ledger.paid, ledger.balance) == (D("4000.00"), D("0.00"), D("26000.00"))


def test_only_live_months_of_the_payer_are_billed(operator, provider, period, certificate, second_certificate,
                                                  groups, district, parent):
    live = make_contract(certificate, groups[0], period, {OCT: D("1000.00")})
    closed = make_contract(second_certificate, groups[1], period, {OCT: D("500.00")},
                           status=ContractStatus.CLOSED)
    make_contract(certificate, groups[1], period, {OCT: D("700.00"), NOV: D("700.00")}, cancelled=(OCT,))
    make_contract(second_certificate, groups[2], period, {OCT: D("300.00")}, status=ContractStatus.CONFIRMED)
    make_contract(certificate, groups[2], period, {NOV: D("900.00")})
    zero = open_group(groups[0].module.program, name="Нулевая")
    make_contract(second_certificate, zero, period, {OCT: D("0.00")})
    # a contract of another payer (the district's period) is not the city's
    district_contract(district, {OCT: D("800.00")})

    settlement.close_month(operator, period.municipality, OCT)

    final = Invoice.objects.get(kind="final", municipality=period.municipality)
    assert sorted(final.lines.values_list("contract_id", "amount")) == [
        (live.pk, D("1000.00")), (closed.pk, D("500.00"))]
    assert final.amount == D("1500.00") and final.advance == D("0.00")
    assert not Invoice.objects.filter(municipality=district).exists()
    assert ContractMonth.objects.filter(settled=True).count() == 2


def test_one_invoice_per_provider_with_its_own_advance(operator, period, certificate, second_certificate, groups,
                                                       city):
    other = f.organization(city)
    other_group = open_group(f.program(other, title="Шахматы"), name="Шахматы-1")
    make_contract(certificate, groups[0], period, {OCT: D("1000.00")})
    make_contract(second_certificate, other_group, period, {OCT: D("2000.01")})
    settlement.open_month(operator, city, OCT)
    settlement.close_month(operator, city, OCT)
    finals = {i.organization_id: i for i in Invoice.objects.filter(kind="final")}
    assert len(finals) == 2
    # 80 % of 2,000.01 = 1,600.008 → 1,600.00; due 400.01
    assert (finals[other.pk].amount, finals[other.pk].advance, finals[other.pk].due) == (
        D("2000.01"), D("1600.00"), D("400.01"))
    assert finals[groups[0].module.program.organization_id].due == D("200.00")


# --- idempotence -----------------------------------------------------------------------------


def test_running_a_month_twice_changes_nothing(operator, period, two_contracts):
    settlement.open_month(operator, period.municipality, OCT)
    settlement.close_month(operator, period.municipality, OCT)
    before = snapshot()

    again_open = settlement.open_month(operator, period.municipality, OCT)
    again_close = settlement.close_month(operator, period.municipality, OCT)

    assert again_open.changed == 0 and again_close.changed == 0
    assert snapshot() == before


def test_rerun_after_completeness_keeps_the_providers_figures(operator, staff, period, two_contracts):
    a, _b = two_contracts
    settlement.close_month(operator, period.municipality, OCT)
    settlement.set_completeness(staff, InvoiceLine.objects.get(contract=a), "50")
    before = snapshot()
    assert settlement.close_month(operator, period.municipality, OCT).changed == 0
    assert snapshot() == before


def test_rerun_bills_a_contract_that_started_later(operator, period, certificate, second_certificate, groups):
    make_contract(certificate, groups[0], period, {OCT: D("1000.00")})
    settlement.open_month(operator, period.municipality, OCT)
    settlement.close_month(operator, period.municipality, OCT)
    late = make_contract(second_certificate, groups[1], period, {OCT: D("100.00")})

    result = settlement.close_month(operator, period.municipality, OCT)

    assert (result.invoices_created, result.lines_created, result.months_settled, result.invoices_updated) == (
        0, 1, 1, 1)
    final = Invoice.objects.get(kind="final")
    assert (final.amount, final.advance) == (D("1100.00"), D("800.00"))
    assert ledger_of(second_certificate, period).paid == D("100.00")
    assert ContractMonth.objects.get(contract=late).settled
    # the advance is not reopened once the final invoice exists
    assert settlement.open_month(operator, period.municipality, OCT).changed == 0


# --- when a month may be closed ----------------------------------------------------------------


def test_a_month_not_yet_ended_is_refused(monkeypatch, operator, period, two_contracts):
    on_day(monkeypatch, dt.date(2026, 11, 30))
    before = snapshot()
    with pytest.raises(InvalidTransition) as refused:
        settlement.close_month(operator, period.municipality, NOV)
    assert "ноябрь 2026 ещё не закончился" in refused.value.message
    assert snapshot() == before
    on_day(monkeypatch, dt.date(2026, 12, 1))
    assert settlement.close_month(operator, period.municipality, NOV).months_settled == 2


def test_advances_wait_for_the_first_day_of_the_month(monkeypatch, operator, period, two_contracts):
    on_day(monkeypatch, dt.date(2026, 9, 30))
    with pytest.raises(InvalidTransition) as refused:
        settlement.open_month(operator, period.municipality, OCT)
    assert "с первого числа" in refused.value.message
    assert not Invoice.objects.exists()


def test_december_is_settled_within_december(monkeypatch, operator, period, certificate, groups):
    make_contract(certificate, groups[0], period, {DEC: D("2500.00"), dt.date(2027, 1, 1): D("2500.00")})
    on_day(monkeypatch, dt.date(2026, 11, 30))
    with pytest.raises(InvalidTransition):
        settlement.close_month(operator, period.municipality, DEC)
    on_day(monkeypatch, dt.date(2026, 12, 1))
    settlement.open_month(operator, period.municipality, DEC)
    result = settlement.close_month(operator, period.municipality, DEC)
    final = Invoice.objects.get(kind="final")
    assert (result.months_settled, final.month, final.amount, final.due) == (1, DEC, D("2500.00"), D("500.00"))
    ledger = ledger_of(certificate, period)
    assert (ledger.reserved, ledger.paid) == (D("2500.00"), D("2500.00"))
    # January is not December: it waits for February
    on_day(monkeypatch, dt.date(2027, 1, 31))
    with pytest.raises(InvalidTransition):
        settlement.close_month(operator, period.municipality, dt.date(2027, 1, 1))


# --- the life of an invoice ---------------------------------------------------------------------


def test_invoice_goes_draft_submitted_accepted_paid(operator, authority, staff, period, two_contracts):
    settlement.close_month(operator, period.municipality, OCT)
    final = Invoice.objects.get(kind="final")

    settlement.submit_invoice(staff, final)
    with pytest.raises(InvalidTransition) as refused:
        settlement.set_completeness(staff, final.lines.first(), "50")
    assert "только в черновике" in refused.value.message
    settlement.accept_invoice(authority, final)
    with pytest.raises(InvalidTransition):
        settlement.cancel_invoice(operator, final, "ошибка")
    settlement.mark_paid(operator, final)

    final.refresh_from_db()
    assert final.status == "paid"
    events = list(AuditEvent.objects.filter(target_id=str(final.pk), target_type="financing.invoice")
                  .order_by("pk").values_list("action", "from_state", "to_state", "actor"))
    assert events == [
        ("financing.invoice.created", "", "draft", operator.pk),
        ("financing.invoice.submitted", "draft", "submitted", staff.pk),
        ("financing.invoice.accepted", "submitted", "accepted", authority.pk),
        ("financing.invoice.paid", "accepted", "paid", operator.pk),
    ]


@pytest.mark.parametrize(("step", "status"), [
    ("accept_invoice", "draft"), ("mark_paid", "draft"), ("mark_paid", "submitted"),
    ("submit_invoice", "submitted"), ("accept_invoice", "cancelled")])
def test_bad_transitions_are_refused(operator, staff, period, two_contracts, step, status):
    settlement.close_month(operator, period.municipality, OCT)
    final = Invoice.objects.get(kind="final")
    Invoice.objects.filter(pk=final.pk).update(status=status)
    before = snapshot()
    actor = staff if step == "submit_invoice" else operator
    with pytest.raises(InvalidTransition) as refused:
        getattr(settlement, step)(actor, final)
    assert "счёт" in refused.value.message
    assert snapshot() == before


def test_cancelled_final_gives_its_months_back_and_the_month_closes_again(operator, staff, period, certificate,
                                                                          second_certificate, two_contracts):
    a, b = two_contracts
    settlement.open_month(operator, period.municipality, OCT)
    settlement.close_month(operator, period.municipality, OCT)
    final = Invoice.objects.get(kind="final")
    settlement.set_completeness(staff, final.lines.get(contract=b), "85.5")  # 483.34 back
    settlement.submit_invoice(staff, final)

    settlement.cancel_invoice(operator, final, "Неверная полнота")

    final.refresh_from_db()
    assert final.status == "cancelled"
    assert (ledger_of(second_certificate, period).reserved, ledger_of(second_certificate, period).paid) == (
        D("6666.67"), D("0.00"))
    assert ledger_of(certificate, period).reserved == D("8000.00")
    period.refresh_from_db()
    assert period.committed == D("14666.67")
    assert not ContractMonth.objects.filter(settled=True).exists()
    assert AuditEvent.objects.get(action="financing.invoice.cancelled").reason == "Неверная полнота"

    result = settlement.close_month(operator, period.municipality, OCT)

    assert (result.invoices_created, result.lines_created, result.months_settled) == (1, 2, 2)
    fresh = Invoice.objects.exclude(status="cancelled").get(kind="final")
    assert (fresh.status, fresh.amount, fresh.advance) == ("draft", D("7333.33"), D("5866.66"))
    assert ledger_of(second_certificate, period).paid == D("3333.33")


def test_cancelled_advance_is_no_longer_deducted(operator, period, two_contracts):
    settlement.open_month(operator, period.municipality, OCT)
    settlement.close_month(operator, period.municipality, OCT)
    settlement.cancel_invoice(operator, Invoice.objects.get(kind="advance"), "Аванс не выплачен")
    final = Invoice.objects.get(kind="final")
    assert (final.advance, final.due) == (D("0.00"), D("7333.33"))


def test_advance_deducted_on_a_submitted_final_cannot_be_cancelled(operator, staff, period, two_contracts):
    settlement.open_month(operator, period.municipality, OCT)
    settlement.close_month(operator, period.municipality, OCT)
    settlement.submit_invoice(staff, Invoice.objects.get(kind="final"))
    before = snapshot()
    with pytest.raises(InvalidTransition) as refused:
        settlement.cancel_invoice(operator, Invoice.objects.get(kind="advance"), "ошибка")
    assert "сначала отмените итоговый счёт" in refused.value.message
    assert snapshot() == before


def test_cancel_needs_a_reason(operator, period, two_contracts):
    settlement.close_month(operator, period.municipality, OCT)
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        settlement.cancel_invoice(operator, Invoice.objects.get(kind="final"), "  ")
    assert refused.value.field == "reason"
    assert snapshot() == before


def test_cancel_is_refused_when_the_refund_was_spent(operator, staff, period, second_certificate, two_contracts):
    _a, b = two_contracts
    settlement.close_month(operator, period.municipality, OCT)
    final = Invoice.objects.get(kind="final")
    settlement.set_completeness(staff, final.lines.get(contract=b), "0")  # 3,333.33 back to B's balance
    # the balance is spent meanwhile: B's nominal is cut to what is now reserved and paid
    CertificateLedger.objects.filter(certificate=second_certificate).update(nominal=D("3333.34"))
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        settlement.cancel_invoice(operator, final, "ошибка")
    assert "уже использованы" in refused.value.message
    assert snapshot() == before


# --- completeness input ---------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["abc", "", "-1", "100.01", "12.345", "1e3", "NaN", 55.5, None])
def test_bad_completeness_is_refused_and_changes_nothing(operator, staff, period, two_contracts, typed):
    settlement.close_month(operator, period.municipality, OCT)
    line = InvoiceLine.objects.first()
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        settlement.set_completeness(staff, line, typed)
    assert refused.value.field == "completeness"
    assert "от 0 до 100" in refused.value.message
    assert snapshot() == before


def test_completeness_only_on_final_invoices(operator, staff, period, two_contracts):
    settlement.open_month(operator, period.municipality, OCT)
    with pytest.raises(InvalidTransition):
        settlement.set_completeness(staff, Invoice.objects.get(kind="advance").lines.first(), "50")


def test_raising_completeness_beyond_the_balance_is_refused(operator, staff, period, certificate, two_contracts):
    a, _b = two_contracts
    settlement.close_month(operator, period.municipality, OCT)
    line = InvoiceLine.objects.get(contract=a)
    settlement.set_completeness(staff, line, "0")  # 4,000.00 back
    CertificateLedger.objects.filter(certificate=certificate).update(nominal=D("4000.00"))  # spent elsewhere
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        settlement.set_completeness(staff, line, "100")
    assert "недостаточно средств" in refused.value.message
    assert snapshot() == before


# --- permissions -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_operator", "parent", "staff", "regional", "other_staff"])
def test_only_the_payer_opens_and_closes_months(request, who, period, two_contracts):
    actor = request.getfixturevalue(who)
    for run in (settlement.open_month, settlement.close_month):
        with pytest.raises(PermissionDenied):
            run(actor, period.municipality, OCT)
    assert not Invoice.objects.exists()


def test_authority_closes_months_too(authority, period, two_contracts):
    assert settlement.close_month(authority, period.municipality, OCT).months_settled == 2


@pytest.mark.parametrize("who", ["other_staff", "operator", "authority", "parent", "other_operator"])
def test_only_the_providers_staff_edit_and_submit(request, who, operator, period, two_contracts):
    settlement.close_month(operator, period.municipality, OCT)
    actor = request.getfixturevalue(who)
    final = Invoice.objects.get(kind="final")
    before = snapshot()
    with pytest.raises(PermissionDenied):
        settlement.set_completeness(actor, final.lines.first(), "50")
    with pytest.raises(PermissionDenied):
        settlement.submit_invoice(actor, final)
    assert snapshot() == before


@pytest.mark.parametrize("who", ["staff", "other_operator", "parent"])
def test_only_the_payer_accepts_pays_and_cancels(request, who, operator, staff, period, two_contracts):
    settlement.close_month(operator, period.municipality, OCT)
    final = Invoice.objects.get(kind="final")
    settlement.submit_invoice(staff, final)
    actor = request.getfixturevalue(who)
    before = snapshot()
    for step in (settlement.accept_invoice, settlement.mark_paid):
        with pytest.raises(PermissionDenied):
            step(actor, final)
    with pytest.raises(PermissionDenied):
        settlement.cancel_invoice(actor, final, "ошибка")
    assert snapshot() == before


# --- set-based: the statements do not grow with the contracts ---------------------------------------


def _contracts(n, period, parent, program, prefix):
    for i in range(n):
        child = add_child(parent, first_name=f"{prefix}{i}", last_name=f"Тестов{i}")
        certificate = make_certificate(child, period, number=f"{9_000_000_000 + child.pk}")
        make_contract(certificate, open_group(program, name=f"Г-{i}"), period, {OCT: D("1000.00")})


def _statements(run):
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured.captured_queries)


def test_statement_count_does_not_grow_with_contracts(operator, parent, period, certified_program, city, district):
    _contracts(3, period, parent, certified_program, "Анна")
    small = (_statements(lambda: settlement.open_month(operator, city, OCT)),
             _statements(lambda: settlement.close_month(operator, city, OCT)))
    other_period = make_period(district, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2027, 8, 31))
    district_operator = f.user(Role.SUPPORT_CENTRE, municipality=district)
    _contracts(30, other_period, parent, f.program(f.organization(district)), "Оля")
    large = (_statements(lambda: settlement.open_month(district_operator, district, OCT)),
             _statements(lambda: settlement.close_month(district_operator, district, OCT)))
    assert large == small
    assert small[1] <= 16
    assert InvoiceLine.objects.filter(invoice__municipality=district, invoice__kind="final").count() == 30


# --- the region-wide run and the command ----------------------------------------------------------------


def test_region_run_closes_every_municipality(operator, period, two_contracts, district, parent):
    district_contract(district, {OCT: D("800.00")})
    result = settlement.close_month_for_region(OCT)
    assert (result.invoices_created, result.lines_created, result.months_settled) == (2, 3, 3)
    assert AuditEvent.objects.filter(action="financing.invoice.created", actor=None).count() == 2
    assert settlement.close_month_for_region(OCT).changed == 0


def test_command_closes_and_opens_a_month(capsys, period, two_contracts):
    call_command("close_month", "--month", "2026-10", "--advance", "--municipality", period.municipality.oktmo)
    call_command("close_month", "--month", "2026-10")
    out = capsys.readouterr().out
    assert "Авансы за октябрь 2026" in out and "месяцев договоров рассчитано 2" in out
    assert Invoice.objects.filter(kind="final").get().due == D("1466.67")


def test_command_refuses_a_month_not_ended(period):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="ещё не закончился"):
        call_command("close_month", "--month", "2026-11")
    with pytest.raises(CommandError, match="ГГГГ-ММ"):
        call_command("close_month", "--month", "октябрь")


# --- found in review ---------------------------------------------------------------------


def test_an_advance_for_months_cancelled_later_is_deducted_by_a_final_invoice(
        operator, period, certificate, groups, monkeypatch):
    contract = make_contract(certificate, groups[0], period, {NOV: D("4000.00")})
    on_day(monkeypatch, dt.date(2026, 11, 2))
    settlement.open_month(operator, period.municipality, NOV)
    # the contract ends in October after the advance: November is cancelled, its reserve back
    reserves.release_months(contract, reserves.open_months(contract).filter(month=NOV))
    on_day(monkeypatch, dt.date(2026, 12, 2))

    settlement.close_month(operator, period.municipality, NOV)

    final = Invoice.objects.get(kind="final")
    assert (final.amount, final.advance, final.due, final.lines.count()) == (
        D("0.00"), D("3200.00"), D("-3200.00"), 0)
    assert settlement.close_month(operator, period.municipality, NOV).changed == 0


def test_completeness_reruns_change_nothing_also_on_sqlite(operator, staff, period, two_contracts):
    a, _b = two_contracts
    settlement.close_month(operator, period.municipality, OCT)
    settlement.set_completeness(staff, InvoiceLine.objects.get(contract=a), "1.23")
    before = snapshot()

    assert settlement.close_month(operator, period.municipality, OCT).changed == 0
    assert snapshot() == before


def test_a_month_closed_before_a_backdated_termination_is_not_billed_again(operator, period, certificate, groups):
    contract = make_contract(certificate, groups[0], period, {OCT: D("1000.00"), NOV: D("1000.00")})
    settlement.close_month(operator, period.municipality, OCT)
    # then terminated from 20 September, as an expulsion dated back does: November cancelled
    reserves.release_months(contract, reserves.open_months(contract))
    Contract.objects.filter(pk=contract.pk).update(status=ContractStatus.CLOSED, terminated_on=dt.date(2026, 9, 20))

    settlement.cancel_invoice(operator, Invoice.objects.get(kind="final"), "Ошибка в счёте")
    settlement.close_month(operator, period.municipality, OCT)

    assert not Invoice.objects.filter(kind="final").exclude(status="cancelled").exists()
    ledger = ledger_of(certificate, period)
    period.refresh_from_db()
    assert (ledger.reserved, ledger.paid, period.committed) == (D("0.00"), D("0.00"), D("0.00"))
    assert list(contract.months.values_list("cancelled", flat=True)) == [True, True]


def test_a_contract_arriving_after_the_final_invoice_was_sent_is_reported_then_billed(
        operator, staff, period, certificate, second_certificate, groups):
    make_contract(certificate, groups[0], period, {OCT: D("1000.00")})
    settlement.close_month(operator, period.municipality, OCT)
    first = Invoice.objects.get(kind="final")
    settlement.submit_invoice(staff, first)
    late = make_contract(second_certificate, groups[1], period, {OCT: D("100.00")})

    result = settlement.close_month(operator, period.municipality, OCT)
    assert (result.changed, result.months_left_out) == (0, 1)

    settlement.cancel_invoice(operator, first, "Добавить договор")
    result = settlement.close_month(operator, period.municipality, OCT)
    again = Invoice.objects.exclude(status="cancelled").get(kind="final")
    assert (result.months_left_out, again.amount, again.lines.count()) == (0, D("1100.00"), 2)
    assert ContractMonth.objects.get(contract=late).settled
