"""Use cases of staff development (docs/domain.md, «Повышение квалификации»). Every function
checks the actor's right through ``opora.accounts.scope``, refuses bad input with a Russian
message without changing anything, and records what it changed in the audit trail.

An event's life: draft → published (``publish``: teachers can be registered) → held (the
organizer marks attendance: ``mark_attendance``; those present get a certificate with a
verification code) or cancelled (``cancel_event``). The organizer is the МОЦ (events of its
municipality), the РМЦ (regional events, open to every municipality) or an organization
(events it runs for the municipality's teachers).

A teacher with an account of their own (the role «Педагог», ``opora.training.invitations``)
registers themselves (``enrol_self``) for a published event of their audience, under the
same rules of seats, window and municipality, and withdraws the same way.

Registrations never take more seats than the event has, even when organizations register
their teachers at the same moment: the event's row is locked (``training-seats``) and the
seats are counted from the registrations under the lock.
"""

import datetime as dt
import logging
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opora import audit, locking
from opora.accounts import scope
from opora.accounts.models import Role
from opora.errors import InvalidTransition, PermissionDenied, ValidationFailed
from opora.logs import state_change
from opora.plans.models import Item as PlanItem
from opora.registry.models import Organization, Teacher
from opora.training.kinds import PLAN_KIND
from opora.training.models import (
    AUDIENCE_FIELDS,
    SEATED,
    EventStatus,
    ExternalTraining,
    Format,
    Material,
    Organizer,
    Registration,
    RegistrationStatus,
    TrainingEvent,
    TrainingKind,
    audience_of,
    new_certificate_code,
)

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024
FILE_EXTENSIONS = {".pdf", ".doc", ".docx", ".odt", ".xls", ".xlsx", ".ods", ".ppt", ".pptx",
                   ".odp", ".jpg", ".jpeg", ".png", ".txt", ".zip", ".mp4"}
MAX_HOURS = Decimal(1000)
MAX_CAPACITY = 5000


def _today():
    return timezone.localdate()


def _raise(errors):
    if errors:
        raise ValidationFailed(errors)


def _text(errors, data, name, message, *, limit=300, required=True):
    value = str(data.get(name) or "").strip()
    if required and not value:
        errors.setdefault(name, []).append(message)
    elif len(value) > limit:
        errors.setdefault(name, []).append(_("Не длиннее %(limit)d знаков.") % {"limit": limit})
    return value


def _date(errors, data, name, *, required=True):
    value = data.get(name)
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip()) if value.strip() else None
        except ValueError:
            errors.setdefault(name, []).append(_("Дата в формате ГГГГ-ММ-ДД."))
            return None
    if value is None and required:
        errors.setdefault(name, []).append(_("Укажите дату."))
    return value


def _hours(errors, data, name="hours"):
    raw = str(data.get(name) if data.get(name) is not None else "").strip().replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors.setdefault(name, []).append(_("Укажите число часов, например 4 или 1,5."))
        return None
    if not value.is_finite() or value <= 0 or value > MAX_HOURS or value != value.quantize(Decimal("0.1")):
        errors.setdefault(name, []).append(_("Часов — больше нуля и не больше 1000, с точностью до десятых."))
        return None
    return value


def _url(errors, name, value):
    if not value:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        errors.setdefault(name, []).append(_("Ссылка должна начинаться с http:// или https://."))
    return value


def _file(errors, name, file):
    if file is None:
        return None
    if file.size > MAX_FILE_BYTES:
        errors.setdefault(name, []).append(_("Файл больше 20 МБ."))
    elif Path(file.name).suffix.lower() not in FILE_EXTENSIONS:
        errors.setdefault(name, []).append(_("Такой вид файла не принимается: PDF, документы, таблицы, "
                                             "презентации, изображения, видео MP4, архив ZIP."))
    return file


# --- events -----------------------------------------------------------------------------

EVENT_FIELDS = ("kind", "title", "description", "starts_on", "ends_on", "time_text", "hours", "format",
                "place", "online_link", "for_teachers", "for_heads", "for_methodists", "capacity",
                "registration_until", "plan_item", "organizer", "organization")


