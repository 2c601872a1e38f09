"""Use cases of events for children: an organizer keeps an event, the МОЦ moderates it
(the moderation cycle of programs), parents and providers register children, the
organizer confirms, marks attendance and results and nominates winners to the next stage.

Places: a registration holds one while new, confirmed or attended; when they are all
taken the next child joins the waiting list, and a place freed by a cancellation or a
refusal goes to the first in line. Every change of places runs under the event's row
lock (``locking.row(..., guard="event-places")``): no event ever holds more children
than its capacity, however many register in the same second.
"""

import logging

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from opora import audit, locking, logs
from opora.accounts import scope
from opora.accounts.models import Role
from opora.enrollment.models import Child, Guardianship
from opora.errors import InvalidTransition, PermissionDenied, ValidationFailed
from opora.events import gifted, rules, selectors
from opora.events.models import (
    DISTINCTIONS,
    LIVE,
    PLACE_HOLDING,
    AgeCategory,
    Event,
    EventLevel,
    EventSession,
    EventStatus,
    Nomination,
    Registration,
    RegistrationChannel,
    RegistrationStatus,
    Result,
    Team,
)

log = logging.getLogger("opora.events")
S = EventStatus
R = RegistrationStatus
EDITABLE = (S.INITIAL, S.WAIT_FOR_EDITING)

EVENT_FIELDS = ("title", "kind", "level", "direction", "age_from", "age_to", "capacity",
                "is_free", "price", "registration_from", "registration_to", "teams",
                "description", "poster", "regulations")


def _invalid(error: ValidationError, prefix: str = "") -> ValidationFailed:
    if hasattr(error, "error_dict"):
        messages = {f"{prefix}{field}": [str(m) for e in errs for m in e.messages]
                    for field, errs in error.error_dict.items()}
    else:
        messages = {"__all__": [str(m) for m in error.messages]}
    return ValidationFailed(messages)


def _search_text(event: Event) -> str:
    parts = [event.title, event.description, event.kind.title if event.kind_id else "",
             event.get_direction_display()]
    if event.organization_id:
        parts.append(event.organization.short_name)
    return " ".join(str(p) for p in parts).lower()


def _organizer_of(actor) -> dict:
    """The organizer fields of a new event: the actor's organization, their МОЦ, or the
    РМЦ (a regional event)."""
    if actor.role == Role.ORGANIZATION_STAFF and actor.organization_id:
        return {"organization": actor.organization, "municipality": actor.organization.municipality}
    if actor.role == Role.SUPPORT_CENTRE and actor.municipality_id:
        return {"organization": None, "municipality": actor.municipality}
    if actor.role == Role.REGIONAL_CENTRE or actor.is_superuser:
        return {"organization": None, "municipality": None}
    raise PermissionDenied(_("Недостаточно прав для этого действия."))


def _require_organizer(actor, event: Event) -> None:
    """A provider its own events, a МОЦ its municipality's, the РМЦ every event."""
    if not scope.can(actor, "events.organize", event):
        raise PermissionDenied(_("Недостаточно прав для этого действия."))


def _save_parts(event: Event, sessions, nominations, age_categories) -> None:
    if sessions is not None:
        if not sessions:
            raise ValidationFailed({"sessions": [_("Добавьте хотя бы одну дату проведения.")]})
        event.sessions.all().delete()
        for number, data in enumerate(sessions, start=1):
            session = EventSession(event=event, **data)
            try:
                session.full_clean(exclude=["event"])
            except ValidationError as error:
                raise _invalid(error, f"sessions.{number}.") from None
            session.save()
    if nominations is not None:
        titles = [t.strip() for t in nominations if t and t.strip()]
        used = set(event.registrations.exclude(nomination=None).values_list("nomination__title",
                                                                            flat=True))
        event.nominations.exclude(title__in=titles).exclude(title__in=used).delete()
        for title in dict.fromkeys(titles):
            Nomination.objects.get_or_create(event=event, title=title[:200])
    if age_categories is not None:
        if event.age_categories.filter(registrations__isnull=False).exists():
            return  # fixed once children are registered in them
        event.age_categories.all().delete()
        for data in age_categories:
            if data["age_from"] > data["age_to"]:
                raise ValidationFailed({"age_categories": [_("Возраст «от» больше возраста «до».")]})
            AgeCategory.objects.create(event=event, **data)


