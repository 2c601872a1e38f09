# ruff: noqa: F811 — the tests take the fixtures imported from switching_fixtures
"""Switching groups across municipalities: a child of the city studies with a provider of
the district under a cooperation agreement «city → district»; a switch to another group of
that provider is made only while an agreement of the pair is in force on the new part's
first day (``CooperationAgreement.objects.in_force``): with one it goes through (the same
table as ``test_switching``: the reserve grows by 168.04), without one, with an expired or
an ended one it is refused with a clear message and nothing changes."""

import datetime as dt

import pytest
from django.utils import timezone

from opora.errors import InvalidTransition
from opora.financing import switching
from opora.financing.models import (
    AgreementStatus,
    CertificateLedger,
    Contract,
    ContractMonth,
    CooperationAgreement,
    FinancingPeriod,
    GroupSwitch,
)
from opora.registry.choices import ProgramStatus
from opora.registry.models import Group
from tests import factories as f
from tests.financing.conftest import certificate_only, certify, make_certificate
from tests.financing.switching_fixtures import D, Y, in_module, module, studying

pytestmark = pytest.mark.django_db

OCT, NOV = dt.date(Y, 10, 1), dt.date(Y, 11, 1)
REFUSED = "нет действующего соглашения о сотрудничестве"


def make_agreement(city, district, valid_from=dt.date(Y, 1, 1), valid_to=dt.date(Y, 12, 31), **kw):
    return CooperationAgreement.objects.create(
        payer=city, host=district, proposer=city, status=kw.pop("status", AgreementStatus.ACTIVE),
        valid_from=valid_from, valid_to=valid_to, proposed_at=timezone.now(), **kw)


@pytest.fixture
def away_program(other_provider):
    program = f.program(other_provider, status=ProgramStatus.PUBLISHED, title="Шахматы в районе")
    certify(program.modules.get())
    return program


@pytest.fixture
def away_autumn(away_program):
    return certificate_only(away_program, dt.date(Y, 9, 1), dt.date(Y, 12, 31), name="Шахматы-осень")


@pytest.fixture
def away_second(away_program):
    group = certificate_only(away_program, dt.date(Y, 10, 1), dt.date(Y, 12, 31), name="Шахматы-2")
    return in_module(group, module(away_program, 2, D("27600.00"), D("23000.00")))


@pytest.fixture
def agreement(city, district):
    return make_agreement(city, district)


@pytest.fixture
def visiting(parent, child, other_staff, next_period, agreement, away_autumn):
    """The city's child under a contract with the district's provider, September–December."""
    make_certificate(child, next_period, nominal=D("40000.00"))
    contract = studying(parent, child, other_staff, away_autumn)
    assert contract.agreement_id == agreement.pk
    return contract


def state(contract):
    ledger = CertificateLedger.objects.get(pk=contract.ledger_id)
    return (Contract.objects.filter(pk=contract.pk).values_list("group_id", "total").get(),
            list(ContractMonth.objects.filter(contract=contract).order_by("month")
                 .values_list("month", "certificate_amount", "parent_amount")),
            ledger.reserved, FinancingPeriod.objects.get(pk=contract.period_id).committed,
            GroupSwitch.objects.count())


def test_with_an_agreement_in_force_the_switch_is_made(parent, visiting, away_second):
    switch = switching.switch_group(parent, visiting, away_second, NOV)

    visiting.refresh_from_db()
    assert (visiting.group_id, visiting.total, switch.reserve_change) == (away_second.pk, D("36201.66"), D("168.04"))
    assert CertificateLedger.objects.get(pk=visiting.ledger_id).reserved == D("30168.04")


def test_an_agreement_expired_before_the_switch_refuses_it(parent, other_staff, visiting, agreement, away_second):
    CooperationAgreement.objects.filter(pk=agreement.pk).update(valid_to=dt.date(Y, 10, 31))
    before = state(visiting)

    with pytest.raises(InvalidTransition, match=REFUSED) as refused:
        switching.switch_group(parent, visiting, away_second, NOV)
    assert "«Город Тестов»" in str(refused.value) and "«Тестовский район»" in str(refused.value)
    assert "01.11." in str(refused.value)
    with pytest.raises(InvalidTransition, match=REFUSED):
        switching.preview(parent, visiting, away_second, NOV)
    with pytest.raises(InvalidTransition, match=REFUSED):
        switching.propose_switch(other_staff, visiting, away_second, NOV)
    assert state(visiting) == before
    assert Group.objects.get(pk=away_second.pk).seats_taken == 0

    # from October, still covered by the agreement, the switch goes through
    switching.switch_group(parent, visiting, away_second, OCT)
    assert Contract.objects.get(pk=visiting.pk).group_id == away_second.pk


def test_an_ended_agreement_refuses_the_switch(parent, visiting, agreement, away_second):
    CooperationAgreement.objects.filter(pk=agreement.pk).update(status=AgreementStatus.ENDED)
    before = state(visiting)

    with pytest.raises(InvalidTransition, match=REFUSED):
        switching.switch_group(parent, visiting, away_second, NOV)
    assert state(visiting) == before


def test_without_any_agreement_the_switch_is_refused(parent, visiting, agreement, away_second):
    """A contract across municipalities left with no agreement (made before agreements
    were kept, say): nothing permits the move."""
    Contract.objects.filter(pk=visiting.pk).update(agreement=None)
    agreement.delete()
    before = state(visiting)

    with pytest.raises(InvalidTransition, match=REFUSED):
        switching.switch_group(parent, visiting, away_second, NOV)
    assert state(visiting) == before


def test_a_renewed_agreement_in_force_on_the_date_permits_the_switch(parent, city, district, visiting, agreement,
                                                                     away_second):
    CooperationAgreement.objects.filter(pk=agreement.pk).update(valid_to=dt.date(Y, 10, 31))
    make_agreement(city, district, valid_from=dt.date(Y, 11, 1), valid_to=dt.date(Y + 1, 8, 31))

    switching.switch_group(parent, visiting, away_second, NOV)

    visiting.refresh_from_db()
    # the contract stays under its own agreement (its limits count the extra money)
    assert (visiting.group_id, visiting.agreement_id) == (away_second.pk, agreement.pk)


def test_the_reverse_agreement_does_not_permit_it(parent, city, district, visiting, agreement, away_second):
    CooperationAgreement.objects.filter(pk=agreement.pk).update(valid_to=dt.date(Y, 10, 31))
    make_agreement(district, city, valid_from=dt.date(Y, 11, 1))  # the district pays for its children

    with pytest.raises(InvalidTransition, match=REFUSED):
        switching.switch_group(parent, visiting, away_second, NOV)