def _organizer_of(actor, data, errors) -> tuple:
    """(municipality, organizer, organization) an event of ``actor`` belongs to: the МОЦ's
    municipality (the МОЦ itself or one of its organizations runs it), the region for the
    РМЦ, the staff's own organization."""
    if actor.role == Role.REGIONAL_CENTRE or actor.is_superuser:
        return None, Organizer.RMC, None
    if actor.role == Role.ORGANIZATION_STAFF and actor.organization_id:
        organization = actor.organization
        return organization.municipality, Organizer.ORGANIZATION, organization
    if actor.role == Role.SUPPORT_CENTRE and actor.municipality_id:
        organizer = str(data.get("organizer") or Organizer.MOC)
        if organizer == Organizer.ORGANIZATION:
            organization = data.get("organization")
            if not isinstance(organization, Organization):
                organization = Organization.objects.filter(pk=organization or None).first()
            if organization is None or organization.municipality_id != actor.municipality_id:
                errors.setdefault("organization", []).append(
                    _("Выберите организацию вашего муниципалитета, которая проводит мероприятие."))
            return actor.municipality, Organizer.ORGANIZATION, organization
        if organizer != Organizer.MOC:
            errors.setdefault("organizer", []).append(_("Организатор — МОЦ или организация."))
        return actor.municipality, Organizer.MOC, None
    raise PermissionDenied(_("Недостаточно прав для этого действия."))


def _plan_item(errors, value, municipality):
    """An item of a plan of professional development of the event's municipality, or None."""
    if value in (None, ""):
        return None
    item = value if isinstance(value, PlanItem) else PlanItem.objects.filter(pk=value).first()
    if (item is None or item.plan.kind.code != PLAN_KIND[0]
            or municipality is None or item.plan.municipality_id != municipality.pk):
        errors.setdefault("plan_item", []).append(
            _("Выберите пункт плана повышения квалификации вашего муниципалитета."))
        return None
    return item


def save_event(actor, data: dict, event: TrainingEvent | None = None) -> TrainingEvent:
    """Create an event (a draft) or change one that is not held or cancelled. Dates in
    order, hours and seats positive, an audience, a place for an event in person and a
    link for one online; a changed capacity never below the seats already taken."""
    errors = {}
    if event is None:
        municipality, organizer, organization = _organizer_of(actor, data, errors)
    else:
        scope.require(actor, "training.manage", event)
        municipality, organizer, organization = event.municipality, event.organizer, event.organization
        if actor.role == Role.SUPPORT_CENTRE and event.organizer != Organizer.RMC:
            municipality, organizer, organization = _organizer_of(actor, data, errors)
    kind = data.get("kind")
    if not isinstance(kind, TrainingKind):
        kind = TrainingKind.objects.filter(pk=kind or None).first() if str(kind or "").isdigit() else (
            TrainingKind.objects.filter(code=kind).first() if kind else None)
    if kind is None:
        errors["kind"] = [_("Выберите вид мероприятия.")]
    title = _text(errors, data, "title", _("Укажите тему мероприятия."))
    description = _text(errors, data, "description", "", limit=10000, required=False)
    starts_on = _date(errors, data, "starts_on")
    ends_on = _date(errors, data, "ends_on", required=False) or starts_on
    if starts_on and ends_on and ends_on < starts_on:
        errors.setdefault("ends_on", []).append(_("Окончание раньше начала."))
    time_text = _text(errors, data, "time_text", "", limit=100, required=False)
    hours = _hours(errors, data)
    form = str(data.get("format") or "")
    if form not in Format.values:
        errors["format"] = [_("Выберите формат: очно, дистанционно или очно и дистанционно.")]
    place = _text(errors, data, "place", _("Укажите место проведения."), required=form in (
        Format.IN_PERSON, Format.MIXED))
    link = _url(errors, "online_link", _text(errors, data, "online_link",
                                             _("Укажите ссылку на трансляцию."), limit=500,
                                             required=form == Format.ONLINE))
    audience = {name: bool(data.get(name)) for name in ("for_teachers", "for_heads", "for_methodists")}
    if not any(audience.values()):
        errors["for_teachers"] = [_("Отметьте, для кого мероприятие: педагоги, руководители или методисты.")]
    try:
        capacity = int(str(data.get("capacity") or "").strip())
    except ValueError:
        capacity = 0
    if not 1 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = [_("Число мест — от 1 до %(max)d.") % {"max": MAX_CAPACITY}]
    until = _date(errors, data, "registration_until", required=False)
    if until and starts_on and until > ends_on:
        errors.setdefault("registration_until", []).append(_("Запись не может закончиться позже мероприятия."))
    plan_item = _plan_item(errors, data.get("plan_item"), municipality)
    _raise(errors)
    values = {"kind": kind, "title": title, "description": description, "starts_on": starts_on,
              "ends_on": ends_on, "time_text": time_text, "hours": hours, "format": form, "place": place,
              "online_link": link, **audience, "capacity": capacity, "registration_until": until,
              "plan_item": plan_item, "municipality": municipality, "organizer": organizer,
              "organization": organization}
    with locking.atomic():
        if event is None:
            event = TrainingEvent(created_by=actor, **values)
            scope.require(actor, "training.manage", event)
            event.save()
            audit.record(actor, "training.event.created", event, to_state=event.status)
            return event
        event = locking.row(TrainingEvent, event.pk, guard="training-seats")
        if event.status in (EventStatus.HELD, EventStatus.CANCELLED):
            raise InvalidTransition(_("Проведённое или отменённое мероприятие изменить нельзя."))
        taken = event.registrations.filter(status__in=SEATED).count()
        if capacity < taken:
            raise ValidationFailed(_("Уже записано %(taken)d человек: мест не может быть меньше.")
                                   % {"taken": taken}, field="capacity")
        for name, value in values.items():
            setattr(event, name, value)
        event.save()
        audit.record(actor, "training.event.changed", event)
    return event


