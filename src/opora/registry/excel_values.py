"""Reading one spreadsheet cell as people actually fill it in.

Excel gives numbers, dates and booleans as Python values when the cell has the
type, and text when it does not: «7», «1 500,50», «01.09.2025», «15.30», «Да».
Each reader takes either and returns the model's value or raises ``CellError``
with a Russian message for the row's error list. Choice labels are compared
case-insensitively, with «ё» = «е», and the internal codes are accepted too.
"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from openpyxl.utils.datetime import from_excel


class CellError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def normalized(value) -> str:
    """Text as compared for matching: collapsed spaces, no case, «ё» read as «е»."""
    return " ".join(str(value).replace("ё", "е").replace("Ё", "Е").split()).casefold()


def text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value).strip()


def integer(value) -> int:
    if isinstance(value, bool):
        raise CellError(_("Введите целое число."))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    cleaned = str(value).replace("\xa0", "").replace(" ", "").strip()
    if re.fullmatch(r"-?\d+([.,]0+)?", cleaned):
        return int(re.split(r"[.,]", cleaned)[0])
    raise CellError(_("Введите целое число."))


def decimal(value) -> Decimal:
    """A sum of money: 1500, 1500.5, «1 500,50», «1500 ₽»."""
    if isinstance(value, bool):
        raise CellError(_("Введите сумму числом, например 1500 или 1500,50."))
    if isinstance(value, float):
        # A float such as 1500.1000000000001 from a formula is meant to be 1500.10.
        exact = Decimal(repr(value))
        rounded = exact.quantize(Decimal("0.01"))
        return rounded if abs(exact - rounded) < Decimal("0.000001") else exact
    if isinstance(value, int):
        return Decimal(value)
    cleaned = re.sub(r"(?i)[\s\xa0]|₽|руб\.?|р\.", "", str(value)).replace(",", ".")
    try:
        result = Decimal(cleaned)
    except InvalidOperation:
        raise CellError(_("Введите сумму числом, например 1500 или 1500,50.")) from None
    if not result.is_finite():
        raise CellError(_("Введите сумму числом, например 1500 или 1500,50."))
    return result


def degrees(value) -> float:
    """A coordinate in decimal degrees: a number, or text with a comma or a dot
    («55,7558», «55.7558», «55,7558°»)."""
    if isinstance(value, bool):
        raise CellError(_("Введите координату числом градусов, например 56,6014 или 56.6014."))
    if isinstance(value, int | float):
        result = float(value)
    else:
        cleaned = re.sub(r"[\s\xa0°]", "", str(value)).replace(",", ".")
        if not re.fullmatch(r"[-+]?\d+(\.\d+)?", cleaned):
            raise CellError(_("Введите координату числом градусов, например 56,6014 или 56.6014."))
        result = float(cleaned)
    if result != result or result in (float("inf"), float("-inf")):
        raise CellError(_("Введите координату числом градусов, например 56,6014 или 56.6014."))
    return result


YES = {"да", "д", "yes", "y", "true", "истина", "1", "+"}
NO = {"нет", "н", "no", "n", "false", "ложь", "0", "-"}


def yes_no(value) -> bool:
    if isinstance(value, bool):
        return value
    word = normalized(text(value))
    if word in YES:
        return True
    if word in NO:
        return False
    raise CellError(_("Введите «да» или «нет»."))


# Excel counts days from 1899-12-30; these serials are the years 1954–2118.
_SERIAL_DATES = range(20000, 80000)


def iso_date(value) -> dt.date:
    """A date: an Excel date, a day number of an unformatted cell, or ДД.ММ.ГГГГ text."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and int(value) in _SERIAL_DATES:
        return from_excel(int(value)).date()
    raw = str(value).strip()
    for pattern in ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise CellError(_("Введите дату в формате ДД.ММ.ГГГГ, например 01.09.2025."))


def time_of_day(value) -> dt.time:
    """A time: an Excel time, a fraction of a day, or ЧЧ:ММ text."""
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, dt.datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, float) and 0 <= value < 1:
        minutes = round(value * 24 * 60)
        if minutes < 24 * 60:
            return dt.time(minutes // 60, minutes % 60)
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})(?::\d{2})?", str(value).strip())
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return dt.time(int(match[1]), int(match[2]))
    raise CellError(_("Введите время в формате ЧЧ:ММ, например 15:30."))


def _moment(value, day_time) -> dt.datetime:
    if isinstance(value, dt.datetime) and value.time() != dt.time(0, 0):
        moment = value.replace(microsecond=0)
    else:
        moment = dt.datetime.combine(iso_date(value), day_time)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def start_moment(value) -> dt.datetime:
    """The start of a window given as a date: the beginning of that day, in the region's time."""
    return _moment(value, dt.time(0, 0))


def end_moment(value) -> dt.datetime:
    """The end of a window given as a date: that day is still inside the window."""
    return _moment(value, dt.time(23, 59))


def _keys(member, label):
    label = str(label)
    keys = {normalized(label), normalized(getattr(member, "value", "")), normalized(getattr(member, "name", ""))}
    short = re.sub(r"\s*\(.*\)\s*$", "", label)  # «Стартовый (ознакомительный)» → «Стартовый»
    keys.add(normalized(short))
    keys.discard("")
    return keys


def _indexer(enum, extra):
    """Label and code → member, built once per language (labels are translated)."""
    cache = {}

    def index():
        language = translation.get_language()
        if language not in cache:
            built = {}
            for member in enum:
                for key in _keys(member, member.label):
                    built.setdefault(key, member)
            for word, member in (extra or {}).items():
                built[normalized(word)] = member
            cache[language] = built
        return cache[language]

    return index


def choice(enum, extra=None):
    """A reader of one value of a ``TextChoices``: its label or its code."""

    index = _indexer(enum, extra)

    def read(value):
        member = index().get(normalized(text(value)))
        if member is None:
            raise CellError(_("Недопустимое значение «%(value)s». Выберите одно из: %(allowed)s.")
                            % {"value": text(value), "allowed": ", ".join(read.labels())})
        return member.value

    read.labels = lambda: [str(member.label) for member in enum]
    return read


def flags(enum, extra=None):
    """A reader of a set of ``Flags`` members written through commas: «Пн, Ср»."""

    index = _indexer(enum, extra)

    def read(value):
        found, unknown = [], []
        for part in re.split(r"[,;\n]", text(value)):
            if part.strip():
                member = index().get(normalized(part))
                (found if member is not None else unknown).append(member if member is not None else part.strip())
        if unknown:
            raise CellError(_("Недопустимые значения: %(values)s. Допустимые: %(allowed)s.")
                            % {"values": ", ".join(f"«{u}»" for u in unknown),
                               "allowed": ", ".join(read.labels())})
        return enum.combine(found)

    read.labels = lambda: [str(member.label) for member in enum]
    return read