def create_event(actor, data: dict, *, sessions, nominations=(), age_categories=()) -> Event:
    """An organizer drafts an event; it goes to the navigator after moderation."""
    organizer = _organizer_of(actor)
    probe = Event(**organizer)
    _require_organizer(actor, probe)
    with locking.atomic():
        event = Event(**organizer, created_by=actor, status=S.INITIAL,
                      **{k: v for k, v in data.items() if k in EVENT_FIELDS})
        if event.is_free:
            event.price = None
        try:
            event.full_clean(exclude=["search_text"])
        except ValidationError as error:
            raise _invalid(error) from None
        event.search_text = _search_text(event)
        event.save()
        _save_parts(event, sessions, nominations, age_categories)
        audit.record(actor, "events.event.created", event, to_state=event.status)
    return event


def update_event(actor, event: Event, data: dict, *, sessions=None, nominations=None,
                 age_categories=None) -> Event:
    """An organizer edits a draft or a returned event."""
    with locking.atomic():
        event = locking.row(Event, event.pk)
        _require_organizer(actor, event)
        if event.status not in EDITABLE:
            raise InvalidTransition(_("Изменять можно черновик или мероприятие, возвращённое "
                                      "на доработку."))
        for name, value in data.items():
            if name in EVENT_FIELDS:
                setattr(event, name, value)
        if event.is_free:
            event.price = None
        try:
            event.full_clean(exclude=["search_text"])
        except ValidationError as error:
            raise _invalid(error) from None
        event.search_text = _search_text(event)
        event.save()
        _save_parts(event, sessions, nominations, age_categories)
        audit.record(actor, "events.event.updated", event, to_state=event.status)
    return event


# --- moderation: the cycle of programs -----------------------------------------------------


def _may_moderate(actor, event: Event) -> bool:
    if event.municipality_id is None:  # a regional event: the РМЦ
        return scope.holds_region(actor, "events.moderate")
    return scope.can(actor, "events.moderate", event)


def _transition(actor, event, allowed_from, to_state, *, moderate: bool):
    event = locking.row(Event, event.pk)
    allowed = _may_moderate(actor, event) if moderate else scope.can(actor, "events.organize", event)
    if not allowed:
        raise PermissionDenied(_("Недостаточно прав для этого действия."))
    if event.status not in allowed_from:
        raise InvalidTransition(_("Действие недоступно для мероприятия в статусе «%(status)s».")
                                % {"status": event.get_status_display()})
    before, event.status = event.status, to_state
    return event, before


def submit_event(actor, event: Event) -> Event:
    with locking.atomic():
        event, before = _transition(actor, event, EDITABLE, S.MODERATING, moderate=False)
        if not event.sessions.exists():
            raise ValidationFailed({"sessions": [_("Добавьте хотя бы одну дату проведения.")]})
        event.save(update_fields=["status", "updated_at"])
        audit.record(actor, "events.event.submitted", event, from_state=before, to_state=event.status)
        logs.state_change(log, "events.event.submitted", event_id=event.pk, status=event.status)
    return event


def publish_event(actor, event: Event) -> Event:
    with locking.atomic():
        event, before = _transition(actor, event, (S.MODERATING,), S.PUBLISHED, moderate=True)
        event.moderation_remark = ""
        event.published_at = timezone.now()
        event.save(update_fields=["status", "moderation_remark", "published_at", "updated_at"])
        audit.record(actor, "events.event.published", event, from_state=before, to_state=event.status)
        logs.state_change(log, "events.event.published", event_id=event.pk, status=event.status)
    return event


