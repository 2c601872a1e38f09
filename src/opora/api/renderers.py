"""JSON as the API writes it: Cyrillic as is, moments to the microsecond."""

import datetime as dt

from ninja.renderers import JSONRenderer as NinjaJSONRenderer
from ninja.responses import NinjaJSONEncoder


class Encoder(NinjaJSONEncoder):
    def default(self, o):
        # Django's encoder cuts moments to milliseconds; exchange clients compare
        # ``updated_at`` values they got back, so keep them exact.
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


class JSONRenderer(NinjaJSONRenderer):
    encoder_class = Encoder
    json_dumps_params = {"ensure_ascii": False}
