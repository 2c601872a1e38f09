"""The registry's HTTP API for the back office: programs with their moderation, and the
dictionaries of codes. Endpoints translate JSON to the arguments of
``opora.registry.services`` and back; every rule lives in the services and in
``opora.accounts.scope``."""

import datetime as dt
from decimal import Decimal
from uuid import UUID

from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Field, PatchDict, Query, Router, Schema, Status

from opora import audit
from opora.accounts import scope
from opora.api.schemas import (
    TRANSITION_ERRORS,
    BodyIn,
    ClockTime,
    Id,
    Labelled,
    MunicipalityRef,
    choice_codes,
    codes_of,
    flag_codes,
    flags_from,
    labelled,
    page_of,
)
from opora.errors import NotFound, ValidationFailed
from opora.registry import revisions, services
from opora.registry.choices import (
    Direction,
    FundingSource,
    Level,
    OrganizationKind,
    OvzKind,
    ProgramStatus,
    ProgramType,
    Register,
    SeasonalKind,
    StudyForm,
    Weekday,
)
from opora.registry.models import Organization, Program, ProgramRevision, Specialisation

router = Router(tags=["Реестр программ"])

DirectionCode = choice_codes(Direction)
StatusCode = choice_codes(ProgramStatus)
LevelCodes = flag_codes(Level)
OvzCodes = flag_codes(OvzKind)
RegisterCodes = flag_codes(Register)

# Fields stored as Flags, exposed as lists of codes.
FLAG_FIELDS = {"levels": Level, "ovz_kinds": OvzKind, "registers": Register}
NULLABLE_FIELDS = {"specialisation"}


# --- schemas ------------------------------------------------------------------------


class OrganizationRef(Schema):
    id: int
    short_name: str
    municipality: MunicipalityRef


class SpecialisationOut(Schema):
    id: int
    direction: DirectionCode
    name: str
    is_significant: bool


class ProgramListItem(Schema):
    id: int
    uuid: UUID
    title: str
    status: StatusCode
    status_label: str
    direction: DirectionCode
    direction_label: str
    levels: LevelCodes
    age_min: int
    age_max: int
    organization: OrganizationRef
    published_at: dt.datetime | None
    updated_at: dt.datetime

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_direction_label(obj):
        return str(obj.get_direction_display())

    @staticmethod
    def resolve_levels(obj):
        return codes_of(Level, obj.levels)


class ProgramPage(Schema):
    count: int = Field(description="Сколько программ подходит под фильтр")
    items: list[ProgramListItem]


class ProgramFilters(Schema):
    status: StatusCode | None = Field(None, description="Статус карточки")
    organization: Id | None = Field(None, description="Организация (id)")
    direction: DirectionCode | None = Field(None, description="Направленность")
    q: str | None = Field(None, max_length=200, description="Слова из названия")
    page: int = Field(1, ge=1, le=10_000, description="Номер страницы")
    page_size: int = Field(25, ge=1, le=100, description="Программ на странице, не больше 100")


class TeacherRef(Schema):
    id: int
    full_name: str


class ScheduleLineOut(Schema):
    weekdays: flag_codes(Weekday)
    time_from: ClockTime
    time_to: ClockTime
    lesson_minutes: int
    break_minutes: int
    address: str

    @staticmethod
    def resolve_weekdays(obj):
        return codes_of(Weekday, obj.weekdays)


class FundingOut(Schema):
    source: choice_codes(FundingSource)
    source_label: str
    monthly_price: Decimal = Field(description="Стоимость в месяц, ₽")
    total_price: Decimal = Field(description="Стоимость обучения, ₽")

    @staticmethod
    def resolve_source_label(obj):
        return str(obj.get_source_display())


class GroupOut(Schema):
    id: int
    name: str
    start_date: dt.date
    end_date: dt.date
    hours_per_year: int
    capacity_min: int
    capacity_max: int
    age_min: int
    age_max: int
    address: str
    is_active: bool
    enrolment_open: bool
    enrolment_from: dt.datetime | None
    enrolment_to: dt.datetime | None
    next_year_enrolment_from: dt.datetime | None
    next_year_enrolment_to: dt.datetime | None
    teachers: list[TeacherRef]
    schedule: list[ScheduleLineOut]
    funding: list[FundingOut] = Field(description="Действующая (опубликованная) стоимость")
    proposed_funding: list[FundingOut] = Field(
        description="Новая стоимость на проверке МОЦ (полный список источников); пусто, "
                    "если изменения нет")


