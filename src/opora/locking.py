"""Locking, below every app: the few primitives every service uses to change shared rows
safely, and the polite «Busy» refusal a lock or statement timeout becomes.

- ``atomic()`` — a transaction (or a savepoint of the caller's) with the lock timeout
  set (``LOCK_TIMEOUT``, PostgreSQL); waiting too long for a lock, a deadlock or a
  serialization failure ends in ``Busy``, never in a hang or a server error.
- ``rows(queryset)`` / ``row(model_or_queryset, pk)`` / ``first(queryset)`` — lock rows
  (``SELECT … FOR UPDATE``) in primary-key order, so that two paths locking the same
  rows never deadlock.
- ``try_advisory(name)`` — the same lock of the name itself if nobody holds it (True),
  else False at once: for work any one of several processes may do.
- ``advisory(name, *keys)`` — a transaction-scoped advisory lock per key of a registered
  name (PostgreSQL), for what has no row to lock yet: a child being registered, the
  next certificate number of a prefix, a municipality's settlement. A no-op on SQLite,
  whose ``BEGIN IMMEDIATE`` transactions already serialize writers.
- Each of them refuses to run outside a transaction (``LockOutsideTransaction``): a
  lock taken in autocommit mode is released at once and protects nothing.
- ``unguarded(name)`` — test-only: turns a named lock off for the control run of a race
  test, which must then show the race (docs/decisions.md, «Race tests have a control»).
  ``guarded(name)`` tells a service whether its lock is on, for the few that then take
  another (racy) path on purpose.

Services raise ``Busy`` (or let ``atomic`` raise it); the API answers it with 503 and
``Retry-After: BUSY_RETRY_AFTER``, pages with the «Система занята» page
(``opora.core.middleware``, which sets the same lock timeout for a whole web request).
Nothing here knows any app: the names below are the only thing apps register here.
"""

import hashlib
from contextlib import contextmanager

from django.db import OperationalError, connection, transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from opora.errors import DomainError

# How long a request waits for a row another request holds before it gives up.
LOCK_TIMEOUT = "3s"

# Seconds a client should wait before sending a refused-as-busy request again.
BUSY_RETRY_AFTER = 1

# PostgreSQL: lock_not_available, deadlock_detected, serialization_failure, and
# query_canceled (a web request's statement_timeout, see opora.core.middleware).
_RETRYABLE_SQLSTATES = {"55P03", "40P01", "40001", "57014"}

# The named locks: the guards a race test may turn off, and the advisory lock names.
NAMES = {
    "seats": "a group's seat counter and the rows of a seat change (enrollment)",
    "identity": "registrations and claims of one child or from one account (enrollment)",
    "money": "a certificate's balance and a period's budget when a contract is made (financing)",
    "certificate-numbers": "the next certificate number of a prefix (financing)",
    "financing-places": "a financing period's cap of financing places (financing)",
    "settlement": "a municipality's settlement run against contract terminations (financing)",
    "training-seats": "the seats of an event for teachers when teachers are registered (training)",
    "hotline": "a hotline question's state change and the overdue claim (hotline)",
    "hotline-asks": "the questions from one client address against the hourly limit (hotline)",
    "event-places": "an event's places and waiting list when children are registered (events)",
    "prolongation": "one contract's continuation into the next period (financing)",
    "agreement": "a cooperation agreement's limits when a contract is made under it, and the "
                 "agreements of one pair of municipalities when one is proposed or agreed (financing)",
    "municipal-task": "an organization's municipal task when a budget application is confirmed or "
                      "the task is set (enrollment)",
    "catalog": "the catalog entries and search documents of programs while they are refreshed "
               "(navigator)",
    "intake": "the opening-day outbox: one settler's batch at a time, in order of arrival "
              "(enrollment)",
}

_unguarded: set[str] = set()  # module-wide, not per thread: a race test's workers share it


class Busy(DomainError):
    """Too many requests want the same seats (or rows) at once; the user should retry shortly."""

    def __init__(self, message=None):
        super().__init__(message or _("Слишком много заявок одновременно. Попробуйте ещё раз через несколько секунд."),
                         code="Busy")

    @classmethod
    def database(cls):
        """A request waited too long for rows another request holds, or ran too long."""
        return cls(_("Эти данные сейчас изменяет другой запрос. Попробуйте ещё раз через несколько секунд."))


