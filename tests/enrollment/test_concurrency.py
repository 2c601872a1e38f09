"""Opening day on PostgreSQL: real threads, each with its own connection, released at
the same moment. Each lock is shown to matter: with it switched off (a test-only
switch) the race happens, with it on it never does (docs/decisions.md, «Race tests have
a control»)."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from opora import locking
from opora.accounts.models import Role, User
from opora.audit.models import AuditEvent
from opora.enrollment import children, seats, selectors, services
from opora.enrollment.models import (
    SEAT_HOLDING,
    Application,
    Child,
    Guardianship,
)
from opora.enrollment.models import ApplicationStatus as S
from opora.errors import Throttled
from opora.registry.models import Group
from tests import factories as f
from tests.concurrency import RACES, families, run_parallel, slow_after_reading
from tests.enrollment.conftest import child_data, open_group, snils

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), RACES]


@pytest.fixture
def rush_group(published):
    return open_group(published, name="Первый день", capacity_max=20)


def _submit(parent, child, group):
    return lambda: services.submit_application(parent, child, group)[0].pk


def test_two_hundred_parents_for_twenty_seats(rush_group, city):
    people = families(200, city)

    results, errors = run_parallel([_submit(p, c, rush_group) for p, c in people])

    assert errors == []
    assert len(set(results)) == 200
    statuses = list(Application.objects.filter(group=rush_group).values_list("status", flat=True))
    assert (statuses.count(S.NEW), statuses.count(S.WAITLISTED)) == (20, 180)
    waitlisted = selectors.with_positions(Application.objects.filter(
        group=rush_group, status=S.WAITLISTED)).order_by("queue_number")
    assert [a.position for a in waitlisted] == list(range(1, 181))
    assert [a.queue_number for a in waitlisted] == list(range(1, 181))


def test_without_the_group_lock_seats_are_oversold(rush_group, city, unguarded):
    # the control: the same rush with the row lock switched off
    unguarded("seats")
    people = families(200, city)

    run_parallel([_submit(p, c, rush_group) for p, c in people])

    held = Application.objects.filter(group=rush_group, status__in=SEAT_HOLDING).count()
    assert held > rush_group.capacity_max
    seats.recount_seats()  # the lost updates left the counter behind the rows, as shown


@pytest.mark.parametrize("lock", [True, False], ids=["group lock", "constraint alone"])
def test_fifty_repeats_of_one_child_give_one_application(rush_group, city, unguarded, lock):
    # without the group lock the partial unique constraint still keeps one application
    if not lock:
        unguarded("seats")
    [(parent, child)] = families(1, city)

    results, errors = run_parallel([_submit(parent, child, rush_group)] * 50, workers=25)

    assert errors == []
    assert len(results) == 50 and len(set(results)) == 1
    assert Application.objects.filter(child=child).count() == 1


def test_withdrawals_promotions_and_a_raise_never_exceed_capacity(rush_group, city, staff):
    people = families(90, city)
    made = [services.submit_application(p, c, rush_group)[0] for p, c in people[:60]]
    holders, waiting = made[:20], made[20:]
    parent_of = {c.pk: p for p, c in people}

    calls = [lambda a=a: services.withdraw_application(parent_of[a.child_id], a).pk
             for a in holders[:12] + waiting[:10]]
    calls += [lambda a=a: services.reject_application(staff, a, "Не подтвердили").pk
              for a in holders[12:16]]
    calls += [_submit(p, c, rush_group) for p, c in people[60:]]
    calls += [lambda: services.change_capacity(staff, rush_group, 23).pk]
    peak, done = [0], threading.Event()

    def watch():
        try:
            while not done.is_set():
                taken = Application.objects.filter(group=rush_group,
                                                   status__in=SEAT_HOLDING).count()
                peak[0] = max(peak[0], taken)
        finally:
            connections.close_all()

    watcher = threading.Thread(target=watch)
    watcher.start()
    results, errors = run_parallel(calls, workers=30)
    done.set()
    watcher.join()

    assert errors == []
    rows = list(Application.objects.filter(group=rush_group).values_list(
        "status", "queue_number"))
    held = [q for s, q in rows if s in SEAT_HOLDING]
    in_line = sorted(q for s, q in rows if s == S.WAITLISTED)
    assert len(held) == 23 and peak[0] <= 23
    # nobody was skipped: every promoted child stood before everyone still waiting
    assert max(q for q in held if q is not None) < in_line[0]
    assert len(in_line) == 90 - 16 - 10 - 23


def test_lock_timeout_is_a_polite_refusal_not_a_hang(rush_group, city, monkeypatch):
    monkeypatch.setattr(locking, "LOCK_TIMEOUT", "200ms")
    [(parent, child)] = families(1, city)
    holding, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                Group.objects.select_for_update().get(pk=rush_group.pk)
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(5)
    started = timezone.now()
    try:
        with pytest.raises(locking.Busy) as err:
            services.submit_application(parent, child, rush_group)
    finally:
        release.set()
        holder.join()

    assert err.value.message == "Слишком много заявок одновременно. Попробуйте ещё раз через несколько секунд."
    assert timezone.now() - started < dt.timedelta(seconds=2)
    assert Application.objects.count() == 0
    assert connection.is_usable()


@pytest.mark.parametrize("lock", [True, False], ids=["identity lock", "no lock (control)"])
def test_parents_entering_one_child_at_once_share_one_record(city, monkeypatch, unguarded, lock):
    if not lock:
        unguarded("identity")
    # Widen the window between «is the child there?» and the INSERT, so that the control
    # shows its race however busy the machine is (the lock must hold through it too).
    look_up = children._existing

    def slow_look_up(child):
        found = look_up(child)
        time.sleep(0.05)
        return found

    monkeypatch.setattr(children, "_existing", slow_look_up)
    parents = User.objects.bulk_create([
        User(email=f"same{i}@example.org", role=Role.PARENT, municipality=city, password="!")
        for i in range(30)])

    results, errors = run_parallel(
        [lambda p=p: children.register_child(p, child_data(city), consent=True)[0].pk
         for p in parents], workers=30)

    assert errors == []
    if lock:
        assert len(set(results)) == 1 and Child.objects.count() == 1
        assert Guardianship.objects.count() == 30
    else:
        assert Child.objects.count() > 1


@pytest.mark.parametrize("lock", [True, False], ids=["account lock", "no lock"])
def test_a_burst_of_claims_from_one_account_keeps_the_days_limit(city, settings, unguarded, lock,
                                                                  monkeypatch):
    if not lock:
        unguarded("identity")
        # once, on a loaded machine, the threads ran one after another and none overran
        slow_after_reading(monkeypatch, children.audit, "count")
    settings.OPORA_CHILD_CLAIMS_PER_DAY = 3
    owner = f.user(Role.PARENT, municipality=city)
    original, _ = children.register_child(owner, child_data(city, snils=snils(123456789)),
                                          consent=True)
    prober = f.user(Role.PARENT, municipality=city)

    def claim(days):
        data = child_data(city, snils=snils(123456789),
                          birth_date=original.birth_date - dt.timedelta(days=days))
        return lambda: children.register_child(prober, data, consent=True)[1]

    _results, errors = run_parallel([claim(d) for d in range(1, 21)], workers=20)

    claims = AuditEvent.objects.filter(actor=prober, action__in=children.CLAIMS).count()
    if lock:
        assert claims == 3
        assert len(errors) == 17 and all(isinstance(e, Throttled) for e in errors)
    else:
        assert claims > 3  # the control: without the lock the burst overruns the count
