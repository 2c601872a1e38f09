"""Background work of accounts (Django Tasks API: inline in tests and the demo)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
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
