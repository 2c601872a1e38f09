"""The opening-day outbox: accepted in one INSERT, settled in batches in order of arrival
with the synchronous path's gates (``test_submission`` runs its gate, seat and repeat
tests through both paths), its audit events and mail, a fixed number of statements
whatever the batch's size."""

import datetime as dt
import io
import uuid

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from opora import audit
from opora.enrollment import intake, selectors, services
from opora.enrollment.models import Application, Channel, EnrolmentSettings, Guardianship, Submission
from opora.enrollment.models import ApplicationStatus as S
from opora.errors import NotFound, Throttled
from opora.navigator.models import CatalogEntry
from opora.registry.choices import ProgramStatus
from opora.registry.models import Group
from tests import factories as f
from tests.enrollment.conftest import open_group


def _accept(parent, child, group, **kw):
    return intake.accept(parent, getattr(child, "pk", child), getattr(group, "pk", group), **kw)


def _outcome(submission):
    submission.refresh_from_db()
    return submission.state, submission.application_id, submission.filed, submission.refusal_code


def test_accepting_writes_the_submission_only(parent, child, group, django_assert_num_queries):
    with django_assert_num_queries(1):  # the INSERT, returning how many wait before it
        submission = _accept(parent, child, group)

    assert (submission.state, submission.parent_id, submission.child_id_sent,
            submission.group_id_sent, submission.channel) == (
        "accepted", parent.pk, child.pk, group.pk, Channel.API)
    assert Application.objects.count() == 0
    assert Group.objects.get(pk=group.pk).seats_taken == 0


def test_a_submission_knows_how_many_wait_before_it(group, family):
    people = family(4)
    first = _accept(*people[0], group)
    second = _accept(*people[1], group)
    assert (first.backlog, second.backlog) == (0, second.pk - first.pk)

    intake.settle()
    third = _accept(*people[2], group)
    fourth = _accept(*people[3], group)
    assert (third.backlog, fourth.backlog) == (0, fourth.pk - third.pk)  # the settled ones left


def test_seats_go_in_order_of_arrival_across_batches(group, family):
    people = family(5)
    sent = [_accept(p, c, group) for p, c in people]

    assert intake.settle(limit=2) == 2
    assert [_outcome(s)[0] for s in sent] == ["filed", "filed", "accepted", "accepted", "accepted"]
    assert intake.settle(limit=2) == 2
    assert intake.settle(limit=2) == 1
    assert intake.settle() == 0

    made = [Application.objects.get(pk=_outcome(s)[1]) for s in sent]
    assert [(a.child_id, a.status, a.queue_number) for a in made] == [
        (c.pk, status, number) for (_p, c), status, number in zip(
            people, [S.NEW, S.NEW, S.WAITLISTED, S.WAITLISTED, S.WAITLISTED], [None, None, 1, 2, 3],
            strict=True)]
    assert [selectors.position_of(a) for a in made] == [None, None, 1, 2, 3]


def test_a_batch_holds_seats_of_several_groups(published, family):
    small, large = open_group(published, capacity_max=1), open_group(published, capacity_max=5)
    for p, c in family(3):
        _accept(p, c, small)
        _accept(p, c, large)

    assert intake.settle() == 6

    assert list(Application.objects.filter(group=small).order_by("pk")
                .values_list("status", "queue_number")) == [
        (S.NEW, None), (S.WAITLISTED, 1), (S.WAITLISTED, 2)]
    assert set(Application.objects.filter(group=large).values_list("status", flat=True)) == {S.NEW}
    small.refresh_from_db()
    assert (small.seats_taken, small.queue_last) == (1, 2)


def test_repeats_in_one_batch_and_after_it_get_the_first_application(parent, child, group):
    first, second = _accept(parent, child, group), _accept(parent, child, group)
    intake.settle()
    later = _accept(parent, child.uuid, group)
    intake.settle()

    state, application, filed, _code = _outcome(first)
    assert (state, filed) == ("filed", True)
    assert _outcome(second) == ("filed", application, False, "")
    assert _outcome(later) == ("filed", application, False, "")
    assert Application.objects.count() == 1
    assert audit.timeline(Application.objects.get()).count() == 1


