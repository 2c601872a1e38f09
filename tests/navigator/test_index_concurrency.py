"""Two refreshes of one program's catalog entry, on PostgreSQL, with real connections:
the two groups of a program fill up in two transactions at once, and the entry must end
with no free seat. Each transaction refreshes the entry after its own change; the later
one must read what the earlier committed. With the catalog's lock off (a test-only
switch) the later refresh computes the entry before the earlier commits and keeps a seat
that no longer exists (docs/decisions.md, «Race tests have a control»)."""

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.db.models import F

from opora import locking
from opora.navigator import index
from opora.navigator.models import CatalogEntry
from opora.registry.choices import ProgramStatus
from opora.registry.models import Group
from tests import factories as f
from tests.concurrency import RACES
from tests.navigator.conftest import add_group

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), RACES]

WAIT = 10  # seconds any step may take before the test gives up


@pytest.fixture
def two_groups(provider):
    """A public program of two groups, each one seat short of full: two free seats."""
    program = f.program(provider, status=ProgramStatus.PUBLISHED)
    groups = [add_group(program, capacity=5, start_in_days=days) for days in (20, 30)]
    Group.objects.filter(pk__in=[g.pk for g in groups]).update(seats_taken=4)
    index.refresh(programs=[program.pk])
    assert CatalogEntry.objects.get(program=program).free_seats == 2
    return program, groups


def _fill_and_refresh(group, program, *, refreshed=None, commit=None, errors):
    """In a transaction of this thread's own connection: the group's last seat taken,
    the program's entry refreshed, then (when asked) wait for ``commit`` before
    committing."""
    try:
        with transaction.atomic():
            Group.objects.filter(pk=group.pk).update(seats_taken=F("capacity_max"))
            index.refresh(programs=[program.pk], documents=False)
            if refreshed is not None:
                refreshed.set()
            if commit is not None and not commit.wait(WAIT):
                raise TimeoutError("never told to commit")
    except Exception as error:  # noqa: BLE001 — the test reports it
        errors.append(error)
    finally:
        connections.close_all()


def _waiting_for_a_lock() -> bool:
    """Whether another connection to this database waits for a lock (the later refresh:
    on the catalog's lock, or, without it, on the entry's row)."""
    for _attempt in range(WAIT * 20):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'")
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


def _race(program, groups):
    """The first transaction fills a group and refreshes, and holds; the later fills the
    other and refreshes; once the later waits for a lock, the first commits. Returns
    the entry as both left it."""
    refreshed, commit, errors = threading.Event(), threading.Event(), []
    first = threading.Thread(target=_fill_and_refresh, args=(groups[0], program),
                             kwargs={"refreshed": refreshed, "commit": commit, "errors": errors})
    later = threading.Thread(target=_fill_and_refresh, args=(groups[1], program),
                             kwargs={"errors": errors})
    first.start()
    waited = False
    try:
        if refreshed.wait(WAIT):
            later.start()
            waited = _waiting_for_a_lock()
    finally:
        commit.set()
        first.join(WAIT)
        if later.ident is not None:
            later.join(WAIT)
    assert not errors, errors
    assert waited, "the later refresh never waited for the first"
    assert sorted(Group.objects.filter(pk__in=[g.pk for g in groups])
                  .values_list("seats_taken", "capacity_max")) == [(5, 5), (5, 5)]
    return CatalogEntry.objects.get(program=program)


def test_two_groups_filling_at_once_leave_the_entry_with_no_free_seat(two_groups):
    program, groups = two_groups

    entry = _race(program, groups)

    assert entry.free_seats == 0


def test_without_the_lock_the_later_refresh_keeps_a_seat_that_is_gone(two_groups):
    program, groups = two_groups

    with locking.unguarded("catalog"):
        entry = _race(program, groups)

    assert entry.free_seats == 1  # computed before the first fill was committed
