"""Group switches under concurrency, on PostgreSQL: real threads, each with its own
connection, released at the same moment, all moving their child into a group with one
free seat. Exactly one moves; the rest are refused and nothing of theirs changes. With
the seat and settlement guards switched off (the control), the group is oversold."""

import datetime as dt
import time
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from opora.enrollment.models import Application
from opora.errors import InvalidTransition
from opora.financing import switching
from opora.financing.models import CertificateLedger, Contract, FinancingPeriod, GroupSwitch
from opora.registry.models import Group
from tests.concurrency import RACES, families, run_parallel
from tests.financing.conftest import certificate_only, make_certificate, make_contract

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), RACES]

Y = timezone.localdate().year + 1
NOV = dt.date(Y, 11, 1)
CHILDREN = 12
D = Decimal


@pytest.fixture
def rush(city, certified_program, next_period):
    """12 children studying in «Осень» under active contracts; «Почти полная» has one seat."""
    autumn = certificate_only(certified_program, dt.date(Y, 9, 1), dt.date(Y, 12, 31), name="Осень",
                              capacity_max=CHILDREN)
    nearly_full = certificate_only(certified_program, dt.date(Y, 9, 1), dt.date(Y, 12, 31), name="Почти полная",
                                   capacity_max=1)
    months = {dt.date(Y, m, 1): D("3000.00") for m in (9, 10, 11, 12)}
    people = []
    for parent, child in families(CHILDREN, city):
        certificate = make_certificate(child, next_period, number=f"{child.pk:010d}")
        people.append((parent, make_contract(certificate, autumn, next_period, months)))
    return autumn, nearly_full, people


def _switch(parent, contract, group):
    return lambda: switching.switch_group(parent, contract, group, NOV).pk


def test_one_seat_goes_to_exactly_one_child(rush):
    autumn, nearly_full, people = rush

    results, errors = run_parallel([_switch(p, c, nearly_full) for p, c in people], workers=CHILDREN)

    assert len(results) == 1 and len(errors) == CHILDREN - 1
    assert all(isinstance(e, InvalidTransition) and "нет свободных мест" in e.message for e in errors), errors
    assert Application.objects.filter(group=nearly_full).count() == 1
    assert (Group.objects.get(pk=nearly_full.pk).seats_taken, Group.objects.get(pk=autumn.pk).seats_taken) == (
        1, CHILDREN - 1)
    assert Contract.objects.filter(group=nearly_full).count() == GroupSwitch.objects.count() == 1
    # the money still adds up: what the contracts reserve is what the ledgers and the period hold
    promised = Contract.objects.aggregate(s=Sum("certificate_part"))["s"]
    assert CertificateLedger.objects.aggregate(s=Sum("reserved"))["s"] == promised
    assert FinancingPeriod.objects.get(pk=people[0][1].period_id).committed == promised


def test_without_the_guards_the_group_is_oversold(unguarded, rush, monkeypatch):
    # the control: no group lock and no settlement lock, the seat read before it is taken
    unguarded("seats", "settlement")
    _autumn, nearly_full, people = rush
    # each thread waits a moment between reading the seats and taking one: on a quiet or a
    # loaded machine alike the threads otherwise may run one after another and show no race
    checked = switching._check

    def slow_check(*args, **kwargs):
        found = checked(*args, **kwargs)
        time.sleep(0.3)
        return found
    monkeypatch.setattr(switching, "_check", slow_check)

    run_parallel([_switch(p, c, nearly_full) for p, c in people], workers=CHILDREN)

    assert Application.objects.filter(group=nearly_full).count() > nearly_full.capacity_max


# --- social certificates: the period's budget pays exactly as many dearer switches as it holds ---------


SOCIAL_CHILDREN, PAYABLE = 8, 3


