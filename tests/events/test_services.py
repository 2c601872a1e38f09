import datetime as dt

import pytest
from django.utils import timezone

from opora.accounts.models import Role
from opora.audit.models import AuditEvent
from opora.enrollment.models import Guardianship
from opora.errors import InvalidTransition, PermissionDenied, ValidationFailed
from opora.events import rules, services
from opora.events.models import Event, EventLevel, EventStatus, Registration, Result
from opora.events.models import RegistrationStatus as R
from tests import factories as f
from tests.events.conftest import add_child, born, event_data, make_event, pupil, sessions

pytestmark = pytest.mark.django_db


# --- keeping and moderating ----------------------------------------------------------


def test_a_provider_drafts_and_the_moc_publishes(staff, operator):
    event = make_event(staff)
    assert (event.status, event.organization, event.municipality) == (
        EventStatus.INITIAL, staff.organization, staff.organization.municipality)
    services.submit_event(staff, event)
    event = services.publish_event(operator, event)
    assert event.status == EventStatus.PUBLISHED and event.published_at
    assert list(AuditEvent.objects.filter(action__startswith="events.event").values_list(
        "action", flat=True).order_by("pk")) == [
        "events.event.created", "events.event.submitted", "events.event.published"]


def test_return_needs_a_remark_and_the_provider_fixes(staff, operator):
    event = make_event(staff)
    services.submit_event(staff, event)
    with pytest.raises(ValidationFailed):
        services.return_event(operator, event, "  ")
    event = services.return_event(operator, event, "Добавьте положение о конкурсе")
    assert event.status == EventStatus.WAIT_FOR_EDITING
    event = services.update_event(staff, event, {"title": "Конкурс роботов"})
    assert services.submit_event(staff, event).status == EventStatus.MODERATING


def test_only_the_moc_of_the_municipality_publishes(staff, other_operator, operator):
    event = make_event(staff)
    services.submit_event(staff, event)
    with pytest.raises(PermissionDenied):
        services.publish_event(other_operator, event)
    with pytest.raises(PermissionDenied):
        services.publish_event(staff, event)
    with pytest.raises(InvalidTransition):
        services.submit_event(staff, Event.objects.get(pk=event.pk))
    assert Event.objects.get(pk=event.pk).status == EventStatus.MODERATING


def test_a_published_event_cannot_be_edited(contest, staff):
    with pytest.raises(InvalidTransition):
        services.update_event(staff, contest, {"title": "Другое"})


def test_bad_input_is_refused_and_nothing_is_saved(staff):
    with pytest.raises(ValidationFailed) as refused:
        services.create_event(staff, event_data(age_from=15, age_to=10), sessions=sessions())
    assert "Возраст" in refused.value.message
    with pytest.raises(ValidationFailed):
        services.create_event(staff, event_data(is_free=False, price=None), sessions=sessions())
    with pytest.raises(ValidationFailed) as refused:
        services.create_event(staff, event_data(), sessions=sessions(place="", online_url=""))
    assert "место" in refused.value.message
    with pytest.raises(ValidationFailed):
        services.create_event(staff, event_data(), sessions=[])
    assert not Event.objects.exists()


def test_a_parent_cannot_create_events(parent):
    with pytest.raises(PermissionDenied):
        services.create_event(parent, event_data(), sessions=sessions())


# --- registration rules ---------------------------------------------------------------


def test_a_parent_registers_their_child_once(contest, parent, child):
    first, created = services.register_child(parent, contest, child)
    again, created_again = services.register_child(parent, contest, child)
    assert (created, created_again, first.pk, first.status) == (True, False, again.pk, R.NEW)


def test_not_someone_elses_child(contest, child, city):
    stranger = f.user(Role.PARENT, municipality=city)
    with pytest.raises(PermissionDenied):
        services.register_child(stranger, contest, child)


