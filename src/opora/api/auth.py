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
import logging
import threading
import time

from django.core.signals import request_finished
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer, SessionAuth

from opora import rows
from opora.accounts.models import User
from opora.api.models import SECRET_PREFIX, ApiToken, hash_secret

log = logging.getLogger(__name__)

# ``last_used_at`` is a hint for the owner, not a log: a use is written once a minute at
# most, and not by the request that makes it (``record_use``, ``flush_uses``).
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


_TOKEN_SQL = {}


def _token_sql():
    """The token's state and its user's row in one statement, written out once per
    database with the columns its user is made from: every API request with a token
    runs it."""
    from django.db import connection

    if connection.vendor not in _TOKEN_SQL:
        q = connection.ops.quote_name
        users, tokens = q(User._meta.db_table), q(ApiToken._meta.db_table)
        columns = rows.columns(User)
        _TOKEN_SQL[connection.vendor] = columns, (
            f"SELECT {', '.join(f'u.{q(field.column)}' for field, _e, _c in columns)}, "
            f"t.id, t.revoked_at IS NOT NULL, t.expires_at <= %s, "
            f"t.last_used_at IS NULL OR t.last_used_at <= %s "
            f"FROM {tokens} t JOIN {users} u ON u.id = t.user_id WHERE t.key_hash = %s")
    return _TOKEN_SQL[connection.vendor]


def token_for(secret: str, now: dt.datetime | None = None) -> ApiToken:
    """The usable token with this secret (its user loaded), or InvalidToken. One
    prepared statement, no write: the use is recorded for ``flush_uses``."""
    secret = secret.strip()
    if not secret.startswith(SECRET_PREFIX):
        raise InvalidToken(UNKNOWN)
    now, ops = now or timezone.now(), rows.db().ops
    moment = ops.adapt_datetimefield_value(now)
    stale = ops.adapt_datetimefield_value(now - LAST_USED_PRECISION)
    columns, sql = _token_sql()
    with rows.prepared_cursor() as cursor:
        cursor.execute(sql, [moment, stale, hash_secret(secret)])
        found = cursor.fetchone()
    if found is None:
        raise InvalidToken(UNKNOWN)
    token_id, revoked, expired, stale = found[len(columns):]
    if revoked:
        raise InvalidToken(REVOKED, code="TokenRevoked")
    if expired:
        raise InvalidToken(EXPIRED, code="TokenExpired")
    user = rows.instance(User, columns, found[:len(columns)])
    if not user.is_active:
        raise InvalidToken(INACTIVE, code="AccountInactive")
    token = ApiToken(pk=token_id, user=user)
    if stale:
        record_use(token.pk, now)
    return token


# Uses of tokens not written yet, per process: token id -> moment of the last use.
_uses: dict[int, dt.datetime] = {}
_uses_lock = threading.Lock()
_last_flush = [0.0]


def record_use(token_id: int, at: dt.datetime) -> None:
    with _uses_lock:
        _uses[token_id] = at


def flush_uses(force: bool = False) -> int:
    """Write the recorded uses (``last_used_at``) in one statement per 500 tokens, once
    ``OPORA_TOKEN_USE_FLUSH_SECONDS`` have passed since the last write of this process
    (``force``: now). Runs after each response (``request_finished``), so the request
    that used a token never waits for it. Returns the number of tokens written."""
    from django.conf import settings

    if not _uses and not force:
        return 0
    clock = time.monotonic()
    with _uses_lock:
        if not force and clock - _last_flush[0] < settings.OPORA_TOKEN_USE_FLUSH_SECONDS:
            return 0
        uses = dict(_uses)
        _uses.clear()
        _last_flush[0] = clock
    if not uses:
        return 0
    tokens = [ApiToken(pk=pk, last_used_at=at) for pk, at in sorted(uses.items())]
    ApiToken.objects.bulk_update(tokens, ["last_used_at"], batch_size=500)
    return len(tokens)


def _flush_after_response(sender, **kwargs):
    try:
        flush_uses()
    except DatabaseError:  # a hint, never a failed response: the uses are dropped
        log.warning("api.token_uses_not_written", exc_info=True)


request_finished.connect(_flush_after_response, dispatch_uid="opora.api.flush_token_uses")


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
