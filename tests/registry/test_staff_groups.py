"""The provider's back office, through the pages: modules, groups with their timetable
and financing, teachers."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from opora.registry.choices import (
    FundingSource,
    ProgramStatus,
    QualificationCategory,
    TeacherEducation,
    Weekday,
)
from opora.registry.models import Group, Module, Teacher
from tests import factories as f
from tests.registry.staff_posts import (
    BLANK_SCHEDULE,
    FUNDING_OK,
    MONDAY_WEDNESDAY,
    SCHEDULE_OK,
    counts,
    error_next_to,
    group_post,
)

S = ProgramStatus


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


# --- modules -------------------------------------------------------------------------------


def test_staff_add_and_edit_a_module(staff_client, program):
    page = staff_client.get(reverse("registry:module_create", args=[program.pk]))
    assert page.context["form"].initial["year_of_study"] == 2

    staff_client.post(reverse("registry:module_create", args=[program.pk]), {
        "title": "Второй год", "year_of_study": "2", "hours": "144", "description": "Проекты"})
    module = program.modules.get(year_of_study=2)
    assert (module.title, module.hours, module.description) == ("Второй год", 144, "Проекты")

    staff_client.post(reverse("registry:module_edit", args=[module.pk]), {
        "title": "Второй год: проекты", "year_of_study": "2", "hours": "108", "description": ""})
    module.refresh_from_db()
    assert (module.title, module.hours, module.description) == ("Второй год: проекты", 108, "")


def test_last_module_of_a_program_cannot_be_deleted(staff_client, program):
    module = program.modules.get()

    response = staff_client.post(reverse("registry:module_delete", args=[module.pk]), follow=True)

    assert program.modules.count() == 1
    assert "В программе должен остаться хотя бы один модуль." in response.content.decode()


def test_empty_second_module_can_be_deleted(staff_client, program):
    second = Module.objects.create(program=program, year_of_study=2, title="2-й год", hours=72)

    staff_client.post(reverse("registry:module_delete", args=[second.pk]))

    assert list(program.modules.values_list("year_of_study", flat=True)) == [1]


# --- groups ------------------------------------------------------------------------------


@pytest.fixture
def program_8_12(provider):
    return f.program(provider, age_min=8, age_max=12)


def test_staff_add_group_with_schedule_funding_and_teachers(staff_client, provider, program_8_12):
    module = program_8_12.modules.get()
    teacher = f.teacher(provider, last_name="Смирнова")
    f.teacher(provider, last_name="Козлов")

    response = staff_client.post(reverse("registry:group_create", args=[module.pk]),
                                 group_post(teachers=[str(teacher.pk)]))

    assert response.status_code == 302
    assert response["Location"] == reverse("registry:program_groups", args=[program_8_12.pk])
    group = Group.objects.get()
    start = dt.date.today() + dt.timedelta(days=20)
    assert (group.module, group.name, group.start_date, group.end_date) == (
        module, "Группа 1-А", start, start + dt.timedelta(days=250))
    assert (group.hours_per_year, group.capacity_min, group.capacity_max) == (72, 5, 12)
    assert (group.age_min, group.age_max, group.address) == (8, 11, "г. Тестов, ул. Школьная, 1")
    assert (group.is_active, group.enrolment_open) == (True, True)
    tz = timezone.get_current_timezone()
    assert group.enrolment_from == dt.datetime(2030, 8, 20, 9, 0, tzinfo=tz)
    assert group.enrolment_to == dt.datetime(2030, 9, 15, 18, 30, tzinfo=tz)
    assert group.next_year_enrolment_from == dt.datetime(2031, 5, 1, 10, 0, tzinfo=tz)
    assert group.next_year_enrolment_to == dt.datetime(2031, 6, 1, 10, 0, tzinfo=tz)
    assert list(group.teachers.all()) == [teacher]
    lines = [(s.weekdays, s.time_from, s.time_to, s.lesson_minutes, s.break_minutes, s.address)
             for s in group.schedule.order_by("pk")]
    assert lines == [
        (Weekday.MON | Weekday.WED, dt.time(15, 0), dt.time(16, 30), 40, 10, "каб. 12"),
        (Weekday.SAT, dt.time(10, 0), dt.time(11, 0), 45, 0, ""),
    ]
    funding = [(x.source, x.monthly_price, x.total_price) for x in group.funding.order_by("pk")]
    assert funding == [
        (FundingSource.CERTIFICATE, Decimal("1500.50"), Decimal("13504.50")),
        (FundingSource.PAID, Decimal("2000.00"), Decimal("18000.00")),
    ]


def test_blank_rows_are_skipped_and_budget_price_may_be_left_empty(staff_client, program_8_12):
    module = program_8_12.modules.get()
    budget = {"source": FundingSource.BUDGET, "monthly_price": "", "total_price": ""}

    staff_client.post(reverse("registry:group_create", args=[module.pk]), group_post(
        schedule=[BLANK_SCHEDULE, SCHEDULE_OK[0], BLANK_SCHEDULE],
        funding=[None, budget]))

    group = Group.objects.get()
    assert [s.time_from for s in group.schedule.all()] == [dt.time(15, 0)]
    assert [(x.source, x.monthly_price, x.total_price) for x in group.funding.all()] == [
        (FundingSource.BUDGET, Decimal("0.00"), Decimal("0.00"))]


def test_group_page_shows_existing_lines_and_edits_them(staff_client, program_8_12):
    group = f.group(program_8_12, name="Старая")
    old = group.schedule.get()

    page = staff_client.get(reverse("registry:group_edit", args=[group.pk]))
    assert page.context["form"]["name"].value() == "Старая"
    schedule_formset = dict((k, fs) for k, fs, *_ in page.context["line_formsets"])["schedule"]
    assert schedule_formset.initial == [{
        "weekdays": old.weekdays, "time_from": old.time_from, "time_to": old.time_to,
        "lesson_minutes": old.lesson_minutes, "break_minutes": old.break_minutes, "address": ""}]
    html = page.content.decode()
    assert 'value="15:00"' in html
    checked = re.findall(r'name="schedule-0-weekdays" value="(\d+)" id="[^"]+" checked', html)
    assert checked == ["1", "4"]

    kept = {"weekdays": MONDAY_WEDNESDAY, "time_from": "15:00", "time_to": "16:30",
            "lesson_minutes": "40", "break_minutes": "10", "address": ""}
    dropped = {**SCHEDULE_OK[1], "DELETE": "on"}
    staff_client.post(reverse("registry:group_edit", args=[group.pk]), group_post(
        name="Новая", schedule=[kept, dropped], schedule_initial=1,
        funding=[{"source": FundingSource.BUDGET, "monthly_price": "0", "total_price": "0"}],
        funding_initial=1))

    group.refresh_from_db()
    assert group.name == "Новая"
    assert [(s.time_from, s.time_to) for s in group.schedule.all()] == [
        (dt.time(15, 0), dt.time(16, 30))]
    assert [x.source for x in group.funding.all()] == [FundingSource.BUDGET]


REFUSALS = {
    "period end before start": (
        {"start_date": "2030-09-01", "end_date": "2030-08-01"},
        "id_end_date", "Окончание занятий должно быть позже их начала."),
    "group ages reversed": (
        {"age_min": "11", "age_max": "9"},
        "id_age_max", "Возраст «до» не может быть меньше возраста «от»."),
    "group ages outside the program": (
        {"age_min": "7", "age_max": "11"},
        "id_age_min", "Возраст группы должен быть в пределах возраста программы (8–12 лет)."),
    "capacity min above max": (
        {"capacity_min": "15", "capacity_max": "10"},
        "id_capacity_max", "Мест максимум не может быть меньше, чем мест минимум."),
    "enrolment window reversed": (
        {"enrolment_from": "2030-09-15T10:00", "enrolment_to": "2030-09-01T10:00"},
        "id_enrolment_to", "Окончание записи должно быть позже её начала."),
    "second schedule line ends before it starts": (
        {"schedule": [SCHEDULE_OK[0], {**SCHEDULE_OK[1], "time_to": "09:30"}]},
        "id_schedule-1-time_to", "Время окончания должно быть позже времени начала."),
    "lesson longer than its slot, after a blank row": (
        {"schedule": [BLANK_SCHEDULE, SCHEDULE_OK[0], {**SCHEDULE_OK[1], "lesson_minutes": "90"}]},
        "id_schedule-2-lesson_minutes", "Занятие длиннее, чем отведённое время."),
    "schedule line without weekdays": (
        {"schedule": [{**SCHEDULE_OK[0], "weekdays": []}]},
        "id_schedule-0-weekdays", "Выберите хотя бы один день недели."),
    "budget with a price": (
        {"funding": [FUNDING_OK[0], {"source": FundingSource.BUDGET, "monthly_price": "300",
                                     "total_price": "0"}]},
        "id_funding-1-monthly_price", "Обучение за счёт бюджета бесплатно."),
}


@pytest.mark.parametrize("overrides,field_id,message", REFUSALS.values(), ids=REFUSALS.keys())
def test_refused_group_shows_the_error_next_to_its_field_and_saves_nothing(
        staff_client, program_8_12, overrides, field_id, message):
    module = program_8_12.modules.get()
    before = counts()

    response = staff_client.post(reverse("registry:group_create", args=[module.pk]),
                                 group_post(**overrides))

    assert response.status_code == 200
    error_next_to(response, field_id, message)
    assert counts() == before


def test_duplicate_funding_source_is_refused_above_the_funding_rows(staff_client, program_8_12):
    module = program_8_12.modules.get()
    before = counts()

    response = staff_client.post(reverse("registry:group_create", args=[module.pk]), group_post(
        funding=[FUNDING_OK[0], {**FUNDING_OK[0], "monthly_price": "900"}]))

    assert response.status_code == 200
    funding = dict((k, fs) for k, fs, *_ in response.context["line_formsets"])["funding"]
    assert funding.non_form_errors() == ["Источник финансирования указан дважды."]
    html = response.content.decode()
    rows_start = html.index('id="funding-rows"')
    assert html.index("Источник финансирования указан дважды.") < rows_start
    assert counts() == before


def test_group_without_funding_is_refused(staff_client, program_8_12):
    module = program_8_12.modules.get()

    response = staff_client.post(reverse("registry:group_create", args=[module.pk]),
                                 group_post(funding=[None, None]))

    assert "Укажите хотя бы один источник финансирования." in response.content.decode()
    assert Group.objects.count() == 0


def test_refused_edit_keeps_the_group_and_its_lines(staff_client, program_8_12):
    group = f.group(program_8_12, name="Как было")
    before = [(s.time_from, s.time_to) for s in group.schedule.all()]

    response = staff_client.post(reverse("registry:group_edit", args=[group.pk]), group_post(
        name="Как стало", schedule=[{**SCHEDULE_OK[0], "time_to": "14:00"}], schedule_initial=1))

    error_next_to(response, "id_schedule-0-time_to", "Время окончания должно быть позже времени начала.")
    assert "Исправьте ошибки, отмеченные ниже." in response.content.decode()  # at the top, too
    assert "<h1>Группа «Как было»</h1>" in response.content.decode()
    group.refresh_from_db()
    assert group.name == "Как было"
    assert [(s.time_from, s.time_to) for s in group.schedule.all()] == before
    assert [x.source for x in group.funding.all()] == [FundingSource.BUDGET]


def test_teacher_of_another_organization_cannot_be_put_in_a_group(
        staff_client, program_8_12, other_provider):
    stranger = f.teacher(other_provider)
    module = program_8_12.modules.get()

    response = staff_client.post(reverse("registry:group_create", args=[module.pk]),
                                 group_post(teachers=[str(stranger.pk)]))

    assert "teachers" in response.context["form"].errors
    assert Group.objects.count() == 0


def test_staff_delete_a_group(staff_client, program):
    group = f.group(program)

    response = staff_client.post(reverse("registry:group_delete", args=[group.pk]))

    assert response["Location"] == reverse("registry:program_groups", args=[program.pk])
    assert not Group.objects.filter(pk=group.pk).exists()


def test_groups_page_lists_modules_and_groups(staff_client, provider, program):
    teacher = f.teacher(provider, last_name="Смирнова", first_name="Анна", patronymic="Ивановна")
    group = f.group(program, name="Вечерняя")
    group.teachers.add(teacher)

    html = staff_client.get(reverse("registry:program_groups", args=[program.pk])).content.decode()

    assert "Вечерняя" in html
    assert "Пн, Ср 15:00–16:30" in html
    assert "Бюджет (бесплатно)" in html
    assert "Смирнова А.И." in html
    assert reverse("registry:group_edit", args=[group.pk]) in html


@pytest.mark.parametrize("groups", [3, 30])
def test_groups_page_query_count_does_not_grow_with_groups(staff_client, provider, program, groups,
                                                           django_assert_max_num_queries):
    teacher = f.teacher(provider)
    for _ in range(groups):
        f.group(program).teachers.add(teacher)

    with django_assert_max_num_queries(9):
        response = staff_client.get(reverse("registry:program_groups", args=[program.pk]))

    assert response.content.decode().count("Да, удалить группу") == groups


def test_add_row_returns_the_next_blank_row_and_the_new_total(staff_client):
    response = staff_client.get(reverse("registry:group_row", args=["funding"]),
                                {"funding-TOTAL_FORMS": "3"})

    html = response.content.decode()
    assert 'name="funding-3-source"' in html
    assert "Источник финансирования 4" in html
    assert ('<input type="hidden" name="funding-TOTAL_FORMS" value="4" '
            'id="id_funding-TOTAL_FORMS" hx-swap-oob="true">') in html


# --- teachers ------------------------------------------------------------------------------


def test_staff_add_and_edit_a_teacher(staff_client, provider):
    staff_client.post(reverse("registry:teacher_create"), {
        "last_name": "Орлова", "first_name": "Нина", "patronymic": "Сергеевна",
        "position": "Педагог дополнительного образования",
        "education": TeacherEducation.HIGHER_PEDAGOGICAL,
        "category": QualificationCategory.FIRST, "is_active": "on"})
    teacher = Teacher.objects.get()
    assert (teacher.organization, teacher.full_name, teacher.education, teacher.category) == (
        provider, "Орлова Нина Сергеевна", TeacherEducation.HIGHER_PEDAGOGICAL,
        QualificationCategory.FIRST)

    staff_client.post(reverse("registry:teacher_edit", args=[teacher.pk]), {
        "last_name": "Орлова", "first_name": "Нина", "patronymic": "", "position": "Методист",
        "education": TeacherEducation.HIGHER, "category": QualificationCategory.HIGHEST})
    teacher.refresh_from_db()
    assert (teacher.patronymic, teacher.position, teacher.category, teacher.is_active) == (
        "", "Методист", QualificationCategory.HIGHEST, False)


def test_teacher_list_shows_only_own_teachers(staff_client, provider, other_provider):
    f.teacher(provider, last_name="Своя")
    f.teacher(other_provider, last_name="Чужая")

    response = staff_client.get(reverse("registry:teachers"))

    assert [t.last_name for t in response.context["page"]] == ["Своя"]


@pytest.mark.parametrize("teachers", [3, 30])
def test_teacher_list_query_count_is_fixed(staff_client, provider, teachers,
                                           django_assert_max_num_queries):
    for _ in range(teachers):
        f.teacher(provider)
    with django_assert_max_num_queries(5):
        staff_client.get(reverse("registry:teachers"))


def test_a_group_with_applications_cannot_be_deleted(staff, provider):
    from opora.enrollment import children
    from opora.enrollment import services as enrolment
    from opora.errors import InvalidTransition
    from opora.registry import services
    from tests.enrollment.conftest import child_data, open_group

    program = f.program(provider, status="published")
    group = open_group(program)
    parent = f.user("parent", municipality=provider.municipality)
    child, _ = children.register_child(parent, child_data(provider.municipality), consent=True)
    enrolment.submit_application(parent, child, group)

    with pytest.raises(InvalidTransition):
        services.delete_group(staff, group)
    assert type(group).objects.filter(pk=group.pk).exists()
