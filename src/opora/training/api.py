"""The staff development API: the events for teachers a user sees, one event, registering
teachers (an organization its own, the МОЦ its municipality's) and a teacher's record of
professional development; for a teacher's own account, the events open to them, registering
themselves and their own record. Who sees what is ``opora.training.selectors``; an event or a
teacher outside the caller's view answers 404 like one that does not exist."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from opora.api.schemas import (
    TRANSITION_ERRORS,
    BodyIn,
    Day,
    ErrorOut,
    Id,
    MunicipalityRef,
    choice_codes,
    page_of,
)
from opora.errors import NotFound, PermissionDenied
from opora.training import selectors, services
from opora.training.models import EventStatus, Format, RegistrationStatus

router = Router(tags=["Повышение квалификации"])

TrainingEventStatusCode = choice_codes(EventStatus)
TrainingFormatCode = choice_codes(Format)
TrainingRegistrationStatusCode = choice_codes(RegistrationStatus)


class TrainingKindRef(Schema):
    code: str
    title: str


class TrainingEventOut(Schema):
    id: int
    kind: TrainingKindRef
    title: str
    municipality: MunicipalityRef | None = Field(description="Пусто — региональное мероприятие РМЦ")
    organizer: str = Field(description="moc, rmc или organization")
    organizer_name: str
    starts_on: dt.date
    ends_on: dt.date
    time_text: str
    hours: Decimal
    format: TrainingFormatCode
    place: str
    online_link: str
    audience: list[str]
    capacity: int
    taken: int = Field(description="Занято мест")
    registration_until: dt.date | None
    status: TrainingEventStatusCode


class TrainingEventPage(Schema):
    count: int
    items: list[TrainingEventOut]


class TrainingEventFilters(Schema):
    since: Day | None = Field(None, description="Мероприятия, которые заканчиваются не раньше этой даты")
    kind: str | None = Field(None, max_length=40, description="Код вида: seminar, webinar, course…")
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(25, ge=1, le=100)


class TrainingRegistrationOut(Schema):
    id: int
    teacher_id: int
    teacher_name: str
    status: TrainingRegistrationStatusCode
    certificate_code: str | None

    @staticmethod
    def resolve_teacher_name(obj):
        return obj.teacher.full_name


class TrainingRegistrationIn(BodyIn):
    teachers: list[Id] = Field(min_length=1, max_length=200, description="Педагоги реестра")


class TeacherTrainingOut(Schema):
    teacher_id: int
    hours_three_years: Decimal = Field(description="Часов за три года: мероприятия и обучение в других организациях")
    last_on: dt.date | None = Field(description="Дата последнего обучения")
    events: list[TrainingRegistrationOut]


def _event(user, event_id):
    return selectors.event_for(user, event_id)


@router.get("training/events", response={200: TrainingEventPage}, summary="Мероприятия для педагогов",
            description="Мероприятия муниципалитета пользователя и региональные; черновики видит только "
                        "организатор.")
def list_training_events(request, filters: Query[TrainingEventFilters]):
    events = selectors.with_seats(selectors.events_for(request.auth))
    if filters.since:
        events = events.filter(ends_on__gte=filters.since)
    if filters.kind:
        events = events.filter(kind__code=filters.kind)
    return page_of(events.order_by("starts_on", "pk"), filters.page, filters.page_size)


@router.get("training/events/{event_id}", response={200: TrainingEventOut}, summary="Мероприятие для педагогов")
def get_training_event(request, event_id: int):
    return _event(request.auth, event_id)


@router.post("training/events/{event_id}/registrations",
             response={200: list[TrainingRegistrationOut], 404: ErrorOut, **TRANSITION_ERRORS, 503: ErrorOut},
             summary="Записать педагогов на мероприятие",
             description="Организация записывает своих педагогов, МОЦ — педагогов муниципалитета. Все "
                         "или никто: если свободных мест меньше, чем педагогов, — 409. Уже записанный "
                         "педагог остаётся записан.")
def register_training_teachers(request, event_id: int, payload: TrainingRegistrationIn):
    user = request.auth
    event = _event(user, event_id)
    teachers = list(selectors.teachers_for(user).filter(pk__in=payload.teachers))
    if len(teachers) != len(set(payload.teachers)):
        raise NotFound(_("Педагог не найден."), field="teachers")
    return services.register(user, event, teachers)


@router.get("training/teachers/{teacher_id}", response={200: TeacherTrainingOut},
            summary="Повышение квалификации педагога")
def get_teacher_training(request, teacher_id: int):
    user = request.auth
    teacher = selectors.teachers_for(user).filter(pk=teacher_id).first()
    if teacher is None:
        raise NotFound(_("Педагог не найден."), field="teacher_id")
    record = selectors.record(teacher, timezone.localdate())
    return {"teacher_id": teacher.pk, "hours_three_years": record["hours"], "last_on": record["last_on"],
            "events": record["attended"]}


class TrainingSelfRegistrationIn(BodyIn):
    event_id: Id = Field(description="Мероприятие, открытое для педагога (GET training/me/events)")


def _own_teacher(user):
    teacher = selectors.own_teacher(user)
    if teacher is None:
        raise PermissionDenied(_("Это учётная запись не педагога."))
    return teacher


@router.get("training/me", response={200: TeacherTrainingOut, 403: ErrorOut},
            summary="Моё повышение квалификации",
            description="Для учётной записи педагога: часы за три года, дата последнего обучения и "
                        "посещённые мероприятия с кодами сертификатов.")
def get_my_training(request):
    teacher = _own_teacher(request.auth)
    record = selectors.record(teacher, timezone.localdate())
    return {"teacher_id": teacher.pk, "hours_three_years": record["hours"], "last_on": record["last_on"],
            "events": record["attended"]}


@router.get("training/me/events", response={200: list[TrainingEventOut], 403: ErrorOut},
            summary="Мероприятия, открытые для педагога",
            description="Опубликованные мероприятия для категории педагога (по должности в реестре): "
                        "его муниципалитета и региональные, которые ещё не закончились.")
def list_my_training_events(request):
    teacher = _own_teacher(request.auth)
    return list(selectors.with_seats(selectors.events_open_to(teacher, timezone.localdate()))[:200])


@router.post("training/me/registrations",
             response={200: TrainingRegistrationOut, 403: ErrorOut, 404: ErrorOut, **TRANSITION_ERRORS,
                       503: ErrorOut},
             summary="Записаться на мероприятие самому",
             description="Педагог записывает только себя, на мероприятие своей категории; места, срок "
                         "записи и муниципалитет — как при записи организацией (409, если нельзя).")
def enrol_myself(request, payload: TrainingSelfRegistrationIn):
    user = request.auth
    teacher = _own_teacher(user)
    event = selectors.events_open_to(teacher, timezone.localdate()).filter(pk=payload.event_id).first()
    if event is None:
        raise NotFound(_("Мероприятие не найдено."), field="event_id")
    return services.enrol_self(user, event)
