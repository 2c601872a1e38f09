"""E-mail to guardians on every status change, queued after commit, never inside the
seat transaction and never for a change that rolled back."""

import pytest
from django.core import mail
from django.db import transaction

from opora.enrollment import children, notifications, services, tasks
from opora.enrollment.models import ApplicationStatus as S
from tests.enrollment.conftest import child_data


def test_parent_is_told_the_new_status_after_commit(parent, child, group,
                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.submit_application(parent, child, group)
        assert mail.outbox == []  # nothing is sent inside the transaction
    # the e-mail, then the log lines of the application and its seat (opora.logs)
    assert len(callbacks) == 3 and mail.outbox == []

    callbacks[0]()
    [message] = mail.outbox
    assert message.to == [parent.email]
    assert message.subject == "Заявка в группу «Роботы-1»: Новая"
    assert "Ребёнок: Алёна\n" in message.body
    assert "Программа: Робототехника\n" in message.body
    assert "Группа: Роботы-1\n" in message.body
    assert "Новый статус: Новая\n" in message.body
    assert "Смирнова" not in message.body  # the first name only


def test_waitlisted_mail_gives_the_position(group, family, django_capture_on_commit_callbacks):
    people = family(4)
    with django_capture_on_commit_callbacks(execute=True):
        for p, c in people:
            services.submit_application(p, c, group)
    last = mail.outbox[-1]
    assert last.to == [people[3][0].email]
    assert "Новый статус: В очереди\nМесто в очереди: 2\n" in last.body


def test_rolled_back_change_sends_nothing(parent, child, group, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.submit_application(parent, child, group)
        raise RuntimeError("the page failed after the service")
    assert mail.outbox == []


def test_rejection_tells_the_reason_and_promotion_tells_the_next(staff, group, family,
                                                                 django_capture_on_commit_callbacks):
    people = family(3)
    made = [services.submit_application(p, c, group)[0] for p, c in people]
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_application(staff, made[0], "Группа для продолжающих")

    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([people[0][0].email], "Заявка в группу «Роботы-1»: Отклонена"),
        ([people[2][0].email], "Заявка в группу «Роботы-1»: Новая"),
    ]
    assert "Причина: Группа для продолжающих\n" in mail.outbox[0].body


def test_every_confirmed_guardian_gets_an_own_message(parent, other_parent, group, city, operator,
                                                      django_capture_on_commit_callbacks):
    child, _ = children.register_child(parent, child_data(city), consent=True)
    children.register_child(other_parent, child_data(city), consent=True)
    children.confirm_guardianship(operator, child.guardianships.get(parent=other_parent))
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_application(parent, child, group)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([parent.email, other_parent.email])
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)


def test_mail_about_a_status_already_left_is_skipped(staff, parent, child, group):
    application = services.submit_application(parent, child, group)[0]
    services.confirm_application(staff, application)

    assert notifications.send_status_email(application.pk, S.NEW) == 0
    assert notifications.send_status_email(application.pk, S.ENROLLED) == 1
    assert mail.outbox[0].subject == "Заявка в группу «Роботы-1»: Обучается"


def test_a_pending_guardian_gets_no_mail(parent, other_parent, group, city,
                                         django_capture_on_commit_callbacks):
    child, _ = children.register_child(parent, child_data(city), consent=True)
    children.register_child(other_parent, child_data(city), consent=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_application(parent, child, group)
    assert [m.to[0] for m in mail.outbox] == [parent.email]


def test_with_the_database_queue_the_mail_task_commits_with_the_application(
        parent, child, group, settings, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # the task's row is written in the submission's transaction (nothing is committed
    # in this test, and no callback after a commit runs)
    with django_capture_on_commit_callbacks():
        application = services.submit_application(parent, child, group)[0]
    assert [(t.task_path, t.args_kwargs["args"]) for t in DBTaskResult.objects.all()] == [
        ("opora.enrollment.tasks.send_status_email", [application.pk, S.NEW])]
    # written out (``opora.rows``), the row is the one the backend's enqueue writes: the
    # worker finds it ready and reads the task and its arguments back
    queued = DBTaskResult.objects.ready().get().task_result
    assert (queued.task.func, queued.args, queued.kwargs, queued.backend, queued.task.run_after) == (
        tasks.send_status_email.func, [application.pk, S.NEW], {}, "default", None)

    # and a change that rolls back takes its task along
    with pytest.raises(RuntimeError), transaction.atomic():
        services.withdraw_application(parent, application)
        raise RuntimeError("rolled back")
    assert DBTaskResult.objects.count() == 1
    assert mail.outbox == []
