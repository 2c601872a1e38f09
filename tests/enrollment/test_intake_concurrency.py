"""The outbox on PostgreSQL with real connections: the settler beside synchronous
submissions of the same groups, and two settlers at once. Each lock is shown to matter
by a control run without it (docs/decisions.md, «Race tests have a control»)."""

import contextlib
import time

import pytest
from django.db import DatabaseError, connection

from opora.enrollment import intake, seats, selectors, services
from opora.enrollment.models import SEAT_HOLDING, Application, Submission
from opora.enrollment.models import ApplicationStatus as S
from tests.concurrency import RACES, families, run_parallel, slow_after_reading
from tests.enrollment.conftest import open_group

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), RACES]


@pytest.fixture
def rush_group(published):
    return open_group(published, name="Первый день", capacity_max=20)


def _sync(parent, child, group, delay=0.0):
    def call():
        time.sleep(delay)
        return services.submit_application(parent, child, group)[0].pk
    return call


def _accept(parent, child, group):
    return lambda: intake.accept(parent, child.pk, group.pk).pk


def _settle_until_empty():
    settled = 0
    while Submission.objects.filter(settled_at__isnull=True).exists():
        settled += intake.settle()
    return settled


def test_the_settler_and_synchronous_submissions_share_the_seats(rush_group, city):
    people = families(200, city)
    calls = []
    for i, (parent, child) in enumerate(people):
        calls.append(_sync(parent, child, rush_group) if i % 2 else _accept(parent, child, rush_group))
        if i % 10 == 0:
            calls.append(intake.settle)

    _results, errors = run_parallel(calls)
    _settle_until_empty()

    assert errors == []
    statuses = list(Application.objects.filter(group=rush_group).values_list("status", flat=True))
    assert (statuses.count(S.NEW), statuses.count(S.WAITLISTED)) == (20, 180)
    waitlisted = selectors.with_positions(Application.objects.filter(
        group=rush_group, status=S.WAITLISTED)).order_by("queue_number")
    assert [a.queue_number for a in waitlisted] == list(range(1, 181))
    assert Submission.objects.filter(filed=True).count() == 100


@pytest.mark.parametrize("lock", [True, False], ids=["group lock", "control"])
def test_the_settlers_read_of_the_counters_is_locked(rush_group, city, unguarded, monkeypatch, lock):
    if not lock:
        unguarded("seats")
    slow_after_reading(monkeypatch, seats, "_read_counters")
    people = families(40, city)
    for parent, child in people[:20]:
        intake.accept(parent, child.pk, rush_group.pk)

    # the settler reads the counters first; the synchronous submissions come meanwhile
    run_parallel([intake.settle, *(_sync(p, c, rush_group, delay=0.1) for p, c in people[20:])],
                 workers=21)

    held = Application.objects.filter(group=rush_group, status__in=SEAT_HOLDING).count()
    if lock:
        assert held == 20
    else:
        assert held > 20  # oversold: the settler wrote back counters it read before them
        seats.recount_seats()


def test_two_settlers_at_once_one_waits_its_turn(rush_group, city, monkeypatch):
    for parent, child in families(50, city):
        intake.accept(parent, child.pk, rush_group.pk)
    slow_after_reading(monkeypatch, intake, "_read_batch")

    results, errors = run_parallel([intake.settle, intake.settle], workers=2)

    assert errors == []
    assert sorted(results) == [0, 50]
    assert list(Application.objects.filter(group=rush_group).order_by("queue_number")
                .values_list("queue_number", flat=True))[:3] == [1, 2, 3]


def test_the_settler_reconnects_after_losing_its_connection(rush_group, city, monkeypatch):
    [(parent, child)] = families(1, city)
    intake.accept(parent, child.pk, rush_group.pk)
    with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")  # the server goes away
    monkeypatch.setattr(intake, "FAILED_WAIT", 0)
    rounds = []

    settled = intake.run(stop=lambda: len(rounds) >= 3 or rounds.append(1), idle_wait=0)

    assert settled == 1
    assert Application.objects.filter(child=child).count() == 1