def return_event(actor, event: Event, remark: str) -> Event:
    remark = (remark or "").strip()
    if not remark:
        raise ValidationFailed({"remark": [_("Напишите, что нужно исправить.")]})
    with locking.atomic():
        event, before = _transition(actor, event, (S.MODERATING,), S.WAIT_FOR_EDITING, moderate=True)
        event.moderation_remark = remark
        event.save(update_fields=["status", "moderation_remark", "updated_at"])
        audit.record(actor, "events.event.returned", event, from_state=before,
                     to_state=event.status, reason=remark)
        logs.state_change(log, "events.event.returned", event_id=event.pk, status=event.status)
    return event


def archive_event(actor, event: Event, reason: str = "") -> Event:
    with locking.atomic():
        event = locking.row(Event, event.pk)
        if not (scope.can(actor, "events.organize", event) or _may_moderate(actor, event)):
            raise PermissionDenied(_("Недостаточно прав для этого действия."))
        if event.status != S.PUBLISHED:
            raise InvalidTransition(_("В архив можно перенести только опубликованное мероприятие."))
        event.status = S.ARCHIVE
        event.save(update_fields=["status", "updated_at"])
        audit.record(actor, "events.event.archived", event, from_state=S.PUBLISHED,
                     to_state=S.ARCHIVE, reason=(reason or "").strip())
    return event


# --- staged events -----------------------------------------------------------------------


def create_stage(actor, event: Event) -> Event:
    """A МОЦ opens the municipal stage of a regional (or higher) event for its municipality:
    a copy it then edits, publishes and runs; its winners are nominated to the event."""
    if actor.role != Role.SUPPORT_CENTRE or actor.municipality_id is None:
        raise PermissionDenied(_("Муниципальный этап открывает МОЦ муниципалитета."))
    if event.level in (EventLevel.SCHOOL, EventLevel.MUNICIPAL) or event.stage_of_id:
        raise InvalidTransition(_("Муниципальный этап бывает только у мероприятия регионального "
                                  "или более высокого уровня."))
    if event.status != S.PUBLISHED:
        raise InvalidTransition(_("Этап можно открыть только у опубликованного мероприятия."))
    with locking.atomic():
        if Event.objects.filter(stage_of=event, municipality_id=actor.municipality_id).exists():
            raise ValidationFailed(_("Муниципальный этап этого мероприятия уже создан."))
        stage = Event(
            title=_("%(title)s — муниципальный этап") % {"title": event.title},
            kind=event.kind, level=EventLevel.MUNICIPAL, direction=event.direction,
            organization=None, municipality=actor.municipality, stage_of=event,
            age_from=event.age_from, age_to=event.age_to, capacity=event.capacity,
            is_free=event.is_free, price=event.price, registration_from=event.registration_from,
            registration_to=event.registration_to, teams=event.teams,
            description=event.description, regulations=event.regulations,
            poster=event.poster, status=S.INITIAL, created_by=actor)
        stage.search_text = _search_text(stage)
        stage.save()
        for session in event.sessions.all():
            EventSession.objects.create(event=stage, starts_at=session.starts_at,
                                        ends_at=session.ends_at, place=session.place,
                                        online_url=session.online_url)
        for nomination in event.nominations.all():
            Nomination.objects.create(event=stage, title=nomination.title)
        for category in event.age_categories.all():
            AgeCategory.objects.create(event=stage, title=category.title,
                                       age_from=category.age_from, age_to=category.age_to)
        audit.record(actor, "events.event.stage_created", stage, to_state=stage.status,
                     stage_of=event.pk)
    return stage


# --- registration ------------------------------------------------------------------------


def event_date(event: Event):
    """The date ages are taken on: the first session's day, else the window's last day."""
    first = event.sessions.order_by("starts_at").first()
    moment = first.starts_at if first else event.registration_to
    return timezone.localtime(moment).date()


def data_confirmed(child: Child) -> bool:
    """A child's data are confirmed when a guardian who gave consent is confirmed (the
    parent who registered the child, or one the МОЦ confirmed): docs/domain.md §5."""
    return Guardianship.objects.filter(child=child, confirmed_at__isnull=False).exists()


