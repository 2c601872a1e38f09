"""The signed link by which an asker without an account reads their question and answers
a request for details: the question's uuid signed with the project's secret key (no one
can guess another's link; it does not expire, like the answer it leads to)."""

from django.core import signing
from django.urls import reverse

SALT = "opora.hotline.question"


def token_of(question) -> str:
    return signing.Signer(salt=SALT).sign_object(str(question.uuid), compress=True)


def uuid_of(token: str) -> str | None:
    try:
        return signing.Signer(salt=SALT).unsign_object(token)
    except signing.BadSignature:
        return None


def asker_url(question, origin: str = "") -> str:
    """Where the asker reads the question: the cabinet for a signed-in asker, the signed
    link for the others."""
    if question.asker_id:
        path = reverse("hotline:mine_detail", args=[question.pk])
    else:
        path = reverse("hotline:by_link", args=[token_of(question)])
    return f"{origin.rstrip('/')}{path}"