def publish(actor, event: TrainingEvent) -> TrainingEvent:
    """A draft is published: the organizations see it and register their teachers."""
    scope.require(actor, "training.manage", event)
    with locking.atomic():
        event = locking.row(TrainingEvent, event.pk)
        if event.status != EventStatus.DRAFT:
            raise InvalidTransition(_("Опубликовать можно только черновик."))
        if event.ends_on < _today():
            raise InvalidTransition(_("Мероприятие уже прошло: исправьте даты."))
        event.status = EventStatus.PUBLISHED
        event.save(update_fields=["status"])
        audit.record(actor, "training.event.published", event, from_state=EventStatus.DRAFT,
                     to_state=event.status)
        state_change(log, "training.event.published", training_event=event.pk)
    return event


def cancel_event(actor, event: TrainingEvent, reason: str) -> TrainingEvent:
    """An event not yet held is cancelled with a reason; its registrations are cancelled."""
    scope.require(actor, "training.manage", event)
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Укажите причину отмены."), field="reason")
    with locking.atomic():
        event = locking.row(TrainingEvent, event.pk)
        if event.status not in (EventStatus.DRAFT, EventStatus.PUBLISHED):
            raise InvalidTransition(_("Отменить можно только мероприятие, которое ещё не проведено."))
        before = event.status
        event.status = EventStatus.CANCELLED
        event.save(update_fields=["status"])
        event.registrations.filter(status=RegistrationStatus.REGISTERED).update(
            status=RegistrationStatus.CANCELLED)
        audit.record(actor, "training.event.cancelled", event, from_state=before,
                     to_state=event.status, reason=reason[:1000])
        state_change(log, "training.event.cancelled", training_event=event.pk)
    return event


def registration_refusal(event: TrainingEvent, today: dt.date) -> str | None:
    """Why teachers cannot be registered for the event now, or None."""
    if event.status != EventStatus.PUBLISHED:
        return _("Запись открыта только на опубликованные мероприятия.")
    if event.starts_on < today:
        return _("Мероприятие уже началось: запись закрыта.")
    if event.registration_until and event.registration_until < today:
        return _("Запись закончилась %(date)s.") % {"date": event.registration_until.strftime("%d.%m.%Y")}
    return None


def open_to(event: TrainingEvent, teacher: Teacher) -> bool:
    """Is the event for the teacher's audience and territory (a municipal event for the
    teachers of its municipality, a regional one for all)?"""
    return bool(getattr(event, AUDIENCE_FIELDS[audience_of(teacher)])) and (
        event.municipality_id is None or event.municipality_id == teacher.organization.municipality_id)


def _require_registrar(actor, teacher: Teacher, event: TrainingEvent) -> None:
    """The organization (its own teachers) or the МОЦ (its municipality's) registers anyone
    of theirs; a teacher with an account only themselves, for an event of their audience."""
    if scope.can(actor, "training.register", teacher):
        return
    scope.require(actor, "training.enrol_self", teacher)
    if not open_to(event, teacher):
        raise InvalidTransition(_("Это мероприятие не для вашей категории участников: записаться "
                                  "на него может организация."))


