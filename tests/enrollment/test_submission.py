"""Filing an application: the gates through the service (nothing created on refusal),
seats and the waiting list, idempotent repeats, the municipal limit."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from opora import audit
from opora.enrollment import seats, selectors, services
from opora.enrollment.models import Application, Channel, EnrolmentSettings
from opora.enrollment.models import ApplicationStatus as S
from opora.errors import NotFound, PermissionDenied, ValidationFailed
from opora.navigator.models import CatalogEntry
from opora.registry.choices import ProgramStatus
from opora.registry.models import Group
from tests import factories as f
from tests.enrollment.conftest import add_child, born, open_group


def _refused(submit, parent, child, group, code, message):
    with pytest.raises(services.NotEligible) as err:
        submit(parent, child, group)
    assert (err.value.code, err.value.message) == (code, message)
    assert Application.objects.count() == 0


def test_free_seat_is_taken_by_a_new_application(parent, child, group):
    application = services.submit_application(parent, child, group)[0]

    assert (application.status, application.queue_number, application.channel) == (
        S.NEW, None, Channel.CABINET)
    assert application.created_by == parent
    assert [(e.action, e.actor_id, e.from_state, e.to_state) for e in audit.timeline(application)] \
        == [("enrollment.application.submitted", parent.pk, "", S.NEW)]


def test_full_group_puts_children_in_line_with_positions(submit, group, family):
    people = family(5)
    made = [submit(p, c, group)[0] for p, c in people]

    assert [a.status for a in made] == [S.NEW, S.NEW, S.WAITLISTED, S.WAITLISTED, S.WAITLISTED]
    assert [a.queue_number for a in made] == [None, None, 1, 2, 3]
    assert [selectors.position_of(a) for a in made] == [None, None, 1, 2, 3]
    assert audit.timeline(made[2]).get().action == "enrollment.application.waitlisted"


def test_submitting_again_returns_the_first_application(submit, parent, child, group):
    first = submit(parent, child, group)[0]
    again = submit(parent, child, group, channel=Channel.API)[0]

    assert again.pk == first.pk
    assert Application.objects.count() == 1
    assert audit.timeline(first).count() == 1


def test_created_tells_a_new_application_from_a_repeat(submit, parent, child, group):
    first, created = submit(parent, child, group)
    again, created_again = submit(parent, child, group.pk)

    assert (again.pk, created, created_again) == (first.pk, True, False)
    assert again.group.module.program.title == "Робототехника"


def test_seat_counters_follow_submissions_and_releases(submit, group, family):
    (p1, c1), (p2, c2), (p3, c3) = family(3)
    first = submit(p1, c1, group)[0]
    submit(p2, c2, group)
    submit(p3, c3, group)
    group.refresh_from_db()
    assert (group.capacity_max, group.seats_taken, group.queue_last) == (2, 2, 1)

    services.withdraw_application(p1, first)  # the seat goes to the first in line

    group.refresh_from_db()
    assert (group.seats_taken, group.queue_last) == (2, 1)
    assert Application.objects.filter(child=c3).get().status == S.NEW


def test_saving_an_edited_group_keeps_the_seat_counters(parent, child, group):
    stale = Group.objects.get(pk=group.pk)  # a form opened before the parent applied
    services.submit_application(parent, child, group)

    stale.name = "Роботы-2"
    stale.save()

    group.refresh_from_db()
    assert (group.name, group.seats_taken) == ("Роботы-2", 1)


def test_recount_repairs_counters_of_rows_loaded_around_the_services(parent, child, group):
    services.submit_application(parent, child, group)
    Group.objects.filter(pk=group.pk).update(seats_taken=0, queue_last=0)

    assert seats.recount_seats(Group.objects.filter(pk=group.pk)) == 1

    group.refresh_from_db()
    assert (group.seats_taken, group.queue_last) == (1, 0)


def test_filling_the_last_seat_and_freeing_it_refresh_the_catalog(
        group, family, django_capture_on_commit_callbacks):
    def free_seats():
        return CatalogEntry.objects.get(program_id=group.module.program_id).free_seats

    (p1, c1), (p2, c2), (p3, c3) = family(3)
    services.submit_application(p1, c1, group)
    assert free_seats() == 2  # not yet full: the index is not touched on opening day

    with django_capture_on_commit_callbacks(execute=True):
        second = services.submit_application(p2, c2, group)[0]
    assert free_seats() == 0

    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_application(p2, second)
    assert free_seats() == 1


def test_a_submission_is_a_fixed_handful_of_statements(parent, child, group,
                                                        django_assert_num_queries):
    # the group with every fact about the child; then the seat transaction (here a
    # savepoint: two statements) with the lock timeout on PostgreSQL, one conditional
    # UPDATE, the application and its audit row
    with django_assert_num_queries(6 + (connection.vendor == "postgresql")):
        services.submit_application(parent, child, group.pk)


def test_repeat_after_enrolment_closed_still_returns_the_application(submit, parent, child, group):
    first = submit(parent, child, group)[0]
    Group.objects.filter(pk=group.pk).update(enrolment_open=False)

    assert submit(parent, child, group)[0].pk == first.pk


def test_a_new_application_is_possible_after_withdrawal(submit, parent, child, group):
    first = submit(parent, child, group)[0]
    services.withdraw_application(parent, first)

    second = submit(parent, child, group)[0]
    assert second.pk != first.pk
    assert second.status == S.NEW


# --- gates through the service -------------------------------------------------------


def test_unpublished_program_refused(submit, parent, child, provider):
    group = open_group(f.program(provider, status=ProgramStatus.MODERATING))
    _refused(submit, parent, child, group, "program_not_published",
             "Программа не опубликована в навигаторе: запись на неё недоступна.")


def test_inactive_organization_refused(submit, parent, child, group, provider):
    provider.is_active = False
    provider.save()
    _refused(submit, parent, child, group, "organization_inactive", "Организация сейчас не принимает заявки.")


def test_inactive_group_refused(submit, parent, child, published):
    _refused(submit, parent, child, open_group(published, is_active=False), "group_inactive",
             "Группа не набирается.")


def test_switched_off_enrolment_refused(submit, parent, child, published):
    _refused(submit, parent, child, open_group(published, enrolment_open=False), "enrolment_switched_off",
             "Запись в эту группу закрыта.")


def test_opening_moment_not_reached_refused(submit, parent, child, published):
    opens = timezone.now() + dt.timedelta(hours=2)
    group = open_group(published, enrolment_from=opens)
    with pytest.raises(services.NotEligible) as err:
        submit(parent, child, group)
    assert err.value.code == "enrolment_not_started"
    assert err.value.message.startswith("Запись в группу откроется ")
    assert Application.objects.count() == 0


def test_finished_enrolment_refused(submit, parent, child, published):
    group = open_group(published, enrolment_from=timezone.now() - dt.timedelta(days=5),
                       enrolment_to=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(services.NotEligible) as err:
        submit(parent, child, group)
    assert err.value.code == "enrolment_finished"
    assert Application.objects.count() == 0


def test_finished_group_refused(submit, parent, child, published):
    today = timezone.localdate()
    group = open_group(published, start_date=today - dt.timedelta(days=200),
                       end_date=today - dt.timedelta(days=1))
    _refused(submit, parent, child, group, "group_finished", "Занятия в этой группе уже закончились.")


def test_group_without_schedule_refused(submit, parent, child, group):
    group.schedule.all().delete()
    _refused(submit, parent, child, group, "no_schedule",
             "У группы ещё нет расписания: запись откроется, когда организация его заполнит.")


def test_child_too_young_at_group_start_refused(submit, parent, published):
    start = timezone.localdate() + dt.timedelta(days=30)
    group = open_group(published, start_date=start, age_min=8, age_max=12)
    young = add_child(parent, first_name="Младший", birth_date=born(7, on=start))
    with pytest.raises(services.NotEligible) as err:
        submit(parent, young, group)
    assert err.value.code == "age_outside"
    assert "ребёнку будет 7 лет, а в группу принимают детей от 8 лет до 12 лет." in err.value.message
    assert Application.objects.count() == 0


def test_age_reference_can_be_the_school_year_start(submit, parent, published, settings):
    # the group starts on 2 September; the child turns 8 on 2 September
    year = timezone.localdate().year + 1
    group = open_group(published, start_date=dt.date(year, 9, 2),
                       end_date=dt.date(year + 1, 5, 31), age_min=8, age_max=12)
    child = add_child(parent, birth_date=dt.date(year - 8, 9, 2))

    settings.OPORA_AGE_REFERENCE = "school_year_start"
    with pytest.raises(services.NotEligible):
        submit(parent, child, group)
    settings.OPORA_AGE_REFERENCE = "group_start"
    assert submit(parent, child, group)[0].status == S.NEW


def test_municipal_limit_of_live_applications(submit, parent, child, published, city):
    EnrolmentSettings.objects.create(municipality=city, max_live_applications=2)
    groups = [open_group(published, name=f"Группа {n}") for n in range(3)]
    submit(parent, child, groups[0])
    submit(parent, child, groups[1])

    with pytest.raises(services.NotEligible) as err:
        submit(parent, child, groups[2])
    assert err.value.code == "too_many_applications"
    assert Application.objects.filter(group=groups[2]).count() == 0


def test_ended_applications_do_not_count_towards_the_limit(submit, parent, child, published, city):
    EnrolmentSettings.objects.create(municipality=city, max_live_applications=1)
    first, second = open_group(published), open_group(published)
    services.withdraw_application(parent, submit(parent, child, first)[0])

    assert submit(parent, child, second)[0].status == S.NEW


# --- who may apply -------------------------------------------------------------------


def test_parent_of_another_family_cannot_apply_for_a_guessed_child(submit, other_parent, child, group):
    with pytest.raises(NotFound):
        submit(other_parent, child, group)
    assert Application.objects.count() == 0


@pytest.mark.parametrize("persona", ["staff", "operator", "regional"])
def test_back_office_cannot_apply_through_the_parent_service(submit, request, persona, child, group):
    with pytest.raises(NotFound):
        submit(request.getfixturevalue(persona), child, group)
    assert Application.objects.count() == 0


# --- the municipality's settings -----------------------------------------------------


def test_moc_sets_the_limit_of_live_applications(operator, city):
    services.save_enrolment_settings(operator, city, 3)
    services.save_enrolment_settings(operator, city, None)

    assert EnrolmentSettings.objects.get(municipality=city).max_live_applications is None
    events = EnrolmentSettings.objects.get(municipality=city)
    assert [e.data for e in audit.timeline(events)] == [
        {"max_live_applications_before": None, "max_live_applications_after": 3},
        {"max_live_applications_before": 3, "max_live_applications_after": None},
    ]


@pytest.mark.parametrize("persona", ["other_operator", "staff", "authority", "parent"])
def test_only_the_municipalitys_moc_sets_its_limit(request, persona, city):
    with pytest.raises(PermissionDenied):
        services.save_enrolment_settings(request.getfixturevalue(persona), city, 1)
    assert not EnrolmentSettings.objects.exists()


def test_limit_must_be_positive(operator, city):
    with pytest.raises(ValidationFailed) as err:
        services.save_enrolment_settings(operator, city, 0)
    assert err.value.field == "max_live_applications"
    assert not EnrolmentSettings.objects.exists()


# --- eligibility for pages -----------------------------------------------------------


def test_eligibility_lists_every_reason_before_the_button(parent, child, group, published):
    assert selectors.eligibility(child, group) == []
    services.submit_application(parent, child, group)
    closed = open_group(published, enrolment_open=False)
    closed.schedule.all().delete()

    assert [r.code for r in selectors.eligibility(child, group)] == ["already_applied"]
    assert [r.code for r in selectors.eligibility(child, closed)] == [
        "enrolment_switched_off", "no_schedule"]
