"""Prolongation racing new contracts for one budget, on PostgreSQL: real threads, each
with its own connection, released at the same moment. Offers of continuing children and
confirmations of new children reserve from the same next period; the period never
commits more than its budget and counts exactly what its contracts hold. With the money
guard off (a test-only switch) the race does happen (docs/decisions.md, «Race tests
have a control»)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from opora.enrollment import services
from opora.errors import InvalidTransition
from opora.financing import prolongation
from opora.financing.models import (
    CertificateLedger,
    Contract,
    ContractStatus,
    FinancingPeriod,
    ProlongationOffer,
    ProlongationStatus,
)
from opora.registry.models import Group
from tests.concurrency import RACES, families, run_parallel
from tests.financing.conftest import certificate_only, make_certificate
from tests.financing.prolongation_fixtures import NEW_START, S, school_years, studying, two_year_program

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), RACES]
D = Decimal
EACH = 10  # continuing children and new children
FITS = 12  # contracts of 30,000.00 the new period's budget holds


@pytest.fixture
def race(city, provider, staff):
    """Ten continuing children, each in a group of its own this year and offered a group of
    its own next year (no group lock serializes them), and ten new children applying to
    ten other groups of next year; the new period's budget holds twelve contracts and a
    half."""
    current, new = school_years(city, budget=D("30000.00") * FITS + D("15000.00"))
    program, this_year, next_year = two_year_program(provider)
    calls, people = [], families(2 * EACH, city)
    for n, (_parent, child) in enumerate(people[:EACH]):
        source_group = certificate_only(program, dt.date(S, 9, 1), dt.date(S + 1, 5, 31), name=f"Год-1 {n}")
        target = certificate_only(program, NEW_START, dt.date(S + 1, 12, 31), name=f"Год-2 {n}")
        Group.objects.filter(pk=target.pk).update(module=next_year.module)
        studying(child, source_group, current, new)
        calls.append(_propose(staff, source_group, target.pk))
    newcomers = []
    for n, (parent, child) in enumerate(people[EACH:]):
        group = certificate_only(program, NEW_START, dt.date(S + 1, 12, 31), name=f"Новая {n}")
        Group.objects.filter(pk=group.pk).update(module=next_year.module)
        make_certificate(child, new, number=f"9{child.pk:09d}")
        newcomers.append(services.submit_application(parent, child, group)[0])
    calls += [_confirm(staff, a) for a in newcomers]
    return new, calls


def _propose(staff, group, target):
    def call():
        [offer] = prolongation.propose_prolongation(staff, group, target=target)
        if offer.status != ProlongationStatus.OFFERED:
            raise InvalidTransition(offer.reason)
        return offer.contract_id
    return call


def _confirm(staff, application):
    return lambda: services.confirm_application(staff, application).contract.pk


def test_prolongation_and_new_contracts_never_pass_the_budget(race):
    new, calls = race

    results, errors = run_parallel(calls, workers=len(calls))

    assert len(results) == FITS and len(errors) == len(calls) - FITS
    assert all(isinstance(e, InvalidTransition) for e in errors), errors
    assert {e.message.split(":")[0] for e in errors} == {
        f"Бюджет периода финансирования «{new.title}» исчерпан"}
    new.refresh_from_db()
    live = Contract.objects.filter(period=new, status=ContractStatus.CONFIRMED)
    assert new.committed == D("30000.00") * FITS <= new.budget
    assert live.aggregate(s=Sum("certificate_part"))["s"] == new.committed
    assert CertificateLedger.objects.filter(period=new).aggregate(s=Sum("reserved"))["s"] == new.committed
    assert set(live.values_list("pk", flat=True)) == set(results)
    # every continuing child has exactly one offer, made or refused with the reason
    assert ProlongationOffer.objects.count() == EACH
    assert ProlongationOffer.objects.filter(status=ProlongationStatus.OFFERED).count() == \
        live.filter(prolongation__isnull=False).count()


def test_without_the_guard_the_budget_is_overcommitted(unguarded, race):
    # the control: the conditional UPDATEs replaced by read, decide, write back
    unguarded("money")
    new, calls = race

    run_parallel(calls, workers=len(calls))

    new.refresh_from_db()
    promised = Contract.objects.filter(period=new, status=ContractStatus.CONFIRMED).aggregate(
        s=Sum("certificate_part"))["s"]
    assert promised != new.committed or promised > new.budget


def test_concurrent_reruns_offer_each_child_once(operator, city, provider):
    current, new = school_years(city)
    _program, this_year, _next_year = two_year_program(provider)
    for _parent, child in families(EACH, city):
        studying(child, this_year, current, new)

    results, errors = run_parallel([lambda: prolongation.run_prolongation(operator, city).made] * 4, workers=4)

    assert errors == [] and sum(results) == EACH
    assert ProlongationOffer.objects.filter(status=ProlongationStatus.OFFERED).count() == EACH
    new.refresh_from_db()
    assert new.committed == D("30000.00") * EACH
    assert FinancingPeriod.objects.get(pk=new.pk).committed == Contract.objects.filter(period=new).aggregate(
        s=Sum("certificate_part"))["s"]