def test_a_repeat_of_the_synchronous_paths_application(parent, child, group):
    application = services.submit_application(parent, child, group)[0]
    sent = _accept(parent, child, group)
    intake.settle()

    assert _outcome(sent) == ("filed", application.pk, False, "")


def test_the_municipal_limit_counts_the_batchs_own_applications(parent, child, published, city):
    EnrolmentSettings.objects.create(municipality=city, max_live_applications=2)
    groups = [open_group(published, name=f"Группа {n}") for n in range(3)]
    sent = [_accept(parent, child, g) for g in groups]

    intake.settle()

    assert [_outcome(s)[0] for s in sent] == ["filed", "filed", "refused"]
    sent[2].refresh_from_db()
    assert sent[2].refusal_code == "too_many_applications"
    assert sent[2].refusal.startswith("Одновременно можно подать не больше 2 заявок")


def test_the_gates_are_checked_at_the_moment_of_arrival(parent, child, published):
    group = open_group(published)
    sent = _accept(parent, child, group)
    # the enrolment opens a moment after the submission arrived; it is settled later
    Group.objects.filter(pk=group.pk).update(enrolment_from=sent.accepted_at + dt.timedelta(seconds=1))

    intake.settle()

    assert _outcome(sent)[0::3] == ("refused", "enrolment_not_started")
    assert Application.objects.count() == 0


def test_a_guessed_child_is_not_found_when_sent_and_writes_nothing(parent, other_parent, child,
                                                                   group):
    for sender, key in ((other_parent, child.pk), (other_parent, child.uuid),
                        (parent, uuid.uuid4()), (parent, child.pk + 1000)):
        with pytest.raises(NotFound) as err:
            intake.accept(sender, key, group.pk)
        assert err.value.message == "Ребёнок не найден."
    assert Submission.objects.count() == 0


def test_a_missing_group_is_refused_as_not_found(parent, child, group):
    no_group = _accept(parent, child, group.pk + 1000)

    assert intake.settle() == 1

    assert _outcome(no_group)[0::3] == ("refused", "group_not_found")
    no_group.refresh_from_db()
    assert no_group.refusal == "Группа не найдена."
    assert Application.objects.count() == 0


def test_a_sender_no_longer_a_guardian_or_active_when_settled_is_refused(parent, child, group,
                                                                         family):
    lost = _accept(parent, child, group)
    Guardianship.objects.filter(parent=parent, child=child).update(confirmed_at=None)
    (other, second), = family(1)
    inactive = _accept(other, second, group)
    type(other).objects.filter(pk=other.pk).update(is_active=False)

    intake.settle()

    assert [_outcome(s)[0::3] for s in (lost, inactive)] == [("refused", "child_not_found")] * 2
    assert Application.objects.count() == 0


def test_a_sender_has_at_most_twenty_submissions_waiting(parent, child, published):
    groups = [open_group(published, name=f"Группа {n}") for n in range(intake.WAITING_PER_PARENT + 1)]
    for g in groups[:-1]:
        _accept(parent, child, g)

    with pytest.raises(Throttled) as err:
        _accept(parent, child, groups[-1])

    assert err.value.message.startswith("Ваши заявки ещё рассматриваются")
    assert Submission.objects.count() == intake.WAITING_PER_PARENT
    intake.settle()
    assert _accept(parent, child, groups[-1]).state == "accepted"  # once they are answered


def test_the_outcome_is_hidden_once_the_sender_is_no_longer_the_guardian(parent, child, group,
                                                                        published):
    filed = _accept(parent, child, group)
    refused = _accept(parent, child, open_group(published, enrolment_open=False))
    intake.settle()
    assert intake.submission_for(parent, filed.key).state == "filed"

    Guardianship.objects.filter(parent=parent, child=child).update(confirmed_at=None)

    for sent in (filed, refused):
        with pytest.raises(NotFound):
            intake.submission_for(parent, sent.key)


def test_refusals_are_written_in_the_sites_language_whoever_settles(parent, child, published):
    from django.utils import translation

    sent = _accept(parent, child, open_group(published, enrolment_open=False))
    with translation.override("en"):
        intake.settle()

    sent.refresh_from_db()
    assert sent.refusal == "Запись в эту группу закрыта."


