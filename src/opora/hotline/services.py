"""Use cases of the hotline (docs/domain.md, «Горячая линия»). Every function checks the
actor's right through ``opora.accounts.scope``, refuses bad input with a Russian message
and changes nothing then, records its decision in the audit trail, and leaves the e-mail
to the background (``notifications``, queued after commit).

- ``ask(actor, data, attachment=None, client=None)`` — anyone asks: the public form
  (``actor`` not signed in) or a parent's or provider's cabinet, from the client address
  ``client``; ``register_call(actor, data)`` — the МОЦ registers a question received by
  phone.
- ``take``, ``answer``, ``request_details``, ``escalate``, ``return_to_support_centre`` —
  the operator's work on a question; ``add_details`` — the asker's reply to a request.
- ``publish_faq``, ``edit_faq``, ``withdraw_faq`` — public FAQ entries, only by an operator.
- ``report_overdue(now)`` — flag overdue questions and tell the heads of the МОЦ, once.
- ``save_desk``, ``set_topic_deadline``, ``set_calendar_day``, ``remove_calendar_day``.

The rules:
- one client address asks at most ``OPORA_HOTLINE_QUESTIONS_PER_HOUR`` questions in an
  hour (the form, the cabinet and the API alike; the МОЦ's phone register is not
  limited); the count is the audit trail's, which every worker shares;
- a question has a name, a way to answer (e-mail or phone; a signed-in asker has their
  account), a municipality, a topic and a text of at most ``MAX_TEXT`` characters; an
  attachment is a PDF, DOCX, JPEG or PNG of at most ``MAX_ATTACHMENT`` bytes whose content
  matches its type;
- the deadline is the N-th working day after the day the question came (N per topic, 3
  by default); when the operator asks for details, the clock restarts from the asker's
  reply;
- the МОЦ of the question's municipality works on it until it escalates it; then only the
  РМЦ answers it or returns it to the МОЦ;
- an answer is on time when it is given on or before the deadline day;
- a FAQ entry is made by an operator from an answered question (never automatically),
  and is refused while it still carries the asker's name, e-mail or phone.
"""

import datetime as dt
import hashlib
import hmac
import logging

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from opora import audit, locking, logs
from opora.accounts import scope
from opora.accounts.models import Role
from opora.errors import InvalidTransition, PermissionDenied, Throttled, ValidationFailed
from opora.hotline import notifications, workdays
from opora.hotline.models import (
    DEFAULT_WORKING_DAYS,
    CalendarDay,
    Channel,
    Desk,
    FaqEntry,
    Message,
    MessageKind,
    Question,
    QuestionStatus,
    Topic,
    TopicDeadline,
)
from opora.registry.models import Municipality

log = logging.getLogger(__name__)

