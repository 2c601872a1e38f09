"""Registration rush on PostgreSQL: real threads with their own connections, released at
once. With the event's row lock no event ever holds more children than its places; with
the lock switched off (the control run) the same rush oversells."""

import time

import pytest

from opora.events import services
from opora.events.models import PLACE_HOLDING, Registration
from opora.events.models import RegistrationStatus as R
from opora.locking import Busy
from tests.concurrency import RACES, families, run_parallel
from tests.events.conftest import make_event

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), RACES]


@pytest.fixture
def rush_event(staff, operator):
    return make_event(staff, operator, capacity=15, age_from=7, age_to=14)


def _retrying(work):
    """A client that sends the request again when answered «busy» (503 with Retry-After
    through the API): on a loaded machine a few of 200 requests wait longer than the lock
    timeout; none may be lost or oversold."""
    def call():
        for _attempt in range(20):
            try:
                return work()
            except Busy:
                time.sleep(0.2)
        raise AssertionError("still busy after 20 attempts")
    return call


def _register(parent, child, event):
    return _retrying(lambda: services.register_child(parent, event, child)[0].pk)


def test_two_hundred_parents_for_fifteen_places(rush_event, city):
    people = families(200, city)

    results, errors = run_parallel([_register(p, c, rush_event) for p, c in people])

    assert errors == []
    assert len(set(results)) == 200
    statuses = list(Registration.objects.filter(event=rush_event).values_list("status", flat=True))
    assert (statuses.count(R.NEW), statuses.count(R.WAITLISTED)) == (15, 185)
    numbers = sorted(Registration.objects.filter(event=rush_event, status=R.WAITLISTED)
                     .values_list("queue_number", flat=True))
    assert numbers == list(range(1, 186))


def test_without_the_event_lock_places_are_oversold(rush_event, city, unguarded):
    unguarded("event-places")
    people = families(200, city)

    run_parallel([_register(p, c, rush_event) for p, c in people])

    held = Registration.objects.filter(event=rush_event, status__in=PLACE_HOLDING).count()
    assert held > rush_event.capacity


def test_cancellations_and_new_registrations_never_exceed_the_places(rush_event, city, staff):
    people = families(60, city)
    made = [services.register_child(p, rush_event, c)[0] for p, c in people[:30]]
    parent_of = {c.pk: p for p, c in people}
    calls = [_retrying(lambda r=r: services.cancel_registration(parent_of[r.child_id], r).pk)
             for r in made[:10]]
    calls += [_retrying(lambda r=r: services.reject_registration(staff, r, "Нет документов").pk)
              for r in made[10:13]]
    calls += [_register(p, c, rush_event) for p, c in people[30:]]

    results, errors = run_parallel(calls, workers=25)

    assert errors == []
    rows = list(Registration.objects.filter(event=rush_event).values_list("status", "queue_number"))
    held = [s for s, _q in rows if s in PLACE_HOLDING]
    assert len(held) == 15
