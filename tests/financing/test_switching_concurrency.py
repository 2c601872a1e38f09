"""Group switches under concurrency, on PostgreSQL: real threads, each with its own
connection, released at the same moment, all moving their child into a group with one
free seat. Exactly one moves; the rest are refused and nothing of theirs changes. With
the seat and settlement guards switched off (the control), the group is oversold."""

import datetime as dt
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


def test_without_the_guards_the_group_is_oversold(unguarded, rush):
    # the control: no group lock and no settlement lock, the seat read before it is taken
    unguarded("seats", "settlement")
    _autumn, nearly_full, people = rush

    run_parallel([_switch(p, c, nearly_full) for p, c in people], workers=CHILDREN)

    assert Application.objects.filter(group=nearly_full).count() > nearly_full.capacity_max