def refusals(event: Event, child: Child, *, age_category=None, now=None, check_window=True) -> list[str]:
    """Every reason this child cannot be registered for the event now (empty: can)."""
    now = now or timezone.now()
    found = []
    if event.status != S.PUBLISHED:
        found.append(_("Мероприятие не опубликовано."))
    if check_window and (refusal := rules.window_refusal(event.registration_from,
                                                         event.registration_to, now)):
        found.append(refusal)
    on = event_date(event)
    if refusal := rules.age_refusal(child.birth_date, event.age_from, event.age_to, on):
        found.append(refusal)
    if refusal := rules.category_refusal(child.birth_date, age_category, on):
        found.append(refusal)
    if not data_confirmed(child):
        found.append(_("Данные ребёнка ещё не подтверждены: записать можно только ребёнка с "
                       "подтверждёнными данными."))
    return found


def _choice(event, model, pk, field, label):
    if pk in (None, ""):
        return None
    found = model.objects.filter(event=event, pk=pk).first()
    if found is None:
        raise ValidationFailed({field: [_("Выберите %(what)s этого мероприятия.") % {"what": label}]})
    return found


def _place(event: Event, registration: Registration) -> None:
    """Give the registration a place, or the next number of the waiting list. The caller
    holds the event's row lock."""
    taken = event.registrations.filter(status__in=PLACE_HOLDING).count()
    if taken < event.capacity:
        registration.status, registration.queue_number = (
            registration.status if registration.status in PLACE_HOLDING else R.NEW), None
    else:
        last = event.registrations.aggregate(n=Max("queue_number"))["n"] or 0
        registration.status, registration.queue_number = R.WAITLISTED, last + 1


def _register(actor, event, child, *, channel, organization=None, team=None, nomination=None,
              age_category=None, from_stage=None, status=R.NEW, check_window=True, checked=False):
    """Inside the caller's transaction, after the event's row lock. ``checked``: the caller
    checked the rules before taking the lock (only the event's status is looked at again),
    which keeps the time the lock is held short on an opening rush."""
    existing = Registration.objects.filter(event=event, child=child, status__in=LIVE).first()
    if existing is not None:
        return existing, False
    if checked:
        found = [] if event.status == S.PUBLISHED else [_("Мероприятие не опубликовано.")]
    else:
        found = refusals(event, child, age_category=age_category, check_window=check_window)
    if found:
        raise ValidationFailed({"child": found})
    registration = Registration(event=event, child=child, channel=channel, organization=organization,
                                team=team, nomination=nomination, age_category=age_category,
                                from_stage=from_stage, created_by=actor, status=status,
                                status_changed_at=timezone.now())
    _place(event, registration)
    registration.save()
    audit.record(actor, "events.registration.created", registration, to_state=registration.status,
                 event_id=event.pk, channel=channel)
    logs.state_change(log, "events.registration.created", registration_id=registration.pk,
                      event_id=event.pk, status=registration.status)
    return registration, True


def register_child(actor, event: Event, child: Child, *, nomination=None, age_category=None):
    """A parent registers their child. The same registration twice returns the first one.
    Returns (registration, created)."""
    if not scope.is_parent(actor):
        raise PermissionDenied(_("Записать ребёнка может его родитель."))
    if not Guardianship.objects.filter(parent=actor, child=child, confirmed_at__isnull=False).exists():
        raise PermissionDenied(_("Недостаточно прав для этого действия."))
    existing = Registration.objects.filter(event_id=event.pk, child=child, status__in=LIVE).first()
    if existing is not None:
        return existing, False
    event = Event.objects.get(pk=event.pk)
    nomination = _choice(event, Nomination, nomination, "nomination", _("номинацию"))
    age_category = _choice(event, AgeCategory, age_category, "age_category", _("возрастную категорию"))
    found = refusals(event, child, age_category=age_category)  # before the lock: see _register
    if found:
        raise ValidationFailed({"child": found})
    with locking.atomic():
        event = locking.row(Event, event.pk, guard="event-places")
        return _register(actor, event, child, channel=RegistrationChannel.PARENT,
                         nomination=nomination, age_category=age_category, checked=True)


