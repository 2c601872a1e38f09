"""A teacher's own account (docs/domain.md, «Повышение квалификации»): the organization
invites its teacher by e-mail; the teacher opens the letter's link, sets a password and
signs in to an account of the role «Педагог» tied to the teacher's record in the registry.

- ``invite(actor, teacher, email, origin) -> User`` — the organization's staff open the
  account (no usable password yet) and the letter goes out after commit; while the teacher
  has not accepted, inviting again sends a new letter, to a corrected address if need be.
- ``accept(uidb64, token, *, password, consent) -> User`` — the link was opened: the
  password is set, the address is confirmed (the letter reached it), the link works once.
- ``invitation_state(teacher)`` — none, sent (with the address) or accepted.

``origin`` is the scheme and host the link points to («https://opora.example»).
"""

import logging

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_tasks import task

from opora import audit, locking
from opora.accounts import scope
from opora.accounts.models import Role, User
from opora.errors import InvalidTransition, NotFound, ValidationFailed
from opora.logs import state_change
from opora.registry.models import Teacher

log = logging.getLogger(__name__)


class InvitationTokens(PasswordResetTokenGenerator):
    """Django's signed token over the account's state (its password and confirmation):
    once a password is set the hash differs, so a link works once; it expires after
    ``PASSWORD_RESET_TIMEOUT`` like a password reset."""

    key_salt = "opora.training.invitations.InvitationTokens"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.email}{user.password}{user.email_confirmed_at or ''}{timestamp}"


tokens = InvitationTokens()


def invitation_state(teacher: Teacher) -> dict:
    """``{"state": "none" | "sent" | "accepted", "email": …}`` of the teacher's account."""
    account = User.objects.filter(teacher=teacher).first()
    if account is None:
        return {"state": "none", "email": ""}
    return {"state": "accepted" if account.email_confirmed_at else "sent", "email": account.email,
            "active": account.is_active}


def invite(actor, teacher: Teacher, email: str, origin: str) -> User:
    """The organization gives its working teacher an account of their own: an account of the
    role «Педагог» tied to the teacher's record, without a usable password until the teacher
    opens the letter. An address that already has an account is refused (an account has one
    role); a teacher who has accepted is not invited again."""
    scope.require(actor, "training.invite", teacher)
    if not teacher.is_active:
        raise InvalidTransition(_("%(name)s не работает в организации: пригласить нельзя.")
                                % {"name": teacher.full_name})
    email = str(email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationFailed(_("Укажите правильный адрес электронной почты."), field="email") from None
    with locking.atomic():
        teacher = locking.row(Teacher, teacher.pk)
        account = locking.first(User.objects.filter(teacher=teacher))
        if account is not None and account.email_confirmed_at is not None:
            raise InvalidTransition(_("У педагога уже есть учётная запись: %(email)s.")
                                    % {"email": account.email})
        taken = User.objects.filter(email__iexact=email)
        if account is not None:
            taken = taken.exclude(pk=account.pk)
        if taken.exists():
            raise ValidationFailed(_("С этим адресом уже есть учётная запись в системе: у учётной "
                                     "записи одна роль. Укажите другой адрес педагога."), field="email")
        names = {"last_name": teacher.last_name, "first_name": teacher.first_name,
                 "patronymic": teacher.patronymic}
        if account is None:
            account = User(email=email, role=Role.TEACHER, teacher=teacher, email_confirmed_at=None, **names)
            account.set_unusable_password()
            account.save()
            action = "training.teacher.invited"
        else:
            account.email, account.is_active = email, True
            account.save(update_fields=["email", "is_active"])
            action = "training.teacher.invited_again"
        audit.record(actor, action, teacher, account=account.pk)
        state_change(log, action, teacher=teacher.pk, account=account.pk)
        account_id = account.pk
        transaction.on_commit(lambda: send_invitation.enqueue(account_id, origin))
    return account


def invitation_link(user: User, origin: str) -> str:
    return origin.rstrip("/") + reverse("training:invitation", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": tokens.make_token(user)})


def invited_account(uidb64: str, token: str) -> User:
    """The account a link names, if the link is valid and not used yet."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        pk = None
    user = (User.objects.select_related("teacher__organization")
            .filter(pk=pk, role=Role.TEACHER, is_active=True, email_confirmed_at=None).first())
    if user is None or not tokens.check_token(user, token):
        raise NotFound(_("Ссылка приглашения недействительна: возможно, она устарела или уже "
                         "использована. Попросите организацию отправить приглашение ещё раз."))
    return user


def accept(uidb64: str, token: str, *, password: str, consent: bool) -> User:
    """The teacher opened the letter's link: with the consent to process their personal
    data and a password of the site's rules, the account opens and its address counts as
    confirmed. The link works once."""
    user = invited_account(uidb64, token)
    if consent is not True:
        raise ValidationFailed(_("Без согласия на обработку персональных данных учётную запись "
                                 "открыть нельзя."), field="consent")
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationFailed({"password": list(error.messages)}) from None
    with locking.atomic():
        user = locking.first(User.objects.filter(pk=user.pk, email_confirmed_at=None))
        if user is None or not tokens.check_token(user, token):
            raise NotFound(_("Ссылка приглашения уже использована."))
        now = timezone.now()
        user.set_password(password)
        user.email_confirmed_at = user.personal_data_consent_at = now
        user.save(update_fields=["password", "email_confirmed_at", "personal_data_consent_at"])
        audit.record(user, "training.teacher.account_opened", user.teacher, account=user.pk)
        state_change(log, "training.teacher.account_opened", teacher=user.teacher_id, account=user.pk)
    return user


@task()
def send_invitation(user_id: int, origin: str) -> int:
    """The letter with the link; nothing once the teacher has accepted (a second press of
    «Пригласить ещё раз» after the first link was opened)."""
    user = (User.objects.select_related("teacher__organization")
            .filter(pk=user_id, role=Role.TEACHER, is_active=True, email_confirmed_at=None).first())
    if user is None:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        context = {"user": user, "teacher": user.teacher, "link": invitation_link(user, origin),
                   "region_name": settings.OPORA_REGION_NAME}
        subject = " ".join(render_to_string("training/email/invitation_subject.txt", context).split())
        body = render_to_string("training/email/invitation.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