class LockOutsideTransaction(RuntimeError):
    """A programming error: a lock was asked for in autocommit mode."""


def is_contention(error: OperationalError) -> bool:
    """Whether a database error is a timeout, a deadlock or a lock held elsewhere: worth
    answering «try again», not a server error."""
    if getattr(error.__cause__, "sqlstate", None) in _RETRYABLE_SQLSTATES:
        return True
    return connection.vendor == "sqlite" and "database is locked" in str(error)


@contextmanager
def atomic():
    """One transaction (or a savepoint of the caller's) with the lock timeout set;
    contention ends in ``Busy``."""
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOCK_TIMEOUT])
            yield
    except OperationalError as error:
        if is_contention(error):
            raise Busy() from None
        raise


# --- the test-only switch ----------------------------------------------------------------


def _known(name: str) -> str:
    if name not in NAMES:
        raise ValueError(f"unknown lock name {name!r}; register it in opora.locking.NAMES")
    return name


def guarded(name: str) -> bool:
    """Whether the named lock is on (always, outside a race test's control run)."""
    return _known(name) not in _unguarded


@contextmanager
def unguarded(*names: str):
    """Test-only: turn the named locks off for the control run of a race test. Never use
    it in application code."""
    names = {_known(name) for name in names}
    added = names - _unguarded
    _unguarded.update(added)
    try:
        yield
    finally:
        _unguarded.difference_update(added)


# --- row locks ---------------------------------------------------------------------------


def _require_transaction(what: str) -> None:
    if not connection.in_atomic_block:
        raise LockOutsideTransaction(
            f"locking.{what}() outside a transaction: the lock would be released at once; "
            "run it inside locking.atomic() (or transaction.atomic())")


def rows(queryset: QuerySet, *, guard: str | None = None, of=(), keep_order: bool = False) -> list:
    """Lock the rows of ``queryset`` in primary-key order (``keep_order``: in the
    queryset's own order, e.g. a queue served first come first; the only way to lock a
    sliced queryset) and return them fresh. ``of``: lock only these tables of a join
    (``select_for_update(of=…)``). ``guard``: the named lock, off in a race test's
    control run (the rows are then read without a lock)."""
    _require_transaction("rows")
    if not keep_order:
        queryset = queryset.order_by("pk")
    if guard is None or guarded(guard):
        queryset = queryset.select_for_update(of=of)
    return list(queryset)


def row(source: type[Model] | QuerySet, pk=None, *, guard: str | None = None, of=()):
    """Lock one row (of a model by ``pk``, or the one row of a queryset) and return it
    fresh; ``Model.DoesNotExist`` when there is none, like ``get``."""
    _require_transaction("row")
    queryset = source._default_manager.all() if isinstance(source, type) else source
    if pk is not None:
        queryset = queryset.filter(pk=pk)
    if guard is None or guarded(guard):
        queryset = queryset.select_for_update(of=of)
    return queryset.get()


def first(queryset: QuerySet, *, guard: str | None = None, of=()):
    """Lock the rows of ``queryset`` (primary-key order) and return the first, or None."""
    found = rows(queryset, guard=guard, of=of)
    return found[0] if found else None


# --- advisory locks ----------------------------------------------------------------------


def _number(name: str, key) -> int:
    digest = hashlib.blake2b(f"{name}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def advisory(name: str, *keys) -> None:
    """Hold the advisory lock of each key of ``name`` (of the name itself when no key is
    given; empty keys are skipped) to the end of the transaction, taken in one fixed
    order. A no-op on SQLite, and when a race test turned the name off."""
    _require_transaction("advisory")
    if not guarded(name) or connection.vendor != "postgresql":
        return
    keys = keys or ("*",)  # no key: the name's own lock
    numbers = sorted({_number(name, key) for key in keys if key not in (None, "")})
    if not numbers:
        return
    with connection.cursor() as cursor:
        # unnest yields the sorted array in order: the locks are taken in that order
        cursor.execute("SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k", [numbers])


def try_advisory(name: str) -> bool:
    """Take the name's own advisory lock to the end of the transaction if no other
    transaction holds it; False, without waiting, if one does. True on SQLite (its
    writers are serialized already) and when a race test turned the name off."""
    _require_transaction("try_advisory")
    if not guarded(name) or connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_number(name, "*")])
        return bool(cursor.fetchone()[0])