def register(actor, event: TrainingEvent, teachers) -> list[Registration]:
    """Register teachers for a published event before it starts: an organization its own
    working teachers, the МОЦ the teachers of its municipality, a teacher with an account
    of their own themselves (for an event of their audience). All of them or none when
    the free seats are fewer; a teacher already registered keeps the registration."""
    teachers = list(teachers)
    if not teachers:
        raise ValidationFailed(_("Выберите хотя бы одного педагога."), field="teachers")
    for teacher in teachers:
        _require_registrar(actor, teacher, event)
        if not teacher.is_active:
            raise ValidationFailed(_("%(name)s не работает в организации: записать нельзя.")
                                   % {"name": teacher.full_name}, field="teachers")
    if event.municipality_id is not None and any(
            teacher.organization.municipality_id != event.municipality_id for teacher in teachers):
        raise ValidationFailed(_("На это мероприятие записываются педагоги его муниципалитета."),
                               field="teachers")
    with locking.atomic():
        event = locking.row(TrainingEvent, event.pk, guard="training-seats")
        refusal = registration_refusal(event, _today())
        if refusal:
            raise InvalidTransition(refusal)
        existing = {registration.teacher_id: registration
                    for registration in event.registrations.filter(teacher__in=teachers)}
        new = [teacher for teacher in teachers if teacher.pk not in existing
               or existing[teacher.pk].status == RegistrationStatus.CANCELLED]
        free = event.capacity - event.registrations.filter(status__in=SEATED).count()
        if len(new) > free:
            raise InvalidTransition(
                _("Свободных мест: %(free)d, а выбрано педагогов: %(asked)d. Никто не записан.")
                % {"free": max(free, 0), "asked": len(new)})
        result = []
        for teacher in teachers:
            registration = existing.get(teacher.pk)
            if registration is None:
                registration = Registration.objects.create(event=event, teacher=teacher,
                                                           registered_by=actor)
            elif registration.status == RegistrationStatus.CANCELLED:
                registration.status, registration.registered_by = RegistrationStatus.REGISTERED, actor
                registration.save(update_fields=["status", "registered_by"])
            else:
                result.append(registration)
                continue
            audit.record(actor, "training.registration.created", registration,
                         to_state=registration.status, event=event.pk)
            state_change(log, "training.registration.created", training_event=event.pk,
                         registration=registration.pk)
            result.append(registration)
    return result


def enrol_self(actor, event: TrainingEvent) -> Registration:
    """A teacher signed in to their own account registers themselves — never anyone else:
    the teacher is the account's. The rules are those of ``register``."""
    teacher = Teacher.objects.select_related("organization").filter(pk=actor.teacher_id).first() if (
        actor is not None and actor.is_authenticated) else None
    if teacher is None:
        raise PermissionDenied(_("Недостаточно прав для этого действия."))
    scope.require(actor, "training.enrol_self", teacher)
    return register(actor, event, [teacher])[0]


def cancel_registration(actor, registration: Registration) -> Registration:
    """The organization (or the МОЦ) withdraws a teacher before the event starts, or the
    teacher withdraws themselves; the seat is free again."""
    if not scope.can(actor, "training.register", registration.teacher):
        scope.require(actor, "training.enrol_self", registration.teacher)
    with locking.atomic():
        event = locking.row(TrainingEvent, registration.event_id, guard="training-seats")
        registration = locking.row(Registration, registration.pk)
        if registration.status != RegistrationStatus.REGISTERED:
            raise InvalidTransition(_("Отменить можно только действующую запись."))
        if event.starts_on < _today():
            raise InvalidTransition(_("Мероприятие уже началось: запись не отменить."))
        registration.status = RegistrationStatus.CANCELLED
        registration.save(update_fields=["status"])
        audit.record(actor, "training.registration.cancelled", registration,
                     from_state=RegistrationStatus.REGISTERED, to_state=registration.status)
        state_change(log, "training.registration.cancelled", training_event=event.pk, registration=registration.pk)
    return registration