def test_a_submission_that_cannot_be_settled_is_set_aside_and_the_queue_goes_on(
        parent, child, group, family, monkeypatch):
    broken = _accept(parent, child, group)
    (other, second), = family(1)
    healthy = _accept(other, second, group)
    real = intake._decide

    def failing(outcomes):
        if any(o.submission == broken.pk for o in outcomes):
            raise RuntimeError("a damaged row")
        return real(outcomes)
    monkeypatch.setattr(intake, "_decide", failing)

    assert intake.settle() == 1  # the batch failed; alone, the first failed too: set aside
    assert intake.settle() == 1

    broken.refresh_from_db()
    assert (broken.state, broken.refusal_code) == ("refused", "not_settled")
    assert broken.refusal.startswith("Заявку не удалось рассмотреть.")
    assert _outcome(healthy)[0] == "filed"
    assert list(Application.objects.values_list("child_id", flat=True)) == [second.pk]


@pytest.mark.parametrize("persona", ["staff", "operator", "regional"])
def test_only_a_parent_is_accepted(request, persona, child, group):
    with pytest.raises(NotFound):
        _accept(request.getfixturevalue(persona), child, group)
    assert Submission.objects.count() == 0


@pytest.mark.parametrize("child_key, group_key", [(0, 1), (-5, 1), (2**63, 1), (1, 0), (1, 2**63)])
def test_keys_out_of_range_are_not_found_and_write_nothing(parent, child_key, group_key):
    with pytest.raises(NotFound):
        intake.accept(parent, child_key, group_key)
    assert Submission.objects.count() == 0


def test_filed_applications_are_audited_and_mailed(parent, child, group, family,
                                                    django_capture_on_commit_callbacks):
    (other, second_child), = family(1)
    single = open_group(group.module.program, capacity_max=1)
    _accept(parent, child, single, channel=Channel.CABINET)
    _accept(other, second_child, single)

    with django_capture_on_commit_callbacks(execute=True):
        intake.settle()

    filed, queued = Application.objects.get(child=child), Application.objects.get(child=second_child)
    assert [(e.action, e.actor_id, e.to_state, e.data["channel"]) for e in audit.timeline(filed)] == [
        ("enrollment.application.submitted", parent.pk, S.NEW, Channel.CABINET)]
    assert [(e.action, e.data["queue_number"]) for e in audit.timeline(queued)] == [
        ("enrollment.application.waitlisted", 1)]
    assert (filed.created_by_id, filed.channel) == (parent.pk, Channel.CABINET)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([parent.email, other.email])


def test_the_groups_a_batch_fills_refresh_the_catalog_once(provider, family,
                                                            django_capture_on_commit_callbacks):
    groups = [open_group(f.program(provider, status=ProgramStatus.PUBLISHED), capacity_max=1)
              for _ in range(3)]
    for (p, c), group in zip(family(3), groups, strict=True):
        _accept(p, c, group)
    programs = [group.module.program_id for group in groups]
    assert [e.free_seats for e in CatalogEntry.objects.filter(program__in=programs)] == [1, 1, 1]

    with CaptureQueriesContext(connection) as counted, \
            django_capture_on_commit_callbacks(execute=True):
        assert intake.settle() == 3

    assert [e.free_seats for e in CatalogEntry.objects.filter(program__in=programs)] == [0, 0, 0]
    assert len([q for q in counted if q["sql"].startswith("INSERT INTO navigator_catalogentry")]) == 1


