"""Request-wide middleware: database time limits for web requests, the message store
made on first use, and the content security policy's header.

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

- ``MessageMiddleware`` is Django's with the message store made when a view or a
  template first uses it: an API answer, which never does, no longer builds one (a
  cookie store and a session store) for every request.

- ``ContentSecurityPolicyMiddleware`` is django-csp's middleware with the header of a
  response that asks for no policy of its own (no nonce used, no ``_csp_*`` of its
  view) built once from the settings instead of for every response: django-csp builds
  it anew each time, which costs as much as the rest of an API answer's middleware
  together. Any other response is left to django-csp itself.

The idle timeout of back-office sessions and the client's address behind a proxy are
about who is signed in: ``opora.accounts.middleware``.
"""

import contextvars

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.messages import middleware as messages_middleware
from django.contrib.messages.storage import default_storage
from django.core.signals import setting_changed
from django.db import OperationalError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject, empty

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


class MessageMiddleware(messages_middleware.MessageMiddleware):
    def process_request(self, request):
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request, response):
        store = getattr(request, "_messages", None)
        if isinstance(store, SimpleLazyObject) and store._wrapped is empty:
            return response  # never made: nothing to keep
        return super().process_response(request, response)


# What a view sets on its response to have a policy of its own (django-csp's decorators).
_OWN_POLICY = ("_csp_config", "_csp_update", "_csp_replace",
               "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")
# header -> (its setting, the response's exemption from it)
_HEADERS = {HEADER: ("CONTENT_SECURITY_POLICY", "_csp_exempt"),
            HEADER_REPORT_ONLY: ("CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro")}
_settings_policy: dict = {}


def _policy_of_settings(header) -> tuple[str, tuple]:
    """(the header's text, the paths it is not sent on) from the settings, built once."""
    if header not in _settings_policy:
        setting, _exempt = _HEADERS[header]
        excluded = tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ())
        _settings_policy[header] = build_policy(report_only=header == HEADER_REPORT_ONLY), excluded
    return _settings_policy[header]


def _settings_changed(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _settings_policy.clear()


setting_changed.connect(_settings_changed, dispatch_uid="opora.core.csp_settings")


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        if (getattr(request, "_csp_nonce", None) is not None
                or any(hasattr(response, name) for name in _OWN_POLICY)):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (404, 500):  # django-csp's debug pages
            return response
        for header, (_setting, exempt) in _HEADERS.items():
            policy, excluded = _policy_of_settings(header)
            if (policy and header not in response and not getattr(response, exempt, False)
                    and not request.path_info.startswith(excluded)):
                response[header] = policy
        # as django-csp: a nonce asked for after the header is written is an error
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
