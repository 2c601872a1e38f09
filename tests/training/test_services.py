"""Staff development rules: events, registrations and seats, attendance with certificates,
protocols, courses taken elsewhere, hours over three years and the gap list, scoping."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opora.accounts.models import Role
from opora.audit.models import AuditEvent
from opora.errors import DomainError, InvalidTransition, PermissionDenied, ValidationFailed
from opora.registry.choices import QualificationCategory
from opora.training import selectors, services
from opora.training.models import (
    EventStatus,
    Organizer,
    Registration,
    RegistrationStatus,
    TrainingEvent,
    TrainingKind,
)
from tests import factories as f
from tests.training.conftest import event_data, held, today

pytestmark = pytest.mark.django_db


# --- events -------------------------------------------------------------------------------


def test_operator_creates_a_draft_of_the_municipality_and_publishes_it(operator, city):
    event = services.save_event(operator, event_data())

    assert (event.status, event.municipality, event.organizer) == (EventStatus.DRAFT, city, Organizer.MOC)
    assert event.hours == Decimal("4")
    services.publish(operator, event)
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED
    assert list(AuditEvent.objects.filter(target_id=str(event.pk)).values_list("action", flat=True)) == [
        "training.event.created", "training.event.published"]


def test_the_kinds_are_data_with_the_instruction_meeting_producing_a_protocol():
    kinds = dict(TrainingKind.objects.values_list("code", "produces_protocol"))
    assert kinds == {"seminar": False, "webinar": False, "course": False, "conference": False,
                     "master_class": False, "instruction": True}


def test_regional_centre_creates_a_regional_event(regional):
    event = services.save_event(regional, event_data(format="online", place="",
                                                     online_link="https://vk.com/video-1_2"))
    assert (event.municipality, event.organizer) == (None, Organizer.RMC)


def test_an_organization_runs_its_own_master_class(staff, provider):
    event = services.save_event(staff, event_data(kind=TrainingKind.objects.get(code="master_class")))
    assert (event.organization, event.municipality, event.organizer) == (
        provider, provider.municipality, Organizer.ORGANIZATION)


@pytest.mark.parametrize(("overrides", "field"), [
    ({"title": " "}, "title"),
    ({"hours": "0"}, "hours"),
    ({"hours": "много"}, "hours"),
    ({"hours": "1.25"}, "hours"),
    ({"capacity": "0"}, "capacity"),
    ({"ends_on": "2020-01-01"}, "ends_on"),
    ({"starts_on": "31.12.2026"}, "starts_on"),
    ({"format": "hologram"}, "format"),
    ({"place": ""}, "place"),
    ({"format": "online", "place": "", "online_link": ""}, "online_link"),
    ({"format": "online", "place": "", "online_link": "ftp://x"}, "online_link"),
    ({"for_teachers": False}, "for_teachers"),
    ({"kind": None}, "kind"),
])
def test_bad_event_input_is_refused_with_the_field_named(operator, overrides, field):
    with pytest.raises(ValidationFailed) as error:
        services.save_event(operator, event_data(**overrides))
    assert field in error.value.errors
    assert not TrainingEvent.objects.exists()


def test_operator_cannot_name_an_organization_of_another_municipality(operator, other_provider):
    with pytest.raises(ValidationFailed) as error:
        services.save_event(operator, event_data(organizer="organization", organization=other_provider))
    assert "organization" in error.value.errors


@pytest.mark.parametrize("persona", ["parent", "authority"])
def test_who_may_not_create_events(request, persona):
    with pytest.raises(PermissionDenied):
        services.save_event(request.getfixturevalue(persona), event_data())


def test_another_municipality_cannot_change_or_publish(seminar, other_operator):
    with pytest.raises(PermissionDenied):
        services.save_event(other_operator, event_data(title="Чужое"), seminar)
    with pytest.raises(PermissionDenied):
        services.cancel_event(other_operator, seminar, "так")


def test_capacity_cannot_drop_below_the_seats_taken(operator, staff, seminar, teachers):
    services.register(staff, seminar, teachers[:2])
    with pytest.raises(ValidationFailed) as error:
        services.save_event(operator, event_data(capacity=1), seminar)
    assert "capacity" in error.value.errors
    seminar.refresh_from_db()
    assert seminar.capacity == 2


# --- registrations ------------------------------------------------------------------------


def test_organization_registers_its_teachers_within_the_seats(staff, seminar, teachers):
    registrations = services.register(staff, seminar, teachers[:2])

    assert [r.teacher.last_name for r in registrations] == ["Антонова", "Борисова"]
    with pytest.raises(InvalidTransition, match="Свободных мест: 0"):
        services.register(staff, seminar, teachers[2:])
    assert Registration.objects.count() == 2


def test_all_or_none_when_seats_are_fewer_than_teachers(staff, seminar, teachers):
    with pytest.raises(InvalidTransition, match="Свободных мест: 2, а выбрано педагогов: 3"):
        services.register(staff, seminar, teachers)
    assert not Registration.objects.exists()


def test_registering_again_keeps_the_registration(staff, seminar, teachers):
    first = services.register(staff, seminar, teachers[:1])
    again = services.register(staff, seminar, teachers[:1])
    assert [r.pk for r in again] == [r.pk for r in first]
    assert Registration.objects.count() == 1


def test_a_cancelled_registration_frees_the_seat(staff, seminar, teachers):
    first, _second = services.register(staff, seminar, teachers[:2])
    services.cancel_registration(staff, first)
    services.register(staff, seminar, teachers[2:])
    assert Registration.objects.filter(status=RegistrationStatus.REGISTERED).count() == 2


def test_an_organization_registers_only_its_own_teachers(staff, seminar, other_teacher):
    with pytest.raises(PermissionDenied):
        services.register(staff, seminar, [other_teacher])
    assert not Registration.objects.exists()


def test_operator_registers_teachers_of_its_municipality_only(operator, seminar, teachers, other_teacher):
    services.register(operator, seminar, teachers[:1])
    with pytest.raises(PermissionDenied):
        services.register(operator, seminar, [other_teacher])


def test_teachers_of_another_municipality_cannot_join_a_municipal_event(
        other_operator, seminar, other_teacher):
    with pytest.raises(ValidationFailed, match="педагоги его муниципалитета"):
        services.register(other_operator, seminar, [other_teacher])


def test_any_municipality_joins_a_regional_event(regional, staff, other_staff, teachers, other_teacher):
    event = services.publish(regional, services.save_event(regional, event_data(capacity=10)))
    services.register(staff, event, teachers[:1])
    services.register(other_staff, event, [other_teacher])
    assert event.registrations.count() == 2


@pytest.mark.parametrize(("change", "message"), [
    ({"status": EventStatus.DRAFT}, "только на опубликованные"),
    ({"registration_until": dt.date(2000, 1, 1)}, "Запись закончилась"),
])
def test_registration_closed(staff, seminar, teachers, change, message):
    TrainingEvent.objects.filter(pk=seminar.pk).update(**change)
    with pytest.raises(InvalidTransition, match=message):
        services.register(staff, seminar, teachers[:1])


def test_no_registration_once_the_event_started(staff, seminar, teachers):
    held(seminar, today() - dt.timedelta(days=1))
    with pytest.raises(InvalidTransition, match="уже началось"):
        services.register(staff, seminar, teachers[:1])


def test_a_teacher_who_left_cannot_be_registered(staff, seminar, teachers):
    teachers[0].is_active = False
    teachers[0].save()
    with pytest.raises(ValidationFailed, match="не работает"):
        services.register(staff, seminar, teachers[:1])


def test_cancelling_the_event_cancels_its_registrations(operator, staff, seminar, teachers):
    services.register(staff, seminar, teachers[:2])
    with pytest.raises(ValidationFailed):
        services.cancel_event(operator, seminar, " ")
    services.cancel_event(operator, seminar, "Карантин")
    assert set(seminar.registrations.values_list("status", flat=True)) == {RegistrationStatus.CANCELLED}


# --- attendance and certificates -----------------------------------------------------------


def test_attendance_gives_certificates_to_those_present(operator, staff, seminar, teachers):
    present, absent = services.register(staff, seminar, teachers[:2])
    held(seminar)

    counts = services.mark_attendance(operator, seminar, [present.pk])

    assert counts == {"attended": 1, "absent": 1}
    present.refresh_from_db()
    absent.refresh_from_db()
    assert present.status == RegistrationStatus.ATTENDED and len(present.certificate_code) == 14
    assert absent.status == RegistrationStatus.ABSENT and absent.certificate_code is None
    seminar.refresh_from_db()
    assert seminar.status == EventStatus.HELD


def test_correcting_attendance_withdraws_the_certificate(operator, staff, seminar, teachers):
    registration, = services.register(staff, seminar, teachers[:1])
    held(seminar)
    services.mark_attendance(operator, seminar, [registration.pk])
    services.mark_attendance(operator, seminar, [])
    registration.refresh_from_db()
    assert (registration.status, registration.certificate_code) == (RegistrationStatus.ABSENT, None)


def test_certificate_codes_are_not_sequential(operator, staff, seminar, teachers):
    registrations = services.register(staff, seminar, teachers[:2])
    held(seminar)
    services.mark_attendance(operator, seminar, [r.pk for r in registrations])
    codes = list(Registration.objects.values_list("certificate_code", flat=True))
    assert len(set(codes)) == 2 and all(code.count("-") == 2 for code in codes)
    assert codes[0][:9] != codes[1][:9]


def test_no_attendance_before_the_event(operator, staff, seminar, teachers):
    registration, = services.register(staff, seminar, teachers[:1])
    with pytest.raises(InvalidTransition, match="ещё не началось"):
        services.mark_attendance(operator, seminar, [registration.pk])


def test_attendance_of_someone_not_registered_is_refused(operator, staff, seminar, teachers):
    services.register(staff, seminar, teachers[:1])
    held(seminar)
    with pytest.raises(ValidationFailed):
        services.mark_attendance(operator, seminar, [999999])
    with pytest.raises(ValidationFailed):
        services.mark_attendance(operator, seminar, ["x"])
    seminar.refresh_from_db()
    assert seminar.status == EventStatus.PUBLISHED


def test_an_organization_does_not_mark_the_municipality_event(staff, seminar, teachers):
    registration, = services.register(staff, seminar, teachers[:1])
    held(seminar)
    with pytest.raises(PermissionDenied):
        services.mark_attendance(staff, seminar, [registration.pk])


# --- protocols and materials ---------------------------------------------------------------


def test_instruction_meeting_gets_a_protocol(operator):
    meeting = services.publish(operator, services.save_event(
        operator, event_data(kind=TrainingKind.objects.get(code="instruction"), hours="2")))
    with pytest.raises(InvalidTransition, match="по итогам проведённого"):
        services.save_protocol(operator, meeting, text="Решили")
    held(meeting)
    with pytest.raises(ValidationFailed):
        services.save_protocol(operator, meeting, text="  ")
    services.save_protocol(operator, meeting, text="1. Слушали: о работе в навигаторе.",
                           file=SimpleUploadedFile("protocol.pdf", b"%PDF-1.4"))
    meeting.refresh_from_db()
    assert meeting.has_protocol and meeting.protocol_file.name.endswith(".pdf")


def test_a_seminar_has_no_protocol(operator, seminar):
    held(seminar)
    with pytest.raises(InvalidTransition, match="только по итогам совещаний"):
        services.save_protocol(operator, seminar, text="Текст")


def test_materials_need_a_file_or_a_link(operator, seminar):
    with pytest.raises(ValidationFailed):
        services.add_material(operator, seminar, title="Презентация")
    with pytest.raises(ValidationFailed):
        services.add_material(operator, seminar, title="Вирус",
                              file=SimpleUploadedFile("run.exe", b"MZ"))
    material = services.add_material(operator, seminar, title="Запись", url="https://rutube.ru/video/1/")
    assert material.url.startswith("https://")


# --- records, hours, the gap list ----------------------------------------------------------


def _attend(operator, staff, teacher, *, on, hours="4"):
    event = services.publish(operator, services.save_event(operator, event_data(hours=hours, capacity=30)))
    registration, = services.register(staff, event, [teacher])
    held(event, on)
    services.mark_attendance(operator, event, [registration.pk])
    return event


def test_hours_over_three_years_count_events_and_courses_elsewhere(operator, staff, teachers):
    teacher = teachers[0]
    _attend(operator, staff, teacher, on=today() - dt.timedelta(days=30), hours="4")
    _attend(operator, staff, teacher, on=today() - dt.timedelta(days=365 * 3 + 5), hours="72")
    services.record_external(staff, teacher, {
        "title": "Современные технологии дополнительного образования", "provider_name": "КИПК",
        "finished_on": today() - dt.timedelta(days=200), "hours": "36",
        "document": "Удостоверение № 2401-17"})

    found = selectors.with_hours(selectors.teachers_for(staff), today()).get(pk=teacher.pk)
    record = selectors.record(teacher, today())

    assert found.event_hours + found.external_hours == Decimal("40.0")
    assert record["hours"] == Decimal("40.0")
    assert selectors.last_on(found) == record["last_on"] == today() - dt.timedelta(days=30)


def test_the_gap_list_holds_those_without_training_in_three_years(operator, staff, teachers, other_teacher):
    _attend(operator, staff, teachers[0], on=today() - dt.timedelta(days=10))
    _attend(operator, staff, teachers[1], on=today() - dt.timedelta(days=365 * 3 + 5))
    services.record_external(operator, teachers[2], {
        "title": "Курсы", "provider_name": "ИРО", "finished_on": today() - dt.timedelta(days=700),
        "hours": "16", "document": "Сертификат № 5"})
    left = f.teacher(teachers[0].organization, last_name="Уволенная", is_active=False)

    gaps = selectors.without_training(selectors.teachers_for(operator), today())

    assert [t.last_name for t in gaps] == ["Борисова"]
    assert left not in gaps and other_teacher not in gaps


def test_registered_or_absent_does_not_count_as_trained(operator, staff, teachers):
    event = services.publish(operator, services.save_event(operator, event_data()))
    services.register(staff, event, teachers[:2])
    held(event)
    services.mark_attendance(operator, event, [])
    gaps = selectors.without_training(selectors.teachers_for(operator), today())
    assert gaps.count() == 3


def test_external_course_bad_input_and_scope(staff, other_teacher, teachers):
    with pytest.raises(PermissionDenied):
        services.record_external(staff, other_teacher, {
            "title": "x", "provider_name": "y", "finished_on": today(), "hours": "1", "document": "z"})
    with pytest.raises(ValidationFailed) as error:
        services.record_external(staff, teachers[0], {
            "title": "", "provider_name": "", "finished_on": today() + dt.timedelta(days=1),
            "hours": "-1", "document": ""})
    assert set(error.value.errors) == {"title", "provider_name", "finished_on", "hours", "document"}
    assert not teachers[0].external_trainings.exists()


def test_indicators_share_categorised_and_trained_this_year(operator, staff, teachers):
    teachers[0].category = QualificationCategory.HIGHEST
    teachers[0].save()
    teachers[1].category = QualificationCategory.FIRST
    teachers[1].save()
    f.teacher(teachers[0].organization, last_name="Новикова")  # a fourth, untrained, no category
    _attend(operator, staff, teachers[2], on=today())

    found = selectors.indicators(selectors.teachers_for(operator), today())

    assert found["total"] == 4
    assert (found["categorised"], found["category_share"]) == (2, 50.0)
    assert (found["trained"], found["trained_share"], found["gap"]) == (1, 25.0, 3)


def test_the_operator_sees_its_municipality_and_the_organization_its_own(
        operator, staff, other_staff, teachers, other_teacher):
    assert set(selectors.teachers_for(operator)) == set(teachers)
    assert set(selectors.teachers_for(staff)) == set(teachers)
    assert set(selectors.teachers_for(other_staff)) == {other_teacher}


def test_an_organization_sees_only_its_own_registrations_of_a_regional_event(
        regional, staff, other_staff, teachers, other_teacher):
    event = services.publish(regional, services.save_event(regional, event_data(capacity=10)))
    services.register(staff, event, teachers[:1])
    services.register(other_staff, event, [other_teacher])
    assert [r.teacher for r in selectors.registrations_for(staff, event)] == teachers[:1]
    assert selectors.registrations_for(regional, event).count() == 2


def test_drafts_are_seen_only_by_who_manages_them(operator, staff, other_operator):
    draft = services.save_event(operator, event_data())
    assert draft in selectors.events_for(operator)
    assert draft not in selectors.events_for(staff)
    services.publish(operator, draft)
    assert draft in selectors.events_for(staff)
    assert draft not in selectors.events_for(other_operator)
    assert not selectors.events_for(f.user(Role.PARENT)).exists()


def test_every_refusal_is_a_domain_error():
    assert issubclass(InvalidTransition, DomainError) and issubclass(ValidationFailed, DomainError)
