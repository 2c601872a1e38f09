"""``opora.rows.insert`` writes a new instance as ``save()`` would: the same row (defaults,
JSON, UUIDs, datetimes), the key read back, the instance saved; and only new instances.
``insert_many`` writes many alike in one statement whose text does not grow with them;
``prepared_cursor`` has PostgreSQL plan a statement once per connection."""

import uuid

import pytest
from django.db import connection
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult, get_date_max

from opora import audit, rows
from opora.enrollment import tasks

pytestmark = pytest.mark.django_db


def _as_saved(instance):
    return {field.attname: getattr(instance, field.attname)
            for field in type(instance)._meta.concrete_fields if not field.primary_key}


def test_an_audit_event_is_written_as_save_writes_it(staff):
    target = staff
    written = rows.insert(audit.event(staff, "core.test.done", target, to_state="done",
                                      reason="Причина", count=3, names=["а", "б"]))
    saved = audit.event(staff, "core.test.done", target, to_state="done", reason="Причина",
                        count=3, names=["а", "б"])
    saved.save()

    assert written.pk is not None and written.pk != saved.pk
    assert not written._state.adding
    first, second = (type(written).objects.get(pk=pk) for pk in (written.pk, saved.pk))
    expected = _as_saved(second)
    expected["created_at"] = first.created_at  # stamped when each was built
    assert _as_saved(first) == expected
    assert first.data == {"count": 3, "names": ["а", "б"]}


def test_signals_are_sent_and_a_uuid_key_is_kept():
    seen = []

    def pre(sender, instance, **kwargs):
        seen.append(("pre", instance.run_after))

    def post(sender, instance, created, **kwargs):
        seen.append(("post", created))

    pre_save.connect(pre, sender=DBTaskResult)
    post_save.connect(post, sender=DBTaskResult)
    try:
        row = rows.insert(DBTaskResult(args_kwargs={"args": [1], "kwargs": {}}, priority=0,
                                       task_path=tasks.send_status_email.module_path,
                                       backend_name="default", run_after=None))
    finally:
        pre_save.disconnect(pre, sender=DBTaskResult)
        post_save.disconnect(post, sender=DBTaskResult)

    assert seen == [("pre", get_date_max()), ("post", True)]  # the package's receiver ran first
    stored = DBTaskResult.objects.get(pk=row.pk)  # the key is the instance's own uuid
    assert (stored.run_after, stored.args_kwargs) == (get_date_max(), {"args": [1], "kwargs": {}})


def test_only_new_instances(staff):
    event = audit.record(staff, "core.test.done", staff)
    with pytest.raises(ValueError, match="new instances"):
        rows.insert(event)


def test_many_are_written_as_save_writes_them_in_order(staff):
    awkward = ['запятая, и "кавычки"', "{скобки}", "обратная \\ черта", "", None, "NULL"]
    made = rows.insert_many([audit.event(staff if text else None, "core.test.done", staff,
                                         to_state="done", reason=text or "", note=text)
                             for text in awkward])

    assert [event._state.adding for event in made] == [False] * len(awkward)
    stored = {event.pk: event for event in type(made[0]).objects.filter(pk__in=[e.pk for e in made])}
    assert [stored[event.pk].data for event in made] == [{"note": text} for text in awkward]
    assert [stored[event.pk].reason for event in made] == [text or "" for text in awkward]
    assert [stored[event.pk].actor_id for event in made] == [
        staff.pk if text else None for text in awkward]
    assert sorted(event.pk for event in made) == [event.pk for event in made]  # keys in row order
    assert all(stored[e.pk].created_at == e.created_at for e in made)


def test_many_rows_are_one_statement_whatever_their_number(staff):
    before = _prepared_runs("INSERT INTO %audit%UNNEST%") if connection.vendor == "postgresql" else []
    for count in (2, 5):
        with CaptureQueriesContext(connection) as captured:
            rows.insert_many([audit.event(staff, "core.test.done", staff) for _ in range(count)])
        assert len(captured) == 1
    if connection.vendor == "postgresql":  # one text for both: prepared once, run twice
        assert _prepared_runs("INSERT INTO %audit%UNNEST%") == [sum(before) + 2]


def _prepared_runs(pattern):
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans + custom_plans FROM pg_prepared_statements "
                       "WHERE statement LIKE %s", [pattern])
        return [runs for (runs,) in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares statements")
def test_a_prepared_statement_is_planned_once_per_connection():
    statement = f"SELECT %s::int + 1 AS rows_test_{uuid.uuid4().hex}"
    for value in range(3):
        with rows.prepared_cursor() as cursor:
            cursor.execute(statement, [value])
            assert cursor.fetchone() == (value + 1,)
    assert _prepared_runs(f"%{statement.split(' AS ')[1]}") == [3]  # one statement, run three times


def test_the_query_log_shows_a_prepared_statement_as_written(staff):
    with CaptureQueriesContext(connection) as captured:
        rows.insert(audit.event(staff, "core.test.done", staff))
        rows.insert_many([audit.event(staff, "core.test.done", staff) for _ in range(2)])

    assert [q["sql"].split(" (")[0] for q in captured] == ['INSERT INTO "audit_auditevent"'] * 2
