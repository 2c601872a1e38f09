"""Deadlines as plans write them, read relative to the plan's period.

``parse(text, period_start, period_end) -> Deadline`` is a pure function. It understands

- a month: «Декабрь», «март», «в марте», «март 2023»;
- a range of months or dates: «Февраль - март», «Сентябрь-декабрь», «сентябрь – декабрь»,
  «с февраля по март», «01.09.2022 - 31.12.2022»;
- recurring work: «ежемесячно», «ежеквартально», «ежегодно» (and «раз в месяц», …);
- the whole period: «В течение года», «В течение учебного года», «В течение периода»,
  «постоянно»; «по мере необходимости»;
- a limit: «до 15 марта», «до конца марта», «не позднее 01.03.2023»;
- a date: «01.09.2022»; a quarter: «I квартал», «2 квартал».

A month without a year belongs to the plan's period: in a school year 2025/2026 «март» is
March 2026 and «октябрь» October 2025. Anything else is kept as text with
``unknown=True`` and a problem in Russian: the operator picks the interval. An interval
that is understood but leaves the period is kept, with a problem.

Recurring deadlines span the whole period and have check points (``checkpoints``): the
end of every month, of every quarter counted from the period's start (a calendar year:
31 March, 30 June, 30 September, 31 December), or the end of the period.
"""

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

ONCE, MONTHLY, QUARTERLY, YEARLY, CONTINUOUS, AS_NEEDED = (
    "once", "monthly", "quarterly", "yearly", "continuous", "as_needed")

MONTHS = [  # (number, pattern of the nominative, genitive and prepositional forms)
    (1, r"январ[ьяе]"), (2, r"феврал[ьяе]"), (3, r"март[ае]?"), (4, r"апрел[ьяе]"),
    (5, r"ма[йяе]"), (6, r"июн[ьяе]"), (7, r"июл[ьяе]"), (8, r"август[ае]?"),
    (9, r"сентябр[ьяе]"), (10, r"октябр[ьяе]"), (11, r"ноябр[ьяе]"), (12, r"декабр[ьяе]"),
]
MONTH = "(?P<month>" + "|".join(f"(?:{pattern})" for _n, pattern in MONTHS) + ")"
YEAR = r"(?:\s+(?P<year>\d{4})(?:\s*(?:г|года|год))?)?"
MONTH_POINT = re.compile(r"(?:в\s+)?(?:(?P<day>\d{1,2})\s+)?" + MONTH + YEAR)
DATE_POINT = re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4}|\d{2})(?:\s*(?:г|года))?")
QUARTER_POINT = re.compile(r"(?P<q>iv|i{1,3}|[1-4])(?:-?й)?\s*квартал[ае]?" + YEAR.replace("year", "qyear"))

RECURRING = [
    (re.compile(r"ежемесячно|(?:1|один)?\s*раз\s+в\s+месяц"), MONTHLY),
    (re.compile(r"ежеквартально|(?:1|один)?\s*раз\s+в\s+квартал"), QUARTERLY),
    (re.compile(r"ежегодно|(?:1|один)?\s*раз\s+в\s+год"), YEARLY),
    (re.compile(r"в\s+течени[ие]\s+(?:всего\s+)?(?:(?:учебного|календарного|текущего)\s+)?"
                r"(?:года|периода|срока)(?:\s+\d{4}(?:/\d{4})?)?|постоянно|весь\s+период"),
     CONTINUOUS),
    (re.compile(r"по\s+(?:мере\s+)?необходимости|по\s+мере\s+(?:поступления|потребности)"),
     AS_NEEDED),
]
LIMIT = re.compile(r"(?:до|не\s+позднее|не\s+позже)\s+(?P<conc>конца\s+)?(?P<rest>.+)")
RANGE = re.compile(r"(?:с\s+)?(?P<left>.+?)\s*(?:-|\s+по\s+)\s*(?P<right>.+)")


