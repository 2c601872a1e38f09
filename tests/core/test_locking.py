"""``opora.locking``: the one module that locks. Rows in primary-key order, advisory locks
by registered name (a no-op on SQLite), the refusal outside a transaction, the lock
timeout that becomes ``Busy`` (two real connections on PostgreSQL), the test-only switch,
and a scan that keeps every lock of ``src/opora`` in this module."""

import re
from pathlib import Path

import psycopg
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from opora import locking
from opora.registry.models import Municipality
from tests import factories as f

SOURCE = Path(__file__).resolve().parents[2] / "src" / "opora"
LOCKING_CALLS = re.compile(r"select_for_update|pg_advisory")


def raw_locks(root: Path = SOURCE) -> list[str]:
    """«path:line» of every row or advisory lock taken outside ``opora/locking.py``."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if path == root / "locking.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if LOCKING_CALLS.search(line):
                found.append(f"{path.relative_to(root)}:{number}")
    return found


def test_every_lock_of_the_source_goes_through_the_locking_module():
    assert len(list(SOURCE.rglob("*.py"))) > 100  # the walk found the source
    assert raw_locks() == []


def test_the_scan_reports_a_raw_lock_with_its_place(tmp_path):
    (tmp_path / "locking.py").write_text("qs.select_for_update()\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "services.py").write_text(
        "x = 1\nModel.objects.select_for_update().get(pk=1)\n")
    (tmp_path / "app" / "numbers.py").write_text('cursor.execute("SELECT pg_advisory_xact_lock(1)")\n')

    assert raw_locks(tmp_path) == ["app/numbers.py:1", "app/services.py:2"]


# --- refusal outside a transaction -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("call", [
    lambda: locking.rows(Municipality.objects.all()),
    lambda: locking.row(Municipality, 1),
    lambda: locking.first(Municipality.objects.all()),
    lambda: locking.advisory("settlement", 1),
], ids=["rows", "row", "first", "advisory"])
def test_a_lock_outside_a_transaction_is_refused(call):
    assert not connection.in_atomic_block

    with pytest.raises(locking.LockOutsideTransaction, match="outside a transaction"):
        call()


# --- rows in primary-key order -----------------------------------------------------------


def _for_update(sql: str) -> bool:
    return sql.rstrip().endswith(("FOR UPDATE", 'FOR UPDATE OF "registry_municipality"'))


@pytest.mark.django_db
def test_rows_are_locked_in_primary_key_order():
    made = [f.municipality(name=f"М{i}") for i in range(4)]
    backwards = Municipality.objects.filter(pk__in=[m.pk for m in made]).order_by("-name")

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        locked = locking.rows(backwards)
        queued = locking.rows(backwards, keep_order=True)
        one = locking.row(Municipality, made[2].pk)
        first = locking.first(backwards)
        none = locking.first(Municipality.objects.filter(pk=-1))

    assert [m.pk for m in locked] == sorted(m.pk for m in made)
    assert [m.pk for m in queued] == sorted((m.pk for m in made), reverse=True)
    assert (one, first, none) == (made[2], locked[0], None)
    locks = connection.features.has_select_for_update
    assert [_for_update(q["sql"]) for q in queries.captured_queries] == [locks] * 5
    assert 'ORDER BY "registry_municipality"."id" ASC' in queries.captured_queries[0]["sql"]


@pytest.mark.django_db
def test_row_of_a_missing_pk_is_not_found_like_get():
    with transaction.atomic(), pytest.raises(Municipality.DoesNotExist):
        locking.row(Municipality, -1)


@pytest.mark.django_db
def test_a_guard_turned_off_reads_without_a_lock_and_comes_back():
    city = f.municipality()

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        with locking.unguarded("seats", "money"):
            assert not locking.guarded("seats") and not locking.guarded("money")
            assert locking.guarded("identity")
            locking.rows(Municipality.objects.all(), guard="seats")
            locking.row(Municipality, city.pk)  # no guard: always locked
        assert locking.guarded("seats") and locking.guarded("money")
        locking.rows(Municipality.objects.all(), guard="seats")

    locks = connection.features.has_select_for_update
    assert [_for_update(q["sql"]) for q in queries.captured_queries] == [False, locks, locks]


def test_an_unknown_lock_name_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown lock name 'sets'"), locking.unguarded("sets"):
        pass
    with pytest.raises(ValueError, match="unknown lock name"):
        locking.guarded("seat")


# --- advisory locks ----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_advisory_lock_is_a_no_op_on_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite behaviour")
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        locking.advisory("identity", "child:1", "", None, "snils:2")
        locking.advisory("settlement")

    assert queries.captured_queries == []


@pytest.mark.postgres
@pytest.mark.django_db
def test_an_advisory_lock_takes_each_key_once_in_one_statement():
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        locking.advisory("identity", "child:1", "", None, "snils:2", "child:1")
        with locking.unguarded("identity"):
            locking.advisory("identity", "child:1")
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                           "AND pid = pg_backend_pid()")
            held = cursor.fetchone()[0]

    assert held == 2
    assert sum("pg_advisory_xact_lock" in q["sql"] for q in queries.captured_queries) == 1


# --- the lock timeout becomes Busy (PostgreSQL, two real connections) --------------------


@pytest.fixture
def other_connection():
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    other = psycopg.connect(**params)
    yield other
    other.rollback()
    other.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_row_held_elsewhere_ends_in_busy_after_the_lock_timeout(other_connection, monkeypatch):
    monkeypatch.setattr(locking, "LOCK_TIMEOUT", "200ms")
    city = f.municipality()
    other_connection.execute("SELECT id FROM registry_municipality WHERE id = %s FOR UPDATE", [city.pk])

    with pytest.raises(locking.Busy) as error, locking.atomic():
        locking.row(Municipality, city.pk)

    assert error.value.code == "Busy"
    assert connection.is_usable() and not connection.in_atomic_block
    other_connection.rollback()
    with locking.atomic():  # free again: the same call now succeeds
        assert locking.row(Municipality, city.pk) == city


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_advisory_lock_held_elsewhere_ends_in_busy(other_connection, monkeypatch):
    monkeypatch.setattr(locking, "LOCK_TIMEOUT", "200ms")
    other_connection.execute("SELECT pg_advisory_xact_lock(%s)", [locking._number("settlement", 7)])

    with pytest.raises(locking.Busy), locking.atomic():
        locking.advisory("settlement", 7)
