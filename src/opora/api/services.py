"""Use cases of API tokens.

- ``issue_token(actor, user, name, expires_at=None) -> (ApiToken, secret)`` — the
  secret is returned once and never stored.
- ``revoke_token(actor, token, reason="") -> ApiToken``.

A token belongs to one account: its owner issues and revokes it, and so may a
superuser. ``actor=None`` is the server's console (``opora issue_token``), whose
operator already holds the database. Both changes are recorded in the audit trail
(``api.token.issued``, ``api.token.revoked``) without the secret.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opora import audit, locking
from opora.api.models import ApiToken, default_expiry, hash_secret, new_secret
from opora.errors import InvalidTransition, PermissionDenied, ValidationFailed

NAME_MAX = ApiToken._meta.get_field("name").max_length


def _require_owner(actor, user) -> None:
    """Tokens are personal, not territorial: ``accounts.scope`` has no say in them."""
    if actor is None:
        return
    if not (actor.is_authenticated and actor.is_active):
        raise PermissionDenied(_("Недостаточно прав для этого действия."))
    if actor.pk != user.pk and not actor.is_superuser:
        raise PermissionDenied(_("Ключ API можно выпустить или отозвать только для своей учётной "
                                 "записи."))


@transaction.atomic
def issue_token(actor, user, name: str, expires_at: dt.datetime | None = None
                ) -> tuple[ApiToken, str]:
    """Issue a token acting as ``user``, valid for a year unless ``expires_at`` says
    otherwise; the secret is shown to the caller once."""
    _require_owner(actor, user)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed({"name": [_("Укажите, для чего нужен ключ.")]})
    if len(name) > NAME_MAX:
        raise ValidationFailed({"name": [_("Название ключа — не больше %(n)s символов.")
                                         % {"n": NAME_MAX}]})
    if not user.is_active:
        raise ValidationFailed({"user": [_("Учётная запись отключена: ключ для неё не выпускается.")]})
    expires_at = expires_at or default_expiry()
    if expires_at <= timezone.now():
        raise ValidationFailed({"expires_at": [_("Срок действия ключа должен быть в будущем.")]})
    prefix, secret = new_secret()
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix,
                                    key_hash=hash_secret(secret), expires_at=expires_at)
    audit.record(actor, "api.token.issued", token, user_id=user.pk,
                 expires_at=expires_at.isoformat())
    return token, secret


@transaction.atomic
def revoke_token(actor, token: ApiToken, reason: str = "") -> ApiToken:
    """Revoke a token at once; requests carrying it are refused from now on."""
    token = locking.row(ApiToken.objects.select_related("user"), token.pk)
    _require_owner(actor, token.user)
    if token.revoked_at is not None:
        raise InvalidTransition(_("Ключ уже отозван."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor, "api.token.revoked", token, reason=(reason or "").strip(),
                 user_id=token.user_id)
    return token