def _social_contract(child, group, period, months):
    """A contract paid by a social certificate of its own, built as the confirmation makes
    it: the social certificate's nominal is its certificate part, reserved in the period."""
    from opora.enrollment.models import ApplicationStatus, Channel
    from opora.enrollment.seats import recount_seats
    from opora.financing.models import CertificateKind, ContractMonth, ContractStatus, SocialCertificate

    certificate = make_certificate(child, kind=CertificateKind.ACCOUNTING)
    application = Application.objects.create(child=child, group=group, status=ApplicationStatus.ENROLLED,
                                             channel=Channel.CABINET, status_changed_at=timezone.now())
    recount_seats(Group.objects.filter(pk=group.pk))
    part = sum(months.values(), D("0.00"))
    social = SocialCertificate.objects.create(number=f"{certificate.number}-С1", certificate=certificate,
                                              application=application, period=period, nominal=part,
                                              issued_at=timezone.now())
    ledger = CertificateLedger.objects.create(social_certificate=social, period=period, nominal=part, committed=part)
    contract = Contract.objects.create(
        number=f"{certificate.number}-1", application=application, certificate=certificate, period=period,
        ledger=ledger, organization=group.module.program.organization, module=group.module, group=group,
        status=ContractStatus.ACTIVE, signed_on=min(months), starts_on=dt.date(Y, 9, 1), ends_on=dt.date(Y, 12, 31),
        total=part, normative=part, certificate_part=part, parent_part=D("0.00"))
    ContractMonth.objects.bulk_create([ContractMonth(contract=contract, month=m, certificate_amount=a,
                                                     parent_amount=D("0.00")) for m, a in months.items()])
    FinancingPeriod.objects.filter(pk=period.pk).update(committed=period.committed + part)
    period.refresh_from_db()
    return contract


@pytest.fixture
def social_rush(city, certified_program, next_period):
    """8 children on social certificates in «Соц. дешёво» (3,000.00 a month, September –
    December); «Соц. дорого» (36,000.00, normative 30,000.00) from November costs each one
    15,000.00 instead of 6,000.00: 9,000.00 more. The budget holds 3 such switches."""
    from opora.registry.choices import FundingSource

    cheap = certificate_only(certified_program, dt.date(Y, 9, 1), dt.date(Y, 12, 31), FundingSource.SOCIAL,
                             name="Соц. дешёво", capacity_max=SOCIAL_CHILDREN)
    dear = certificate_only(certified_program, dt.date(Y, 9, 1), dt.date(Y, 12, 31), FundingSource.SOCIAL,
                            name="Соц. дорого", capacity_max=SOCIAL_CHILDREN)
    months = {dt.date(Y, m, 1): D("3000.00") for m in (9, 10, 11, 12)}
    people = [(parent, _social_contract(child, cheap, next_period, months))
              for parent, child in families(SOCIAL_CHILDREN, city)]
    FinancingPeriod.objects.filter(pk=next_period.pk).update(
        budget=SOCIAL_CHILDREN * D("12000.00") + PAYABLE * D("9000.00") + D("100.00"))
    return dear, people


def test_social_switches_take_exactly_what_the_budget_holds(social_rush):
    from opora.financing.models import SocialCertificate

    dear, people = social_rush

    results, errors = run_parallel([_switch(p, c, dear) for p, c in people], workers=SOCIAL_CHILDREN)

    assert len(results) == PAYABLE and len(errors) == SOCIAL_CHILDREN - PAYABLE
    assert all(isinstance(e, InvalidTransition) and "не хватает 9000.00" in e.message for e in errors), errors
    promised = Contract.objects.aggregate(s=Sum("certificate_part"))["s"]
    assert promised == SOCIAL_CHILDREN * D("12000.00") + PAYABLE * D("9000.00")
    # each social certificate's nominal is its contract's part, to the kopeck, on the ledger too
    assert SocialCertificate.objects.aggregate(s=Sum("nominal"))["s"] == promised
    assert CertificateLedger.objects.aggregate(n=Sum("nominal"), r=Sum("reserved")) == {"n": promised, "r": promised}
    assert FinancingPeriod.objects.get(pk=people[0][1].period_id).committed == promised
    assert sorted(SocialCertificate.objects.values_list("nominal", flat=True)) == (
        [D("12000.00")] * (SOCIAL_CHILDREN - PAYABLE) + [D("21000.00")] * PAYABLE)
