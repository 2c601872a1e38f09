"""E-mail about data requests, sent in the background (``tasks.send_notice``), queued
after commit so a change that rolled back announces nothing:

- ``sent``: a request has reached the reply's addressee;
- ``reminder``: the answer is still awaited (``services.remind``);
- ``returned``: the level above returned the answer with remarks.

A reply's addressees are the active staff of its organization and the organization's own
address, or, for the municipality's answer, the active МОЦ operators of the municipality.
The task describes the reply as it is when it runs and skips the mail when the news is
stale (the answer was submitted in the meantime).
"""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from opora.accounts.models import Role, User
from opora.surveys.models import Reply, ReplyStatus

OPEN = (ReplyStatus.PENDING, ReplyStatus.DRAFT, ReplyStatus.RETURNED)
SENT, REMINDER, RETURNED = "sent", "reminder", "returned"
# the statuses in which each notice still makes sense when its task runs
STILL_DUE = {SENT: OPEN, REMINDER: OPEN, RETURNED: (ReplyStatus.RETURNED,)}


def queue(reply_ids, kind: str) -> None:
    from opora.surveys import tasks

    ids = list(reply_ids)
    transaction.on_commit(lambda: [tasks.send_notice.enqueue(pk, kind) for pk in ids])


def queue_reminders(reply_ids) -> None:
    queue(reply_ids, REMINDER)


def recipients(reply: Reply) -> list[str]:
    if reply.organization_id is not None:
        people = User.objects.filter(role=Role.ORGANIZATION_STAFF, organization_id=reply.organization_id)
        extra = [reply.organization.email]
    else:
        people = User.objects.filter(role=Role.SUPPORT_CENTRE, municipality_id=reply.municipality_id)
        extra = []
    addresses = list(people.filter(is_active=True).values_list("email", flat=True)) + extra
    return sorted({address.strip().lower() for address in addresses if address and address.strip()})


def _text(reply: Reply, kind: str) -> tuple[str, str]:
    survey = reply.survey
    names = {"title": survey.title}
    subject = {
        SENT: _("Новый запрос данных: «%(title)s»"),
        REMINDER: _("Напоминание: запрос данных «%(title)s»"),
        RETURNED: _("Ответ на запрос данных «%(title)s» возвращён на доработку"),
    }[kind] % names
    opening = {
        SENT: _("Поступил запрос данных «%(title)s»."),
        REMINDER: _("Ждём ваш ответ на запрос данных «%(title)s»."),
        RETURNED: _("Ваш ответ на запрос данных «%(title)s» возвращён на доработку."),
    }[kind] % names
    lines = [
        _("Здравствуйте!"), "", opening,
        _("Отвечает: %(who)s") % {"who": reply.organization or reply.municipality},
        _("Срок ответа: %(date)s") % {"date": date_format(survey.deadline, "d.m.Y")},
    ]
    if reply.status == ReplyStatus.RETURNED and reply.remarks:
        lines.append(_("Замечания: %(remarks)s") % {"remarks": reply.remarks})
    lines += ["", _("Ответить можно в разделе «Запросы данных» личного кабинета."), "",
              _("Это письмо отправлено автоматически, отвечать на него не нужно.")]
    return subject, "\n".join(lines)


def send_notice(reply_id: int, kind: str) -> int:
    """Send one notice about a reply to each of its addressees; the number sent."""
    reply = (Reply.objects.select_related("survey", "organization", "municipality")
             .filter(pk=reply_id, status__in=STILL_DUE.get(kind, ())).first())
    if reply is None:
        return 0
    addresses = recipients(reply)
    if not addresses:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _text(reply, kind)
    messages = [EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
                for address in addresses]
    return get_connection().send_messages(messages) or 0
