"""The deadline parser on every wording plans use, on odd spellings and on nonsense."""

import datetime as dt

import pytest

from opora.plans import deadlines
from opora.plans.deadlines import parse

D = dt.date
YEAR = (D(2026, 1, 1), D(2026, 12, 31))          # a calendar year
SCHOOL = (D(2025, 9, 1), D(2026, 8, 31))         # the school year 2025/2026


@pytest.mark.parametrize(("text", "start", "end"), [
    ("Декабрь", D(2026, 12, 1), D(2026, 12, 31)),
    ("март", D(2026, 3, 1), D(2026, 3, 31)),
    ("  МАРТ. ", D(2026, 3, 1), D(2026, 3, 31)),
    ("в марте", D(2026, 3, 1), D(2026, 3, 31)),
    ("май", D(2026, 5, 1), D(2026, 5, 31)),
    ("Февраль", D(2026, 2, 1), D(2026, 2, 28)),
    ("август 2026 г.", D(2026, 8, 1), D(2026, 8, 31)),
    ("Февраль - март", D(2026, 2, 1), D(2026, 3, 31)),
    ("Сентябрь-декабрь", D(2026, 9, 1), D(2026, 12, 31)),
    ("сентябрь – декабрь", D(2026, 9, 1), D(2026, 12, 31)),
    ("сентябрь\u00a0— декабрь", D(2026, 9, 1), D(2026, 12, 31)),
    ("с февраля по март", D(2026, 2, 1), D(2026, 3, 31)),
    ("до 15 марта", D(2026, 1, 1), D(2026, 3, 15)),
    ("до конца апреля", D(2026, 1, 1), D(2026, 4, 30)),
    ("не позднее 01.03.2026", D(2026, 1, 1), D(2026, 3, 1)),
    ("01.09.2026", D(2026, 9, 1), D(2026, 9, 1)),
    ("1.9.26", D(2026, 9, 1), D(2026, 9, 1)),
    ("01.09.2026 - 31.12.2026", D(2026, 9, 1), D(2026, 12, 31)),
    ("I квартал", D(2026, 1, 1), D(2026, 3, 31)),
    ("4 квартал", D(2026, 10, 1), D(2026, 12, 31)),
])
def test_a_month_a_range_a_limit_or_a_date_in_a_calendar_year(text, start, end):
    deadline = parse(text, *YEAR)

    assert (deadline.starts_on, deadline.ends_on) == (start, end)
    assert deadline.recurrence == deadlines.ONCE
    assert not deadline.unknown and deadline.problem == ""
    assert deadline.text == text.strip()


@pytest.mark.parametrize(("text", "start", "end"), [
    ("октябрь", D(2025, 10, 1), D(2025, 10, 31)),
    ("март", D(2026, 3, 1), D(2026, 3, 31)),
    ("ноябрь - февраль", D(2025, 11, 1), D(2026, 2, 28)),
    ("до 15 марта", D(2025, 9, 1), D(2026, 3, 15)),
    ("Сентябрь-декабрь", D(2025, 9, 1), D(2025, 12, 31)),
])
def test_months_of_a_school_year_belong_to_its_two_calendar_years(text, start, end):
    deadline = parse(text, *SCHOOL)

    assert (deadline.starts_on, deadline.ends_on, deadline.unknown) == (start, end, False)


@pytest.mark.parametrize(("text", "recurrence"), [
    ("ежемесячно", deadlines.MONTHLY),
    ("Ежемесячно.", deadlines.MONTHLY),
    ("1 раз в месяц", deadlines.MONTHLY),
    ("ежеквартально", deadlines.QUARTERLY),
    ("раз в квартал", deadlines.QUARTERLY),
    ("ежегодно", deadlines.YEARLY),
    ("В течение года", deadlines.CONTINUOUS),
    ("в течение учебного года", deadlines.CONTINUOUS),
    ("В течение периода", deadlines.CONTINUOUS),
    ("постоянно", deadlines.CONTINUOUS),
    ("по мере необходимости", deadlines.AS_NEEDED),
    ("По необходимости", deadlines.AS_NEEDED),
])
def test_recurring_and_whole_period_wordings_span_the_period(text, recurrence):
    deadline = parse(text, *YEAR)

    assert (deadline.starts_on, deadline.ends_on) == YEAR
    assert deadline.recurrence == recurrence
    assert not deadline.unknown


def test_monthly_items_are_checked_at_every_months_end():
    points = parse("ежемесячно", *YEAR).checkpoints()

    assert len(points) == 12
    assert points[0] == D(2026, 1, 31) and points[1] == D(2026, 2, 28) and points[-1] == D(2026, 12, 31)


def test_quarterly_items_are_checked_at_the_quarters_of_the_period():
    assert parse("ежеквартально", *YEAR).checkpoints() == [
        D(2026, 3, 31), D(2026, 6, 30), D(2026, 9, 30), D(2026, 12, 31)]
    assert parse("ежеквартально", *SCHOOL).checkpoints() == [
        D(2025, 11, 30), D(2026, 2, 28), D(2026, 5, 31), D(2026, 8, 31)]


def test_other_deadlines_are_checked_at_their_end():
    assert parse("ежегодно", *YEAR).checkpoints() == [D(2026, 12, 31)]
    assert parse("Февраль - март", *YEAR).checkpoints() == [D(2026, 3, 31)]
    assert parse("завтра", *YEAR).checkpoints() == []


@pytest.mark.parametrize("text", [
    "завтра", "asdf", "по согласованию", "февраль -", "- март", "13.13.2026", "31.02.2026",
    "30 февраля", "5 квартал", "в течение", "ежедневно?", "март март", "декабрь - март",
    "Февраль - март; апрель", "<p>март</p>", "0", "12345",
])
def test_nonsense_is_kept_as_text_and_flagged(text):
    deadline = parse(text, *YEAR)

    assert deadline.unknown
    assert deadline.text == text
    assert deadline.starts_on is None and deadline.ends_on is None
    assert deadline.problem


def test_an_empty_deadline_is_flagged_as_missing():
    deadline = parse("   ", *YEAR)

    assert deadline.unknown and deadline.problem == "Срок не указан."


def test_a_deadline_outside_the_period_is_kept_with_a_problem():
    deadline = parse("01.09.2022", *YEAR)

    assert (deadline.starts_on, deadline.unknown) == (D(2022, 9, 1), False)
    assert "выходит за период" in deadline.problem


def test_a_reversed_range_is_flagged():
    deadline = parse("декабрь - март", *YEAR)

    assert deadline.unknown and "окончание раньше начала" in deadline.problem
