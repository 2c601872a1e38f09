"""The pure rules: age on a reference date, identity of a child, and every gate with
its message. No database."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from opora.enrollment import rules

NOW = dt.datetime(2026, 8, 20, 12, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 8, 20)


# --- age_on --------------------------------------------------------------------------


def test_age_increases_on_the_birthday_itself():
    assert rules.age_on(dt.date(2015, 9, 1), dt.date(2025, 8, 31)) == 9
    assert rules.age_on(dt.date(2015, 9, 1), dt.date(2025, 9, 1)) == 10


def test_leap_day_child_turns_older_on_first_of_march_in_common_years():
    leap_born = dt.date(2016, 2, 29)
    assert rules.age_on(leap_born, dt.date(2025, 2, 28)) == 8
    assert rules.age_on(leap_born, dt.date(2025, 3, 1)) == 9
    assert rules.age_on(leap_born, dt.date(2024, 2, 29)) == 8
    assert rules.age_on(leap_born, dt.date(2024, 2, 28)) == 7


def _anniversary(birth: dt.date, years: int) -> dt.date:
    """The day a person has lived ``years`` full years (29 February → 1 March)."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return dt.date(birth.year + years, 3, 1)


dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31))


@given(birth=dates, days=st.integers(min_value=0, max_value=366 * 25))
def test_age_is_the_number_of_anniversaries_passed(birth, days):
    on = birth + dt.timedelta(days=days)
    age = rules.age_on(birth, on)
    assert _anniversary(birth, age) <= on < _anniversary(birth, age + 1)


@given(birth=dates, a=st.integers(0, 9000), b=st.integers(0, 9000))
def test_age_never_decreases_with_time(birth, a, b):
    first, second = sorted((a, b))
    assert rules.age_on(birth, birth + dt.timedelta(days=first)) <= rules.age_on(
        birth, birth + dt.timedelta(days=second))


@given(birth=dates, years=st.integers(0, 20))
def test_age_on_the_anniversary_is_exact_and_a_day_before_one_less(birth, years):
    day = _anniversary(birth, years)
    assert rules.age_on(birth, day) == years
    if years:
        assert rules.age_on(birth, day - dt.timedelta(days=1)) == years - 1


@pytest.mark.parametrize(("start", "reference", "expected"), [
    (dt.date(2026, 9, 15), "group_start", dt.date(2026, 9, 15)),
    (dt.date(2026, 9, 15), "school_year_start", dt.date(2026, 9, 1)),
    (dt.date(2027, 1, 10), "school_year_start", dt.date(2026, 9, 1)),
    (dt.date(2026, 9, 1), "school_year_start", dt.date(2026, 9, 1)),
    (dt.date(2026, 8, 31), "school_year_start", dt.date(2025, 9, 1)),
])
def test_reference_date(start, reference, expected):
    assert rules.reference_date(start, reference) == expected


def test_unknown_reference_is_a_programming_error():
    with pytest.raises(ValueError):
        rules.reference_date(dt.date(2026, 9, 1), "birthday")


@pytest.mark.parametrize(("n", "text"), [(1, "1 год"), (2, "2 года"), (4, "4 года"), (5, "5 лет"),
                                         (11, "11 лет"), (12, "12 лет"), (14, "14 лет"),
                                         (18, "18 лет"), (21, "21 год"), (22, "22 года")])
def test_years_in_russian(n, text):
    assert rules.years(n) == text


# --- identity ------------------------------------------------------------------------


def test_identity_ignores_case_yo_and_spaces():
    birth = dt.date(2015, 3, 1)
    typed = rules.identity_key("  СЕМЁНОВ ", "Пётр", "Алексеевич  ", birth)
    assert typed == "семенов|петр|алексеевич|2015-03-01"
    assert rules.identity_key("семенов", "ПЕТР", "алексеевич", birth) == typed
    assert rules.identity_key("Петрова -  Водкина", "Анна Мария", "", birth) == \
        "петрова-водкина|анна мария||2015-03-01"


def test_identity_differs_by_birth_date_and_patronymic():
    key = rules.identity_key("Иванов", "Иван", "Иванович", dt.date(2015, 3, 1))
    assert key != rules.identity_key("Иванов", "Иван", "Иванович", dt.date(2015, 3, 2))
    assert key != rules.identity_key("Иванов", "Иван", "Петрович", dt.date(2015, 3, 1))


def test_snils_is_normalized_to_eleven_digits_or_refused():
    assert rules.normalize_snils(" 112-233-445 95 ") == "11223344595"
    assert rules.normalize_snils("") == ""
    with pytest.raises(ValueError, match="Неверная контрольная сумма СНИЛС"):
        rules.normalize_snils("112-233-445 96")
    with pytest.raises(ValueError, match="11 цифр"):
        rules.normalize_snils("12345")


