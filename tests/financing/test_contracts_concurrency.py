"""Money under concurrent confirmations, on PostgreSQL: real threads, each with its own
connection, released at the same moment. A period never commits more than its budget
and a certificate never spends more than its nominal; with the money guards switched
off (a test-only switch: no row locks, reservations read, decided and written back)
both races do happen (docs/decisions.md, «Race tests have a control»)."""

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from opora.enrollment import services
from opora.enrollment.models import Application
from opora.enrollment.models import ApplicationStatus as S
from opora.errors import InvalidTransition
from opora.financing import contracts
from opora.financing.models import (
    CertificateKind,
    CertificateLedger,
    Contract,
    FinancingPeriod,
    SocialCertificate,
)
from opora.registry.choices import FundingSource, ProgramStatus
from tests import factories as f
from tests.concurrency import RACES, families, run_parallel
from tests.financing.conftest import autumn_group, certify, make_certificate

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), RACES]

Y = timezone.localdate().year + 1
D = Decimal



def certificate_groups(program, n, source=FundingSource.CERTIFICATE):
    """``n`` groups of September–December next year paid for by certificates only (or
    by social certificates only)."""
    return [autumn_group(program, source, name=f"Группа {i}") for i in range(n)]


def _confirm(staff, application):
    return lambda: services.confirm_application(staff, application).pk


# --- (a) many children, one budget ---------------------------------------------------

CHILDREN = 30
FITS = 12  # contracts of 30,000.00 the budget holds


@pytest.fixture
def rush(city, staff, certified_program, next_period):
    """30 children with a 30,000 ₽ certificate each, each applying to its own group (so
    no group lock serializes them); the period's budget holds 12 contracts and a half."""
    FinancingPeriod.objects.filter(pk=next_period.pk).update(budget=D("30000.00") * FITS + D("15000.00"))
    people = families(CHILDREN, city)
    groups = certificate_groups(certified_program, CHILDREN)
    applications = []
    for (parent, child), group in zip(people, groups, strict=True):
        make_certificate(child, next_period, number=f"{child.pk:010d}")
        applications.append(services.submit_application(parent, child, group)[0])
    next_period.refresh_from_db()
    return applications


def test_confirmations_never_pass_the_budget(staff, next_period, rush):
    results, errors = run_parallel([_confirm(staff, a) for a in rush], workers=CHILDREN)

    # exactly the ones that fit got contracts, the rest were refused cleanly
    assert len(results) == FITS and len(errors) == CHILDREN - FITS
    assert all(isinstance(e, InvalidTransition) for e in errors), errors
    assert {e.message.split(":")[0] for e in errors} == {f"Бюджет периода финансирования «ПФДО {Y}» исчерпан"}
    next_period.refresh_from_db()
    assert next_period.committed == D("30000.00") * FITS <= next_period.budget
    assert Contract.objects.aggregate(s=Sum("certificate_part"))["s"] == next_period.committed
    assert CertificateLedger.objects.aggregate(s=Sum("reserved"))["s"] == next_period.committed
    statuses = list(Application.objects.values_list("status", flat=True))
    assert (statuses.count(S.AWAITING_CONTRACT), statuses.count(S.NEW)) == (FITS, CHILDREN - FITS)
    assert set(Contract.objects.values_list("application_id", flat=True)) == set(results)


def test_without_the_guards_the_budget_is_overcommitted(unguarded, staff, next_period, rush):
    # the control: the same rush with the conditional UPDATE replaced by read-then-write
    unguarded("money")

    run_parallel([_confirm(staff, a) for a in rush], workers=CHILDREN)

    next_period.refresh_from_db()
    promised = Contract.objects.aggregate(s=Sum("certificate_part"))["s"]
    # lost updates: more money promised in contracts than the period counts, or than it has
    assert promised != next_period.committed or promised > next_period.budget


@pytest.fixture
def social_rush(city, staff, certified_program, next_period):
    """The same rush to groups paid for by social certificates: each child's certificate
    is an accounting one, every service would get a social certificate of 30,000 ₽."""
    FinancingPeriod.objects.filter(pk=next_period.pk).update(budget=D("30000.00") * FITS + D("15000.00"))
    people = families(CHILDREN, city)
    groups = certificate_groups(certified_program, CHILDREN, FundingSource.SOCIAL)
    applications = []
    for (parent, child), group in zip(people, groups, strict=True):
        make_certificate(child, number=f"{child.pk:010d}", kind=CertificateKind.ACCOUNTING)
        applications.append(services.submit_application(parent, child, group)[0])
    return applications


def test_social_certificates_never_pass_the_budget(staff, next_period, social_rush):
    results, errors = run_parallel([_confirm(staff, a) for a in social_rush], workers=CHILDREN)

    assert len(results) == FITS and len(errors) == CHILDREN - FITS
    assert all(isinstance(e, InvalidTransition) for e in errors), errors
    next_period.refresh_from_db()
    assert next_period.committed == D("30000.00") * FITS <= next_period.budget
    # a refused confirmation leaves no social certificate behind
    assert SocialCertificate.objects.count() == FITS
    assert CertificateLedger.objects.aggregate(s=Sum("reserved"))["s"] == next_period.committed
    assert set(SocialCertificate.objects.values_list("application_id", flat=True)) == set(results)


# --- (b) one certificate, many groups ------------------------------------------------