def test_a_batch_is_a_fixed_number_of_statements(published, family):
    def settled_in(n):
        group = open_group(published, capacity_max=n // 2)
        for p, c in family(n):
            _accept(p, c, group)
        with CaptureQueriesContext(connection) as counted:
            assert intake.settle() == n
        return len(counted)

    # the batch with its facts, the live applications, the groups read and written, the
    # applications, the events, the submissions (and the transaction's own statements)
    assert settled_in(2) == settled_in(30) <= 11


def test_nothing_waiting_settles_nothing(parent, child, group):
    sent = _accept(parent, child, group)
    assert intake.settle() == 1
    assert intake.settle() == 0
    assert Submission.objects.get(pk=sent.pk).settled_at is not None


def test_reading_a_waiting_submission_settles_it_and_shows_only_to_its_sender(
        parent, other_parent, child, group):
    sent = _accept(parent, child, group)

    with pytest.raises(NotFound):
        intake.submission_for(other_parent, sent.key)
    assert Submission.objects.get(pk=sent.pk).settled_at is None

    read = intake.submission_for(parent, sent.key)
    assert (read.state, read.application.child_id, read.application.group.module.program.title) == (
        "filed", child.pk, "Робототехника")


def test_the_settler_command_settles_what_waits(parent, child, group, family):
    for p, c in [(parent, child), *family(2)]:
        _accept(p, c, group)
    out = io.StringIO()

    call_command("settle", "--once", "--batch", "2", stdout=out)

    assert "Рассмотрено заявок: 3." in out.getvalue()
    assert Submission.objects.filter(settled_at__isnull=True).count() == 0


def test_the_settler_command_refuses_an_empty_batch():
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("settle", "--once", "--batch", "0", stderr=err)
    assert "Размер пачки должен быть не меньше 1." in err.getvalue()


def test_the_settlers_loop_stops_when_told(parent, child, group):
    _accept(parent, child, group)
    rounds = []

    settled = intake.run(stop=lambda: len(rounds) >= 3 or rounds.append(1), idle_wait=0)

    assert settled == 1 and Application.objects.count() == 1


def test_accepted_at_and_settled_at_are_kept(parent, child, group):
    before = timezone.now()
    sent = _accept(parent, child, group)
    intake.settle()
    sent.refresh_from_db()
    assert before <= sent.accepted_at <= sent.settled_at <= timezone.now()


def test_with_the_database_queue_the_mail_tasks_are_written_with_the_batch(
        parent, child, group, family, settings, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    from opora.enrollment import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    (other, second_child), = family(1)
    _accept(parent, child, group)
    _accept(other, second_child, group)
    with django_capture_on_commit_callbacks():
        intake.settle()

    applications = list(Application.objects.order_by("pk"))
    queued = [row.task_result for row in DBTaskResult.objects.ready().order_by("args_kwargs")]
    assert sorted((q.task.func, tuple(q.args), q.task.run_after) for q in queued) == sorted(
        (tasks.send_status_email.func, (a.pk, S.NEW), None) for a in applications)


def test_the_settlers_loop_outlives_a_failed_round(parent, child, group, monkeypatch, caplog):
    _accept(parent, child, group)
    failures = []
    real = intake.waiting

    def flaky():
        if not failures:
            failures.append(1)
            raise RuntimeError("the database went away")
        return real()
    monkeypatch.setattr(intake, "waiting", flaky)
    monkeypatch.setattr(intake, "FAILED_WAIT", 0)
    rounds = []

    settled = intake.run(stop=lambda: len(rounds) >= 4 or rounds.append(1), idle_wait=0)

    assert (settled, Application.objects.count()) == (1, 1)
    assert "the settler's batch failed" in caplog.text


def test_settled_submissions_are_forgotten_after_thirty_days(parent, child, group, family):
    old = _accept(parent, child, group)
    intake.settle()
    (other, second), = family(1)
    recent = _accept(other, second, group)
    intake.settle()
    waiting = _accept(parent, child, open_group(group.module.program))
    Submission.objects.filter(pk=old.pk).update(settled_at=timezone.now() - dt.timedelta(days=31))
    Submission.objects.filter(pk=recent.pk).update(settled_at=timezone.now() - dt.timedelta(days=29))
    out = io.StringIO()

    call_command("settle", "--forget", stdout=out)

    assert "Удалено рассмотренных отправок: 1." in out.getvalue()
    assert set(Submission.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
    assert Application.objects.count() == 2  # the applications stay


def test_a_busy_help_leaves_the_submission_accepted(parent, child, group, monkeypatch):
    def busy(*args, **kwargs):
        raise intake.locking.Busy()
    monkeypatch.setattr(intake, "settle", busy)
    sent = _accept(parent, child, group)
    sent.backlog = intake.HELP_BACKLOG

    assert intake.help_if_behind(sent) is False
    assert _outcome(sent)[0] == "accepted"
