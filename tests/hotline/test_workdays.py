"""The deadline in working days, on the pure seam and on the seeded production calendar."""

import datetime as dt

import pytest

from opora.hotline import services, workdays
from opora.hotline.models import CalendarDay

D = dt.date


def test_three_working_days_after_a_friday_end_on_wednesday():
    assert workdays.add_working_days(D(2026, 10, 16), 3) == D(2026, 10, 21)


def test_a_question_of_a_saturday_counts_from_monday():
    assert workdays.add_working_days(D(2026, 10, 17), 1) == D(2026, 10, 19)


def test_a_holiday_is_skipped_and_a_worked_saturday_counts():
    days_off = {D(2026, 11, 4)}
    assert workdays.add_working_days(D(2026, 11, 2), 3, days_off) == D(2026, 11, 6)
    assert workdays.add_working_days(D(2026, 11, 6), 1, (), {D(2026, 11, 7)}) == D(2026, 11, 7)


def test_zero_days_is_the_same_day_and_negative_is_refused():
    assert workdays.add_working_days(D(2026, 3, 3), 0) == D(2026, 3, 3)
    with pytest.raises(ValueError):
        workdays.add_working_days(D(2026, 3, 3), -1)


def test_working_days_between_counts_what_add_adds():
    for start in (D(2026, 12, 25) + dt.timedelta(days=i) for i in range(20)):
        for n in range(0, 8):
            end = workdays.add_working_days(start, n, {D(2027, 1, 1)})
            assert workdays.working_days_between(start, end, {D(2027, 1, 1)}) == n


@pytest.mark.django_db
def test_seeded_calendar_carries_the_deadline_over_the_new_year_holidays():
    # Tuesday 29 December 2026 + 3 working days: 30 Dec, then 31 Dec and 1–10 Jan are off
    assert CalendarDay.objects.filter(date=D(2026, 12, 31), is_working=False).exists()
    assert services.deadline_for("certificate", D(2026, 12, 29)) == D(2027, 1, 12)


@pytest.mark.django_db
def test_seeded_calendar_moves_the_may_holidays_of_2026():
    # Thursday 30 April + 3: 1 May (Fri) and 11 May (Mon) are off, 9–10 May a weekend
    assert services.deadline_for("other", D(2026, 4, 30)) == D(2026, 5, 6)
    assert services.deadline_for("other", D(2026, 5, 8)) == D(2026, 5, 14)
