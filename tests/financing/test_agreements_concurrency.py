"""A cooperation agreement's limit under concurrent confirmations, on PostgreSQL: real
threads, each with its own connection, released at the same moment. Twenty children of
the city, each applying to its own group of a district provider (no group or certificate
lock serializes them), race for an agreement of five children: exactly five contracts
are made. With the agreement's lock switched off (a test-only switch) the limit is
passed (docs/decisions.md, «Race tests have a control»)."""

import datetime as dt

import pytest

from opora.enrollment import services
from opora.errors import InvalidTransition
from opora.financing.models import AgreementStatus, Contract, CooperationAgreement
from opora.registry.choices import ProgramStatus
from tests import factories as f
from tests.concurrency import RACES, families, run_parallel
from tests.financing.conftest import NEXT_YEAR, autumn_group, certify, make_certificate, make_period

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), RACES]

CHILDREN = 20
LIMIT = 5


@pytest.fixture
def rush(city, district, other_provider):
    period = make_period(city, title=f"ПФДО {NEXT_YEAR}", starts_on=dt.date(NEXT_YEAR, 1, 1),
                         ends_on=dt.date(NEXT_YEAR + 1, 8, 31))
    CooperationAgreement.objects.create(
        payer=city, host=district, proposer=city, status=AgreementStatus.ACTIVE, max_children=LIMIT,
        valid_from=dt.date(NEXT_YEAR, 1, 1), valid_to=dt.date(NEXT_YEAR, 12, 31), proposed_at=period.created_at)
    program = f.program(other_provider, status=ProgramStatus.PUBLISHED, title="Шахматы в районе")
    certify(program.modules.get())
    applications = []
    for i, (parent, child) in enumerate(families(CHILDREN, city)):
        make_certificate(child, period, number=f"{child.pk:010d}")
        group = autumn_group(program, name=f"Группа {i}")
        applications.append(services.submit_application(parent, child, group)[0])
    return applications


def _confirm(staff, application):
    return lambda: services.confirm_application(staff, application).pk


def test_the_children_limit_is_never_passed(other_staff, rush):
    results, errors = run_parallel([_confirm(other_staff, a) for a in rush], workers=CHILDREN)

    assert len(results) == LIMIT and len(errors) == CHILDREN - LIMIT
    assert all(isinstance(e, InvalidTransition) and "уже обучаются 5 из 5 детей" in e.message for e in errors), errors
    assert Contract.objects.filter(agreement__isnull=False).count() == LIMIT


def test_without_the_agreements_lock_the_limit_is_passed(unguarded, other_staff, rush):
    # the control: the same rush with the agreement's row read without a lock
    unguarded("agreement")

    run_parallel([_confirm(other_staff, a) for a in rush], workers=CHILDREN)

    assert Contract.objects.filter(agreement__isnull=False).count() > LIMIT
