"""Row locks for seats, with a lock timeout that becomes a polite «try again».

Every use case that changes the seats of a group runs inside ``seat_transaction()``
and locks its rows in one fixed order: children (by primary key), then groups (by
primary key), then applications. On PostgreSQL the locks are ``SELECT … FOR
UPDATE`` under ``lock_timeout``; on SQLite the settings open every transaction
with ``BEGIN IMMEDIATE``, which serializes writers, so the same code is correct
there without row locks (Django skips ``FOR UPDATE`` on SQLite).
"""

import hashlib
from contextlib import contextmanager

from django.db import OperationalError, connection, transaction
from django.utils.translation import gettext_lazy as _

from opora.errors import DomainError, NotFound
from opora.registry.models import Group

# Test-only switches: the race tests turn a lock off to show that the race happens
# without it (STYLE.md, habit 4). Never change them in application code.
_LOCK_SEATS = True
_LOCK_IDENTITY = True

# How long a request waits for a row another request holds before it gives up.
LOCK_TIMEOUT = "3s"

# PostgreSQL: lock_not_available, deadlock_detected, serialization_failure.
_RETRYABLE_SQLSTATES = {"55P03", "40P01", "40001"}


class Busy(DomainError):
    """Too many requests want the same seats at once; the user should retry shortly."""

    def __init__(self):
        super().__init__(_("Слишком много заявок одновременно. Попробуйте ещё раз через несколько секунд."),
                         code="Busy")


def _is_contention(error: OperationalError) -> bool:
    if getattr(error.__cause__, "sqlstate", None) in _RETRYABLE_SQLSTATES:
        return True
    return connection.vendor == "sqlite" and "database is locked" in str(error)


@contextmanager
def seat_transaction():
    """One transaction (or a savepoint of the caller's) with the lock timeout set;
    waiting too long for a lock ends in ``Busy``, never in a hang or a server error."""
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOCK_TIMEOUT])
            yield
    except OperationalError as error:
        if _is_contention(error):
            raise Busy() from None
        raise


def lock_groups(group_ids) -> dict[int, Group]:
    """Lock the rows of these groups in primary-key order and return them fresh."""
    queryset = Group.objects.filter(pk__in=sorted(set(group_ids))).order_by("pk")
    if _LOCK_SEATS:
        queryset = queryset.select_for_update()
    return {group.pk: group for group in queryset}


def lock_group(group_id) -> Group:
    group = lock_groups([group_id]).get(group_id)
    if group is None:
        raise NotFound(_("Группа не найдена."))
    return group


def lock_rows(queryset):
    """``select_for_update`` in primary-key order (unless the seat lock is switched off)."""
    queryset = queryset.order_by("pk")
    return list(queryset.select_for_update() if _LOCK_SEATS else queryset)


def lock_identities(*keys: str) -> None:
    """Serialize registrations of the same child: a transaction-scoped advisory lock per
    identity key (PostgreSQL). Two parents entering the same child at the same moment
    then find each other's record instead of creating two."""
    if not _LOCK_IDENTITY or connection.vendor != "postgresql":
        return
    numbers = sorted({int.from_bytes(hashlib.blake2b(k.encode(), digest_size=8).digest(), "big",
                                     signed=True) for k in keys if k})
    with connection.cursor() as cursor:
        for number in numbers:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [number])
