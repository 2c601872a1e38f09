"""E-mail to a child's guardians when an application changes its status.

Services call ``status_changed(application)`` inside their transaction; the mail is
queued as a task (``tasks.send_status_email``) with that transaction
(``opora.core.tasks``), so it never runs while the seat lock is held and never goes
out for a change that rolled back. The task is idempotent: it describes the application as it is when
the task runs, and skips the mail if the status has moved on since (a later task
announces the newer status).
"""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import translation
from django.utils.translation import gettext as _

from opora.core.tasks import enqueue_many_with_transaction, enqueue_with_transaction
from opora.enrollment.models import Application, ApplicationStatus


def status_changed(application: Application) -> None:
    """Queue the e-mail about the application's current status with the transaction
    (``core.tasks``: in it when the queue is in the database, else after commit)."""
    from opora.enrollment import tasks

    enqueue_with_transaction(tasks.send_status_email, application.pk, application.status)


def statuses_changed(applications) -> None:
    """``status_changed`` for many applications, their tasks queued in one INSERT."""
    from opora.enrollment import tasks

    enqueue_many_with_transaction(tasks.send_status_email,
                                  [(application.pk, application.status) for application in applications])


def _body(application: Application, position: int | None) -> str:
    group = application.group
    program = group.module.program
    lines = [
        _("Здравствуйте!"),
        "",
        _("Изменился статус заявки на обучение."),
        "",
        _("Ребёнок: %(name)s") % {"name": application.child.first_name},
        _("Программа: %(program)s") % {"program": program.title},
        _("Группа: %(group)s") % {"group": group.name},
        _("Организация: %(organization)s") % {"organization": program.organization.short_name},
        _("Новый статус: %(status)s") % {"status": application.get_status_display()},
    ]
    if position is not None:
        lines.append(_("Место в очереди: %(position)s") % {"position": position})
    if application.reason and application.status in (
            ApplicationStatus.REJECTED, ApplicationStatus.EXPELLED, ApplicationStatus.WITHDRAWN):
        lines.append(_("Причина: %(reason)s") % {"reason": application.reason})
    lines += ["", _("Заявки и их историю можно посмотреть в личном кабинете."), "",
              _("Это письмо отправлено автоматически, отвечать на него не нужно.")]
    return "\n".join(lines)


def send_status_email(application_id: int, status: str) -> int:
    """Send the status mail to every guardian with an e-mail, one message each (no
    family sees another's address). Returns the number of messages sent."""
    from opora.enrollment.selectors import position_of

    application = (Application.objects
                   .select_related("child", "group__module__program__organization")
                   .filter(pk=application_id).first())
    if application is None or application.status != status:
        return 0
    recipients = sorted({email for email in application.child.guardianships
                         .filter(parent__is_active=True, confirmed_at__isnull=False)
                         .values_list("parent__email", flat=True) if email})
    if not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        position = (position_of(application)
                    if application.status == ApplicationStatus.WAITLISTED else None)
        subject = _("Заявка в группу «%(group)s»: %(status)s") % {
            "group": application.group.name, "status": application.get_status_display()}
        body = _body(application, position)
    messages = [EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
                for address in recipients]
    return get_connection().send_messages(messages) or 0
