"""One mapping from refusals to HTTP answers, for every endpoint.

Domain errors keep their Russian message and the field they name; ninja's own
refusals (unparsable parameters, a missing session, a failed CSRF check) get
a Russian message of the same shape, so a client reads every error the same
way: ``{"detail", "field", "code"}``, plus ``errors`` by field on 422.

Two refusals tell the client what to do next in a header as well: a bad API token
(401 with ``WWW-Authenticate: Bearer``) and seats too busy to wait for (503 with
``Retry-After``: the request was not carried out and may be sent again as is).
"""

from django.db import OperationalError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from opora.api.auth import InvalidToken
from opora.errors import (
    DomainError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    Throttled,
    ValidationFailed,
)
from opora.locking import BUSY_RETRY_AFTER, Busy, is_contention

STATUS = {
    ValidationFailed: 422,
    PermissionDenied: 403,
    NotFound: 404,
    InvalidTransition: 409,
    Throttled: 429,
    Busy: 503,
}


# ninja raises HttpError itself only in these cases.
HTTP_ERRORS = {
    400: ("BadRequest", gettext_lazy("Не удалось прочитать тело запроса: ожидается JSON.")),
    401: ("NotAuthenticated", gettext_lazy("Войдите в систему, чтобы продолжить.")),
    403: ("CsrfFailed", gettext_lazy(
        "Запрос отклонён: нет действительного CSRF-токена. Обновите страницу и повторите.")),
    429: ("Throttled", gettext_lazy("Слишком много запросов. Попробуйте немного позже.")),
}

_INTEGER = gettext_lazy("ожидается целое число")
_NUMBER = gettext_lazy("ожидается число")
_BOOLEAN = gettext_lazy("ожидается true или false")
_OBJECT = gettext_lazy("ожидается объект")
_DATE = gettext_lazy("ожидается дата в формате ГГГГ-ММ-ДД")
_DATETIME = gettext_lazy("ожидается дата и время в формате ISO 8601")
_TIME = gettext_lazy("ожидается время в формате ЧЧ:ММ")
_CHOICE = gettext_lazy("допустимые значения: {expected}")

# Pydantic error types and what they mean to a person; ``{…}`` take the error's context.
PYDANTIC_MESSAGES = {
    "missing": gettext_lazy("обязательное значение не указано"),
    "int_type": _INTEGER,
    "int_parsing": _INTEGER,
    "int_parsing_size": _INTEGER,
    "int_from_float": _INTEGER,
    "float_type": _NUMBER,
    "float_parsing": _NUMBER,
    "decimal_type": _NUMBER,
    "decimal_parsing": _NUMBER,
    "bool_type": _BOOLEAN,
    "bool_parsing": _BOOLEAN,
    "string_type": gettext_lazy("ожидается строка"),
    "string_too_short": gettext_lazy("слишком короткое значение (не меньше {min_length} симв.)"),
    "string_too_long": gettext_lazy("слишком длинное значение (не больше {max_length} симв.)"),
    "greater_than": gettext_lazy("значение должно быть больше {gt}"),
    "greater_than_equal": gettext_lazy("значение должно быть не меньше {ge}"),
    "less_than": gettext_lazy("значение должно быть меньше {lt}"),
    "less_than_equal": gettext_lazy("значение должно быть не больше {le}"),
    "literal_error": _CHOICE,
    "enum": _CHOICE,
    "list_type": gettext_lazy("ожидается список"),
    "dict_type": _OBJECT,
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "datetime_type": _DATETIME,
    "datetime_parsing": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "time_type": _TIME,
    "time_parsing": _TIME,
    "uuid_type": gettext_lazy("ожидается UUID"),
    "uuid_parsing": gettext_lazy("ожидается UUID"),
    "json_invalid": gettext_lazy("некорректный JSON"),
    "extra_forbidden": gettext_lazy("неизвестное поле"),
    "null_character": gettext_lazy("значение содержит недопустимый нулевой символ"),
}