def test_a_child_whose_data_are_not_confirmed_is_refused(contest, staff, parent):
    kid = pupil(staff.organization, parent, birth_date=born(9))
    Guardianship.objects.filter(child=kid).update(confirmed_at=None)
    with pytest.raises(ValidationFailed) as refused:
        services.register_pupils(staff, contest, [kid])
    assert "не подтверждены" in refused.value.message
    with pytest.raises(PermissionDenied):  # nor by the parent, whose link is not confirmed
        services.register_child(parent, contest, kid)
    assert not Registration.objects.exists()


def test_ages_are_checked_on_the_event_day(staff, operator, parent):
    event = make_event(staff, operator, age_from=12, age_to=14)
    young = add_child(parent, first_name="Маша", birth_date=born(10))
    with pytest.raises(ValidationFailed) as refused:
        services.register_child(parent, event, young)
    assert "от 12 до 14 лет" in refused.value.message
    assert not Registration.objects.exists()


def test_the_window_is_checked(staff, operator, parent, child):
    now = timezone.now()
    later = make_event(staff, operator, registration_from=now + dt.timedelta(days=2),
                       registration_to=now + dt.timedelta(days=5))
    with pytest.raises(ValidationFailed) as refused:
        services.register_child(parent, later, child)
    assert "ещё не открыта" in refused.value.message
    closed = make_event(staff, operator, title="Прошедший", registration_from=now - dt.timedelta(days=5),
                        registration_to=now - dt.timedelta(days=1))
    with pytest.raises(ValidationFailed) as refused:
        services.register_child(parent, closed, child)
    assert "закрыта" in refused.value.message


def test_an_unpublished_event_takes_no_one(staff, parent, child):
    with pytest.raises(ValidationFailed):
        services.register_child(parent, make_event(staff), child)


def test_age_categories_and_nominations_belong_to_the_event(staff, operator, parent, child):
    event = services.create_event(staff, event_data(), sessions=sessions(), nominations=["Танец"],
                                  age_categories=[{"title": "7–9 лет", "age_from": 7, "age_to": 9},
                                                  {"title": "10–12 лет", "age_from": 10, "age_to": 12}])
    services.submit_event(staff, event)
    services.publish_event(operator, event)
    young = event.age_categories.get(title="7–9 лет")
    with pytest.raises(ValidationFailed) as refused:
        services.register_child(parent, event, child, age_category=young.pk)
    assert "7–9 лет" in refused.value.message
    other = make_event(staff, operator, title="Другой")
    with pytest.raises(ValidationFailed):
        services.register_child(parent, event, child, nomination=other.nominations.get().pk)
    made, _ = services.register_child(parent, event, child, nomination=event.nominations.get().pk,
                                      age_category=event.age_categories.get(title="10–12 лет").pk)
    assert made.nomination.title == "Танец"


def test_a_full_event_puts_children_on_the_waiting_list_and_a_freed_place_goes_to_the_first(
        contest, parent):
    kids = [add_child(parent, first_name=f"Ребёнок{i}", birth_date=born(9)) for i in range(5)]
    made = [services.register_child(parent, contest, kid)[0] for kid in kids]
    assert [r.status for r in made] == [R.NEW] * 3 + [R.WAITLISTED] * 2
    assert [r.queue_number for r in made[3:]] == [1, 2]
    services.cancel_registration(parent, made[0])
    assert Registration.objects.get(pk=made[3].pk).status == R.NEW
    assert Registration.objects.get(pk=made[4].pk).status == R.WAITLISTED


def test_a_provider_registers_its_pupils_as_a_team(contest, staff, parent, city):
    kids = [pupil(staff.organization, parent, first_name=n, birth_date=born(11)) for n in ("Аня", "Боря")]
    made = services.register_pupils(staff, contest, kids, team_name="Роботята")
    assert {r.team.name for r in made} == {"Роботята"}
    assert {r.organization for r in made} == {staff.organization}


def test_a_provider_cannot_register_other_children(contest, staff, parent, child):
    with pytest.raises(ValidationFailed) as refused:
        services.register_pupils(staff, contest, [child])
    assert "своих обучающихся" in refused.value.message
    assert not Registration.objects.exists()


