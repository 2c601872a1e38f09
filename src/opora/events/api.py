"""The events API: the public list of events and an event (no sign-in), the public check
of a diploma's code; a parent's registrations; the organizer's registrations of an event
and its decisions on them; the register of gifted children a user may read, and the
МОЦ's decision on a proposal.

Endpoints turn JSON into the arguments of ``opora.events.services`` and ``gifted`` and
read through ``selectors``; who may do what is decided there. A row outside the caller's
view answers 404 exactly like a row that does not exist. Public answers carry no child's
name or birth date.
"""

import datetime as dt
from decimal import Decimal
from typing import Literal
from uuid import UUID

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from opora.accounts import scope
from opora.api.schemas import TRANSITION_ERRORS, BodyIn, ErrorOut, Id, MunicipalityRef, choice_codes, page_of
from opora.enrollment.models import Child
from opora.errors import NotFound
from opora.events import gifted, rules, selectors, services
from opora.events.models import (
    EventLevel,
    EventStatus,
    GiftedStatus,
    MeasureKind,
    RegistrationStatus,
    Result,
)
from opora.registry.choices import Direction

router = Router(tags=["Мероприятия"])

EventLevelCode = choice_codes(EventLevel)
EventStatusCode = choice_codes(EventStatus)
EventDirectionCode = choice_codes(Direction)
RegistrationStatusCode = choice_codes(RegistrationStatus)
EventResultCode = choice_codes(Result)
GiftedStatusCode = choice_codes(GiftedStatus)
MeasureKindCode = choice_codes(MeasureKind)
PLACE_ERRORS = {**TRANSITION_ERRORS, 503: ErrorOut}


class EventSessionOut(Schema):
    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    online_url: str
    ics_url: str = Field(description="Файл .ics для календаря")

    @staticmethod
    def resolve_ics_url(obj):
        return f"/events/sessions/{obj.id}/calendar.ics"


class EventNominationOut(Schema):
    id: int
    title: str


class EventAgeCategoryOut(Schema):
    id: int
    title: str
    age_from: int
    age_to: int


class ChildrenEventOut(Schema):
    id: int
    title: str
    kind: str = Field(description="Код вида мероприятия")
    kind_title: str
    level: EventLevelCode
    direction: EventDirectionCode
    organizer: str
    municipality: MunicipalityRef | None
    stage_of: int | None = Field(description="Мероприятие, муниципальным этапом которого является это")
    age_from: int
    age_to: int
    capacity: int
    is_free: bool
    price: Decimal | None
    registration_from: dt.datetime
    registration_to: dt.datetime
    teams: bool
    description: str
    poster_url: str | None
    regulations_url: str | None
    status: EventStatusCode
    sessions: list[EventSessionOut]
    nominations: list[EventNominationOut]
    age_categories: list[EventAgeCategoryOut]

    @staticmethod
    def resolve_kind(obj):
        return obj.kind.code

    @staticmethod
    def resolve_kind_title(obj):
        return obj.kind.title

    @staticmethod
    def resolve_organizer(obj):
        return str(obj.organizer_name)

    @staticmethod
    def resolve_stage_of(obj):
        return obj.stage_of_id

    @staticmethod
    def resolve_poster_url(obj):
        return obj.poster.url if obj.poster else None

    @staticmethod
    def resolve_regulations_url(obj):
        return obj.regulations.url if obj.regulations else None

    @staticmethod
    def resolve_sessions(obj):
        return list(obj.sessions.all())

    @staticmethod
    def resolve_nominations(obj):
        return list(obj.nominations.all())

    @staticmethod
    def resolve_age_categories(obj):
        return list(obj.age_categories.all())


class ChildrenEventPage(Schema):
    count: int
    items: list[ChildrenEventOut]


class EventFilters(Schema):
    q: str = Field("", max_length=200, description="Слова из названия или описания")
    kind: str = Field("", max_length=40, description="Код вида")
    level: EventLevelCode | None = None
    direction: EventDirectionCode | None = None
    age: int | None = Field(None, ge=3, le=18, description="Возраст ребёнка")
    municipality: Id | None = None
    free: bool | None = None
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(20, ge=1, le=100)