# Where a value came from, as the word that opens the message.
SOURCES = {
    "query": gettext_lazy("Параметр"),
    "path": gettext_lazy("Параметр"),
    "body": gettext_lazy("Поле"),
    "form": gettext_lazy("Поле"),
    "header": gettext_lazy("Заголовок"),
    "cookie": gettext_lazy("Cookie"),
}

# Body parameters of endpoints are named so; the name is an implementation detail
# and does not appear in the field path shown to the caller.
BODY_PARAM = "payload"


def _message(error: dict) -> str:
    template = PYDANTIC_MESSAGES.get(error["type"])
    context = error.get("ctx", {})
    if template is None:
        if error["type"] == "value_error" and "error" in context:
            return str(context["error"])  # our own validators speak Russian already
        return _("недопустимое значение")
    if "expected" in context:
        # pydantic joins the last choice with an English "or"
        context = {**context, "expected": str(context["expected"]).replace(" or ", ", ")}
    return str(template).format(**context)


def _field(loc) -> tuple[str, str]:
    source, *path = loc
    if source == "body" and path and path[0] == BODY_PARAM:
        path = path[1:]
    return source, ".".join(str(part) for part in path)


def explain(errors: list[dict]) -> tuple[str, str | None, dict[str, list[str]]]:
    """ninja's error list → (the first message, naming its field; that field; messages by field)."""
    by_field: dict[str, list[str]] = {}
    detail = first = None
    for error in errors:
        source, field = _field(error["loc"])
        message = _message(error)
        by_field.setdefault(field or "__all__", []).append(f"{message[:1].upper()}{message[1:]}.")
        if detail is None:
            first = field or None
            if field:
                detail = _("%(source)s «%(field)s»: %(message)s.") % {
                    "source": SOURCES.get(source, SOURCES["query"]), "field": field, "message": message}
            else:
                detail = _("Тело запроса: {message}.").format(message=message)
    return detail or _("Некорректный запрос."), first, by_field


def install(api) -> None:
    """Register the handlers on a NinjaAPI."""

    def respond(request, status, detail, field=None, code="", errors=None):
        body = {"detail": str(detail), "field": field, "code": code}
        if errors is not None:
            body["errors"] = errors
        return api.create_response(request, body, status=status)

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        status = next((STATUS[cls] for cls in type(exc).__mro__ if cls in STATUS), 400)
        errors = getattr(exc, "errors", None)
        if errors is not None:
            errors = {field: [str(m) for m in messages] for field, messages in errors.items()}
        response = respond(request, status, exc.message, exc.field, exc.code, errors)
        if isinstance(exc, Busy):
            response["Retry-After"] = str(BUSY_RETRY_AFTER)
        return response

    @api.exception_handler(InvalidToken)
    def invalid_token(request, exc: InvalidToken):
        response = respond(request, 401, exc.message, code=exc.code)
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response

    @api.exception_handler(NinjaValidationError)
    def invalid_input(request, exc: NinjaValidationError):
        detail, field, errors = explain(exc.errors)
        return respond(request, 422, detail, field, "ValidationFailed", errors)

    # Also a missing session: ninja's AuthenticationError is an HttpError with 401.
    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        code, message = HTTP_ERRORS.get(exc.status_code, ("HttpError", str(exc)))
        return respond(request, exc.status_code, message, code=code)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, _("Не найдено."), code="NotFound")

    # A lock or statement timeout of the request (opora.core.middleware) is as busy as a seat.
    @api.exception_handler(OperationalError)
    def database_busy(request, exc: OperationalError):
        if not is_contention(exc):
            raise exc
        return domain_error(request, Busy.database())


def server_error(request):
    """Django's 500 answer for the API (``handler500`` dispatches here): the error's shape, not a page."""
    return JsonResponse({"detail": _("Внутренняя ошибка сервера. Попробуйте позже."), "field": None,
                         "code": "ServerError"}, status=500, json_dumps_params={"ensure_ascii": False})
