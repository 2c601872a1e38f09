"""Organizations register their teachers for one seminar at the same moment, on PostgreSQL
with real connections: with the seat lock no seminar takes more teachers than its seats;
with the lock switched off (the control run) it does (docs/decisions.md, «Race tests have
a control»)."""

import pytest

from opora.accounts.models import Role
from opora.errors import InvalidTransition
from opora.training import services
from opora.training.models import SEATED, Registration
from tests import factories as f
from tests.concurrency import RACES, run_parallel
from tests.training.conftest import event_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), RACES]

SEATS = 10


def _rush(city, operator, n=60):
    seminar = services.publish(operator, services.save_event(operator, event_data(capacity=SEATS)))
    calls = []
    for i in range(n):
        organization = f.organization(city)
        staff = f.user(Role.ORGANIZATION_STAFF, organization=organization, municipality=city)
        teacher = f.teacher(organization, last_name=f"Педагог{i}")
        calls.append(lambda staff=staff, teacher=teacher: services.register(staff, seminar, [teacher]))
    return seminar, calls


def test_sixty_teachers_for_ten_seats(city, operator):
    seminar, calls = _rush(city, operator)

    results, errors = run_parallel(calls)

    assert len(results) == SEATS
    assert len(errors) == 60 - SEATS and all(isinstance(e, InvalidTransition) for e in errors)
    assert Registration.objects.filter(event=seminar, status__in=SEATED).count() == SEATS


def test_without_the_seat_lock_the_seminar_is_oversold(city, operator, unguarded):
    # the control: the same rush with the row lock switched off
    unguarded("training-seats")
    seminar, calls = _rush(city, operator)

    run_parallel(calls)

    assert Registration.objects.filter(event=seminar, status__in=SEATED).count() > SEATS