@dataclass(frozen=True)
class Deadline:
    text: str
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    recurrence: str = ONCE
    unknown: bool = False
    problem: str = ""

    def checkpoints(self) -> list[dt.date]:
        return checkpoints(self.starts_on, self.ends_on, self.recurrence)

    @property
    def recurrence_label(self):
        from opora.plans.models import Recurrence

        return Recurrence(self.recurrence).label


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: dt.date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def checkpoints(starts_on, ends_on, recurrence) -> list[dt.date]:
    """The dates by which a recurring item is checked: every month's or quarter's end from
    ``starts_on`` to ``ends_on``; otherwise the interval's end alone."""
    if starts_on is None or ends_on is None:
        return []
    step = {MONTHLY: 1, QUARTERLY: 3}.get(recurrence)
    if step is None:
        return [ends_on]
    points = []
    offset = step - 1
    while True:
        year, month = _add_months(starts_on, offset)
        point = _month_end(year, month)
        if point > ends_on:
            break
        points.append(point)
        offset += step
    if not points or points[-1] != ends_on:
        points.append(ends_on)
    return points


def normalise(text: str) -> str:
    text = (text or "").replace("\u00a0", " ").replace("ё", "е").replace("Ё", "Е").lower()
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text.rstrip(".;, ").strip()


def _year_of(month: int, period_start: dt.date) -> int:
    return period_start.year if month >= period_start.month else period_start.year + 1


class _Bad(Exception):
    pass


def _point(text: str, period_start: dt.date) -> tuple[dt.date, dt.date] | None:
    """(first day, last day) of a month, a date or a quarter written alone; None if the
    text is none of them; _Bad if it looks like one but does not exist."""
    match = DATE_POINT.fullmatch(text)
    if match:
        year = int(match["y"])
        year += 2000 if year < 100 else 0
        try:
            day = dt.date(year, int(match["m"]), int(match["d"]))
        except ValueError as error:
            raise _Bad(_("Такой даты нет: «%(text)s».") % {"text": text}) from error
        return day, day
    match = MONTH_POINT.fullmatch(text)
    if match:
        number = next(n for n, pattern in MONTHS if re.fullmatch(pattern, match["month"]))
        year = int(match["year"]) if match["year"] else _year_of(number, period_start)
        if match["day"]:
            try:
                day = dt.date(year, number, int(match["day"]))
            except ValueError as error:
                raise _Bad(_("Такой даты нет: «%(text)s».") % {"text": text}) from error
            return day, day
        return dt.date(year, number, 1), _month_end(year, number)
    match = QUARTER_POINT.fullmatch(text)
    if match:
        quarter = {"i": 1, "ii": 2, "iii": 3, "iv": 4}.get(match["q"]) or int(match["q"])
        first = quarter * 3 - 2
        year = int(match["qyear"]) if match["qyear"] else _year_of(first, period_start)
        return dt.date(year, first, 1), _month_end(year, first + 2)
    return None


def _unknown(text: str, problem: str | None = None) -> Deadline:
    return Deadline(text=text, unknown=True, problem=problem or _(
        "Срок «%(text)s» не распознан: укажите начало и окончание вручную.") % {"text": text})


def parse(text: str, period_start: dt.date, period_end: dt.date) -> Deadline:
    original = (text or "").strip()
    value = normalise(original)
    if not value:
        return Deadline(text="", unknown=True, problem=_("Срок не указан."))
    for pattern, recurrence in RECURRING:
        if pattern.fullmatch(value):
            return Deadline(original, period_start, period_end, recurrence)
    try:
        interval = _interval(value, period_start)
    except _Bad as bad:
        return _unknown(original, str(bad))
    if interval is None:
        return _unknown(original)
    starts_on, ends_on = interval
    if ends_on < starts_on:
        return _unknown(original, _("В сроке «%(text)s» окончание раньше начала.") % {"text": original})
    problem = ""
    if starts_on < period_start or ends_on > period_end:
        problem = _("Срок «%(text)s» выходит за период плана.") % {"text": original}
    return Deadline(original, starts_on, ends_on, ONCE, problem=problem)


def _interval(value: str, period_start: dt.date):
    point = _point(value, period_start)
    if point:
        return point
    match = LIMIT.fullmatch(value)
    if match:
        point = _point(match["rest"], period_start)
        if point is None:
            return None
        limit = point[1]
        return min(period_start, limit), limit
    match = RANGE.fullmatch(value)
    if match:
        left, right = _point(match["left"], period_start), _point(match["right"], period_start)
        if left is None or right is None:
            return None
        # «ноябрь 2025 - февраль»: a month without a year after a dated start follows it
        return left[0], right[1]
    return None