class ModuleOut(Schema):
    id: int
    year_of_study: int
    title: str
    hours: int
    description: str
    groups: list[GroupOut]


class EventOut(Schema):
    at: dt.datetime
    action: str
    action_label: str
    actor: str | None = Field(description="Кто выполнил действие")
    from_state: str
    from_label: str
    to_state: str
    to_label: str
    reason: str
    details: str = Field(description="Подробности, например старая и новая стоимость")

    @staticmethod
    def resolve_at(obj):
        return obj.created_at

    @staticmethod
    def resolve_action_label(obj):
        return str(obj.action_label)

    @staticmethod
    def resolve_actor(obj):
        return obj.actor.short_name if obj.actor else None

    @staticmethod
    def resolve_from_label(obj):
        return str(obj.from_label)

    @staticmethod
    def resolve_to_label(obj):
        return str(obj.to_label)

    @staticmethod
    def resolve_details(obj):
        return str(obj.details)


class RevisionChangeOut(Schema):
    field: str = Field(description="Поле карточки (имя поля ProgramIn)")
    label: str
    published: str = Field(description="Опубликованное значение, как его читает человек")
    proposed: str = Field(description="Предложенное значение")


class RevisionOut(Schema):
    """The edit of a published program waiting for the МОЦ (or returned by it)."""

    status: choice_codes(ProgramRevision.Status)
    status_label: str
    remark: str = Field(description="Замечания МОЦ, если изменения возвращены")
    proposed_at: dt.datetime
    changes: list[RevisionChangeOut]

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_changes(obj):
        return revisions.changes(obj.program, obj)


class ProgramDetail(ProgramListItem):
    specialisation: SpecialisationOut | None
    program_type: choice_codes(ProgramType)
    study_form: choice_codes(StudyForm)
    is_distance: bool
    is_network: bool
    partners: list[OrganizationRef]
    duration_months: int
    hours_total: int
    group_size_min: int
    group_size_max: int
    ovz_kinds: OvzCodes
    is_for_disabled: bool
    registers: RegisterCodes
    seasonal_kind: choice_codes(SeasonalKind)
    description: str
    goals: str
    expected_results: str
    material_base: str
    address: str
    moderation_remark: str
    modules: list[ModuleOut]
    revision: RevisionOut | None = Field(
        description="Изменения опубликованной программы, ждущие МОЦ или возвращённые им; "
                    "поля карточки выше — опубликованная версия, которую видят родители")
    history: list[EventOut] = Field(description="Журнал действий с карточкой, от старых к новым")

    @staticmethod
    def resolve_ovz_kinds(obj):
        return codes_of(OvzKind, obj.ovz_kinds)

    @staticmethod
    def resolve_registers(obj):
        return codes_of(Register, obj.registers)

    @staticmethod
    def resolve_revision(obj):
        if obj.status != ProgramStatus.PUBLISHED:
            return None
        return ProgramRevision.objects.filter(program=obj).first()

    @staticmethod
    def resolve_history(obj):
        return list(audit.timeline(obj))


class ProgramIn(BodyIn):
    """A program card as its provider fills it in."""

    title: str = Field(description="Название")
    direction: DirectionCode = Field(description="Направленность")
    specialisation: Id | None = Field(None, description="Специализация (id из справочника)")
    program_type: choice_codes(ProgramType) = ProgramType.GENERAL.value
    levels: LevelCodes = Field(["start"], description="Уровни программы")
    study_form: choice_codes(StudyForm) = StudyForm.FULL_TIME.value
    is_distance: bool = False
    is_network: bool = False
    partners: list[Id] = Field([], description="Организации-партнёры сетевой формы (id)")
    age_min: int = Field(description="Возраст от, лет")
    age_max: int = Field(description="Возраст до, лет")
    duration_months: int = Field(description="Продолжительность, месяцев")
    hours_total: int = Field(description="Объём, академических часов")
    group_size_min: int = 1
    group_size_max: int = 15
    ovz_kinds: OvzCodes = Field([], description="Виды ОВЗ, для которых адаптирована программа")
    is_for_disabled: bool = False
    registers: RegisterCodes = Field([], description="Реестры программы")
    seasonal_kind: choice_codes(SeasonalKind) = SeasonalKind.NONE.value
    description: str = Field(description="Описание")
    goals: str = ""
    expected_results: str = ""
    material_base: str = ""
    address: str = ""