def register_pupils(actor, event: Event, children, *, team_name: str = "", nomination=None,
                    age_category=None) -> list[Registration]:
    """A provider registers its pupils, one by one or as a team; all of them or none."""
    organization = actor.organization if actor.role == Role.ORGANIZATION_STAFF else None
    if organization is None or not scope.can(actor, "events.register", organization):
        raise PermissionDenied(_("Недостаточно прав для этого действия."))
    children = list(children)
    if not children:
        raise ValidationFailed({"children": [_("Выберите детей.")]})
    pupils = set(selectors.pupils_of(organization.pk).filter(pk__in=[c.pk for c in children])
                 .values_list("pk", flat=True))
    strangers = [c for c in children if c.pk not in pupils]
    if strangers:
        raise ValidationFailed({"children": [_("Записать можно только своих обучающихся.")]})
    team_name = (team_name or "").strip()
    with locking.atomic():
        event = locking.row(Event, event.pk, guard="event-places")
        if team_name and not event.teams:
            raise ValidationFailed({"team_name": [_("На это мероприятие команды не записывают.")]})
        nomination = _choice(event, Nomination, nomination, "nomination", _("номинацию"))
        age_category = _choice(event, AgeCategory, age_category, "age_category",
                               _("возрастную категорию"))
        team = None
        if team_name:
            team, _created = Team.objects.get_or_create(event=event, name=team_name[:200],
                                                        defaults={"organization": organization})
            if team.organization_id != organization.pk:
                raise ValidationFailed({"team_name": [_("Команда с таким названием уже записана.")]})
        made = []
        for child in sorted(children, key=lambda c: c.pk):
            try:
                registration, _created = _register(
                    actor, event, child, channel=RegistrationChannel.PROVIDER,
                    organization=organization, team=team, nomination=nomination,
                    age_category=age_category)
            except ValidationFailed as error:
                raise ValidationFailed({"children": [f"{child.full_name}: {m}"
                                                     for m in error.errors.get("child", [error.message])]}) from None
            made.append(registration)
    return made


def _locked_registration(registration):
    """Lock the event, then the registration (always in this order)."""
    event = locking.row(Event, registration.event_id, guard="event-places")
    return event, locking.row(Registration, registration.pk)


def _move(actor, registration, to_state, action, reason=""):
    before = registration.status
    registration.status, registration.status_changed_at = to_state, timezone.now()
    if to_state != R.WAITLISTED:
        registration.queue_number = None
    if reason:
        registration.comment = reason
    registration.save()
    audit.record(actor, action, registration, from_state=before, to_state=to_state, reason=reason)
    logs.state_change(log, action, registration_id=registration.pk,
                      event_id=registration.event_id, status=to_state)


def _promote(actor, event) -> None:
    """Fill free places from the head of the waiting list (first come, first served)."""
    free = event.capacity - event.registrations.filter(status__in=PLACE_HOLDING).count()
    if free <= 0:
        return
    waiting = locking.rows(event.registrations.filter(status=R.WAITLISTED).order_by("queue_number")[:free],
                           keep_order=True)
    for registration in waiting:
        _move(actor, registration, R.NEW, "events.registration.promoted")


def confirm_registration(actor, registration: Registration, comment: str = "") -> Registration:
    with locking.atomic():
        event, registration = _locked_registration(registration)
        _require_organizer(actor, event)
        if registration.status != R.NEW:
            raise InvalidTransition(_("Подтвердить можно только новую запись."))
        _move(actor, registration, R.CONFIRMED, "events.registration.confirmed", (comment or "").strip())
    return registration


def reject_registration(actor, registration: Registration, reason: str) -> Registration:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_("Укажите причину отказа.")]})
    with locking.atomic():
        event, registration = _locked_registration(registration)
        _require_organizer(actor, event)
        if registration.status not in (R.NEW, R.WAITLISTED, R.CONFIRMED):
            raise InvalidTransition(_("Эту запись уже нельзя отклонить."))
        _move(actor, registration, R.REJECTED, "events.registration.rejected", reason)
        _promote(actor, event)
    return registration


