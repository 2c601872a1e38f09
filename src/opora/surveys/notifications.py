"""E-mail reminders about data requests. ``remind`` (services) queues one task per reply
after commit; the task writes to the people who answer it — the active staff of the
organization and its own address, or the active МОЦ operators of the municipality — and
skips a reply that has been submitted in the meantime."""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from opora.accounts.models import Role, User
from opora.surveys.models import Reply, ReplyStatus

OPEN = (ReplyStatus.PENDING, ReplyStatus.DRAFT, ReplyStatus.RETURNED)


def queue_reminders(reply_ids: list[int]) -> None:
    from opora.surveys import tasks

    ids = list(reply_ids)
    transaction.on_commit(lambda: [tasks.send_reminder.enqueue(pk) for pk in ids])


def recipients(reply: Reply) -> list[str]:
    if reply.organization_id is not None:
        people = User.objects.filter(role=Role.ORGANIZATION_STAFF, organization_id=reply.organization_id)
        extra = [reply.organization.email]
    else:
        people = User.objects.filter(role=Role.SUPPORT_CENTRE, municipality_id=reply.municipality_id)
        extra = []
    addresses = list(people.filter(is_active=True).values_list("email", flat=True)) + extra
    return sorted({address.strip().lower() for address in addresses if address and address.strip()})


def send_reminder(reply_id: int) -> int:
    reply = (Reply.objects.select_related("survey", "organization", "municipality")
             .filter(pk=reply_id, status__in=OPEN).first())
    if reply is None:
        return 0
    addresses = recipients(reply)
    if not addresses:
        return 0
    survey = reply.survey
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Напоминание: запрос данных «%(title)s»") % {"title": survey.title}
        lines = [
            _("Здравствуйте!"), "",
            _("Ждём ваш ответ на запрос данных «%(title)s».") % {"title": survey.title},
            _("Отвечает: %(who)s") % {"who": reply.organization or reply.municipality},
            _("Срок ответа: %(date)s") % {"date": date_format(survey.deadline, "d.m.Y")},
        ]
        if reply.status == ReplyStatus.RETURNED and reply.remarks:
            lines.append(_("Замечания: %(remarks)s") % {"remarks": reply.remarks})
        lines += ["", _("Ответить можно в разделе «Запросы данных» личного кабинета."), "",
                  _("Это письмо отправлено автоматически, отвечать на него не нужно.")]
        body = "\n".join(lines)
    messages = [EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
                for address in addresses]
    return get_connection().send_messages(messages) or 0