class RemarkIn(BodyIn):
    remark: str = Field(description="Что нужно исправить")


class ArchiveReasonIn(BodyIn):
    reason: str = Field("", description="Почему программа переносится в архив")


class DictionariesOut(Schema):
    directions: list[Labelled]
    specialisations: list[SpecialisationOut]
    levels: list[Labelled]
    program_types: list[Labelled]
    study_forms: list[Labelled]
    seasonal_kinds: list[Labelled]
    ovz_kinds: list[Labelled]
    registers: list[Labelled]
    funding_sources: list[Labelled]
    organization_kinds: list[Labelled]
    program_statuses: list[Labelled]
    weekdays: list[Labelled]


# --- reading -------------------------------------------------------------------------


def _title_matches(q: str) -> Q:
    # SQLite folds the case of ASCII letters only; the usual spellings of the typed
    # words keep the search useful there, PostgreSQL folds Cyrillic by itself.
    spellings = {q, q.lower(), q.upper(), q.capitalize()}
    condition = Q()
    for spelling in spellings:
        condition |= Q(title__icontains=spelling)
    return condition


def _detail_queryset():
    return (Program.objects.select_related("organization__municipality", "specialisation")
            .prefetch_related("partners__municipality", "modules__groups__teachers",
                              "modules__groups__schedule", "modules__groups__funding",
                              "modules__groups__proposed_funding"))


def _visible_program(user, program_id: int, queryset=None) -> Program:
    """The program if the user may see it; otherwise 404, never saying whether it exists."""
    if queryset is None:
        queryset = Program.objects.all()
    program = scope.territory(user, queryset).filter(pk=program_id).first()
    if program is None:
        raise NotFound(_("Программа не найдена."), field="program_id")
    return program


def _detail(user, program_id: int) -> Program:
    return _visible_program(user, program_id, _detail_queryset())


@router.get("office/programs", response={200: ProgramPage},
            summary="Программы, доступные пользователю",
            description="Сотрудник видит программы своей организации в любом статусе, МОЦ и "
                        "управление образования — своего муниципалитета, РМЦ — все; "
                        "опубликованные программы действующих организаций видны всем.")
def list_programs(request, filters: Query[ProgramFilters]):
    programs = scope.visible(request.auth,
                             Program.objects.select_related("organization__municipality"))
    if filters.status:
        programs = programs.filter(status=filters.status)
    if filters.organization is not None:
        programs = programs.filter(organization_id=filters.organization)
    if filters.direction:
        programs = programs.filter(direction=filters.direction)
    if filters.q and filters.q.strip():
        programs = programs.filter(_title_matches(filters.q.strip()))
    programs = programs.order_by("title", "pk")
    return page_of(programs, filters.page, filters.page_size)


@router.get("office/programs/{program_id}", response={200: ProgramDetail},
            summary="Карточка программы с модулями, группами и журналом")
def get_program(request, program_id: int):
    return _detail(request.auth, program_id)


# --- changing ------------------------------------------------------------------------


def _program_data(user, fields: dict, program: Program | None = None) -> tuple[dict, list | None]:
    """JSON fields → the model values ``services`` take, and the partners if given (the
    services decide which organizations may be partners)."""
    for name, value in fields.items():
        if value is None and name not in NULLABLE_FIELDS:
            raise ValidationFailed({name: [_("Значение не может быть пустым.")]})
    data = dict(fields)
    for name, flags in FLAG_FIELDS.items():
        if name in data:
            data[name] = flags_from(flags, data[name], name)
    if data.get("specialisation") is not None:
        specialisation = Specialisation.objects.filter(pk=data["specialisation"]).first()
        if specialisation is None:
            raise ValidationFailed({"specialisation": [_("Специализация не найдена.")]})
        data["specialisation"] = specialisation
    partners = None
    if "partners" in data:
        wanted = set(data.pop("partners"))
        known = Q(pk__in=scope.visible(user, Organization.objects.all()).values("pk"))
        if program is not None:
            known |= Q(pk__in=program.partners.values("pk"))
        partners = list(Organization.objects.filter(known, pk__in=wanted))
        missing = sorted(wanted - {p.pk for p in partners})
        if missing:
            raise ValidationFailed({"partners": [
                _("Организации-партнёры не найдены: %(ids)s.")
                % {"ids": ", ".join(map(str, missing))}]})
    return data, partners


