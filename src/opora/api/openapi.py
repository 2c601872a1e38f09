"""The OpenAPI document lists every answer an operation can give.

An endpoint declares in ``response=`` its successes and the refusals only it gives
(409 for an action its object's state does not allow, 503 for seats too busy, 404
for a row its body names). The refusals that come from the API's own machinery
(``opora.api.auth``, ninja's parsing and ``opora.api.errors``) are added here from
what the operation takes, so no endpoint lists them by hand:

- 400: the operation takes a JSON body, and the body is not JSON;
- 401 and 403: the operation needs sign-in; no or a bad token or session, or a role
  that may not do this (a session's unsafe request without its CSRF token as well);
- 404: the operation names a row in its path, and no such row is visible to the caller;
- 422: the operation takes parameters or a body, and one of them does not parse or
  breaks a rule;
- 503 with ``Retry-After``: any operation, when the database is too busy to answer in time.

A text parameter may not hold a NUL character (``opora.api.parser`` refuses it with a
422): the document says so with a ``pattern``, so a client generating requests from it
does not send one as valid.
"""

import functools
from http.client import responses as REASONS

from ninja import NinjaAPI, Schema
from ninja.openapi.schema import OpenAPISchema

from opora.api.schemas import ErrorOut, ValidationErrorOut

RETRY_AFTER = {
    "description": "Через сколько секунд повторить запрос без изменений",
    "required": True,
    "schema": {"type": "integer", "minimum": 0},
}


def refusals(operation) -> dict[int, type[Schema]]:
    """The error answers the API gives for ``operation`` whatever the endpoint does."""
    sources = {model.__ninja_param_source__ for model in operation.models}
    found = {}
    if "body" in sources:
        found[400] = ErrorOut
    if operation.auth_callbacks:
        found[401] = found[403] = ErrorOut
    if "path" in sources:
        found[404] = ErrorOut
    if sources:
        found[422] = ValidationErrorOut
    found[503] = ErrorOut
    return found


@functools.cache
def _wrapped(model: type[Schema]) -> type[Schema]:
    """ninja documents a response through a model with one field, ``response``."""
    return type("NinjaResponseSchema", (Schema,), {"__annotations__": {"response": model}})


NO_NUL = "^[^\\u0000]*$"


def _no_nul(schema: dict) -> None:
    """Add ``NO_NUL`` to the free-text strings of a parameter's schema."""
    if schema.get("type") == "string" and not {"pattern", "enum", "format", "const"} & schema.keys():
        schema["pattern"] = NO_NUL
    for key in ("anyOf", "oneOf", "allOf"):
        for alternative in schema.get(key, []):
            _no_nul(alternative)
    if isinstance(schema.get("items"), dict):
        _no_nul(schema["items"])


class Document(OpenAPISchema):
    def operation_parameters(self, operation) -> list:
        parameters = super().operation_parameters(operation)
        for parameter in parameters:
            _no_nul(parameter["schema"])
        return parameters

    def responses(self, operation) -> dict:
        result = super().responses(operation)
        for status, model in refusals(operation).items():
            result.setdefault(status, self._error(operation, status, model))
        if 503 in result:
            result[503].setdefault("headers", {"Retry-After": RETRY_AFTER})
        return dict(sorted(result.items()))

    def _error(self, operation, status: int, model: type[Schema]) -> dict:
        schema, _required = self._create_schema_from_model(_wrapped(model), by_alias=operation.by_alias,
                                                           mode="serialization")
        return {"description": REASONS[status],
                "content": {self.api.renderer.media_type: {"schema": schema}}}


class Api(NinjaAPI):
    """A NinjaAPI whose document adds the common refusals to every operation."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return Document(self, path_prefix)