@router.get("events", auth=None, response={200: ChildrenEventPage}, summary="Мероприятия для детей",
            description="Опубликованные мероприятия, которые ещё не прошли; без входа в систему.")
def list_events(request, filters: Query[EventFilters]):
    events = selectors.public_events(q=filters.q, kind=filters.kind, level=filters.level or "",
                                     direction=filters.direction or "", age=filters.age,
                                     municipality=filters.municipality, free=filters.free)
    return page_of(events.prefetch_related("nominations", "age_categories"), filters.page,
                   filters.page_size)


@router.get("events/{event_id}", auth=None, response={200: ChildrenEventOut}, summary="Мероприятие")
def get_event(request, event_id: int):
    return selectors.public_event(event_id)


class DiplomaCheckOut(Schema):
    valid: bool
    event: str | None = None
    level: EventLevelCode | None = None
    result: EventResultCode | None = None
    nomination: str | None = None
    initials: str | None = Field(None, description="Инициалы участника (имя и фамилия — на документе)")
    issued_on: dt.date | None = None


@router.get("events/diplomas/check", auth=None, response={200: DiplomaCheckOut},
            summary="Проверить код диплома или сертификата",
            description="Подлинный код — valid: true и сведения о документе без персональных данных.")
def check_diploma(request, code: str = Query(..., max_length=40)):
    found = selectors.diploma_by_code(rules.normalized_code(code)[:24])
    if found is None:
        return {"valid": False}
    return {"valid": True, "event": found.event.title, "level": found.event.level,
            "result": found.result, "nomination": found.nomination.title if found.nomination else None,
            "initials": f"{found.child.first_name[:1]}. {found.child.last_name[:1]}.",
            "issued_on": timezone.localdate(found.result_at) if found.result_at else None}


# --- registrations -------------------------------------------------------------------------


class EventChildRef(Schema):
    id: int
    uuid: UUID
    full_name: str
    birth_date: dt.date


class RegistrationOut(Schema):
    id: int
    event_id: int
    event_title: str
    child: EventChildRef
    status: RegistrationStatusCode
    queue_number: int | None
    nomination: str | None
    age_category: str | None
    team: str | None
    comment: str
    result: EventResultCode
    diploma_url: str | None = Field(description="Страница диплома (для родителя и организатора)")

    @staticmethod
    def resolve_event_title(obj):
        return obj.event.title

    @staticmethod
    def resolve_nomination(obj):
        return obj.nomination.title if obj.nomination_id else None

    @staticmethod
    def resolve_age_category(obj):
        return obj.age_category.title if obj.age_category_id else None

    @staticmethod
    def resolve_team(obj):
        return obj.team.name if obj.team_id else None

    @staticmethod
    def resolve_diploma_url(obj):
        return f"/events/diplomas/{obj.id}/" if obj.diploma_code else None


class RegistrationPage(Schema):
    count: int
    items: list[RegistrationOut]


class RegistrationIn(BodyIn):
    child: UUID = Field(description="uuid ребёнка родителя")
    nomination: Id | None = None
    age_category: Id | None = None


class RegistrationDecisionIn(BodyIn):
    comment: str = Field("", max_length=2000, description="Комментарий или причина отказа")
    result: Literal["participant", "prize_3", "prize_2", "winner"] | None = None


@router.post("events/{event_id}/registrations",
             response={200: RegistrationOut, 201: RegistrationOut, 404: ErrorOut, **PLACE_ERRORS},
             summary="Записать ребёнка на мероприятие (родитель)",
             description="Есть места — запись new, нет — лист ожидания (waitlisted, queue_number). "
                         "Повторная запись того же ребёнка возвращает прежнюю с кодом 200.")
def register_child(request, event_id: int, payload: RegistrationIn):
    user = request.auth
    child = Child.objects.filter(uuid=payload.child, guardianships__parent=user,
                                 guardianships__confirmed_at__isnull=False).first()
    if child is None:
        raise NotFound(_("Ребёнок не найден."), field="child")
    event = selectors.public_event(event_id)
    registration, created = services.register_child(user, event, child, nomination=payload.nomination,
                                                    age_category=payload.age_category)
    return Status(201 if created else 200, registration)


@router.get("events/registrations/mine", response={200: RegistrationPage},
            summary="Записи моих детей (родитель)")