@router.post("office/programs", response={201: ProgramDetail},
             summary="Создать черновик программы своей организации")
def create_program(request, payload: ProgramIn):
    user = request.auth
    data, partners = _program_data(user, payload.model_dump(exclude_unset=True))
    program = services.create_program(user, user.organization, data, partners or ())
    return Status(201, _detail(user, program.pk))


@router.patch("office/programs/{program_id}", response={200: ProgramDetail, **TRANSITION_ERRORS},
              summary="Изменить программу",
              description="Изменение того, что видят родители, в опубликованной программе "
                          "уходит на модерацию (поле revision), а родители до решения МОЦ видят "
                          "опубликованную версию.")
def update_program(request, program_id: int, payload: PatchDict[ProgramIn]):
    user = request.auth
    program = _visible_program(user, program_id)
    data, partners = _program_data(user, payload, program)
    services.update_program(user, program, data, partners)
    return _detail(user, program_id)


@router.post("office/programs/{program_id}/submit",
             response={200: ProgramDetail, **TRANSITION_ERRORS},
             summary="Отправить программу на модерацию",
             description="Черновик или программу, возвращённую на доработку; у опубликованной "
                         "программы — возвращённые МОЦ изменения, без правок.")
def submit_program(request, program_id: int):
    services.submit_program(request.auth, _visible_program(request.auth, program_id))
    return _detail(request.auth, program_id)


@router.post("office/programs/{program_id}/publish",
             response={200: ProgramDetail, **TRANSITION_ERRORS},
             summary="Опубликовать программу (МОЦ)",
             description="У опубликованной программы с изменениями на модерации — утвердить "
                         "изменения: навигатор показывает их.")
def publish_program(request, program_id: int):
    services.publish_program(request.auth, _visible_program(request.auth, program_id))
    return _detail(request.auth, program_id)


@router.post("office/programs/{program_id}/return",
             response={200: ProgramDetail, **TRANSITION_ERRORS},
             summary="Вернуть программу на доработку с замечаниями (МОЦ)",
             description="У опубликованной программы с изменениями на модерации — вернуть "
                         "изменения; в навигаторе остаётся опубликованная версия.")
def return_program(request, program_id: int, payload: RemarkIn):
    services.return_program(request.auth, _visible_program(request.auth, program_id),
                            payload.remark)
    return _detail(request.auth, program_id)


@router.post("office/programs/{program_id}/prices/approve",
             response={200: ProgramDetail, **TRANSITION_ERRORS},
             summary="Утвердить новую стоимость групп опубликованной программы (МОЦ)")
def approve_prices(request, program_id: int):
    services.approve_prices(request.auth, _visible_program(request.auth, program_id))
    return _detail(request.auth, program_id)


@router.post("office/programs/{program_id}/prices/return",
             response={200: ProgramDetail, **TRANSITION_ERRORS},
             summary="Не утверждать новую стоимость групп, с замечанием (МОЦ)",
             description="В навигаторе остаётся прежняя стоимость.")
def return_prices(request, program_id: int, payload: RemarkIn):
    services.return_prices(request.auth, _visible_program(request.auth, program_id),
                           payload.remark)
    return _detail(request.auth, program_id)


@router.post("office/programs/{program_id}/archive",
             response={200: ProgramDetail, **TRANSITION_ERRORS},
             summary="Перенести опубликованную программу в архив")
def archive_program(request, program_id: int, payload: ArchiveReasonIn):
    services.archive_program(request.auth, _visible_program(request.auth, program_id),
                             payload.reason)
    return _detail(request.auth, program_id)


# --- dictionaries --------------------------------------------------------------------


@router.get("dictionaries", auth=None, response=DictionariesOut, tags=["Справочники"],
            summary="Коды и названия справочников реестра")
def dictionaries(request):
    return {
        "directions": labelled(Direction),
        "specialisations": list(Specialisation.objects.order_by("direction", "name")),
        "levels": labelled(Level),
        "program_types": labelled(ProgramType),
        "study_forms": labelled(StudyForm),
        "seasonal_kinds": labelled(SeasonalKind),
        "ovz_kinds": labelled(OvzKind),
        "registers": labelled(Register),
        "funding_sources": labelled(FundingSource),
        "organization_kinds": labelled(OrganizationKind),
        "program_statuses": labelled(ProgramStatus),
        "weekdays": labelled(Weekday),
    }
