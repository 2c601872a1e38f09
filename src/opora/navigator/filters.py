"""The catalog's filters as they arrive in a URL or an API call, parsed in one place.

Each parameter has a parser turning its raw text (one value or several) into the
value the catalog uses, or raising ``FilterError`` with a Russian message. The page
drops a bad value and shows the message next to its field; the API answers 422 with
the message and the parameter's name.
"""

import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opora.navigator import codes

MAX_QUERY_LENGTH = 200
MAX_PAGE = 10_000
MAX_PAGE_SIZE = 100
SORTS = ("relevance", "start", "title", "distance")
_TRUE = {"1", "true", "yes", "on", "да"}
_FALSE = {"", "0", "false", "no", "off", "нет"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class FilterError(ValueError):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Filters:
    q: str = ""
    municipality: int | None = None
    direction: int = 0
    specialisation: int | None = None
    age: int | None = None
    level: int = 0
    form: int = 0
    payment: int = 0
    max_price: Decimal | None = None
    ovz: int = 0
    seasonal: int = 0
    organization: int | None = None
    rural: bool = False
    free_seats: bool = False
    open: bool = False
    near: tuple[float, float] | None = None
    sort: str = ""
    page: int = 1
    page_size: int = 0

    def but(self, **changes) -> "Filters":
        return replace(self, **changes)

    @property
    def order(self) -> str:
        """The sort in effect: relevance needs a query (without one, the nearest start);
        distance needs a point (without one, the default)."""
        if self.sort == "relevance" and not self.q:
            return "start"
        if self.sort == "distance" and self.near is None:
            return "relevance" if self.q else "start"
        return self.sort or ("relevance" if self.q else "start")

    @property
    def size(self) -> int:
        return self.page_size or settings.OPORA_PAGE_SIZE


def _single(values):
    values = [v for v in values if v is not None]
    return values[-1].strip() if values else ""


def _multi(values):
    """Several values: repeated parameters, or one with commas."""
    return [part.strip() for v in values if v for part in str(v).split(",") if part.strip()]


def _whole(text, low, high, message):
    """A whole number in [low, high]; «7.0» is one too (JSON Schema's integers are)."""
    try:
        number = int(text)
    except (TypeError, ValueError):
        try:
            value = Decimal(str(text).strip())
        except (InvalidOperation, ValueError):
            raise FilterError(message) from None
        if not value.is_finite() or not low <= value <= high or value != value.to_integral_value():
            raise FilterError(message) from None
        number = int(value)
    if not low <= number <= high:
        raise FilterError(message)
    return number


def parse_q(values):
    text = " ".join(_CONTROL.sub(" ", _single(values)).split())
    if len(text) > MAX_QUERY_LENGTH:
        raise FilterError(_("Запрос должен быть не длиннее %(n)s символов.") % {"n": MAX_QUERY_LENGTH})
    return text


def _identifier(message):
    def parse(values):
        text = _single(values)
        return _whole(text, 1, 2**62, message) if text else None
    return parse


def _mask(choices, message):
    def parse(values):
        mask = 0
        for code in _multi(values):
            bit = codes.bit_of(choices, code)
            if bit is None:
                allowed = ", ".join(c.code for c in choices)
                raise FilterError(message % {"value": code[:40], "allowed": allowed})
            mask |= bit
        return mask
    return parse


def parse_age(values):
    text = _single(values)
    if not text:
        return None
    return _whole(text, codes.AGES[0], codes.AGES[-1],
                  _("Возраст — целое число лет от %(low)s до %(high)s.")
                  % {"low": codes.AGES[0], "high": codes.AGES[-1]})


def parse_max_price(values):
    text = _single(values).replace(",", ".").replace(" ", "")
    if not text:
        return None
    message = _("Стоимость в месяц — число рублей не меньше нуля, например 1500.")
    try:
        price = Decimal(text)
    except InvalidOperation:
        raise FilterError(message) from None
    if not price.is_finite() or price < 0 or price >= Decimal("1e12"):
        raise FilterError(message)
    return price.quantize(Decimal("0.01"))


def _boolean(values):
    text = _single(values).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise FilterError(_("Укажите да или нет (true или false)."))


def parse_sort(values):
    text = _single(values)
    if text and text not in SORTS:
        raise FilterError(_("Сортировка — одно из: %(allowed)s.") % {"allowed": ", ".join(SORTS)})
    return text


def parse_near(values):
    """«56.6014,84.8862»: a point (latitude, longitude) to sort by distance from."""
    text = _single(values).replace(" ", "")
    if not text:
        return None
    try:
        latitude, longitude = (float(part) for part in text.split(","))
    except ValueError:
        raise FilterError(_("Точка — широта и долгота через запятую, например 56.6014,84.8862.")) from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise FilterError(_("Широта — от −90 до 90, долгота — от −180 до 180."))
    return round(latitude, 5), round(longitude, 5)


def parse_page(values):
    text = _single(values)
    return _whole(text, 1, MAX_PAGE, _("Номер страницы — целое число от 1 до %(n)s.") % {"n": MAX_PAGE}) \
        if text else 1


def parse_page_size(values):
    text = _single(values)
    return _whole(text, 1, MAX_PAGE_SIZE,
                  _("Размер страницы — целое число от 1 до %(n)s.") % {"n": MAX_PAGE_SIZE}) if text else 0


_UNKNOWN = gettext_lazy("Неизвестное значение «%(value)s»; допустимые: %(allowed)s.")
PARSERS = {
    "q": parse_q,
    "municipality": _identifier(gettext_lazy("Муниципалитет — номер из справочника муниципалитетов.")),
    "direction": _mask(codes.DIRECTIONS, _UNKNOWN),
    "specialisation": _identifier(gettext_lazy("Специализация — номер из справочника специализаций.")),
    "age": parse_age,
    "level": _mask(codes.LEVELS, _UNKNOWN),
    "form": _mask(codes.FORMS, _UNKNOWN),
    "payment": _mask(codes.PAYMENTS, _UNKNOWN),
    "max_price": parse_max_price,
    "ovz": _mask(codes.OVZ, _UNKNOWN),
    "seasonal": _mask(codes.SEASONAL, _UNKNOWN),
    "organization": _identifier(gettext_lazy("Организация — номер из справочника организаций.")),
    "rural": _boolean,
    "free_seats": _boolean,
    "open": _boolean,
    "near": parse_near,
    "sort": parse_sort,
    "page": parse_page,
    "page_size": parse_page_size,
}


def parse(params) -> tuple[Filters, dict[str, str]]:
    """Filters from a QueryDict (or a dict of lists); a bad value is left out and its
    message returned under the parameter's name."""
    values, errors = {}, {}
    for name, parser in PARSERS.items():
        raw = params.getlist(name) if hasattr(params, "getlist") else params.get(name) or []
        if isinstance(raw, str):
            raw = [raw]
        try:
            values[name] = parser(raw)
        except FilterError as error:
            errors[name] = error.message
    return Filters(**values), errors


def to_query(filters: Filters, **changes) -> dict[str, list[str]]:
    """The URL parameters that give these filters (with ``changes`` applied)."""
    f = filters.but(**changes)
    query: dict[str, list[str]] = {}
    for name in ("q", "municipality", "specialisation", "age", "organization", "max_price"):
        value = getattr(f, name)
        if value not in (None, ""):
            query[name] = [str(value)]
    for name, choices in (("direction", codes.DIRECTIONS), ("level", codes.LEVELS),
                          ("form", codes.FORMS), ("payment", codes.PAYMENTS),
                          ("ovz", codes.OVZ), ("seasonal", codes.SEASONAL)):
        chosen = codes.codes_of(choices, getattr(f, name))
        if chosen:
            query[name] = chosen
    for name in ("rural", "free_seats", "open"):
        if getattr(f, name):
            query[name] = ["1"]
    if f.near is not None:
        query["near"] = [f"{f.near[0]},{f.near[1]}"]
    if f.sort:
        query["sort"] = [f.sort]
    if f.page_size:
        query["page_size"] = [str(f.page_size)]
    if f.page > 1:
        query["page"] = [str(f.page)]
    return query
