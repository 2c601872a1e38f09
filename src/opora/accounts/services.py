"""Use cases of accounts: a parent registers, confirms the e-mail, asks for the link again.

- ``register_parent(*, email, password, last_name, first_name, patronymic, phone,
  municipality, consent, origin, next_url="") -> User | None`` — a new parent account
  that may add children and apply only after the e-mail is confirmed; the link goes out
  after commit. For an address that already has an account nothing is created or
  changed: its owner gets a letter instead and the result is None, which the caller
  answers exactly as a new account (the answer never tells whether an address is known).
- ``send_confirmation(user, origin, next_url="")`` — the link again.
- ``confirm_email(uidb64, token) -> User`` — the link was opened; it works once.
- ``may_enrol(user)`` — a parent whose address is confirmed.

``origin`` is the scheme and host the link points to («https://opora.example»).
"""

import re

from django.contrib.auth import password_validation
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import (
    url_has_allowed_host_and_scheme,
    urlencode,
    urlsafe_base64_decode,
    urlsafe_base64_encode,
)
from django.utils.translation import gettext as _

from opora import audit, locking
from opora.accounts.models import Role, User
from opora.errors import InvalidTransition, NotFound, ValidationFailed

PHONE_CHARS = re.compile(r"^\+?[\d\s()\-]+$")


class EmailConfirmationTokenGenerator(PasswordResetTokenGenerator):
    """Django's signed, expiring token over the account's state: once the address is
    confirmed (or changed) the hash differs, so a link works only once."""

    key_salt = "opora.accounts.services.EmailConfirmationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.email}{user.email_confirmed_at or ''}{timestamp}"


confirmation_tokens = EmailConfirmationTokenGenerator()


def may_enrol(user) -> bool:
    """A parent may add children and apply once the address is confirmed."""
    return (user is not None and user.is_authenticated and user.is_active
            and user.role == Role.PARENT and user.email_confirmed_at is not None)


def _clean_name(value) -> str:
    return " ".join(str(value or "").split())


def _clean_phone(value) -> str:
    phone = _clean_name(value)
    digits = re.sub(r"\D", "", phone)
    if not phone:
        raise ValidationFailed({"phone": [_("Укажите телефон.")]})
    if not PHONE_CHARS.match(phone) or not 10 <= len(digits) <= 15:
        raise ValidationFailed({"phone": [_(
            "Телефон — от 10 до 15 цифр, например +7 900 123-45-67.")]})
    return phone


def _clean_email(value) -> str:
    email = str(value or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationFailed({"email": [_("Укажите правильный адрес электронной почты.")]}
                               ) from None
    return email


def register_parent(*, email: str, password: str, last_name: str, first_name: str,
                    patronymic: str = "", phone: str, municipality, consent: bool,
                    origin: str, next_url: str = "") -> User | None:
    """A parent opens an account with the consent to process their own personal data;
    the e-mail must be confirmed before children can be added.

    Every rule is checked, and the password hashed, whatever the address: when it
    already has an account, the answer takes as long and refuses the same input, but
    creates nothing and changes nothing — the owner is told by letter (``None``)."""
    if consent is not True:
        raise ValidationFailed({"consent": [_(
            "Без согласия на обработку персональных данных зарегистрироваться нельзя.")]})
    email = _clean_email(email)
    names = {"last_name": _clean_name(last_name), "first_name": _clean_name(first_name),
             "patronymic": _clean_name(patronymic)}
    if not names["last_name"]:
        raise ValidationFailed({"last_name": [_("Укажите фамилию.")]})
    if not names["first_name"]:
        raise ValidationFailed({"first_name": [_("Укажите имя.")]})
    phone = _clean_phone(phone)
    if municipality is None:
        raise ValidationFailed({"municipality": [_("Выберите муниципалитет.")]})
    user = User(email=email, role=Role.PARENT, municipality=municipality, phone=phone,
                email_confirmed_at=None, personal_data_consent_at=timezone.now(), **names)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationFailed({"password": list(error.messages)}) from None
    user.set_password(password)
    with transaction.atomic():
        owner = User.objects.filter(email__iexact=email).first()
        if owner is None:
            try:
                with transaction.atomic():
                    user.save()
            except IntegrityError:
                # Two submissions of the same address at once: the first one won.
                owner = User.objects.filter(email__iexact=email).first()
                if owner is None:
                    raise
            else:
                audit.record(user, "accounts.parent.registered", user,
                             municipality_id=municipality.pk)
                send_confirmation(user, origin, next_url)
                return user
        _tell_the_owner(owner, origin, next_url)
    return None


def _tell_the_owner(owner: User, origin: str, next_url: str) -> None:
    """Someone registered with the address of ``owner``: a letter to the owner (to sign in,
    set a new password, or confirm the address if it is not yet), after commit."""
    from opora.accounts import tasks

    audit.record(None, "accounts.registration.email_taken", owner)
    owner_id = owner.pk
    transaction.on_commit(
        lambda: tasks.send_registration_attempt_email.enqueue(owner_id, origin, next_url))


def safe_next(next_url: str) -> str:
    """``next_url`` when it is a path of this site, for a link in a letter; else empty."""
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts=None):
        return next_url
    return ""


def confirmation_link(user: User, origin: str, next_url: str = "") -> str:
    path = reverse("accounts:confirm_email", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": confirmation_tokens.make_token(user)})
    if safe_next(next_url):
        path += "?" + urlencode({"next": next_url})
    return origin.rstrip("/") + path


def send_confirmation(user: User, origin: str, next_url: str = "") -> None:
    """Queue the letter with the confirmation link, after commit (the link is made from
    the committed account)."""
    if user.email_confirmed_at is not None:
        raise InvalidTransition(_("Адрес электронной почты уже подтверждён."))
    from opora.accounts import tasks

    user_id = user.pk
    transaction.on_commit(
        lambda: tasks.send_confirmation_email.enqueue(user_id, origin, next_url))


def confirm_email(uidb64: str, token: str) -> User:
    """The link from the letter was opened: the address is confirmed. The link works
    once; a changed or expired one is refused."""
    refused = NotFound(_("Ссылка для подтверждения недействительна: возможно, она устарела "
                         "или уже использована."))
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        raise refused from None
    with transaction.atomic():
        user = locking.first(User.objects.filter(pk=pk, is_active=True))
        if user is None or not confirmation_tokens.check_token(user, token):
            raise refused
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["email_confirmed_at"])
        audit.record(user, "accounts.email.confirmed", user)
    return user
