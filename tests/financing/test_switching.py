# ruff: noqa: F811 — the tests take the fixtures imported from switching_fixtures
"""Switching groups: the parent moves the child (or agrees to the provider's proposal),
the contract is amended from a month with amounts on a hand-computed table, the reserve
moves exactly, seats follow, and every refusal changes nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from opora.audit.models import AuditEvent
from opora.enrollment.models import Application
from opora.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from opora.financing import settlement, switching
from opora.financing.models import (
    AgreementStatus,
    CertificateLedger,
    Contract,
    ContractMonth,
    CooperationAgreement,
    FinancingPeriod,
    GroupSwitch,
    SwitchStatus,
)
from opora.registry.choices import FundingSource
from opora.registry.models import Group, GroupFunding
from tests import factories as f
from tests.enrollment.conftest import add_child
from tests.financing.conftest import certificate_only, make_certificate, settle_early
from tests.financing.switching_fixtures import (  # noqa: F401 — fixtures
    DEC,
    NOV,
    OCT,
    SEP,
    D,
    Y,
    autumn,
    cheap,
    contract,
    second,
    studying,
)

pytestmark = pytest.mark.django_db


def schedule(contract):
    return {m.month: (m.certificate_amount, m.parent_amount)
            for m in ContractMonth.objects.filter(contract=contract).order_by("month")}


def money(contract):
    ledger = CertificateLedger.objects.get(pk=contract.ledger_id)
    period = FinancingPeriod.objects.get(pk=contract.period_id)
    return ledger.reserved, ledger.balance, period.committed


def test_contract_before_the_switch(contract):
    assert (contract.total, contract.certificate_part, contract.parent_part) == (
        D("36000.00"), D("30000.00"), D("6000.00"))
    assert schedule(contract) == {
        SEP: (D("7377.06"), D("1475.43")), OCT: (D("7540.98"), D("1508.19")),
        NOV: (D("7540.98"), D("1508.19")), DEC: (D("7540.98"), D("1508.19"))}
    assert money(contract) == (D("30000.00"), D("10000.00"), D("30000.00"))


def test_parent_switches_to_a_dearer_group_from_november(parent, contract, autumn, second):
    # The new part, 1 November – 31 December in a group of 1 October – 31 December:
    # D = 61 of 92; total ⌊61/92 × 27,600⌋ = 18,300.00, normative ⌊61/92 × 23,000⌋ =
    # 15,250.00; the certificate may use its balance 10,000.00 plus the 15,081.96 the old
    # November and December held: min(18,300, 15,250, 25,081.96) = 15,250.00, the parent
    # 3,050.00. December ⌊31/61 × 15,250⌋ = 7,750.00, November the rest 7,500.00; the
    # parent 1,550.00 and 1,500.00.
    switch = switching.switch_group(parent, contract, second, dt.date(Y, 11, 17))

    contract.refresh_from_db()
    assert schedule(contract) == {
        SEP: (D("7377.06"), D("1475.43")), OCT: (D("7540.98"), D("1508.19")),
        NOV: (D("7500.00"), D("1500.00")), DEC: (D("7750.00"), D("1550.00"))}
    assert (contract.certificate_part, contract.parent_part, contract.total) == (
        D("30168.04"), D("6033.62"), D("36201.66"))
    assert contract.normative == D("30250.00")  # ⌊30,000 × 61/122⌋ + 15,250.00
    assert (contract.group_id, contract.module_id, contract.ends_on) == (
        second.pk, second.module_id, dt.date(Y, 12, 31))
    # the reserve grew by 15,250.00 − 15,081.96 = 168.04, on the ledger and in the period
    assert money(contract) == (D("30168.04"), D("9831.96"), D("30168.04"))
    assert Application.objects.get(pk=contract.application_id).group_id == second.pk
    assert (Group.objects.get(pk=autumn.pk).seats_taken, Group.objects.get(pk=second.pk).seats_taken) == (0, 1)
    # history: both groups and both sets of amounts
    assert (switch.status, switch.from_group_id, switch.to_group_id, switch.effective_on) == (
        SwitchStatus.APPLIED, autumn.pk, second.pk, NOV)
    assert (switch.total_before, switch.total_after, switch.reserve_change) == (
        D("36000.00"), D("36201.66"), D("168.04"))
    assert switch.months == [
        {"month": NOV.isoformat(), "certificate_before": "7540.98", "parent_before": "1508.19",
         "certificate_after": "7500.00", "parent_after": "1500.00"},
        {"month": DEC.isoformat(), "certificate_before": "7540.98", "parent_before": "1508.19",
         "certificate_after": "7750.00", "parent_after": "1550.00"}]
    event = AuditEvent.objects.get(action="financing.contract.group_switched")
    assert event.data["from_group"] == "Осень" and event.data["to_group"] == "Второй модуль"
    assert AuditEvent.objects.filter(action="enrollment.application.group_switched").count() == 1


def test_a_cheaper_group_releases_the_difference(parent, contract, cheap):
    # 1 November – 31 December of 92 days at 9,200.00: total = normative = 6,100.00, all
    # of it by the certificate; December ⌊31/61 × 6,100⌋ = 3,100.00, November 3,000.00.
    switching.switch_group(parent, contract, cheap, NOV)

    contract.refresh_from_db()
    assert schedule(contract)[NOV] == (D("3000.00"), D("0.00"))
    assert schedule(contract)[DEC] == (D("3100.00"), D("0.00"))
    assert (contract.certificate_part, contract.parent_part) == (D("21018.04"), D("2983.62"))
    # 15,081.96 − 6,100.00 = 8,981.96 back to the certificate and the budget
    assert money(contract) == (D("21018.04"), D("18981.96"), D("21018.04"))


def test_preview_shows_the_same_amounts_and_writes_nothing(parent, contract, second):
    before = (schedule(contract), money(contract), AuditEvent.objects.count())

    amendment = switching.preview(parent, contract, second, NOV)

    assert (amendment.total_after, amendment.certificate_after, amendment.reserve_change) == (
        D("36201.66"), D("30168.04"), D("168.04"))
    assert (schedule(contract), money(contract), AuditEvent.objects.count()) == before


def test_provider_proposes_and_the_parent_agrees(parent, staff, contract, second):
    proposal = switching.propose_switch(staff, contract, second, OCT)
    assert proposal.status == SwitchStatus.PROPOSED
    assert Contract.objects.get(pk=contract.pk).group_id == contract.group_id  # nothing moved yet

    applied = switching.accept_switch(parent, proposal)

    assert applied.pk == proposal.pk and applied.status == SwitchStatus.APPLIED
    contract.refresh_from_db()
    assert contract.group_id == second.pk
    assert sorted(schedule(contract)) == [SEP, OCT, NOV, DEC]


def test_parent_declines_a_proposal_and_a_new_one_replaces_an_old(parent, staff, contract, second, cheap):
    first = switching.propose_switch(staff, contract, second, NOV)
    replacing = switching.propose_switch(staff, contract, cheap, NOV)
    first.refresh_from_db()
    assert first.status == SwitchStatus.WITHDRAWN

    switching.decline_switch(parent, replacing)

    replacing.refresh_from_db()
    assert replacing.status == SwitchStatus.DECLINED
    with pytest.raises(InvalidTransition):
        switching.accept_switch(parent, replacing)
    assert Contract.objects.get(pk=contract.pk).group_id == contract.group_id


def test_full_group_is_refused_and_nothing_changes(parent, staff, city, contract, second, next_period):
    for i in range(2):
        other_parent = f.user(municipality=city)
        kid = add_child(other_parent, first_name=f"Ребёнок{i}")
        make_certificate(kid, next_period)
        studying(other_parent, kid, staff, second)
    before = (schedule(contract), money(contract))

    with pytest.raises(InvalidTransition, match="нет свободных мест"):
        switching.switch_group(parent, contract, second, NOV)

    assert (schedule(contract), money(contract)) == before
    assert not GroupSwitch.objects.exists()


@pytest.mark.parametrize("month, message", [
    (dt.date(2000, 1, 1), "с первого числа текущего"),
    (dt.date(Y + 1, 1, 1), "с первого числа текущего"),
])
def test_months_outside_the_contract_are_refused(parent, contract, second, month, message):
    with pytest.raises(ValidationFailed, match=message):
        switching.switch_group(parent, contract, second, month)


def test_a_settled_month_is_not_amended(parent, contract, second, monkeypatch):
    settle_early(contract, *contract.months.filter(month__lte=NOV).values_list("month", flat=True))

    assert switching.effective_months(contract) == [DEC]
    with pytest.raises(ValidationFailed):
        switching.switch_group(parent, contract, second, NOV)


def test_only_groups_of_the_same_program_paid_by_certificates(parent, provider, contract, second):
    other_program = f.program(provider)
    elsewhere = certificate_only(other_program, dt.date(Y, 10, 1), dt.date(Y, 12, 31))
    budget = Group.objects.get(pk=second.pk)
    GroupFunding.objects.create(group=budget, source=FundingSource.BUDGET, monthly_price=D("0"))  # mixed

    with pytest.raises(ValidationFailed, match="той же программы"):
        switching.switch_group(parent, contract, elsewhere, NOV)
    with pytest.raises(ValidationFailed, match="не только сертификатами"):
        switching.switch_group(parent, contract, budget, NOV)
    assert list(switching.switch_targets(contract)) == []


def test_who_may_switch(staff, other_staff, parent, contract, second, city):
    stranger = f.user(municipality=city)
    with pytest.raises(NotFound):
        switching.switch_group(stranger, contract, second, NOV)
    with pytest.raises(NotFound):
        switching.switch_group(staff, contract, second, NOV)  # staff propose, they do not switch
    with pytest.raises(PermissionDenied):
        switching.propose_switch(other_staff, contract, second, NOV)
    proposal = switching.propose_switch(staff, contract, second, NOV)
    with pytest.raises(NotFound):
        switching.accept_switch(stranger, proposal)
    with pytest.raises(PermissionDenied):
        switching.withdraw_switch(other_staff, proposal)


def test_budget_exhausted_refuses_a_dearer_switch(parent, contract, second):
    FinancingPeriod.objects.filter(pk=contract.period_id).update(budget=D("30100.00"))
    before = (schedule(contract), money(contract))

    with pytest.raises(InvalidTransition, match="не хватает 168.04"):
        switching.switch_group(parent, contract, second, NOV)

    assert (schedule(contract), money(contract)) == before
    assert Group.objects.get(pk=second.pk).seats_taken == 0


def test_the_amended_months_are_settled_as_scheduled(parent, operator, city, contract, second, monkeypatch):
    switching.switch_group(parent, contract, second, NOV)
    monkeypatch.setattr(settlement, "local_today", lambda: dt.date(Y, 12, 5))

    settlement.close_month(operator, city, NOV)

    line = contract.invoice_lines.get()
    assert (line.month_amount, line.amount) == (D("7500.00"), D("7500.00"))
    ledger = CertificateLedger.objects.get(pk=contract.ledger_id)
    assert (ledger.reserved, ledger.paid) == (D("22668.04"), D("7500.00"))


def test_a_dearer_switch_stays_within_the_limit_of_the_contracts_agreement(parent, contract, second, city, district):
    """A contract across municipalities (here its agreement is attached directly): the
    extra reserve of a dearer group counts against the agreement's amount limit."""
    scheduled = sum(m.certificate_amount for m in contract.months.filter(cancelled=False))
    agreement = CooperationAgreement.objects.create(
        payer=city, host=district, proposer=city, status=AgreementStatus.ACTIVE,
        valid_from=contract.starts_on, valid_to=contract.ends_on, proposed_at=timezone.now(),
        max_amount=scheduled + D("100.00"))
    Contract.objects.filter(pk=contract.pk).update(agreement=agreement)
    before = (schedule(contract), money(contract))

    with pytest.raises(InvalidTransition, match="Лимит соглашения"):
        switching.switch_group(parent, contract, second, NOV)
    assert (schedule(contract), money(contract)) == before

    CooperationAgreement.objects.filter(pk=agreement.pk).update(max_amount=scheduled + D("1000.00"))
    switching.switch_group(parent, contract, second, NOV)
    assert Group.objects.get(pk=second.pk).seats_taken == 1
