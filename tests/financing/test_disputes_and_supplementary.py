# ruff: noqa: F811 — the tests take the fixtures imported from settlement_fixtures
"""Disputes over invoice lines (the parent opens, the payer holds and decides, the
provider answers; the line and the certificate's balance move to the kopeck) and
supplementary invoices (exactly the months not billed yet, never twice).

Contracts from ``settlement_fixtures``: A pays 4,000.00 in October, B 3,333.33."""

from decimal import Decimal

import pytest

from opora.audit.models import AuditEvent
from opora.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from opora.financing import disputes, settlement, supplementary
from opora.financing.models import (
    CertificateLedger,
    ContractMonth,
    DisputeStatus,
    FinancingPeriod,
    Invoice,
    InvoiceLine,
)
from tests import factories as f
from tests.financing.conftest import NOV, OCT, make_contract
from tests.financing.settlement_fixtures import (  # noqa: F401 — fixtures
    _after_october,
    groups,
    period,
    second_certificate,
    second_child,
    two_contracts,
)

pytestmark = pytest.mark.django_db
D = Decimal


def ledger(certificate):
    return CertificateLedger.objects.get(certificate=certificate)


@pytest.fixture
def final(operator, period, two_contracts):
    settlement.close_month(operator, period.municipality, OCT)
    return Invoice.objects.get(kind="final")


@pytest.fixture
def line_a(final, two_contracts):
    return final.lines.get(contract=two_contracts[0])


# --- disputes ----------------------------------------------------------------------------


def test_parent_right_reduces_the_line_and_returns_the_money(parent, staff, operator, certificate, final, line_a):
    settlement.submit_invoice(staff, final)
    dispute = disputes.open_dispute(parent, line_a, "Ребёнок болел с 10 октября", claimed="25")
    disputes.hold_line(operator, dispute, True)
    disputes.answer_dispute(staff, dispute, "Ребёнок был на трёх занятиях из восьми")
    paid_before = ledger(certificate).paid

    with pytest.raises(InvalidTransition, match="удержаны строки"):
        settlement.accept_invoice(operator, final)
    # ⌊4,000.00 × 37.5 / 100⌋ = 1,500.00: 2,500.00 back to the certificate and the budget
    resolved = disputes.resolve_dispute(operator, dispute, "parent", "37,5", "Три занятия из восьми")

    line_a.refresh_from_db()
    final.refresh_from_db()
    assert (line_a.completeness, line_a.amount) == (D("37.50"), D("1500.00"))
    assert (resolved.status, resolved.returned, resolved.held) == (DisputeStatus.PARENT_RIGHT, D("2500.00"), False)
    assert final.amount == D("4833.33")  # 1,500.00 + 3,333.33
    assert ledger(certificate).paid == paid_before - D("2500.00")
    assert ledger(certificate).balance == D("24500.00")  # 30,000 − 4,000 reserved (Nov) − 1,500 paid
    assert FinancingPeriod.objects.get().committed == D("4833.33") + D("4000.00") + D("3333.34")
    settlement.accept_invoice(operator, final)  # nothing held any more
    assert AuditEvent.objects.filter(action__startswith="financing.dispute.").count() == 4


def test_zero_completeness_removes_the_month_from_payment(parent, operator, certificate, final, line_a):
    dispute = disputes.open_dispute(parent, line_a, "Не ходил ни разу")

    disputes.resolve_dispute(operator, dispute, "parent", "0")

    line_a.refresh_from_db()
    assert line_a.amount == D("0.00")
    assert ledger(certificate).paid == D("0.00")


def test_provider_right_changes_nothing(parent, staff, operator, certificate, final, line_a):
    dispute = disputes.open_dispute(parent, line_a, "Не согласен")
    before = (ledger(certificate).paid, Invoice.objects.get(pk=final.pk).amount)

    resolved = disputes.resolve_dispute(operator, dispute, "provider", resolution="Журнал посещаемости")

    assert resolved.status == DisputeStatus.PROVIDER_RIGHT and resolved.returned == D("0.00")
    assert (ledger(certificate).paid, Invoice.objects.get(pk=final.pk).amount) == before


