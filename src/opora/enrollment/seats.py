"""Seats under concurrency: the group's seat counter and the order its rows are locked in
(the primitives are ``opora.locking``'s).

Filing an application takes a seat with one conditional UPDATE of the group's counter
(``hold_seat``). Every other use case that changes the seats of a group runs inside
``locking.atomic()``, locks its rows in one fixed order — children (by primary key),
then groups (by primary key), then applications — and moves the counter in the same
transaction (``count_seats``); rows other than groups are locked with
``locking.rows(…, guard="seats")``. On PostgreSQL the locks are ``SELECT … FOR UPDATE``
and UPDATEs under ``lock_timeout``; on SQLite the settings open every transaction with
``BEGIN IMMEDIATE``, which serializes writers, so the same code is correct there.
"""

from functools import partial

from django.db import connection, transaction
from django.db.models import Count, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from opora import locking
from opora.errors import NotFound
from opora.registry.models import Group


def lock_groups(group_ids) -> dict[int, Group]:
    """Lock the rows of these groups in primary-key order and return them fresh."""
    locked = locking.rows(Group.objects.filter(pk__in=set(group_ids)), guard="seats")
    return {group.pk: group for group in locked}


def lock_group(group_id) -> Group:
    group = lock_groups([group_id]).get(group_id)
    if group is None:
        raise NotFound(_("Группа не найдена."))
    return group


def hold_seat(group_id) -> int | None:
    """Take a seat of the group, or else the next number of its waiting list, with one
    conditional UPDATE of the group's row (which also locks it to the end of the
    transaction). Returns None when a seat was taken, else the queue number.

    ``seats_taken < capacity_max`` is checked by the UPDATE itself: two requests can
    never both see the last seat free, so no seat is sold twice."""
    with connection.cursor() as cursor:
        if locking.guarded("seats"):
            cursor.execute("UPDATE registry_group SET seats_taken = seats_taken + 1 "
                           "WHERE id = %s AND seats_taken < capacity_max "
                           "RETURNING seats_taken >= capacity_max", [group_id])
            row = cursor.fetchone()
        else:
            # The race tests' control: read, decide, write back — the lost update.
            cursor.execute("SELECT seats_taken + 1, capacity_max FROM registry_group WHERE id = %s",
                           [group_id])
            row = cursor.fetchone()
            if row is not None and row[0] <= row[1]:
                cursor.execute("UPDATE registry_group SET seats_taken = %s WHERE id = %s",
                               [row[0], group_id])
                row = (row[0] >= row[1],)
            else:
                row = None
        if row is not None:
            if row[0]:
                _catalog_changed(group_id)  # the last seat: «есть свободные места» no more
            return None
        cursor.execute("UPDATE registry_group SET queue_last = queue_last + 1 WHERE id = %s "
                       "RETURNING queue_last", [group_id])
        row = cursor.fetchone()
    if row is None:
        raise NotFound(_("Группа не найдена."))
    return row[0]


def _read_counters(cursor, ids) -> list[tuple]:
    """(id, seats taken, capacity, last queue number) of these groups, locked in
    primary-key order (read without the lock in a race test's control run)."""
    lock = " FOR UPDATE" if connection.vendor == "postgresql" and locking.guarded("seats") else ""
    cursor.execute(f"SELECT id, seats_taken, capacity_max, queue_last FROM registry_group "
                   f"WHERE id IN ({', '.join(['%s'] * len(ids))}) ORDER BY id{lock}", ids)
    return cursor.fetchall()


def hold_seats(counts: dict[int, int]) -> dict[int, tuple[int, int]]:
    """``hold_seat`` for a batch: ``counts`` maps a group to how many applications, in
    order of arrival, file into it now. Locks the groups (primary-key order), gives each
    its free seats first and the next numbers of its waiting list to the rest, and moves
    both counters in one UPDATE. Returns, per group, (seats given, the first queue number
    given or None): the first ``seats given`` applications hold a seat, the next are
    waitlisted under consecutive numbers. A group that does not exist is left out."""
    if not counts:
        return {}
    held = {}
    with connection.cursor() as cursor:
        for group_id, taken, capacity, queue_last in _read_counters(cursor, sorted(counts)):
            seats = max(0, min(counts[group_id], capacity - taken))
            waiting = counts[group_id] - seats
            held[group_id] = (seats, taken + seats, capacity, queue_last, waiting)
        if not held:
            return {}
        cases = " ".join(["WHEN %s THEN %s"] * len(held))
        taken_params = [v for group_id, row in held.items() for v in (group_id, row[1])]
        queue_params = [v for group_id, row in held.items() for v in (group_id, row[3] + row[4])]
        cursor.execute(f"UPDATE registry_group SET seats_taken = CASE id {cases} END, "
                       f"queue_last = CASE id {cases} END "
                       f"WHERE id IN ({', '.join(['%s'] * len(held))})",
                       [*taken_params, *queue_params, *held])
    # the groups whose last seat went now, for one refresh of the catalog
    _catalog_changed(*(group_id for group_id, (seats, taken, capacity, _q, _w) in held.items()
                       if seats and taken >= capacity))
    return {group_id: (seats, queue_last + 1 if waiting else None)
            for group_id, (seats, _t, _c, queue_last, waiting) in held.items()}


def count_seats(group_id, delta: int) -> None:
    """A status change made an application take (+1) or release (−1) a seat; the caller
    holds the group's lock."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE registry_group SET seats_taken = seats_taken + %s WHERE id = %s "
                       "RETURNING seats_taken - %s >= capacity_max, seats_taken >= capacity_max",
                       [delta, group_id, delta])
        full_before, full_after = cursor.fetchone()
    if bool(full_before) != bool(full_after):
        _catalog_changed(group_id)


def _catalog_changed(*group_ids) -> None:
    """The groups filled up or have a seat again: the catalog's «есть свободные места»
    filter learns it once the seat transaction commits (``after_seats_changed``, told of
    all of them at once)."""
    from opora.registry.services import after_seats_changed

    if group_ids:
        for hook in after_seats_changed:
            transaction.on_commit(partial(hook, list(group_ids)))


def recount_seats(groups=None) -> int:
    """Set the seat counters of the groups (a queryset; all when None) from their
    applications, in one statement. For data loaded around the services (benchmarks,
    repairs); returns the number of groups changed."""
    from opora.enrollment.models import SEAT_HOLDING, Application

    held = (Application.objects.filter(group=OuterRef("pk"), status__in=SEAT_HOLDING)
            .order_by().values("group").annotate(n=Count("pk")).values("n"))
    last = (Application.objects.filter(group=OuterRef("pk")).order_by()
            .values("group").annotate(n=Max("queue_number")).values("n"))
    groups = Group.objects.all() if groups is None else groups
    return groups.update(seats_taken=Coalesce(Subquery(held), 0),
                         queue_last=Coalesce(Subquery(last), 0))
