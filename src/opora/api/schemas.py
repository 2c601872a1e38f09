"""Building blocks shared by every app's API: error bodies, a page of a list, and the
way fixed lists travel — a choice as its code, a set of flags as a list of lower-case
member names (``["start", "base"]``)."""

from typing import Literal

from django.db.models import TextChoices
from django.utils.translation import gettext as _
from ninja import Field, Schema

from opora.core.pages import paginator
from opora.errors import ValidationFailed
from opora.registry.flags import Flags


class ErrorOut(Schema):
    detail: str = Field(description="Сообщение для пользователя")
    field: str | None = Field(None, description="Поле или параметр, к которому относится ошибка")
    code: str = Field(description="Код ошибки: PermissionDenied, NotFound, InvalidTransition…")


class ValidationErrorOut(ErrorOut):
    errors: dict[str, list[str]] = Field(description="Сообщения по полям")


# Responses every back-office endpoint may give besides its success.
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
TRANSITION_ERRORS = {**ERRORS, 409: ErrorOut}


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