def test_acceptance_closes_disputes_not_held_and_then_nothing_opens(parent, staff, operator, final, line_a):
    settlement.submit_invoice(staff, final)
    dispute = disputes.open_dispute(parent, line_a, "Не согласен")

    settlement.accept_invoice(operator, final)

    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.DISMISSED
    with pytest.raises(InvalidTransition, match="принят"):
        disputes.open_dispute(parent, line_a, "Снова не согласен")


def test_cancelled_invoice_closes_its_disputes(parent, operator, final, line_a):
    dispute = disputes.open_dispute(parent, line_a, "Не согласен")
    settlement.cancel_invoice(operator, final, "Пересчитать")
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.DISMISSED


def test_dispute_rules_and_permissions(parent, staff, other_staff, operator, other_operator, city, final, line_a,
                                       two_contracts):
    stranger = f.user(municipality=city)
    with pytest.raises(NotFound):
        disputes.open_dispute(stranger, line_a, "Чужой")
    with pytest.raises(NotFound):
        disputes.open_dispute(staff, line_a, "Не родитель")
    with pytest.raises(ValidationFailed):
        disputes.open_dispute(parent, line_a, "   ")
    with pytest.raises(ValidationFailed):
        disputes.open_dispute(parent, line_a, "Не согласен", claimed="100")
    with pytest.raises(ValidationFailed):
        disputes.open_dispute(parent, line_a, "Не согласен", claimed="abc")
    dispute = disputes.open_dispute(parent, line_a, "Не согласен")
    with pytest.raises(InvalidTransition, match="уже открыт"):
        disputes.open_dispute(parent, line_a, "Ещё раз")
    with pytest.raises(PermissionDenied):
        disputes.answer_dispute(other_staff, dispute, "Чужая организация")
    with pytest.raises(PermissionDenied):
        disputes.hold_line(other_operator, dispute, True)
    with pytest.raises(PermissionDenied):
        disputes.resolve_dispute(staff, dispute, "provider")
    with pytest.raises(ValidationFailed):
        disputes.resolve_dispute(operator, dispute, "somebody")
    with pytest.raises(ValidationFailed):
        disputes.resolve_dispute(operator, dispute, "parent")  # no completeness
    with pytest.raises(ValidationFailed):
        disputes.resolve_dispute(operator, dispute, "parent", "100")  # not below the line's
    advance_line = InvoiceLine.objects.filter(invoice__kind="advance").first()
    assert advance_line is None  # no advance formed in these fixtures
    assert Invoice.objects.get(pk=final.pk).amount == D("7333.33")


# --- supplementary invoices ------------------------------------------------------------


@pytest.fixture
def sent_final(operator, staff, period, certificate, groups):
    make_contract(certificate, groups[0], period, {OCT: D("1000.00")})
    settlement.close_month(operator, period.municipality, OCT)
    first = Invoice.objects.get(kind="final")
    settlement.submit_invoice(staff, first)
    return first


