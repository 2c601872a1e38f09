"""Rules a registry row checks itself (``clean``) and the database enforces (constraints)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from opora.registry.choices import Direction, FundingSource, Level, OvzKind, Weekday
from opora.registry.models import (
    Group,
    GroupFunding,
    Organization,
    Program,
    ScheduleLine,
    Specialisation,
)
from tests import factories as f


def _errors(instance) -> dict:
    with pytest.raises(ValidationError) as error:
        instance.full_clean()
    return error.value.message_dict


def _refused_by_database(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


# --- programs ---------------------------------------------------------------------------


def _program(provider, **kw) -> Program:
    """An unsaved, otherwise valid program."""
    fields = dict(title="Шахматы", direction=Direction.SPORTS, levels=int(Level.START),
                  age_min=7, age_max=14, duration_months=9, hours_total=72,
                  description="Дебюты, миттельшпиль, эндшпиль.")
    return Program(organization=provider, **{**fields, **kw})


def test_valid_program_passes_its_checks(provider):
    _program(provider, age_min=10, age_max=10).full_clean()


def test_program_age_from_above_age_to_is_refused(provider):
    assert _errors(_program(provider, age_min=15, age_max=10)) == {
        "age_max": ["Возраст «до» не может быть меньше возраста «от»."]}
    _refused_by_database(lambda: f.program(provider, age_min=15, age_max=10))
    assert not Program.objects.exists()


@pytest.mark.parametrize(("age_min", "age_max", "field", "message"), [
    (2, 10, "age_min", "Убедитесь, что это значение больше либо равно 3."),
    (7, 19, "age_max", "Убедитесь, что это значение меньше либо равно 18."),
])
def test_program_ages_stay_within_3_to_18(provider, age_min, age_max, field, message):
    assert _errors(_program(provider, age_min=age_min, age_max=age_max)) == {field: [message]}


def test_program_group_size_from_above_to_is_refused(provider):
    assert _errors(_program(provider, group_size_min=20, group_size_max=10)) == {
        "group_size_max": ["Наполняемость «до» не может быть меньше наполняемости «от»."]}
    _refused_by_database(lambda: f.program(provider, group_size_min=20, group_size_max=10))


def test_program_needs_a_level(provider):
    assert _errors(_program(provider, levels=0)) == {
        "levels": ["Укажите хотя бы один уровень программы."]}


def test_program_levels_outside_the_list_are_refused(provider):
    assert _errors(_program(provider, levels=8)) == {"levels": ["Недопустимое значение."]}


def test_specialisation_must_belong_to_the_direction(provider):
    robotics = Specialisation.objects.get(direction=Direction.TECHNICAL, name="Робототехника")

    assert _errors(_program(provider, direction=Direction.SPORTS, specialisation=robotics)) == {
        "specialisation": ["Специализация не относится к выбранной направленности."]}
    _program(provider, direction=Direction.TECHNICAL, specialisation=robotics).full_clean()


# --- groups -----------------------------------------------------------------------------


def _group(program, **kw) -> Group:
    fields = dict(name="Группа 1", start_date=dt.date(2026, 9, 1), end_date=dt.date(2027, 5, 31),
                  hours_per_year=72, capacity_min=5, capacity_max=15, age_min=8, age_max=12)
    return Group(module=program.modules.get(), **{**fields, **kw})


def test_valid_group_passes_its_checks(program):
    _group(program, age_min=7, age_max=14).full_clean()


@pytest.mark.parametrize("end", [dt.date(2026, 9, 1), dt.date(2026, 8, 31)])
def test_group_must_end_after_it_starts(program, end):
    assert _errors(_group(program, end_date=end)) == {
        "end_date": ["Окончание занятий должно быть позже их начала."]}
    _refused_by_database(lambda: f.group(program, start_date=dt.date(2026, 9, 1), end_date=end))
    assert not Group.objects.exists()


@pytest.mark.parametrize(("age_min", "age_max"), [(6, 12), (8, 15), (5, 16)])
def test_group_ages_stay_within_the_programs(program, age_min, age_max):
    assert _errors(_group(program, age_min=age_min, age_max=age_max)) == {
        "age_min": ["Возраст группы должен быть в пределах возраста программы (7–14 лет)."]}


def test_group_age_from_above_age_to_is_refused(program):
    assert _errors(_group(program, age_min=12, age_max=9)) == {
        "age_max": ["Возраст «до» не может быть меньше возраста «от»."]}
    _refused_by_database(lambda: f.group(program, age_min=12, age_max=9))


def test_group_capacity_minimum_above_maximum_is_refused(program):
    assert _errors(_group(program, capacity_min=16, capacity_max=15)) == {
        "capacity_max": ["Мест максимум не может быть меньше, чем мест минимум."]}
    _refused_by_database(lambda: f.group(program, capacity_min=16, capacity_max=15))


def test_group_enrolment_must_close_after_it_opens(program):
    opens = dt.datetime(2026, 8, 25, 9, 0, tzinfo=dt.UTC)

    assert _errors(_group(program, enrolment_from=opens, enrolment_to=opens)) == {
        "enrolment_to": ["Окончание записи должно быть позже её начала."]}
    assert _errors(_group(program, next_year_enrolment_from=opens,
                          next_year_enrolment_to=opens - dt.timedelta(days=1))) == {
        "next_year_enrolment_to": ["Окончание записи должно быть позже её начала."]}
    _refused_by_database(lambda: f.group(program, enrolment_from=opens, enrolment_to=opens))


# --- schedule ---------------------------------------------------------------------------


@pytest.fixture
def group(program):
    return f.group(program)


def _line(group, **kw) -> ScheduleLine:
    fields = dict(weekdays=Weekday.TUE | Weekday.THU, time_from=dt.time(16, 0),
                  time_to=dt.time(17, 30), lesson_minutes=45, break_minutes=10)
    return ScheduleLine(group=group, **{**fields, **kw})


def test_valid_schedule_line_passes_its_checks(group):
    _line(group, time_to=dt.time(16, 45), lesson_minutes=45).full_clean()


@pytest.mark.parametrize("time_to", [dt.time(16, 0), dt.time(15, 0)])
def test_lesson_must_end_after_it_starts(group, time_to):
    assert _errors(_line(group, time_to=time_to)) == {
        "time_to": ["Время окончания должно быть позже времени начала."]}
    _refused_by_database(lambda: _line(group, time_to=time_to).save())


def test_lesson_cannot_be_longer_than_its_time(group):
    assert _errors(_line(group, time_to=dt.time(16, 40), lesson_minutes=45)) == {
        "lesson_minutes": ["Занятие длиннее, чем отведённое время."]}


def test_schedule_line_needs_a_weekday(group):
    assert _errors(_line(group, weekdays=0))["weekdays"] == ["Выберите хотя бы один день недели."]
    _refused_by_database(lambda: _line(group, weekdays=0).save())


def test_weekday_labels_read_in_week_order(group):
    line = _line(group, weekdays=Weekday.SAT | Weekday.MON)

    assert line.weekday_labels == "Пн, Сб"
    assert str(line) == "Пн, Сб 16:00–17:30"


# --- funding ----------------------------------------------------------------------------


def test_budget_funding_must_be_free(group):
    group.funding.all().delete()  # the factory's group comes budget-funded
    paid_budget = GroupFunding(group=group, source=FundingSource.BUDGET,
                               monthly_price=Decimal("500.00"))

    assert _errors(paid_budget) == {"monthly_price": ["Обучение за счёт бюджета бесплатно."]}
    _refused_by_database(paid_budget.save)
    _refused_by_database(lambda: GroupFunding.objects.create(
        group=group, source=FundingSource.BUDGET, total_price=Decimal("0.01")))
    assert not group.funding.exists()


def test_certificate_funding_has_its_price(group):
    line = GroupFunding(group=group, source=FundingSource.CERTIFICATE,
                        monthly_price=Decimal("1250.50"), total_price=Decimal("11254.50"))
    line.full_clean()
    line.save()

    line.refresh_from_db()
    assert (line.monthly_price, line.total_price) == (Decimal("1250.50"), Decimal("11254.50"))


def test_group_names_each_funding_source_once(group):
    # the factory's group is already budget-funded
    _refused_by_database(lambda: GroupFunding.objects.create(group=group,
                                                             source=FundingSource.BUDGET))


def test_negative_price_is_refused(group):
    line = GroupFunding(group=group, source=FundingSource.PAID, monthly_price=Decimal("-1"))

    assert list(_errors(line)) == ["monthly_price"]
    _refused_by_database(lambda: GroupFunding.objects.create(
        group=group, source=FundingSource.PAID, monthly_price=Decimal("-1")))


# --- organizations ----------------------------------------------------------------------


def test_one_support_centre_per_municipality(city, district):
    f.organization(city, is_support_centre=True)

    _refused_by_database(lambda: f.organization(city, is_support_centre=True))
    f.organization(district, is_support_centre=True)
    f.organization(city)  # ordinary providers are not limited
    assert Organization.objects.filter(municipality=city, is_support_centre=True).count() == 1


# --- flags ------------------------------------------------------------------------------


@pytest.fixture
def levelled(provider):
    return {
        "start": f.program(provider, title="Старт", levels=Level.START),
        "base_advanced": f.program(provider, title="База и углублённый",
                                   levels=Level.BASE | Level.ADVANCED),
        "all": f.program(provider, title="Разноуровневая",
                         levels=Level.START | Level.BASE | Level.ADVANCED),
    }


def _titles(queryset):
    return sorted(queryset.values_list("title", flat=True))


def test_hasflag_finds_programs_holding_a_level(levelled):
    assert _titles(Program.objects.filter(levels__hasflag=Level.BASE)) == [
        "База и углублённый", "Разноуровневая"]
    assert _titles(Program.objects.filter(levels__hasflag=Level.START)) == [
        "Разноуровневая", "Старт"]


def test_hasflag_with_several_bits_means_any_of_them(levelled):
    assert _titles(Program.objects.filter(levels__hasflag=Level.START | Level.ADVANCED)) == [
        "База и углублённый", "Разноуровневая", "Старт"]
    assert _titles(Program.objects.exclude(levels__hasflag=Level.ADVANCED)) == ["Старт"]


def test_hasflag_on_an_empty_set_matches_nothing(provider):
    f.program(provider, title="Для всех")
    f.program(provider, title="Для слабослышащих", ovz_kinds=OvzKind.HARD_OF_HEARING)

    assert _titles(Program.objects.filter(ovz_kinds__hasflag=OvzKind.HARD_OF_HEARING)) == [
        "Для слабослышащих"]
    assert _titles(Program.objects.filter(ovz_kinds__hasflag=OvzKind.DEAF)) == []


def test_labels_of_lists_members_in_declared_order():
    assert Level.labels_of(Level.ADVANCED | Level.START) == [
        "Стартовый (ознакомительный)", "Продвинутый (углублённый)"]
    assert Level.labels_of(0) == []
    assert Level.members_of(6) == [Level.BASE, Level.ADVANCED]
    assert Level.combine(["1", 4]) == 5
    assert Level.choices() == [(1, "Стартовый (ознакомительный)"), (2, "Базовый"),
                               (4, "Продвинутый (углублённый)")]


def test_program_shows_its_flags_as_labels(provider):
    program = f.program(provider, levels=Level.BASE, ovz_kinds=OvzKind.SPEECH | OvzKind.BLIND)

    assert program.level_labels == ["Базовый"]
    assert program.ovz_labels == ["Слепые", "Нарушения речи"]
    assert program.register_labels == []
