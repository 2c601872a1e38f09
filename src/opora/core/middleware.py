"""Request-wide safeguard: database time limits for web requests.

- ``DatabaseTimeoutsMiddleware`` runs every request under PostgreSQL's ``lock_timeout``
  and ``statement_timeout`` (``OPORA_DB_LOCK_TIMEOUT``, ``OPORA_DB_STATEMENT_TIMEOUT``)
  and answers a request that ran into either limit like the seat paths answer a busy
  seat: 503 with ``Retry-After``, never a hang or a 500. The limits are session settings,
  set once per connection: when a request opens it, or when a request finds a connection
  kept open without them (or with other values); the connection remembers what it was
  given, so a request on a kept connection costs no statement. A setting made inside a
  transaction is remembered only once it is known committed (autocommit), since a
  rollback would undo it; a transaction-local override (``locking.atomic``'s
  ``lock_timeout``, ``set_config(…, true)``) ends with its transaction and leaves the
  session's limits as they were. Commands and the task worker never pass through it, so
  a month's closing or the demo's generation runs without these limits.

The idle timeout of back-office sessions and the client's address behind a proxy are
about who is signed in: ``opora.accounts.middleware``.
"""

import contextvars

from django.conf import settings
from django.db import OperationalError, connection
from django.http import JsonResponse
from django.shortcuts import render

from opora.locking import BUSY_RETRY_AFTER, Busy, is_contention

API_PREFIX = "/api/"


def busy_response(request, busy: Busy | None = None):
    """The answer to a request refused as busy: JSON for the API, a page otherwise."""
    busy = busy or Busy.database()
    if request.path.startswith(API_PREFIX):
        response = JsonResponse({"detail": str(busy.message), "field": None, "code": busy.code},
                                status=503, json_dumps_params={"ensure_ascii": False})
    else:
        response = render(request, "core/busy.html", {"message": busy.message}, status=503)
    response["Retry-After"] = str(BUSY_RETRY_AFTER)
    return response


_IN_WEB_REQUEST = contextvars.ContextVar("opora_in_web_request", default=False)


# The attribute of a driver connection that holds the limits it was given.
_GIVEN = "_opora_timeouts"


def _timeouts() -> tuple[str, str]:
    return f"{settings.OPORA_DB_LOCK_TIMEOUT}s", f"{settings.OPORA_DB_STATEMENT_TIMEOUT}s"


def _set_timeouts(wrapper) -> None:
    """Give the request's limits to the connection of ``wrapper`` (Django's connection)
    unless it has them already. Set on the driver connection, past Django's cursor: like
    the settings Django gives a new connection, this is no query of the page (nor
    counted)."""
    raw, wanted = wrapper.connection, _timeouts()
    if getattr(raw, _GIVEN, None) == wanted:
        return
    raw.execute("SELECT set_config('lock_timeout', %s, false), set_config('statement_timeout', %s, false)",
                list(wanted))
    # inside a transaction the setting is undone by a rollback: set it again next time
    setattr(raw, _GIVEN, None if wrapper.in_atomic_block else wanted)


def forget_timeouts(wrapper) -> None:
    """For code that changes the session's limits itself (``SET``/``RESET``, a test):
    the next request sets them again."""
    if wrapper.connection is not None:
        setattr(wrapper.connection, _GIVEN, None)


def connection_opened(sender, connection, **kwargs):
    """``connection_created``: a connection opened while serving a request gets its limits
    before its first query (commands open theirs outside requests and get none)."""
    if connection.vendor == "postgresql" and _IN_WEB_REQUEST.get():
        _set_timeouts(connection)


class DatabaseTimeoutsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if connection.vendor != "postgresql":
            return self.get_response(request)
        marker = _IN_WEB_REQUEST.set(True)
        try:
            raw = connection.connection
            if raw is not None and not raw.closed:  # kept open since an earlier request
                _set_timeouts(connection)
            return self.get_response(request)
        finally:
            _IN_WEB_REQUEST.reset(marker)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError) and is_contention(exception):
            return busy_response(request)
        if isinstance(exception, Busy):
            return busy_response(request, exception)
        return None
