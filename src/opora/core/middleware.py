"""Request-wide safeguards: database time limits for web requests, the idle timeout of
back-office sessions, and the client's address behind a reverse proxy.

- ``DatabaseTimeoutsMiddleware`` sets PostgreSQL's ``lock_timeout`` and
  ``statement_timeout`` for every request (``OPORA_DB_LOCK_TIMEOUT``,
  ``OPORA_DB_STATEMENT_TIMEOUT``) and answers a request that ran into either limit like
  the seat paths answer a busy seat: 503 with ``Retry-After``, never a hang or a 500.
  Commands and the task worker never pass through it, so a month's closing or the demo's
  generation runs without these limits.
- ``BackOfficeIdleTimeoutMiddleware`` signs a back-office user out after
  ``OPORA_BACKOFFICE_IDLE_MINUTES`` without a request.
- ``client_ip`` is django-axes' ``AXES_CLIENT_IP_CALLABLE``.
"""

import contextvars
import ipaddress
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import OperationalError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from opora.accounts.scope import is_back_office
from opora.api.errors import BUSY_RETRY_AFTER
from opora.enrollment.locking import Busy, is_contention

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


def _set_timeouts(raw) -> None:
    """Set the request's limits on a driver connection, past Django's cursor: like the
    settings Django gives a new connection, this is no query of the page (nor counted)."""
    raw.execute("SELECT set_config('lock_timeout', %s, false), set_config('statement_timeout', %s, false)",
                [f"{settings.OPORA_DB_LOCK_TIMEOUT}s", f"{settings.OPORA_DB_STATEMENT_TIMEOUT}s"])


def connection_opened(sender, connection, **kwargs):
    """``connection_created``: a connection opened while serving a request gets its limits
    before its first query (commands open theirs outside requests and get none)."""
    if connection.vendor == "postgresql" and _IN_WEB_REQUEST.get():
        _set_timeouts(connection.connection)


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
                _set_timeouts(raw)
            return self.get_response(request)
        finally:
            _IN_WEB_REQUEST.reset(marker)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError) and is_contention(exception):
            return busy_response(request)
        if isinstance(exception, Busy):
            return busy_response(request, exception)
        return None


class BackOfficeIdleTimeoutMiddleware:
    """Sign a back-office user out after ``OPORA_BACKOFFICE_IDLE_MINUTES`` idle minutes.

    The moment of the last request is kept in the session, rewritten at most once a
    minute so that reading pages does not write the session on every request."""

    SESSION_KEY = "opora_last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and is_back_office(user):
            now = int(time.time())
            last_seen = request.session.get(self.SESSION_KEY)
            if last_seen is not None and now - last_seen > settings.OPORA_BACKOFFICE_IDLE_MINUTES * 60:
                logout(request)
                messages.info(request, _("Сеанс завершён: вы долго не работали в системе. Войдите снова."))
            elif last_seen is None or now - last_seen >= 60:
                request.session[self.SESSION_KEY] = now
        return self.get_response(request)


def signed_in(sender, request, user, **kwargs):
    """Signing in is activity: the idle clock starts at the login (and the first request
    after it need not write the session again)."""
    if request is not None and hasattr(request, "session"):
        request.session[BackOfficeIdleTimeoutMiddleware.SESSION_KEY] = int(time.time())


def client_ip(request) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or behind ``OPORA_TRUSTED_PROXIES`` proxies
    the address the farthest trusted proxy saw, from ``OPORA_CLIENT_IP_HEADER``.

    Each proxy appends the address it received the request from (nginx:
    ``$proxy_add_x_forwarded_for``), so only the last ``OPORA_TRUSTED_PROXIES`` entries
    were written by our proxies; anything before them came from the client and is ignored."""
    remote = request.META.get("REMOTE_ADDR")
    header = settings.OPORA_CLIENT_IP_HEADER
    if not header:
        return remote
    raw = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
    entries = [entry.strip() for entry in raw.split(",") if entry.strip()]
    if len(entries) < settings.OPORA_TRUSTED_PROXIES:
        return remote  # the request did not come through our proxies
    candidate = entries[-settings.OPORA_TRUSTED_PROXIES]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