def cancel_registration(actor, registration: Registration) -> Registration:
    """The parent (or the provider who registered the child) cancels: the place goes to the
    first in the waiting list."""
    with locking.atomic():
        event, registration = _locked_registration(registration)
        is_guardian = Guardianship.objects.filter(parent=actor, child_id=registration.child_id,
                                                  confirmed_at__isnull=False).exists()
        by_provider = (registration.organization_id is not None
                       and scope.can(actor, "events.register", registration.organization))
        if not (is_guardian or by_provider or scope.can(actor, "events.organize", event)):
            raise PermissionDenied(_("Недостаточно прав для этого действия."))
        if registration.status not in (R.NEW, R.WAITLISTED, R.CONFIRMED):
            raise InvalidTransition(_("Эту запись уже нельзя отменить."))
        _move(actor, registration, R.CANCELLED, "events.registration.cancelled")
        _promote(actor, event)
    return registration


def mark_attendance(actor, registration: Registration) -> Registration:
    """The organizer marks that a confirmed child took part."""
    with locking.atomic():
        event, registration = _locked_registration(registration)
        _require_organizer(actor, event)
        if registration.status != R.CONFIRMED:
            raise InvalidTransition(_("Отметить участие можно только по подтверждённой записи."))
        _move(actor, registration, R.PARTICIPANT, "events.registration.attended")
    return registration


def set_result(actor, registration: Registration, result: str) -> Registration:
    """The organizer records a participant's result; the diploma (or the certificate of
    participation) gets its verification code; a winner or prize-winner of a municipal or
    higher level is proposed to the register of gifted children."""
    if result not in Result.values or result == Result.NONE:
        raise ValidationFailed({"result": [_("Выберите результат.")]})
    with locking.atomic():
        event, registration = _locked_registration(registration)
        _require_organizer(actor, event)
        if registration.status != R.PARTICIPANT:
            raise InvalidTransition(_("Результат вносится участнику: сначала отметьте участие."))
        if result in DISTINCTIONS and not event.kind.competitive:
            raise ValidationFailed({"result": [_("У мероприятия этого вида нет победителей и "
                                                 "призёров: только участники.")]})
        before = registration.result
        registration.result, registration.result_at = result, timezone.now()
        if not registration.diploma_code:
            registration.diploma_code = rules.new_diploma_code()
        registration.save(update_fields=["result", "result_at", "diploma_code"])
        audit.record(actor, "events.registration.result", registration, from_state=before,
                     to_state=result)
        if result in DISTINCTIONS:
            gifted.propose_from_result(registration, event)
        else:
            gifted.drop_result(registration)
    return registration


def nominate_to_next_stage(actor, registration: Registration) -> Registration:
    """The organizer of a stage nominates its winner or prize-winner to the event the stage
    belongs to: the child is registered there, confirmed, outside its window."""
    registration = Registration.objects.select_related("event", "nomination", "age_category").get(
        pk=registration.pk)
    event = registration.event
    _require_organizer(actor, event)
    if event.stage_of_id is None:
        raise InvalidTransition(_("Это мероприятие — не этап: выдвигать некуда."))
    if registration.result not in DISTINCTIONS:
        raise InvalidTransition(_("На следующий этап выдвигают победителей и призёров."))
    with locking.atomic():
        upper = locking.row(Event, event.stage_of_id, guard="event-places")
        nomination = None
        if registration.nomination_id:
            nomination = upper.nominations.filter(title=registration.nomination.title).first()
        category = None
        if registration.age_category_id:
            category = upper.age_categories.filter(title=registration.age_category.title).first()
        made, _created = _register(actor, upper, registration.child, channel=RegistrationChannel.STAGE,
                                   organization=registration.organization, nomination=nomination,
                                   age_category=category, from_stage=registration,
                                   status=R.CONFIRMED, check_window=False)
    return made
