"""How API callers prove who they are.

Two ways, tried in this order, for every endpoint that does not opt out with
``auth=None``:

- a personal API token (``opora.api.models.ApiToken``) in
  ``Authorization: Bearer opora_…``: for a parents' portal acting for a parent and
  for providers' own systems. No CSRF check: a browser never adds this header by
  itself. A header that carries a bad token is refused with 401 at once, not
  passed on to the session, so a client learns that its token is wrong;
- the Django session of a signed-in user; unsafe methods must then carry the
  CSRF token, as a form of the site would.

Endpoints never look at the mechanism, only at ``request.auth``, the acting user
(``request.api_token`` is the token when one was used, for the channel an
application is filed through).
"""

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer, SessionAuth

from opora.api.models import SECRET_PREFIX, ApiToken, hash_secret

# ``last_used_at`` is a hint for the owner, not a log: one write a minute is enough.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


class InvalidToken(Exception):
    """The request carries a bearer token that does not let it in."""

    def __init__(self, message, code="InvalidToken"):
        super().__init__(message)
        self.message = message
        self.code = code


UNKNOWN = _("Ключ API не распознан: проверьте, что он скопирован целиком.")
REVOKED = _("Ключ API отозван. Выпустите новый ключ.")
EXPIRED = _("Срок действия ключа API истёк. Выпустите новый ключ.")
INACTIVE = _("Учётная запись владельца ключа отключена.")


def token_for(secret: str, now: dt.datetime | None = None) -> ApiToken:
    """The usable token with this secret (its user loaded), or InvalidToken."""
    secret = secret.strip()
    if not secret.startswith(SECRET_PREFIX):
        raise InvalidToken(UNKNOWN)
    token = (ApiToken.objects.select_related("user")
             .filter(key_hash=hash_secret(secret)).first())
    if token is None:
        raise InvalidToken(UNKNOWN)
    now = now or timezone.now()
    if token.revoked_at is not None:
        raise InvalidToken(REVOKED, code="TokenRevoked")
    if token.expires_at <= now:
        raise InvalidToken(EXPIRED, code="TokenExpired")
    if not token.user.is_active:
        raise InvalidToken(INACTIVE, code="AccountInactive")
    if token.last_used_at is None or token.last_used_at <= now - LAST_USED_PRECISION:
        # Conditional, so parallel requests of one client write once a minute at most.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_PRECISION)
        ).update(last_used_at=now)
        token.last_used_at = now
    return token


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        api_token = token_for(token)
        request.api_token = api_token
        # Middleware that records who changed a row (simple_history) reads request.user.
        request.user = api_token.user
        return api_token.user


token_auth = TokenAuth()

# Django's session middleware already refuses inactive accounts (ModelBackend.get_user),
# so a signed-in session always belongs to an active user.
session_auth = SessionAuth(csrf=True)

# The authentication of every endpoint unless it opts out with ``auth=None`` (public data).
# The token goes first: the session check demands a CSRF token on unsafe methods.
BACK_OFFICE = [token_auth, session_auth]


def via_token(request) -> bool:
    return getattr(request, "api_token", None) is not None
