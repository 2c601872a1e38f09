"""Sessions and sign-in behind the web server: the idle timeout of back-office
sessions, and the client's address behind a reverse proxy.

- ``BackOfficeIdleTimeoutMiddleware`` signs a back-office user out after
  ``OPORA_BACKOFFICE_IDLE_MINUTES`` without a request.
- ``client_ip`` is django-axes' ``AXES_CLIENT_IP_CALLABLE``.
"""

import ipaddress
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

from opora.accounts.scope import reads_back_office


class BackOfficeIdleTimeoutMiddleware:
    """Sign a back-office user out after ``OPORA_BACKOFFICE_IDLE_MINUTES`` idle minutes.

    The moment of the last request is kept in the session, rewritten at most once a
    minute so that reading pages does not write the session on every request."""

    SESSION_KEY = "opora_last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and reads_back_office(user):
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
