"""The one-click unsubscribe link of every letter: the address signed with the project's
secret key, so a link unsubscribes exactly the address it was sent to."""

from django.core import signing
from django.urls import reverse

SALT = "opora.mailing.unsubscribe"


def token_of(email: str) -> str:
    return signing.Signer(salt=SALT).sign_object(email.strip().lower(), compress=True)


def email_of(token: str) -> str | None:
    try:
        return signing.Signer(salt=SALT).unsign_object(token)
    except signing.BadSignature:
        return None


def unsubscribe_url(email: str, origin: str = "") -> str:
    return f"{origin.rstrip('/')}{reverse('mailing:unsubscribe', args=[token_of(email)])}"
