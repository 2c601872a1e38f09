"""E-mail of the hotline, sent in the background (``tasks``) and queued after commit, so a
change that rolled back announces nothing. Letters are plain text: what the asker typed is
never HTML.

- to the asker: the question was received (its number and deadline), answered (with the
  answer), or the operator asks for details — with the link to read and reply;
- to the РМЦ operators: a МОЦ escalated a question;
- to the head of a МОЦ (``Desk.head_email`` when the desk names an address, else the
  operator marked as the МОЦ's head, else every МОЦ operator of the municipality):
  questions have run past their deadline.
"""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opora.accounts.models import Role, User
from opora.hotline import links
from opora.hotline.models import Desk, Question, QuestionStatus

RECEIVED, ANSWERED, DETAILS = "received", "answered", "details"
# the statuses in which each letter still makes sense when its task runs
STILL_DUE = {RECEIVED: None, ANSWERED: (QuestionStatus.ANSWERED,),
             DETAILS: (QuestionStatus.AWAITING_DETAILS,)}
FOOTER = gettext_lazy("Это письмо отправлено автоматически, отвечать на него не нужно.")


def _enqueue(task, *args):
    transaction.on_commit(lambda: task.enqueue(*args))


def queue_to_asker(question_id: int, kind: str, origin: str = "") -> None:
    from opora.hotline import tasks

    _enqueue(tasks.mail_asker, question_id, kind, origin)


def queue_escalated(question_id: int) -> None:
    from opora.hotline import tasks

    _enqueue(tasks.mail_escalated, question_id)


def queue_overdue(municipality_id: int, question_ids: list[int]) -> None:
    from opora.hotline import tasks

    _enqueue(tasks.mail_overdue, municipality_id, list(question_ids))


def _send(subject, body, addresses) -> int:
    addresses = sorted({a.strip().lower() for a in addresses if a and a.strip()})
    if not addresses:
        return 0
    messages = [EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
                for address in addresses]
    return get_connection().send_messages(messages) or 0


def _asker_address(question) -> str:
    return question.email or (question.asker.email if question.asker_id else "")


def mail_asker(question_id: int, kind: str, origin: str = "") -> int:
    question = Question.objects.select_related("asker", "municipality").filter(pk=question_id).first()
    if question is None or (STILL_DUE[kind] and question.status not in STILL_DUE[kind]):
        return 0
    address = _asker_address(question)
    if not address:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        number = {"n": question.number}
        link = links.asker_url(question, origin) if origin else ""
        lines = [_("Здравствуйте, %(name)s!") % {"name": question.name}, ""]
        if kind == RECEIVED:
            subject = _("Ваш вопрос № %(n)s принят") % number
            lines += [_("Ваш вопрос на горячую линию МОЦ принят под номером %(n)s.") % number,
                      _("Мы ответим до %(date)s.") % {"date": date_format(question.deadline, "d.m.Y")}]
        elif kind == ANSWERED:
            subject = _("Ответ на ваш вопрос № %(n)s") % number
            lines += [_("Ваш вопрос:"), question.text, "", _("Ответ:"), question.answer]
        else:
            request = question.messages.filter(kind="details_requested").order_by("-pk").first()
            subject = _("Уточните, пожалуйста, ваш вопрос № %(n)s") % number
            lines += [_("Чтобы ответить на ваш вопрос, нам нужно уточнение:"),
                      request.text if request else "",
                      "", _("Ответьте по ссылке ниже — срок ответа отсчитывается заново.")]
        if link:
            lines += ["", _("Вопрос и ответ: %(url)s") % {"url": link}]
        lines += ["", str(FOOTER)]
        return _send(subject, "\n".join(lines), [address])


def mail_escalated(question_id: int) -> int:
    question = Question.objects.select_related("municipality").filter(
        pk=question_id, status=QuestionStatus.ESCALATED).first()
    if question is None:
        return 0
    addresses = User.objects.filter(role=Role.REGIONAL_CENTRE, is_active=True).values_list(
        "email", flat=True)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("МОЦ передал в РМЦ вопрос № %(n)s") % {"n": question.number}
        body = "\n".join([
            _("Здравствуйте!"), "",
            _("МОЦ муниципалитета «%(m)s» передал в РМЦ вопрос горячей линии № %(n)s "
              "(%(topic)s), срок ответа — %(date)s.") % {
                "m": question.municipality, "n": question.number,
                "topic": question.get_topic_display(),
                "date": date_format(question.deadline, "d.m.Y")},
            _("Вопрос в разделе «Горячая линия» кабинета."), "", str(FOOTER)])
        return _send(subject, body, addresses)


def head_addresses(municipality_id: int) -> list[str]:
    desk = Desk.objects.filter(municipality_id=municipality_id).first()
    if desk and desk.head_email:
        return [desk.head_email]
    return [user.email for user in User.objects.centre_heads(municipality_id)]


def mail_overdue(municipality_id: int, question_ids: list[int]) -> int:
    questions = list(Question.objects.filter(pk__in=question_ids, municipality_id=municipality_id)
                     .order_by("deadline", "pk"))
    if not questions:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Горячая линия: просрочены ответы на вопросы (%(n)s)") % {"n": len(questions)}
        lines = [_("Здравствуйте!"), "",
                 _("Срок ответа прошёл, а ответа нет:"), ""]
        lines += [_("№ %(n)s · %(topic)s · срок %(date)s · %(status)s") % {
            "n": q.number, "topic": q.get_topic_display(),
            "date": date_format(q.deadline, "d.m.Y"), "status": q.get_status_display()}
            for q in questions]
        lines += ["", _("Вопросы в разделе «Горячая линия» кабинета МОЦ."), "", str(FOOTER)]
        return _send(subject, "\n".join(lines), head_addresses(municipality_id))