def my_registrations(request, page: int = Query(1, ge=1, le=10_000)):
    return page_of(selectors.registrations_of_parent(request.auth), page, 50)


@router.get("events/{event_id}/registrations", response={200: RegistrationPage},
            summary="Записи на мероприятие (организатор)")
def event_registrations(request, event_id: int, page: int = Query(1, ge=1, le=10_000)):
    event = selectors.event_for(request.auth, event_id)
    if not scope.can(request.auth, "events.organize", event):
        raise NotFound(_("Мероприятие не найдено."))
    return page_of(selectors.registrations_of(event), page, 100)


ACTIONS = {
    "confirm": lambda user, r, p: services.confirm_registration(user, r, p.comment),
    "reject": lambda user, r, p: services.reject_registration(user, r, p.comment),
    "attend": lambda user, r, p: services.mark_attendance(user, r),
    "result": lambda user, r, p: services.set_result(user, r, p.result or ""),
    "cancel": lambda user, r, p: services.cancel_registration(user, r),
}


@router.post("events/registrations/{registration_id}/{action}",
             response={200: RegistrationOut, 404: ErrorOut, **PLACE_ERRORS},
             summary="Решение организатора по записи",
             description="action: confirm (с комментарием), reject (comment — причина), attend "
                         "(отметить участие), result (result — участник, призёр, победитель), "
                         "cancel.")
def decide_registration(request, registration_id: int,
                        action: Literal["confirm", "reject", "attend", "result", "cancel"],
                        payload: RegistrationDecisionIn | None = None):
    registration = selectors.registration_for_organizer(request.auth, registration_id)
    ACTIONS[action](request.auth, registration, payload or RegistrationDecisionIn())
    return selectors.registrations_of(registration.event).get(pk=registration_id)


# --- the register of gifted children ---------------------------------------------------------


class GiftedAchievementOut(Schema):
    title: str
    level: EventLevelCode
    result: EventResultCode
    achieved_on: dt.date


class GiftedMeasureOut(Schema):
    kind: MeasureKindCode
    title: str
    starts_on: dt.date
    ends_on: dt.date | None


class GiftedRecordOut(Schema):
    id: int
    child: EventChildRef
    municipality: MunicipalityRef
    status: GiftedStatusCode
    source: str
    direction: EventDirectionCode
    grounds: str
    mentor: str | None
    achievements: list[GiftedAchievementOut]
    measures: list[GiftedMeasureOut]

    @staticmethod
    def resolve_mentor(obj):
        return obj.mentor.full_name if obj.mentor_id else None

    @staticmethod
    def resolve_achievements(obj):
        return list(obj.achievements.all())

    @staticmethod
    def resolve_measures(obj):
        return list(obj.measures.all())


class GiftedPage(Schema):
    count: int
    items: list[GiftedRecordOut]


class GiftedDecisionIn(BodyIn):
    comment: str = Field("", max_length=2000)


@router.get("gifted", response={200: GiftedPage}, summary="Реестр одарённых детей",
            description="МОЦ видит детей своего муниципалитета, РМЦ — всех, организация — своих "
                        "обучающихся, родитель — своих детей.")
def list_gifted(request, status: GiftedStatusCode | None = None,
                page: int = Query(1, ge=1, le=10_000)):
    records = selectors.gifted_for(request.auth).select_related("child", "municipality", "mentor")
    if status:
        records = records.filter(status=status)
    return page_of(records.prefetch_related("achievements", "measures").order_by("-created_at", "-pk"),
                   page, 50)


@router.post("gifted/{record_id}/{decision}", response={200: GiftedRecordOut, 404: ErrorOut,
                                                       **TRANSITION_ERRORS},
             summary="Включить предложенного ребёнка в реестр или отказать (МОЦ)")
def decide_gifted(request, record_id: int, decision: Literal["confirm", "decline"],
                  payload: GiftedDecisionIn | None = None):
    record = selectors.gifted_record_for(request.auth, record_id)
    comment = payload.comment if payload else ""
    if decision == "confirm":
        gifted.confirm(request.auth, record, comment)
    else:
        gifted.decline(request.auth, record, comment)
    return selectors.gifted_record_for(request.auth, record_id)
