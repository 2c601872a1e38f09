"""Background work of accounts (Django Tasks API: inline in tests and the demo)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django_tasks import task


@task()
def send_confirmation_email(user_id: int, origin: str, next_url: str = "") -> int:
    """Send the link that confirms a parent's e-mail; nothing when it is confirmed by now
    (a second press of «Отправить ещё раз» after the first link was opened)."""
    from opora.accounts.models import User
    from opora.accounts.services import confirmation_link

    user = User.objects.filter(pk=user_id, is_active=True, email_confirmed_at=None).first()
    if user is None:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        context = {"user": user, "link": confirmation_link(user, origin, next_url),
                   "region_name": settings.OPORA_REGION_NAME}
        subject = " ".join(render_to_string("accounts/email/confirm_email_subject.txt",
                                            context).split())
        body = render_to_string("accounts/email/confirm_email.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


@task()
def send_registration_attempt_email(user_id: int, origin: str, next_url: str = "") -> int:
    """Tell the owner of an address that someone tried to register with it: links to sign
    in and to set a new password, and the confirmation link again when the address is not
    confirmed yet. Nothing for a blocked account (as Django's password reset)."""
    from opora.accounts.models import User
    from opora.accounts.services import confirmation_link, safe_next

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return 0
    next_url = safe_next(next_url)
    login_link = origin.rstrip("/") + reverse("accounts:login")
    if next_url:
        login_link += "?" + urlencode({"next": next_url})
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "user": user, "login_link": login_link,
            "reset_link": origin.rstrip("/") + reverse("accounts:password_reset"),
            "confirm_link": (confirmation_link(user, origin, next_url)
                             if user.email_confirmed_at is None else ""),
        }
        subject = " ".join(render_to_string("accounts/email/registration_attempt_subject.txt",
                                            context).split())
        body = render_to_string("accounts/email/registration_attempt.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