def mark_attendance(actor, event: TrainingEvent, present_ids) -> dict:
    """The organizer marks who attended, once the event has started: the registrations
    named are present (each gets a certificate with its verification code), the others
    absent (a certificate issued by mistake is withdrawn). The event is then held; marking
    again corrects it."""
    scope.require(actor, "training.manage", event)
    try:
        present = {int(pk) for pk in present_ids}
    except (TypeError, ValueError):
        raise ValidationFailed(_("Неверный список присутствовавших."), field="present") from None
    with locking.atomic():
        event = locking.row(TrainingEvent, event.pk, guard="training-seats")
        if event.status not in (EventStatus.PUBLISHED, EventStatus.HELD):
            raise InvalidTransition(_("Посещаемость отмечается на опубликованном мероприятии."))
        if event.starts_on > _today():
            raise InvalidTransition(_("Мероприятие ещё не началось: посещаемость отметить нельзя."))
        registrations = locking.rows(event.registrations.filter(status__in=SEATED))
        unknown = present - {registration.pk for registration in registrations}
        if unknown:
            raise ValidationFailed(_("Отмечен педагог, который не записан на мероприятие."), field="present")
        counts = {"attended": 0, "absent": 0}
        for registration in registrations:
            before = registration.status
            if registration.pk in present:
                registration.status = RegistrationStatus.ATTENDED
                registration.certificate_code = registration.certificate_code or new_certificate_code()
                counts["attended"] += 1
            else:
                registration.status = RegistrationStatus.ABSENT
                registration.certificate_code = None
                counts["absent"] += 1
            if before != registration.status:
                registration.save(update_fields=["status", "certificate_code"])
                audit.record(actor, "training.registration.marked", registration, from_state=before,
                             to_state=registration.status)
        before = event.status
        event.status = EventStatus.HELD
        event.save(update_fields=["status"])
        audit.record(actor, "training.event.attendance_marked", event, from_state=before,
                     to_state=event.status, **counts)
        state_change(log, "training.event.attendance_marked", training_event=event.pk, **counts)
    return counts


def save_protocol(actor, event: TrainingEvent, *, text: str = "", file=None) -> TrainingEvent:
    """The protocol of an event of a kind that produces one (an instruction meeting): its
    text, a file, or both, once the event has started."""
    scope.require(actor, "training.manage", event)
    errors = {}
    text = _text(errors, {"text": text}, "text", "", limit=50000, required=False)
    file = _file(errors, "file", file)
    if not text and file is None:
        errors.setdefault("text", []).append(_("Введите текст протокола или приложите файл."))
    _raise(errors)
    with locking.atomic():
        event = locking.row(TrainingEvent, event.pk)
        if not event.kind.produces_protocol:
            raise InvalidTransition(_("Протокол оформляется только по итогам совещаний."))
        if event.status == EventStatus.CANCELLED or event.starts_on > _today():
            raise InvalidTransition(_("Протокол составляется по итогам проведённого совещания."))
        event.protocol_text = text
        if file is not None:
            event.protocol_file = file
        event.save(update_fields=["protocol_text", "protocol_file"])
        audit.record(actor, "training.event.protocol_saved", event, with_file=file is not None)
    return event


def add_material(actor, event: TrainingEvent, *, title: str, file=None, url: str = "") -> Material:
    """A presentation, a recording or a handout of an event: a file or a link."""
    scope.require(actor, "training.manage", event)
    errors = {}
    title = _text(errors, {"title": title}, "title", _("Укажите название материала."))
    url = _url(errors, "url", str(url or "").strip()[:500])
    file = _file(errors, "file", file)
    if file is None and not url and "url" not in errors:
        errors.setdefault("file", []).append(_("Приложите файл или укажите ссылку."))
    _raise(errors)
    with transaction.atomic():
        material = Material.objects.create(event=event, title=title, file=file or "", url=url)
        audit.record(actor, "training.event.material_added", event, material=material.pk)
    return material


def record_external(actor, teacher: Teacher, data: dict, file=None) -> ExternalTraining:
    """A course the teacher finished elsewhere, recorded with its document: it counts in
    the teacher's hours like the municipality's own events."""
    scope.require(actor, "training.record", teacher)
    errors = {}
    title = _text(errors, data, "title", _("Укажите название программы."))
    provider_name = _text(errors, data, "provider_name", _("Укажите, где педагог обучался."))
    finished_on = _date(errors, data, "finished_on")
    if finished_on and finished_on > _today():
        errors.setdefault("finished_on", []).append(_("Дата не может быть в будущем."))
    hours = _hours(errors, data)
    document = _text(errors, data, "document", _("Укажите документ: вид и номер."), limit=200)
    file = _file(errors, "file", file)
    _raise(errors)
    with transaction.atomic():
        training = ExternalTraining.objects.create(
            teacher=teacher, title=title, provider_name=provider_name, finished_on=finished_on,
            hours=hours, document=document, file=file or "", recorded_by=actor)
        audit.record(actor, "training.external.recorded", teacher, training=training.pk,
                     hours=str(hours))
    return training