def test_statuses_and_results(contest, staff, parent, child):
    registration, _ = services.register_child(parent, contest, child)
    with pytest.raises(InvalidTransition):
        services.mark_attendance(staff, registration)
    services.confirm_registration(staff, registration, "Ждём в 10:00")
    registration = services.mark_attendance(staff, registration)
    assert (registration.status, registration.comment) == (R.PARTICIPANT, "Ждём в 10:00")
    registration = services.set_result(staff, registration, Result.WINNER)
    assert registration.result == Result.WINNER
    assert len(registration.diploma_code) == 19 and registration.diploma_code.count("-") == 3
    code = registration.diploma_code
    assert services.set_result(staff, registration, Result.PRIZE_2).diploma_code == code


def test_a_result_needs_attendance_and_the_organizer(contest, staff, other_staff, parent, child):
    registration, _ = services.register_child(parent, contest, child)
    with pytest.raises(InvalidTransition):
        services.set_result(staff, registration, Result.WINNER)
    services.confirm_registration(staff, registration)
    services.mark_attendance(staff, registration)
    with pytest.raises(PermissionDenied):
        services.set_result(other_staff, registration, Result.WINNER)
    with pytest.raises(ValidationFailed):
        services.set_result(staff, registration, "first")


def test_a_master_class_has_participants_only(staff, operator, parent, child):
    from opora.events.models import EventKind

    event = make_event(staff, operator, kind=EventKind.objects.get(code="master_class"))
    registration, _ = services.register_child(parent, event, child)
    services.confirm_registration(staff, registration)
    services.mark_attendance(staff, registration)
    with pytest.raises(ValidationFailed):
        services.set_result(staff, registration, Result.WINNER)
    assert services.set_result(staff, registration, Result.PARTICIPANT).diploma_code


def test_rejection_needs_a_reason(contest, staff, parent, child):
    registration, _ = services.register_child(parent, contest, child)
    with pytest.raises(ValidationFailed):
        services.reject_registration(staff, registration, "")
    assert services.reject_registration(staff, registration, "Нет мест в автобусе").status == R.REJECTED


# --- staged events -----------------------------------------------------------------------


def test_a_regional_contest_with_a_municipal_stage_and_a_nomination(regional, operator, parent, child):
    regional_event = make_event(regional, regional, level=EventLevel.REGIONAL,
                                title="Областной конкурс «Робофест»")
    assert regional_event.municipality is None
    stage = services.create_stage(operator, regional_event)
    with pytest.raises(ValidationFailed):
        services.create_stage(operator, regional_event)
    assert (stage.level, stage.stage_of, stage.municipality) == (
        EventLevel.MUNICIPAL, regional_event, operator.municipality)
    assert stage.nominations.get().title == "Робототехника"
    services.submit_event(operator, stage)
    services.publish_event(operator, stage)
    registration, _ = services.register_child(parent, stage, child,
                                              nomination=stage.nominations.get().pk)
    services.confirm_registration(operator, registration)
    services.mark_attendance(operator, registration)
    with pytest.raises(InvalidTransition):
        services.nominate_to_next_stage(operator, registration)
    services.set_result(operator, registration, Result.WINNER)
    upper = services.nominate_to_next_stage(operator, registration)
    assert (upper.event, upper.status, upper.from_stage, upper.nomination.title) == (
        regional_event, R.CONFIRMED, registration, "Робототехника")
    assert services.nominate_to_next_stage(operator, registration).pk == upper.pk


def test_stages_only_of_regional_events(contest, operator):
    with pytest.raises(InvalidTransition):
        services.create_stage(operator, contest)


# --- diploma codes -------------------------------------------------------------------------


def test_diploma_codes_are_random_and_normalized():
    codes = {rules.new_diploma_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(set(c.replace("-", "")) <= set(rules.CODE_ALPHABET) for c in codes)
    code = next(iter(codes))
    assert rules.normalized_code(code.lower().replace("-", " ")) == code
