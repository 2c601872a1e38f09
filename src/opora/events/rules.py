"""The rules of a registration for an event as plain functions (no database): each returns
the Russian refusal or nothing, so pages can explain a refusal before the parent tries."""

import datetime as dt
import secrets

from django.utils.translation import gettext as _

from opora.enrollment.rules import age_on

# Letters and digits that cannot be mistaken for each other on paper (no 0/O, 1/I/L).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16  # 31**16 ≈ 7·10^23 codes: not guessable by trying


def new_diploma_code() -> str:
    """An unguessable verification code «XXXX-XXXX-XXXX-XXXX» from the system's CSPRNG."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def normalized_code(typed: str) -> str:
    """What a person typed, as the stored code: upper case, dashes where they belong."""
    raw = "".join(c for c in (typed or "").upper() if c.isalnum())
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def window_refusal(opens: dt.datetime, closes: dt.datetime, now: dt.datetime) -> str | None:
    if now < opens:
        return _("Запись на мероприятие ещё не открыта.")
    if now > closes:
        return _("Запись на мероприятие закрыта.")
    return None


def age_refusal(birth_date: dt.date, age_from: int, age_to: int, on: dt.date) -> str | None:
    """The child must be ``age_from``…``age_to`` full years old on the event's date."""
    age = age_on(birth_date, on)
    if age < age_from or age > age_to:
        return _("Мероприятие для детей от %(lo)s до %(hi)s лет, а ребёнку в день мероприятия "
                 "будет %(age)s.") % {"lo": age_from, "hi": age_to, "age": age}
    return None


def category_refusal(birth_date: dt.date, category, on: dt.date) -> str | None:
    if category is None:
        return None
    age = age_on(birth_date, on)
    if age < category.age_from or age > category.age_to:
        return _("Ребёнок не подходит по возрасту в категорию «%(title)s».") % {"title": category.title}
    return None
