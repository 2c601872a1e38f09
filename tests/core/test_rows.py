"""``opora.rows.insert`` writes a new instance as ``save()`` would: the same row (defaults,
JSON, UUIDs, datetimes), the key read back, the instance saved; and only new instances."""

import pytest
from django.db.models.signals import post_save, pre_save
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
