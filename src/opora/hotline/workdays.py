"""Working days, a pure seam: the answer deadline of a hotline question is counted in
working days of the Russian production calendar (docs/domain.md, «Горячая линия»).

A day is working when it is Monday to Friday, unless the calendar names it a day off (a
public holiday or a day off moved from a weekend), or a Saturday or Sunday that the
calendar names a working day (a moved working day). The calendar's exceptions are data
(``CalendarDay``), passed in here as two sets, so the rule is tested without a database.
"""

import datetime as dt
from collections.abc import Collection

MAX_DAYS = 366 * 2  # a deadline never runs further than this; guards against an all-off calendar


def is_working(day: dt.date, days_off: Collection[dt.date] = (),
               working_weekends: Collection[dt.date] = ()) -> bool:
    if day in days_off:
        return False
    if day.weekday() >= 5:
        return day in working_weekends
    return True


def add_working_days(start: dt.date, count: int, days_off: Collection[dt.date] = (),
                     working_weekends: Collection[dt.date] = ()) -> dt.date:
    """The ``count``-th working day after ``start`` (the day a question came does not
    count, whether it was working or not); ``start`` itself for a count of zero."""
    if count < 0:
        raise ValueError("count must not be negative")
    day, left = start, count
    for _step in range(MAX_DAYS):
        if left == 0:
            return day
        day += dt.timedelta(days=1)
        if is_working(day, days_off, working_weekends):
            left -= 1
    raise ValueError("the calendar has no working days ahead")


def working_days_between(start: dt.date, end: dt.date, days_off: Collection[dt.date] = (),
                         working_weekends: Collection[dt.date] = ()) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not later)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_working(day, days_off, working_weekends)
    return count