# --- gates ---------------------------------------------------------------------------


def facts(**kw):
    values = dict(program_published=True, organization_active=True, is_active=True,
                  enrolment_open=True, enrolment_from=NOW - dt.timedelta(days=1),
                  enrolment_to=NOW + dt.timedelta(days=10), start_date=dt.date(2026, 9, 1),
                  end_date=dt.date(2027, 5, 31), age_min=7, age_max=10, has_schedule=True)
    values.update(kw)
    return rules.GroupFacts(**values)


def codes(group=None, birth=dt.date(2017, 1, 1), **kw):
    return [r.code for r in rules.refusals(group or facts(), birth, now=NOW, today=TODAY, **kw)]


def test_an_eligible_child_meets_no_gate():
    assert codes() == []


@pytest.mark.parametrize(("change", "code", "message"), [
    ({"program_published": False}, "program_not_published",
     "Программа не опубликована в навигаторе: запись на неё недоступна."),
    ({"organization_active": False}, "organization_inactive",
     "Организация сейчас не принимает заявки."),
    ({"is_active": False}, "group_inactive", "Группа не набирается."),
    ({"enrolment_open": False}, "enrolment_switched_off", "Запись в эту группу закрыта."),
    ({"end_date": TODAY - dt.timedelta(days=1), "start_date": dt.date(2025, 9, 1)},
     "group_finished", "Занятия в этой группе уже закончились."),
    ({"has_schedule": False}, "no_schedule",
     "У группы ещё нет расписания: запись откроется, когда организация его заполнит."),
])
def test_each_gate_refuses_with_its_message(change, code, message):
    refused = rules.refusals(facts(**change), dt.date(2017, 1, 1), now=NOW, today=TODAY)
    assert [(r.code, r.message) for r in refused] == [(code, message)]


def test_opening_moment_not_reached_names_the_moment():
    with timezone.override("Europe/Moscow"):
        refused = rules.refusals(facts(enrolment_from=dt.datetime(2026, 9, 1, 6, 0, tzinfo=dt.UTC)),
                                 dt.date(2017, 1, 1), now=NOW, today=TODAY)
    assert [(r.code, r.message) for r in refused] == [
        ("enrolment_not_started", "Запись в группу откроется 1 сентября 2026, 09:00.")]


def test_opening_moment_itself_lets_applications_in():
    assert codes(facts(enrolment_from=NOW)) == []
    assert codes(facts(enrolment_to=NOW)) == ["enrolment_finished"]


def test_no_window_means_open_while_the_switch_is_on():
    assert codes(facts(enrolment_from=None, enrolment_to=None)) == []


def test_group_that_runs_today_or_later_is_open_for_applications():
    assert codes(facts(start_date=dt.date(2025, 9, 1), end_date=TODAY)) == []


def test_age_gate_uses_the_group_start_and_names_the_ages():
    # born 2 September 2016: 9 on 1 September 2026, 10 a day later
    refused = rules.refusals(facts(age_min=10, age_max=12), dt.date(2016, 9, 2), now=NOW,
                             today=TODAY)
    assert [(r.code, r.message) for r in refused] == [(
        "age_outside",
        "На 1 сентября 2026 ребёнку будет 9 лет, а в группу принимают детей от 10 лет до 12 лет.")]
    assert codes(facts(age_min=10, age_max=12, start_date=dt.date(2026, 9, 2)),
                 birth=dt.date(2016, 9, 2)) == []


def test_age_gate_with_school_year_reference():
    group = facts(age_min=10, age_max=12, start_date=dt.date(2026, 10, 1))
    assert codes(group, birth=dt.date(2016, 9, 15)) == []
    assert codes(group, birth=dt.date(2016, 9, 15), age_reference="school_year_start") == [
        "age_outside"]


def test_child_older_than_the_range_is_refused():
    assert codes(facts(age_min=7, age_max=10), birth=dt.date(2015, 1, 1)) == ["age_outside"]


def test_live_application_and_municipal_limit():
    assert codes(has_live_application=True) == ["already_applied"]
    assert rules.already_applied(True) == "Заявка этого ребёнка в эту группу уже подана."
    assert codes(live_applications=2, live_limit=3) == []
    assert codes(live_applications=3, live_limit=3) == ["too_many_applications"]
    assert codes(live_applications=30, live_limit=None) == []
    assert rules.too_many_applications(3, 3) == (
        "Одновременно можно подать не больше 3 заявок на ребёнка: отзовите одну из поданных, "
        "чтобы подать новую.")

