"""Personal API tokens: how a parent's portal or a provider's own system calls the API
for a user without a browser session.

Only a hash of the secret is kept. The secret, ``opora_<prefix>_<random>``, is shown
once when the token is issued (``opora.api.services.issue_token``); the prefix stays
visible so a user can tell their tokens apart and find one in a log.
"""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SECRET_PREFIX = "opora_"
LIFETIME = dt.timedelta(days=365)


def default_expiry() -> dt.datetime:
    return timezone.now() + LIFETIME


def new_secret() -> tuple[str, str]:
    """(prefix, secret): eight hex digits shown to the user, and the whole secret."""
    prefix = secrets.token_hex(4)
    return prefix, f"{SECRET_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


def hash_secret(secret: str) -> str:
    # The secret carries 256 random bits, so a plain SHA-256 is enough: there is
    # nothing to guess that a slow password hash would protect.
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    """A user's key to the API. It acts as that user, with that user's rights; it stops
    working when revoked, when it expires, or when the account is switched off."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("пользователь"),
                             on_delete=models.CASCADE, related_name="opora_api_tokens")
    name = models.CharField(_("название"), max_length=100,
                            help_text=_("Для чего ключ: например, «Портал госуслуг»."))
    prefix = models.CharField(_("начало ключа"), max_length=8, db_index=True, editable=False)
    key_hash = models.CharField(_("хеш ключа"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("выпущен"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("последнее использование"), null=True, blank=True)
    expires_at = models.DateTimeField(_("действует до"), default=default_expiry)
    revoked_at = models.DateTimeField(_("отозван"), null=True, blank=True)

    class Meta:
        verbose_name = _("ключ API")
        verbose_name_plural = _("ключи API")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        # Never the secret: this text goes to the audit trail.
        return f"{self.name} ({SECRET_PREFIX}{self.prefix}…)"

    def is_usable(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now