GROUPS = 12


@pytest.fixture
def one_child_everywhere(city, provider, next_period):
    """One child with 25,000 ₽ on the certificate applying to 12 groups of a module whose
    normative cost is 10,000 ₽: the balance covers two contracts and a half."""
    program = f.program(provider, status=ProgramStatus.PUBLISHED, title="Шахматы ПФДО")
    certify(program.modules.get(), price=D("12000.00"), normative=D("10000.00"))
    [(parent, child)] = families(1, city)
    certificate = make_certificate(child, next_period, nominal=D("25000.00"))
    applications = [services.submit_application(parent, child, g)[0]
                    for g in certificate_groups(program, GROUPS)]
    return certificate, applications


def test_one_certificate_is_never_overspent(staff, next_period, one_child_everywhere):
    certificate, applications = one_child_everywhere

    results, errors = run_parallel([_confirm(staff, a) for a in applications], workers=GROUPS)

    assert errors == [] and len(results) == GROUPS
    made = list(Contract.objects.filter(certificate=certificate))
    # served one after another under the certificate's lock: 10,000, 10,000, 5,000, then 0
    assert sorted(c.certificate_part for c in made) == [D("0.00")] * (GROUPS - 3) + [
        D("5000.00"), D("10000.00"), D("10000.00")]
    assert all(c.total == c.certificate_part + c.parent_part == D("12000.00") for c in made)
    ledger = CertificateLedger.objects.get(certificate=certificate, period=next_period)
    assert (ledger.reserved, ledger.balance) == (D("25000.00"), D("0.00"))
    next_period.refresh_from_db()
    assert next_period.committed == D("25000.00")
    assert sorted(c.number for c in made) == sorted(f"{certificate.number}-{n}" for n in range(1, GROUPS + 1))


def test_without_the_guards_one_certificate_is_overspent(unguarded, staff, next_period,
                                                         one_child_everywhere):
    # the control: no certificate lock, and the ledger read, decided and written back
    unguarded("money")
    certificate, applications = one_child_everywhere

    run_parallel([_confirm(staff, a) for a in applications], workers=GROUPS)

    promised = Contract.objects.filter(certificate=certificate).aggregate(s=Sum("certificate_part"))["s"]
    ledger = CertificateLedger.objects.get(certificate=certificate, period=next_period)
    assert promised > ledger.nominal  # the certificate promised more than it holds
    assert ledger.reserved < promised  # and the ledger lost count of it


# --- (c) two bulk confirmations crossing the same children --------------------------

ROUNDS = 6


def test_crossing_bulk_confirmations_do_not_deadlock(staff, city, certified_program, next_period):
    """Two providers' staff confirm, at once, applications of the same two children to
    their own groups, listed in opposite child order; each confirmation locks the child's
    certificate. Locking the children first, in key order, serialises the two; without it
    each would hold one certificate and wait for the other (a deadlock, answered «try
    again»)."""
    people = families(2 * ROUNDS, city)
    calls = []
    for n in range(ROUNDS):
        (parent_x, x), (parent_y, y) = people[2 * n], people[2 * n + 1]
        for child in (x, y):
            make_certificate(child, next_period, number=f"{child.pk:010d}")
        first, second = certificate_groups(certified_program, 2)
        # pks in this order: the first bulk goes x, y; the second y, x
        a = [services.submit_application(parent_x, x, first)[0], services.submit_application(parent_y, y, first)[0]]
        b = [services.submit_application(parent_y, y, second)[0], services.submit_application(parent_x, x, second)[0]]
        calls += [_bulk(staff, a), _bulk(staff, b)]

    results, errors = run_parallel(calls, workers=2)

    assert errors == [] and len(results) == 2 * ROUNDS
    assert Contract.objects.count() == 4 * ROUNDS
    next_period.refresh_from_db()
    assert next_period.committed == Contract.objects.aggregate(s=Sum("certificate_part"))["s"]


def _bulk(staff, applications):
    return lambda: [a.pk for a in services.process_applications(staff, [a.pk for a in applications], "confirm")]



# --- (d) a termination waits for the month being closed -------------------------------


def test_a_termination_waits_for_the_payers_settlement(staff, city, certified_program, next_period):
    """A month is being closed (the payer's settlement lock is held) while the provider
    expels a child: the expulsion waits for the run to finish instead of cancelling
    months the run is billing."""
    import threading

    from django.db import connections, transaction

    from opora.financing import settlement

    [(parent, child)] = families(1, city)
    make_certificate(child, next_period, number=f"{child.pk:010d}")
    [group] = certificate_groups(certified_program, 1)
    contract = services.confirm_application(staff, services.submit_application(parent, child, group)[0]).contract
    contracts.accept_contract(parent, contract)
    locked, release, expelled = threading.Event(), threading.Event(), threading.Event()

    def closing_month():
        try:
            with transaction.atomic():
                settlement.lock_payer(city.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    def expelling():
        try:
            locked.wait(10)
            services.expel(staff, contract.application, "Переезд")
            expelled.set()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=closing_month), threading.Thread(target=expelling)]
    for thread in threads:
        thread.start()
    waited = not expelled.wait(1.0)  # still blocked on the settlement lock
    release.set()
    for thread in threads:
        thread.join(15)

    assert waited and expelled.is_set()
    contract.refresh_from_db()
    assert contract.status == "closed"
