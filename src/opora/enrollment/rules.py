"""The exact rules of enrolment as plain functions with no database.

Each gate takes plain values and returns the Russian refusal message, or None when
the application may go on. ``refusals`` runs them all in the order a parent would
want to hear them; services raise the first, pages may show them all before
offering the «Записаться» button. ``age_on`` and ``identity_key`` are the two
computations that must agree everywhere (services, selectors, set-based checks).
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opora.registry.validators import snils_error

AGE_REFERENCES = ("group_start", "school_year_start")


# --- identity ------------------------------------------------------------------------


def normalize_name(value: str) -> str:
    """A name part as identity compares it: case-folded, ё = е, single spaces, no
    spaces around hyphens («Петрова - Водкина» = «петрова-водкина»)."""
    value = " ".join((value or "").casefold().replace("ё", "е").split())
    return re.sub(r"\s*-\s*", "-", value)


def identity_key(last_name: str, first_name: str, patronymic: str, birth_date: dt.date) -> str:
    """«фамилия|имя|отчество|ГГГГ-ММ-ДД»: the identity of a child without a СНИЛС."""
    parts = [normalize_name(last_name), normalize_name(first_name), normalize_name(patronymic)]
    return "|".join(parts + [birth_date.isoformat()])


def normalize_snils(value: str) -> str:
    """The 11 digits of a СНИЛС written with or without «-» and spaces; "" for nothing.
    Raises ValueError with the Russian message when the number is not valid."""
    value = (value or "").strip()
    if not value:
        return ""
    error = snils_error(value)
    if error:
        raise ValueError(error)
    return "".join(c for c in value if c.isdigit())


# --- age -----------------------------------------------------------------------------


def age_on(birth_date: dt.date, on_date: dt.date) -> int:
    """Full years of a person born on ``birth_date`` on ``on_date``. Someone born on
    29 February turns a year older on 1 March in common years: a full year has not
    passed on 28 February (docs/decisions.md, «Age on a reference date»)."""
    before_birthday = (on_date.month, on_date.day) < (birth_date.month, birth_date.day)
    return on_date.year - birth_date.year - int(before_birthday)


def reference_date(group_start: dt.date, reference: str = "group_start") -> dt.date:
    """The date a child's age is taken on: the group's first day, or 1 September of
    the school year the group starts in (``OPORA_AGE_REFERENCE``)."""
    if reference == "group_start":
        return group_start
    if reference == "school_year_start":
        year = group_start.year if group_start.month >= 9 else group_start.year - 1
        return dt.date(year, 9, 1)
    raise ValueError(f"unknown age reference {reference!r}; expected one of {AGE_REFERENCES}")


def years(n: int) -> str:
    """«1 год», «3 года», «11 лет». The Russian source has three plural forms that
    gettext's fallback does not know, so Russian gets its rule here; a translated
    language gets its own plural rule from its catalog."""
    if not (translation.get_language() or "ru").startswith("ru"):
        return ngettext("%(n)s год", "%(n)s лет", n) % {"n": n}
    if n % 10 == 1 and n % 100 != 11:
        return f"{n} год"
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return f"{n} года"
    return f"{n} лет"


# --- gates ---------------------------------------------------------------------------


def _moment(value: dt.datetime) -> str:
    return date_format(timezone.localtime(value), "j E Y, H:i")


def program_not_published(published: bool) -> str | None:
    if not published:
        return _("Программа не опубликована в навигаторе: запись на неё недоступна.")
    return None


def organization_inactive(active: bool) -> str | None:
    if not active:
        return _("Организация сейчас не принимает заявки.")
    return None


def group_inactive(active: bool) -> str | None:
    if not active:
        return _("Группа не набирается.")
    return None


def enrolment_switched_off(enrolment_open: bool) -> str | None:
    if not enrolment_open:
        return _("Запись в эту группу закрыта.")
    return None


def enrolment_not_started(enrolment_from: dt.datetime | None, now: dt.datetime) -> str | None:
    if enrolment_from is not None and now < enrolment_from:
        return _("Запись в группу откроется %(moment)s.") % {"moment": _moment(enrolment_from)}
    return None


def enrolment_finished(enrolment_to: dt.datetime | None, now: dt.datetime) -> str | None:
    if enrolment_to is not None and now >= enrolment_to:
        return _("Запись в группу закончилась %(moment)s.") % {"moment": _moment(enrolment_to)}
    return None


def group_finished(end_date: dt.date, today: dt.date) -> str | None:
    """A group takes applications while its period is current or upcoming."""
    if end_date < today:
        return _("Занятия в этой группе уже закончились.")
    return None


def no_schedule(has_schedule: bool) -> str | None:
    if not has_schedule:
        return _("У группы ещё нет расписания: запись откроется, когда организация его заполнит.")
    return None


def age_outside(birth_date: dt.date, age_min: int, age_max: int, on_date: dt.date) -> str | None:
    age = age_on(birth_date, on_date)
    if age_min <= age <= age_max:
        return None
    return _("На %(date)s ребёнку будет %(age)s, а в группу принимают детей от %(min)s до %(max)s.") % {
        "date": date_format(on_date, "j E Y"), "age": years(age), "min": years(age_min),
        "max": years(age_max),
    }


def already_applied(has_live_application: bool) -> str | None:
    if has_live_application:
        return _("Заявка этого ребёнка в эту группу уже подана.")
    return None


def too_many_applications(live_applications: int, limit: int | None) -> str | None:
    """A municipality may cap the live applications of one child (None: no cap)."""
    if limit is not None and live_applications >= limit:
        return _("Одновременно можно подать не больше %(limit)s заявок на ребёнка: "
                 "отзовите одну из поданных, чтобы подать новую.") % {"limit": limit}
    return None


@dataclass(frozen=True)
class GroupFacts:
    """What the gates need to know about a group, read in one query by the service."""

    program_published: bool
    organization_active: bool
    is_active: bool
    enrolment_open: bool
    enrolment_from: dt.datetime | None
    enrolment_to: dt.datetime | None
    start_date: dt.date
    end_date: dt.date
    age_min: int
    age_max: int
    has_schedule: bool


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


def refusals(group: GroupFacts, birth_date: dt.date, *, now: dt.datetime, today: dt.date,
             age_reference: str = "group_start", has_live_application: bool = False,
             live_applications: int = 0, live_limit: int | None = None) -> list[Refusal]:
    """Every gate an application of a child born on ``birth_date`` to ``group`` fails,
    in order; an empty list means the application may be filed."""
    checks = [
        ("program_not_published", program_not_published(group.program_published)),
        ("organization_inactive", organization_inactive(group.organization_active)),
        ("group_inactive", group_inactive(group.is_active)),
        ("enrolment_switched_off", enrolment_switched_off(group.enrolment_open)),
        ("enrolment_not_started", enrolment_not_started(group.enrolment_from, now)),
        ("enrolment_finished", enrolment_finished(group.enrolment_to, now)),
        ("group_finished", group_finished(group.end_date, today)),
        ("no_schedule", no_schedule(group.has_schedule)),
        ("age_outside", age_outside(birth_date, group.age_min, group.age_max,
                                    reference_date(group.start_date, age_reference))),
        ("already_applied", already_applied(has_live_application)),
        ("too_many_applications", too_many_applications(live_applications, live_limit)),
    ]
    return [Refusal(code, message) for code, message in checks if message]