MAX_TEXT = 5000
MAX_NAME = 200
MAX_FAQ_TITLE = 300
MAX_ATTACHMENT = 5 * 1024 * 1024
MAX_WORKING_DAYS = 30
# extension -> the bytes a file of that type starts with
ATTACHMENT_TYPES = {
    "pdf": (b"%PDF-",),
    "docx": (b"PK\x03\x04",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
# who may ask from a cabinet (the others use the public form, or work the queue)
CABINET_ROLES = (Role.PARENT, Role.ORGANIZATION_STAFF)


class _Errors(dict):
    def add(self, field, message):
        self.setdefault(field, []).append(str(message))

    def raise_if_any(self):
        if self:
            raise ValidationFailed(dict(self))


def _text(value) -> str:
    return value.replace("\x00", "").strip() if isinstance(value, str) else ""


# --- the calendar and the deadline ------------------------------------------------------


def calendar(start: dt.date):
    """The exceptions of the production calendar from ``start`` on: (days off, worked weekends)."""
    rows = CalendarDay.objects.filter(date__gte=start,
                                      date__lt=start + dt.timedelta(days=workdays.MAX_DAYS))
    days_off, working = set(), set()
    for day, is_working in rows.values_list("date", "is_working"):
        (working if is_working else days_off).add(day)
    return days_off, working


def working_days_of(topic: str) -> int:
    row = TopicDeadline.objects.filter(topic=topic).values_list("working_days", flat=True).first()
    return DEFAULT_WORKING_DAYS if row is None else row


def deadline_for(topic: str, received: dt.date) -> dt.date:
    """The answer deadline of a question of ``topic`` that came on ``received``."""
    return workdays.add_working_days(received, working_days_of(topic), *calendar(received))


# --- asking ---------------------------------------------------------------------------


def _clean_question(errors, data, *, needs_contact: bool) -> dict:
    name = _text(data.get("name"))
    email = _text(data.get("email")).lower()
    phone = _text(data.get("phone"))
    text = _text(data.get("text"))
    topic = data.get("topic")
    if not name:
        errors.add("name", _("Укажите, как к вам обращаться."))
    elif len(name) > MAX_NAME:
        errors.add("name", _("Имя длиннее %(n)s символов.") % {"n": MAX_NAME})
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            errors.add("email", _("Проверьте адрес e-mail: в нём ошибка."))
    if len(phone) > 30 or (phone and sum(c.isdigit() for c in phone) < 5):
        errors.add("phone", _("Проверьте номер телефона."))
    if needs_contact and not email and not phone:
        errors.add("email", _("Укажите e-mail или телефон, чтобы мы могли ответить."))
    if topic not in Topic.values:
        errors.add("topic", _("Выберите тему вопроса."))
    if not text:
        errors.add("text", _("Напишите вопрос."))
    elif len(text) > MAX_TEXT:
        errors.add("text", _("Вопрос длиннее %(n)s символов: сократите его.") % {"n": MAX_TEXT})
    municipality = None
    raw = data.get("municipality")
    if raw not in (None, ""):
        try:
            municipality = Municipality.objects.filter(pk=int(raw)).first()
        except (TypeError, ValueError):
            municipality = None
    if municipality is None:
        errors.add("municipality", _("Выберите муниципалитет."))
    return {"name": name, "email": email, "phone": phone, "text": text, "topic": topic,
            "municipality": municipality}


def check_attachment(errors, attachment) -> str:
    """The lower-case extension of an acceptable attachment, or '' with an error added."""
    if attachment is None:
        return ""
    name = getattr(attachment, "name", "") or ""
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if extension not in ATTACHMENT_TYPES:
        errors.add("attachment", _("Приложить можно файл PDF, DOCX, JPG или PNG."))
        return ""
    if attachment.size > MAX_ATTACHMENT:
        errors.add("attachment", _("Файл больше 5 МБ: уменьшите его или приложите другой."))
        return ""
    attachment.seek(0)
    head = attachment.read(16)
    attachment.seek(0)
    if not head.startswith(ATTACHMENT_TYPES[extension]):
        errors.add("attachment", _("Содержимое файла не похоже на %(kind)s.") % {"kind": extension.upper()})
        return ""
    return extension


# --- the hourly limit of one client address ---------------------------------------------

QUESTION_RECEIVED = "hotline.question.received"


def client_key(address: str | None) -> str:
    """What the audit trail keeps of a client address to count its questions: a keyed
    digest, not the address itself ('' without an address)."""
    if not address:
        return ""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"hotline:{address}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def _throttle(client: str) -> None:
    """Refuse a question over the hour's limit of its client address. Called inside the
    transaction that saves the question, under the address's advisory lock, so two
    requests from one address are counted one after the other."""
    if not client:
        return
    locking.advisory("hotline-asks", client)
    since = timezone.now() - dt.timedelta(hours=1)
    if audit.count(audit.ANYONE, (QUESTION_RECEIVED,), since, client=client) \
            >= settings.OPORA_HOTLINE_QUESTIONS_PER_HOUR:
        raise Throttled(_(
            "С вашего адреса за последний час отправлено слишком много вопросов. Попробуйте "
            "через час или позвоните на горячую линию МОЦ."))


def _create(actor, fields, channel, attachment=None, *, asker=None, registered_by=None,
            origin="", client="") -> Question:
    now = timezone.now()
    received = timezone.localdate(now)
    with locking.atomic():
        _throttle(client)
        question = Question(channel=channel, asker=asker, registered_by=registered_by,
                            received_at=now, deadline=deadline_for(fields["topic"], received),
                            **fields)
        if attachment is not None:
            question.attachment_name = (attachment.name or "")[-200:]
            question.attachment.save(attachment.name, attachment, save=False)
        question.save()
        audit.record(actor, QUESTION_RECEIVED, question, to_state=question.status, channel=channel,
                     topic=question.topic, **({"client": client} if client else {}))
        logs.state_change(log, "hotline.question_received", question=question.pk,
                          municipality=question.municipality_id, channel=channel)
    notifications.queue_to_asker(question.pk, notifications.RECEIVED, origin)
    return question


def ask(actor, data: dict, attachment=None, origin: str = "", client: str | None = None) -> Question:
    """Anyone asks the МОЦ of a municipality. A signed-in parent or provider asks from the
    cabinet: the question is theirs (they read the answer there), their account's name and
    e-mail fill what they left out. Other signed-in roles work the queue, not ask it.
    ``client`` is the asker's address (``accounts.middleware.client_ip``): over the hour's
    limit of that address the question is refused (``Throttled``) and nothing is saved."""
    errors = _Errors()
    signed_in = actor is not None and actor.is_authenticated
    if signed_in and actor.role not in CABINET_ROLES:
        raise PermissionDenied(_("Вопросы на горячую линию задают родители и организации."))
    data = dict(data)
    if signed_in:
        data.setdefault("name", actor.full_name or actor.email)
        if not _text(data.get("name")):
            data["name"] = actor.full_name or actor.email
        if not _text(data.get("email")):
            data["email"] = actor.email
        if data.get("municipality") in (None, ""):
            data["municipality"] = actor.municipality_id or (
                actor.organization.municipality_id if actor.organization_id else None)
    fields = _clean_question(errors, data, needs_contact=not signed_in)
    check_attachment(errors, attachment)
    errors.raise_if_any()
    key = client_key(client)
    if signed_in:
        return _create(actor, fields, Channel.CABINET, attachment, asker=actor, origin=origin,
                       client=key)
    return _create(None, fields, Channel.SITE, attachment, origin=origin, client=key)


def register_call(actor, data: dict, origin: str = "") -> Question:
    """The МОЦ registers a question received by phone, for its own municipality."""
    if not scope.holds(actor, "hotline.answer") or actor.role != Role.SUPPORT_CENTRE:
        raise PermissionDenied(_("Недостаточно прав для этого действия."))
    data = dict(data, municipality=actor.municipality_id)
    errors = _Errors()
    fields = _clean_question(errors, data, needs_contact=True)
    errors.raise_if_any()
    return _create(actor, fields, Channel.PHONE, registered_by=actor, origin=origin)


# --- the operator's work --------------------------------------------------------------


def may_work(user, question) -> bool:
    """The МОЦ of the question's municipality until it is escalated; the РМЦ after."""
    if not scope.can(user, "hotline.answer", question):
        return False
    if user.role == Role.REGIONAL_CENTRE or user.is_superuser:
        return question.status == QuestionStatus.ESCALATED
    return question.status in (QuestionStatus.NEW, QuestionStatus.IN_WORK,
                               QuestionStatus.AWAITING_DETAILS)


def _locked(actor, question, allowed, message) -> Question:
    question = locking.row(Question, question.pk, guard="hotline")
    if not scope.can(actor, "hotline.answer", question):
        raise PermissionDenied(_("Недостаточно прав для этого действия."))
    if question.status not in allowed or not may_work(actor, question):
        raise InvalidTransition(message)
    return question


def _state(actor, question, old, action, reason=""):
    audit.record(actor, f"hotline.question.{action}", question, from_state=old,
                 to_state=question.status, reason=reason)
    logs.state_change(log, "hotline.question_status_changed", question=question.pk,
                      from_status=old, to_status=question.status)


def take(actor, question) -> Question:
    """An operator takes a new question (or takes over one another operator holds)."""
    with locking.atomic():
        question = _locked(actor, question, (QuestionStatus.NEW, QuestionStatus.IN_WORK,
                                             QuestionStatus.ESCALATED),
                           _("Этот вопрос уже нельзя взять в работу."))
        old = question.status
        if question.status == QuestionStatus.NEW:
            question.status = QuestionStatus.IN_WORK
        question.taken_by = actor
        question.save(update_fields=["status", "taken_by"])
        _state(actor, question, old, "taken")
    return question


def _required_text(text, field="text", empty=None) -> str:
    text = _text(text)
    if not text:
        raise ValidationFailed(empty or _("Напишите текст."), field=field)
    if len(text) > MAX_TEXT:
        raise ValidationFailed(_("Текст длиннее %(n)s символов.") % {"n": MAX_TEXT}, field=field)
    return text


def answer(actor, question, text: str, origin: str = "") -> Question:
    """Answer the question: the asker reads it in the cabinet (or by the link) and gets it
    by e-mail; the answer is on time when given on or before the deadline day."""
    text = _required_text(text, empty=_("Напишите ответ."))
    with locking.atomic():
        question = _locked(actor, question, (QuestionStatus.NEW, QuestionStatus.IN_WORK,
                                             QuestionStatus.ESCALATED),
                           _("На этот вопрос сейчас нельзя ответить."))
        old, now = question.status, timezone.now()
        question.status = QuestionStatus.ANSWERED
        question.answer, question.answered_at, question.answered_by = text, now, actor
        question.answered_on_time = timezone.localdate(now) <= question.deadline
        question.taken_by = question.taken_by or actor
        question.save(update_fields=["status", "answer", "answered_at", "answered_by",
                                     "answered_on_time", "taken_by"])
        Message.objects.create(question=question, kind=MessageKind.ANSWER, text=text,
                               author=actor, created_at=now)
        _state(actor, question, old, "answered")
    notifications.queue_to_asker(question.pk, notifications.ANSWERED, origin)
    return question


def request_details(actor, question, text: str, origin: str = "") -> Question:
    """Ask the asker for details; the question waits for their reply."""
    text = _required_text(text, empty=_("Напишите, что нужно уточнить."))
    with locking.atomic():
        question = _locked(actor, question, (QuestionStatus.NEW, QuestionStatus.IN_WORK),
                           _("Уточнение сейчас запросить нельзя."))
        if question.asker_id is None and not question.email:
            raise InvalidTransition(_("У автора нет e-mail: уточните вопрос по телефону "
                                      "%(phone)s.") % {"phone": question.phone})
        old = question.status
        question.status = QuestionStatus.AWAITING_DETAILS
        question.taken_by = question.taken_by or actor
        question.save(update_fields=["status", "taken_by"])
        Message.objects.create(question=question, kind=MessageKind.DETAILS_REQUESTED,
                               text=text, author=actor)
        _state(actor, question, old, "details_requested")
    notifications.queue_to_asker(question.pk, notifications.DETAILS, origin)
    return question


def add_details(actor, question, text: str, *, by_link: bool = False) -> Question:
    """The asker replies to a request for details (from the cabinet, or by the signed link
    of the e-mail, ``by_link``); the deadline restarts from today."""
    text = _required_text(text, empty=_("Напишите уточнение."))
    with locking.atomic():
        question = locking.row(Question, question.pk, guard="hotline")
        own = actor is not None and actor.is_authenticated and question.asker_id == actor.pk
        if not (own or by_link):
            raise PermissionDenied(_("Уточнить вопрос может только его автор."))
        if question.status != QuestionStatus.AWAITING_DETAILS:
            raise InvalidTransition(_("Уточнение по этому вопросу не запрашивалось."))
        old = question.status
        question.status = QuestionStatus.IN_WORK
        today = timezone.localdate()
        question.deadline = max(question.deadline, deadline_for(question.topic, today))
        question.save(update_fields=["status", "deadline"])
        Message.objects.create(question=question, kind=MessageKind.DETAILS, text=text,
                               author=actor if own else None)
        _state(actor if own else None, question, old, "details_added")
    return question


def escalate(actor, question, reason: str) -> Question:
    """The МОЦ passes a question it cannot answer to the РМЦ, saying why."""
    reason = _required_text(reason, field="reason",
                            empty=_("Напишите, почему вопрос передаётся в РМЦ."))
    with locking.atomic():
        question = _locked(actor, question, (QuestionStatus.NEW, QuestionStatus.IN_WORK),
                           _("Этот вопрос сейчас нельзя передать в РМЦ."))
        old = question.status
        question.status = QuestionStatus.ESCALATED
        question.taken_by = None
        question.save(update_fields=["status", "taken_by"])
        Message.objects.create(question=question, kind=MessageKind.ESCALATED, text=reason,
                               author=actor)
        _state(actor, question, old, "escalated", reason=reason)
    notifications.queue_escalated(question.pk)
    return question


def return_to_support_centre(actor, question, note: str) -> Question:
    """The РМЦ returns an escalated question to the МОЦ with its advice."""
    note = _required_text(note, field="reason", empty=_("Напишите, что передать МОЦ."))
    with locking.atomic():
        question = _locked(actor, question, (QuestionStatus.ESCALATED,),
                           _("Вернуть в МОЦ можно только переданный в РМЦ вопрос."))
        old = question.status
        question.status = QuestionStatus.IN_WORK
        question.taken_by = None
        question.save(update_fields=["status", "taken_by"])
        Message.objects.create(question=question, kind=MessageKind.RETURNED, text=note,
                               author=actor)
        _state(actor, question, old, "returned", reason=note)
    return question


# --- FAQ --------------------------------------------------------------------------------


def _personal_details(question) -> list[str]:
    if question is None:
        return []
    found = [question.email, question.phone]
    if question.asker_id:
        found += [question.asker.email, question.asker.phone, question.asker.last_name]
    # the words of the name the asker gave (not the initials, not stray symbols)
    found += [part for part in question.name.split()
              if len(part) >= 3 and part.replace("-", "").isalpha()]
    return [value.strip() for value in found if value and value.strip()]


def _clean_faq(errors, data, question) -> dict:
    title = _text(data.get("title"))
    body = _text(data.get("body"))
    topic = data.get("topic") or (question.topic if question else None)
    if not title:
        errors.add("title", _("Сформулируйте вопрос."))
    elif len(title) > MAX_FAQ_TITLE:
        errors.add("title", _("Вопрос длиннее %(n)s символов.") % {"n": MAX_FAQ_TITLE})
    if not body:
        errors.add("body", _("Напишите ответ."))
    elif len(body) > MAX_TEXT:
        errors.add("body", _("Ответ длиннее %(n)s символов.") % {"n": MAX_TEXT})
    if topic not in Topic.values:
        errors.add("topic", _("Выберите тему."))
    for field, value in (("title", title), ("body", body)):
        for detail in _personal_details(question):
            if detail.lower() in value.lower():
                errors.add(field, _("Уберите персональные данные автора вопроса: «%(d)s».")
                           % {"d": detail})
                break
    return {"title": title, "body": body, "topic": topic}


def publish_faq(actor, question, data: dict) -> FaqEntry:
    """Publish an answered question as a public FAQ entry with the text the operator
    edited (``data``: ``title``, ``body``, ``topic``). The МОЦ publishes for its
    municipality, the РМЦ for the whole region."""
    if question is None or not scope.can(actor, "hotline.publish", question):
        raise PermissionDenied(_("Недостаточно прав для этого действия."))
    if question.status != QuestionStatus.ANSWERED:
        raise InvalidTransition(_("Опубликовать можно только вопрос с ответом."))
    errors = _Errors()
    fields = _clean_faq(errors, data, question)
    errors.raise_if_any()
    regional = actor.role == Role.REGIONAL_CENTRE or actor.is_superuser
    with locking.atomic():
        entry = FaqEntry.objects.create(
            question=question, municipality=None if regional else question.municipality,
            published_by=actor, **fields)
        audit.record(actor, "hotline.faq.published", entry, to_state="published",
                     question=question.pk)
    return entry


def _faq_right(actor, entry):
    if entry.municipality_id is None:
        allowed = scope.holds_region(actor, "hotline.publish")
    else:
        allowed = scope.can(actor, "hotline.publish", entry)
    if not allowed:
        raise PermissionDenied(_("Недостаточно прав для этого действия."))


def edit_faq(actor, entry, data: dict) -> FaqEntry:
    _faq_right(actor, entry)
    errors = _Errors()
    question = entry.question
    fields = _clean_faq(errors, data, question)
    errors.raise_if_any()
    with locking.atomic():
        for key, value in fields.items():
            setattr(entry, key, value)
        entry.save(update_fields=list(fields))
        audit.record(actor, "hotline.faq.edited", entry)
    return entry


def withdraw_faq(actor, entry, publish: bool = False) -> FaqEntry:
    """Take an entry off the public page (or put it back, ``publish``)."""
    _faq_right(actor, entry)
    with locking.atomic():
        old = "published" if entry.is_published else "withdrawn"
        entry.is_published = publish
        if publish:
            entry.published_at = timezone.now()
        entry.save(update_fields=["is_published", "published_at"])
        audit.record(actor, "hotline.faq." + ("published" if publish else "withdrawn"), entry,
                     from_state=old, to_state="published" if publish else "withdrawn")
    return entry


# --- overdue questions ----------------------------------------------------------------


def report_overdue(now=None) -> int:
    """Flag the open questions whose deadline day has passed and tell the head of each
    МОЦ about them — each question once, however often it runs. Returns the number
    flagged this time."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    overdue = Question.objects.filter(status__in=(QuestionStatus.NEW, QuestionStatus.IN_WORK,
                                                  QuestionStatus.ESCALATED),
                                      deadline__lt=today, overdue_reported_at__isnull=True)
    with locking.atomic():
        claimed = locking.rows(overdue, guard="hotline")
        ids = [q.pk for q in claimed]
        if not ids:
            return 0
        Question.objects.filter(pk__in=ids).update(overdue_reported_at=now)
        audit.record_many(audit.event(None, "hotline.question.overdue", q, from_state=q.status,
                                      to_state=q.status, deadline=q.deadline.isoformat())
                          for q in claimed)
        by_municipality = {}
        for question in claimed:
            by_municipality.setdefault(question.municipality_id, []).append(question.pk)
    for municipality_id, question_ids in by_municipality.items():
        notifications.queue_overdue(municipality_id, question_ids)
    return len(ids)


# --- settings ---------------------------------------------------------------------------


def save_desk(actor, municipality, data: dict) -> Desk:
    desk = Desk.objects.filter(municipality=municipality).first() or Desk(municipality=municipality)
    if not scope.can(actor, "hotline.answer", desk) or actor.role != Role.SUPPORT_CENTRE:
        raise PermissionDenied(_("Недостаточно прав для этого действия."))
    errors = _Errors()
    values = {key: _text(data.get(key)) for key in ("phone", "hours", "head_name", "head_email")}
    values["head_email"] = values["head_email"].lower()
    if values["head_email"]:
        try:
            validate_email(values["head_email"])
        except DjangoValidationError:
            errors.add("head_email", _("Проверьте адрес e-mail: в нём ошибка."))
    for key, limit in (("phone", 50), ("hours", 200), ("head_name", 200)):
        if len(values[key]) > limit:
            errors.add(key, _("Не длиннее %(n)s символов.") % {"n": limit})
    errors.raise_if_any()
    with locking.atomic():
        for key, value in values.items():
            setattr(desk, key, value)
        desk.save()
        audit.record(actor, "hotline.desk.saved", desk)
    return desk


def _configures(actor):
    if not scope.holds_region(actor, "hotline.configure"):
        raise PermissionDenied(_("Недостаточно прав для этого действия."))


def set_topic_deadline(actor, topic: str, working_days) -> TopicDeadline:
    """The answer deadline of a topic, in working days (1 to 30), for the whole region."""
    _configures(actor)
    if topic not in Topic.values:
        raise ValidationFailed(_("Неизвестная тема."), field="topic")
    try:
        days = int(working_days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_WORKING_DAYS:
        raise ValidationFailed(_("Срок ответа — от 1 до %(n)s рабочих дней.") % {"n": MAX_WORKING_DAYS},
                               field="working_days")
    with locking.atomic():
        row, _created = TopicDeadline.objects.update_or_create(topic=topic,
                                                               defaults={"working_days": days})
        audit.record(actor, "hotline.deadline.set", row, to_state=str(days))
    return row


def set_calendar_day(actor, date, is_working: bool, note: str = "") -> CalendarDay:
    """Mark a weekday as a day off or a weekend day as worked; the deadlines of questions
    that come later follow it (those already set are kept, as promised to the asker)."""
    _configures(actor)
    if not isinstance(date, dt.date):
        raise ValidationFailed(_("Укажите дату."), field="date")
    note = _text(note)[:200]
    weekend = date.weekday() >= 5
    if is_working and not weekend:
        raise ValidationFailed(_("%(d)s — будний день: он и так рабочий.") % {"d": f"{date:%d.%m.%Y}"},
                               field="date")
    if not is_working and weekend:
        raise ValidationFailed(_("%(d)s — суббота или воскресенье: он и так выходной.")
                               % {"d": f"{date:%d.%m.%Y}"}, field="date")
    with locking.atomic():
        row, _created = CalendarDay.objects.update_or_create(
            date=date, defaults={"is_working": is_working, "note": note})
        audit.record(actor, "hotline.calendar.set", row,
                     to_state="working" if is_working else "day_off", reason=note)
    return row


def remove_calendar_day(actor, day: CalendarDay) -> None:
    _configures(actor)
    with locking.atomic():
        audit.record(actor, "hotline.calendar.removed", day)
        day.delete()

