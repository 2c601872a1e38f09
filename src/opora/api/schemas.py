"""Building blocks shared by every app's API: error bodies, a page of a list, the
way fixed lists travel — a choice as its code, a set of flags as a list of lower-case
member names (``["start", "base"]``) —, times of day as ``"15:30"``, months as
``"2026-10"``, days of a request as ``"2026-09-01"``, ids, and the base of request bodies."""

import datetime as dt
import re
from typing import Annotated, Literal

from django.db.models import TextChoices
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import BaseModel, PlainSerializer, PlainValidator, ValidationInfo, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from opora.core.pages import paginator
from opora.errors import ValidationFailed
from opora.registry.flags import Flags


class MunicipalityRef(Schema):
    """A municipality as other objects name it: the same schema in every app's answers."""

    id: int
    name: str


class ErrorOut(Schema):
    detail: str = Field(description="Сообщение для пользователя")
    field: str | None = Field(None, description="Поле или параметр, к которому относится ошибка")
    code: str = Field(description="Код ошибки: PermissionDenied, NotFound, InvalidTransition…")


class ValidationErrorOut(ErrorOut):
    errors: dict[str, list[str]] = Field(description="Сообщения по полям")


# An action its object's state does not allow. Endpoints declare it with their successes;
# the refusals every endpoint may give (400, 401, 403, 404, 422, 503) are added to the
# document by ``opora.api.openapi``.
TRANSITION_ERRORS = {409: ErrorOut}


# The id of a row named in a request's body or query: a positive integer the database can
# hold. Django finds nothing for a larger primary key, but a list of ids or a foreign key
# would fail in the database with it.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]

# A time of day as the schedule shows it: hours and minutes, local time of the region.
ClockTime = Annotated[
    dt.time,
    PlainSerializer(lambda value: value.strftime("%H:%M"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$",
                    "examples": ["15:30"], "description": "Время ЧЧ:ММ (местное время региона)"}),
]

# A month: «ГГГГ-ММ», or a day of it «ГГГГ-ММ-ДД», read as its first day.
MONTH = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})(-(?P<day>[0-9]{2}))?")


def _month(value) -> dt.date:
    """«ГГГГ-ММ», or a day of that month «ГГГГ-ММ-ДД», as the month's first day. Only
    these strings: pydantic would read a number as seconds since 1970."""
    match = MONTH.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is not None:
        try:
            return dt.date(int(match["year"]), int(match["month"]), int(match["day"] or 1)).replace(day=1)
        except ValueError:  # no such month or day
            pass
    raise ValueError(_("ожидается месяц в формате ГГГГ-ММ"))


Month = Annotated[dt.date, PlainValidator(_month), WithJsonSchema({
    "type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?$",
    "examples": ["2026-10"]})]

# A day in a request: «ГГГГ-ММ-ДД» and nothing else (pydantic's own date would also read
# a number as seconds since 1970: ``since=0`` as 1 January 1970). Answers keep ``dt.date``.
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _day(value) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and DAY.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:  # no such day
            pass
    raise ValueError(_("ожидается дата в формате ГГГГ-ММ-ДД"))


Day = Annotated[dt.date, PlainValidator(_day), WithJsonSchema({
    "type": "string", "format": "date", "examples": ["2026-09-01"]})]


class BodyIn(BaseModel):
    """A request body: a JSON object. A plain pydantic model rather than ninja's Schema,
    which reads fields from the attributes of any value, so that a list or a number
    would pass as a body whose fields all have defaults. ``true`` is not a number here:
    pydantic would read it as 1 where the document asks for an integer."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, value, info: ValidationInfo):
        if isinstance(value, bool) and not _takes_bool(cls.model_fields[info.field_name].annotation):
            raise ValueError(_("ожидается число, а не true или false"))
        if holds_nul(value):
            # PostgreSQL can neither store nor compare text holding one (a DataError, a
            # server error for bad input); the query's parameters: ``opora.api.parser``
            raise PydanticCustomError("null_character", "NUL character")
        return value


def holds_nul(value) -> bool:
    """Whether a NUL character is anywhere in a parsed JSON value."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(key) or holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(holds_nul(item) for item in value)
    return False


def _takes_bool(annotation) -> bool:
    from typing import get_args

    return annotation is bool or any(_takes_bool(arg) for arg in get_args(annotation))


def choice_codes(choices: type[TextChoices]):
    """The codes of a TextChoices as a Literal type, so the OpenAPI document lists them."""
    return Literal[tuple(choices.values)]


def flag_codes(flags: type[Flags]):
    """A list of the lower-case member names of ``flags``, as a type for schemas."""
    return list[Literal[tuple(member.name.lower() for member in flags)]]


def codes_of(flags: type[Flags], value: int) -> list[str]:
    return [member.name.lower() for member in flags.members_of(value)]


def flags_from(flags: type[Flags], codes, field: str) -> int:
    """The integer of a list of member names. Schemas already restrict the names;
    the check here keeps the function safe on its own."""
    try:
        return flags.combine(flags[code.upper()] for code in codes)
    except KeyError as error:
        message = _("Неизвестное значение: %(code)s.") % {"code": error.args[0].lower()}
        raise ValidationFailed({field: [message]}) from None


def labelled(choices) -> list[dict]:
    """``[{code, label}]`` of a TextChoices or a Flags, for dictionaries."""
    if isinstance(choices, type) and issubclass(choices, Flags):
        return [{"code": member.name.lower(), "label": str(member.label)} for member in choices]
    return [{"code": value, "label": str(label)} for value, label in choices.choices]


class Labelled(Schema):
    code: str
    label: str


def page_of(queryset, page: int, size: int) -> dict:
    """One page of a list endpoint: ``count`` of the whole filtered list and its ``items``
    (none past the end), computed as the pages compute theirs."""
    pages = paginator(queryset, size)
    return {"count": pages.count,
            "items": list(pages.page(page).object_list) if page <= pages.num_pages else []}
