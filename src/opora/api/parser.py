"""ninja's parser of query (and form) parameters, refusing a NUL character in any of
them. PostgreSQL can neither store nor compare text holding one: the first filter that
reached the database with it would raise a ``DataError`` (a server error for what is bad
input). Refused here, it is a 422 naming the parameter, whichever endpoint the request is
for. Bodies are refused the same way by ``schemas.BodyIn`` (ninja answers any error
raised while a body is parsed with a 400 that blames the JSON)."""

from ninja.errors import ValidationError
from ninja.parser import Parser as NinjaParser

from opora.api.schemas import holds_nul


class Parser(NinjaParser):
    def parse_querydict(self, data, list_fields, request):
        parsed = super().parse_querydict(data, list_fields, request)
        source = "query" if data is request.GET else "form"
        for key, value in parsed.items():
            if holds_nul(key) or holds_nul(value):
                raise ValidationError([{"type": "null_character", "loc": (source, key), "msg": "NUL character"}])
        return parsed