def test_supplementary_bills_exactly_the_late_months_once(operator, staff, period, second_certificate, groups,
                                                          sent_final):
    late = make_contract(second_certificate, groups[1], period, {OCT: D("100.00"), NOV: D("200.00")})
    assert settlement.close_month(operator, period.municipality, OCT).months_left_out == 1

    formed = supplementary.form_supplementary(operator, period.municipality, OCT)

    extra = Invoice.objects.get(kind="supplementary")
    assert (formed.invoices_created, formed.lines_created, formed.amount) == (1, 1, D("100.00"))
    assert (extra.status, extra.amount, extra.advance) == ("draft", D("100.00"), D("0.00"))
    assert list(extra.lines.values_list("contract_id", "amount")) == [(late.pk, D("100.00"))]
    assert ContractMonth.objects.get(contract=late, month=OCT).settled
    assert (ledger(second_certificate).reserved, ledger(second_certificate).paid) == (D("200.00"), D("100.00"))
    # never twice: a rerun, closing the month again, another run
    assert supplementary.form_supplementary(operator, period.municipality, OCT).lines_created == 0
    assert settlement.close_month(operator, period.municipality, OCT).changed == 0
    assert InvoiceLine.objects.filter(contract=late).count() == 1
    # a later late contract goes on the same draft
    later = make_contract(ledger(second_certificate).certificate, groups[2], period, {OCT: D("50.00")})
    supplementary.form_supplementary(operator, period.municipality, OCT)
    extra.refresh_from_db()
    assert (extra.amount, extra.lines.count()) == (D("150.00"), 2)
    assert InvoiceLine.objects.filter(contract=later).count() == 1


def test_a_month_a_supplementary_invoice_settled_is_not_billed_again_by_a_new_final(
        operator, period, certificate, second_certificate, groups, sent_final):
    """The sent final invoice is cancelled and the month closed again: the new draft final
    invoice bills the months the cancelled one had, not the late month the supplementary
    invoice settled (nothing stored says so: the supplementary line does)."""
    late = make_contract(second_certificate, groups[1], period, {OCT: D("100.00")})
    supplementary.form_supplementary(operator, period.municipality, OCT)
    settlement.cancel_invoice(operator, sent_final, "Пересчитать")
    assert ContractMonth.objects.get(contract=late, month=OCT).settled

    closed = settlement.close_month(operator, period.municipality, OCT)

    fresh = Invoice.objects.exclude(status="cancelled").get(kind="final")
    assert (closed.lines_created, closed.months_settled) == (1, 1)
    assert late.pk not in set(fresh.lines.values_list("contract_id", flat=True))
    assert InvoiceLine.objects.filter(contract=late).count() == 1
    assert (ledger(certificate).paid, ledger(second_certificate).paid) == (D("1000.00"), D("100.00"))
    assert settlement.close_month(operator, period.municipality, OCT).changed == 0


def test_supplementary_goes_through_the_statuses_and_cancelling_gives_months_back(
        operator, staff, period, second_certificate, groups, sent_final):
    late = make_contract(second_certificate, groups[1], period, {OCT: D("100.00")})
    supplementary.form_supplementary(operator, period.municipality, OCT)
    extra = Invoice.objects.get(kind="supplementary")
    settlement.set_completeness(staff, extra.lines.get(), "50")
    settlement.submit_invoice(staff, extra)
    settlement.cancel_invoice(operator, extra, "Ошибка")
    assert not ContractMonth.objects.get(contract=late).settled
    assert ledger(second_certificate).paid == D("0.00") and ledger(second_certificate).reserved == D("100.00")

    supplementary.form_supplementary(operator, period.municipality, OCT)

    fresh = Invoice.objects.exclude(status="cancelled").get(kind="supplementary")
    settlement.submit_invoice(staff, fresh)
    settlement.accept_invoice(operator, fresh)
    settlement.mark_paid(operator, fresh)
    fresh.refresh_from_db()
    assert (fresh.status, fresh.amount) == ("paid", D("100.00"))
    # a second supplementary invoice of the month may follow the first one sent
    make_contract(ledger(second_certificate).certificate, groups[2], period, {OCT: D("10.00")})
    supplementary.form_supplementary(operator, period.municipality, OCT)
    assert Invoice.objects.filter(kind="supplementary").exclude(status="cancelled").count() == 2


def test_supplementary_is_for_the_payer_and_an_ended_month(staff, operator, period, sent_final, monkeypatch):
    with pytest.raises(PermissionDenied):
        supplementary.form_supplementary(staff, period.municipality, OCT)
    with pytest.raises(InvalidTransition):
        supplementary.form_supplementary(operator, period.municipality, NOV)
    assert supplementary.form_supplementary(operator, period.municipality, OCT).lines_created == 0
