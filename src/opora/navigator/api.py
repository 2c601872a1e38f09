"""The open API of the navigator: the catalog with the page's filters and facets, a
program with its groups, organizations and the dictionaries. Public, read-only, no
personal data of children or parents.

Parameters are parsed by the same functions as the page (``filters.PARSERS``), so a
bad value gets the page's Russian message, with the parameter's name, in a 422.
"""

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal, get_args
from urllib.parse import urlencode

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import PlainValidator

from opora.api.renderers import JSONRenderer
from opora.api.schemas import ClockTime, ErrorOut, ValidationErrorOut
from opora.navigator import catalog, codes, filters, pagecache, search, selectors
from opora.registry.choices import Direction
from opora.registry.models import Municipality, Specialisation

# Public data: no sign-in (the API requires one by default).
router = Router(tags=["Навигатор"], auth=None)
RENDERER = JSONRenderer()


def _parameter(name, schema_type):
    """A query parameter parsed by the page's parser; its error names the parameter.
    The page's form sends a blank value for «any»; here the document promises a number,
    a code or true/false, so a blank value is refused unless the parameter is free text."""
    parser = filters.PARSERS[name]
    free_text = str in get_args(schema_type)

    def validate(value):
        raw = value if isinstance(value, list | tuple) else ([] if value is None else [value])
        values = [str(v) for v in raw]
        try:
            if not free_text and any(not v.strip() for v in values):
                raise filters.FilterError(_("Значение не может быть пустым."))
            return parser(values)
        except filters.FilterError as error:
            # a value_error carries our Russian message through the API's error handler,
            # which names the parameter and adds the final period
            message = str(error.message).rstrip(".")
            raise ValueError(message[:1].lower() + message[1:]) from None

    return Annotated[schema_type, PlainValidator(validate, json_schema_input_type=schema_type)]


def _codes(choices):
    return Literal[tuple(c.code for c in choices)]


# «широта,долгота»: latitude −90…90, longitude −180…180, in degrees with a decimal point
LATITUDE = r"-?(?:90(?:\.0+)?|[0-8]?[0-9](?:\.[0-9]+)?)"
LONGITUDE = r"-?(?:180(?:\.0+)?|1[0-7][0-9](?:\.[0-9]+)?|[0-9]?[0-9](?:\.[0-9]+)?)"
NEAR_PATTERN = rf"^{LATITUDE},{LONGITUDE}$"


class ProgramQuery(Schema):
    q: _parameter("q", str | None) = Field(None, description="Что ищем: слова, как их пишут родители.")
    municipality: _parameter("municipality", int | None) = Field(
        None, description="Номер муниципалитета.", json_schema_extra={"minimum": 1, "maximum": 2**62})
    direction: _parameter("direction", list[_codes(codes.DIRECTIONS)] | None) = Field(
        None, description="Направленности (можно несколько).")
    specialisation: _parameter("specialisation", int | None) = Field(
        None, description="Номер специализации.", json_schema_extra={"minimum": 1, "maximum": 2**62})
    age: _parameter("age", int | None) = Field(
        None, description="Возраст ребёнка, полных лет (3–18).", json_schema_extra={"minimum": 3, "maximum": 18})
    level: _parameter("level", list[_codes(codes.LEVELS)] | None) = Field(None, description="Уровни.")
    form: _parameter("form", list[_codes(codes.FORMS)] | None) = Field(None, description="Формы обучения.")
    payment: _parameter("payment", list[_codes(codes.PAYMENTS)] | None) = Field(
        None, description="Оплата: free — бесплатно, certificate — сертификатом, paid — платно.")
    max_price: _parameter("max_price", float | None) = Field(
        None, description="Наибольшая стоимость в месяц, ₽ (по самому дешёвому источнику).",
        json_schema_extra={"minimum": 0, "maximum": 999_999_999})
    ovz: _parameter("ovz", list[_codes(codes.OVZ)] | None) = Field(None, description="Виды ОВЗ.")
    seasonal: _parameter("seasonal", list[_codes(codes.SEASONAL)] | None) = Field(None, description="Сезонность.")
    organization: _parameter("organization", int | None) = Field(
        None, description="Номер организации.", json_schema_extra={"minimum": 1, "maximum": 2**62})
    rural: _parameter("rural", bool | None) = Field(None, description="Только сельская местность.")
    free_seats: _parameter("free_seats", bool | None) = Field(None, description="Только со свободными местами.")
    open: _parameter("open", bool | None) = Field(None, description="Только где идёт запись.")
    near: _parameter("near", str | None) = Field(
        None, description="Точка «широта,долгота» (WGS 84), от которой считать расстояние: 56.6014,84.8862.",
        json_schema_extra={"pattern": NEAR_PATTERN})
    sort: _parameter("sort", Literal["relevance", "start", "title", "distance"] | None) = Field(
        None, description="relevance — по соответствию запросу, start — по ближайшему началу, title — по названию, "
                          "distance — по расстоянию от точки near.")
    page: _parameter("page", int | None) = Field(
        None, description="Номер страницы, с 1.", json_schema_extra={"minimum": 1, "maximum": 10_000})
    page_size: _parameter("page_size", int | None) = Field(
        None, description="Программ на странице, до 100.", json_schema_extra={"minimum": 1, "maximum": 100})

    def filters(self) -> filters.Filters:
        # a parameter left out keeps its default, which the parser gives for no value
        return filters.Filters(**{
            name: parser([]) if getattr(self, name) is None else getattr(self, name)
            for name, parser in filters.PARSERS.items()})


class Choice(Schema):
    code: str
    label: str


class FacetChoiceOut(Schema):
    value: str
    label: str
    count: int
    selected: bool


class BadgeOut(Schema):
    kind: str
    label: str
    monthly_price: Decimal | None


class OrganizationBrief(Schema):
    id: int
    short_name: str
    municipality: str


class ProgramItem(Schema):
    id: int
    title: str
    direction: str
    specialisation: str | None
    age_min: int
    age_max: int
    levels: list[str]
    forms: list[str]
    badges: list[BadgeOut]
    min_monthly_price: Decimal | None
    next_start: date | None
    free_seats: int
    organization: OrganizationBrief


class ProgramList(Schema):
    count: int
    page: int
    pages: int
    items: list[ProgramItem]
    facets: dict[str, list[FacetChoiceOut]]
    corrections: dict[str, str] = Field(description="Исправленные опечатки: набранное слово → найденное.")
    ignored: list[str] = Field(description="Слова, которые не учитывались: о ребёнке, а не о программе "
                                           "(«для девочки», «кружок»), или которых нет ни в одной программе.")
    understood: list[Choice] = Field(description="Фильтры, прочитанные из текста запроса: code — имя "
                                                 "параметра (age, municipality), label — что показать.")


class ScheduleOut(Schema):
    weekdays: str
    time_from: ClockTime
    time_to: ClockTime
    lesson_minutes: int
    address: str


class CatalogFunding(Schema):
    source: str
    label: str
    monthly_price: Decimal
    total_price: Decimal


class CatalogGroup(Schema):
    id: int
    name: str
    module: str
    start_date: date
    end_date: date
    age_min: int
    age_max: int
    capacity: int
    free_seats: int
    enrolment: str
    enrolment_from: str | None
    enrolment_to: str | None
    teachers: list[str]
    schedule: list[ScheduleOut]
    funding: list[CatalogFunding]


class OrganizationOut(Schema):
    id: int
    short_name: str
    full_name: str
    kind: str
    municipality_id: int
    municipality: str
    address: str
    is_rural: bool
    phone: str
    email: str
    website: str


class CatalogProgram(ProgramItem):
    uuid: str
    program_type: str
    duration_months: int
    hours_total: int
    group_size_min: int
    group_size_max: int
    ovz: list[str]
    seasonal: str
    description: str
    goals: str
    expected_results: str
    address: str
    updated_at: str
    organization_detail: OrganizationOut
    partners: list[OrganizationBrief]
    groups: list[CatalogGroup]


class OrganizationList(Schema):
    count: int
    items: list[OrganizationOut]


def _item(card: catalog.Card) -> dict:
    return {
        "id": card.pk, "title": card.title, "direction": card.direction,
        "specialisation": card.specialisation, "age_min": card.age_min, "age_max": card.age_max,
        "levels": codes.codes_of(codes.LEVELS, card.levels),
        "forms": codes.codes_of(codes.FORMS, card.forms),
        "badges": [{"kind": b.kind, "label": str(b.label), "monthly_price": b.monthly_price}
                   for b in selectors.payment_badges(card.payment, card.min_paid_price)],
        "min_monthly_price": card.min_price, "next_start": card.next_start,
        "free_seats": card.free_seats,
        "organization": {"id": card.organization_id, "short_name": card.organization_name,
                         "municipality": card.municipality},
    }


def _organization(org) -> dict:
    return {
        "id": org.pk, "short_name": org.short_name, "full_name": org.full_name, "kind": org.kind,
        "municipality_id": org.municipality_id, "municipality": org.municipality.name,
        "address": org.address, "is_rural": org.is_rural, "phone": org.phone, "email": org.email,
        "website": org.website,
    }


@router.get("/programs", response={200: ProgramList, 422: ValidationErrorOut},
            summary="Каталог программ с фильтрами и счётчиками")
def list_programs(request, query: Query[ProgramQuery]):
    """Опубликованные программы активных организаций. Счётчик варианта фильтра — сколько
    программ даст поиск, если выбрать в этом фильтре только его (остальные фильтры,
    запрос, организация и цена сохраняются)."""
    key = pagecache.answer_key(request)
    body = pagecache.get(key)
    if body is None:
        body = _program_list(query)
        pagecache.put(key, body)
    return HttpResponse(body, content_type=f"{RENDERER.media_type}; charset={RENDERER.charset}")


def _program_list(query: ProgramQuery) -> str:
    page = catalog.search_catalog(query.filters())
    data = {
        "count": page.count, "page": page.page, "pages": page.pages,
        "items": [_item(p) for p in page.items],
        "facets": {name: [{"value": c.value, "label": str(c.label), "count": c.count, "selected": c.selected}
                          for c in choices] for name, choices in page.facets.items()},
        "corrections": page.corrections, "ignored": page.ignored,
        "understood": [{"code": name, "label": str(label)} for name, label in page.understood],
    }
    # Built here with the schema's types, keys and order (tests/navigator/test_api.py
    # validates the answer against ProgramList): rendered as it is, without validating
    # ~200 facet choices and 25 programs again on every request.
    return RENDERER.render(None, data, response_status=200)


class SuggestionQuery(Schema):
    q: _parameter("q", str | None) = Field(None, description="Что набрано в поле поиска.")


class Suggestion(Schema):
    kind: Literal["program", "specialisation"] = Field(description="program — название программы, "
                                                                    "specialisation — специализация.")
    label: str
    url: str = Field(description="Каталог с этой подсказкой: поиск по названию или фильтр специализации.")


class MapPoint(Schema):
    id: int
    name: str
    address: str
    municipality: str
    latitude: float | None = Field(description="Широта; пусто, если организация не указала координаты.")
    longitude: float | None
    programs: int = Field(description="Сколько найденных программ у организации.")
    url: str = Field(description="Каталог: эти программы организации.")


@router.get("/map", response={200: list[MapPoint], 422: ValidationErrorOut},
            summary="Организации найденных программ — для карты")
def list_map_points(request, query: Query[ProgramQuery]):
    """The organizations of the programs the same filters find, with their coordinates
    and how many of the programs each has."""
    return selectors.map_points(query.filters())


@router.get("/suggestions", response={200: list[Suggestion], 422: ValidationErrorOut},
            summary="Подсказки при вводе запроса")
def list_suggestions(request, query: Query[SuggestionQuery]):
    """Названия программ и специализации, слова которых начинаются с набранных."""
    found = []
    for kind, label, specialisation in search.suggest(query.q or ""):
        parameters = {"specialisation": specialisation} if specialisation else {"q": label}
        found.append({"kind": kind, "label": label, "url": reverse("navigator:home") + "?" + urlencode(parameters)})
    return found


@router.get("/programs/{program_id}", response={200: CatalogProgram, 404: ErrorOut},
            summary="Программа с группами и расписанием")
def get_program(request, program_id: int):
    program = selectors.program_detail(program_id)
    groups = selectors.groups_of(program)
    return {
        **_item(catalog.Card.of(program)),
        "uuid": str(program.uuid), "program_type": program.program_type,
        "duration_months": program.duration_months, "hours_total": program.hours_total,
        "group_size_min": program.group_size_min, "group_size_max": program.group_size_max,
        "ovz": codes.codes_of(codes.OVZ, program.catalog_entry.ovz_kinds),
        "seasonal": program.seasonal_kind, "description": program.description, "goals": program.goals,
        "expected_results": program.expected_results,
        "address": program.address or program.organization.address,
        "updated_at": program.updated_at.isoformat(),
        "organization_detail": _organization(program.organization),
        "partners": [{"id": o.pk, "short_name": o.short_name, "municipality": o.municipality.name}
                     for o in program.partners.all()],
        "groups": [{
            "id": g.pk, "name": g.name, "module": g.module_title, "start_date": g.start_date,
            "end_date": g.end_date, "age_min": g.age_min, "age_max": g.age_max,
            "capacity": g.capacity_max, "free_seats": g.free_seats, "enrolment": g.enrolment.state,
            "enrolment_from": g.enrolment_from.isoformat() if g.enrolment_from else None,
            "enrolment_to": g.enrolment_to.isoformat() if g.enrolment_to else None,
            "teachers": [t.full_name for t in g.teachers.all()],
            "schedule": [{"weekdays": line.weekday_labels, "time_from": line.time_from,
                          "time_to": line.time_to, "lesson_minutes": line.lesson_minutes,
                          "address": line.address} for line in g.schedule.all()],
            "funding": [{"source": f.source, "label": str(f.get_source_display()),
                         "monthly_price": f.monthly_price, "total_price": f.total_price}
                        for f in g.funding_lines],
        } for g in groups],
    }


class OrganizationQuery(Schema):
    municipality: _parameter("municipality", int | None) = Field(
        None, description="Номер муниципалитета.", json_schema_extra={"minimum": 1, "maximum": 2**62})
    page: _parameter("page", int | None) = Field(
        None, description="Номер страницы, с 1.", json_schema_extra={"minimum": 1, "maximum": 10_000})
    page_size: _parameter("page_size", int | None) = Field(
        None, description="Организаций на странице, до 100.", json_schema_extra={"minimum": 1, "maximum": 100})


@router.get("/organizations", response={200: OrganizationList, 422: ValidationErrorOut},
            summary="Действующие организации")
def list_organizations(request, query: Query[OrganizationQuery]):
    organizations = selectors.public_organizations(query.municipality)
    size = query.page_size or filters.Filters().size
    start = ((query.page or 1) - 1) * size
    return {"count": organizations.count(),
            "items": [_organization(o) for o in organizations[start:start + size]]}


@router.get("/organizations/{organization_id}", response={200: OrganizationOut, 404: ErrorOut}, summary="Организация")
def get_organization(request, organization_id: int):
    return _organization(selectors.organization_detail(organization_id))


@router.get("/directions", response=list[Choice], summary="Направленности")
def list_directions(request):
    return [{"code": value, "label": str(label)} for value, label in Direction.choices]


@router.get("/levels", response=list[Choice], summary="Уровни программ")
def list_levels(request):
    return [{"code": c.code, "label": str(c.label)} for c in codes.LEVELS]


@router.get("/forms", response=list[Choice], summary="Формы обучения")
def list_forms(request):
    return [{"code": c.code, "label": str(c.label)} for c in codes.FORMS]


@router.get("/payments", response=list[Choice], summary="Способы оплаты")
def list_payments(request):
    return [{"code": c.code, "label": str(c.label)} for c in codes.PAYMENTS]


@router.get("/ovz-kinds", response=list[Choice], summary="Виды ОВЗ")
def list_ovz_kinds(request):
    return [{"code": c.code, "label": str(c.label)} for c in codes.OVZ]


class Named(Schema):
    id: int
    name: str


class CatalogSpecialisation(Named):
    direction: str


@router.get("/municipalities", response=list[Named], summary="Муниципалитеты")
def list_municipalities(request):
    return list(Municipality.objects.order_by("name").values("id", "name"))


@router.get("/specialisations", response=list[CatalogSpecialisation], summary="Специализации")
def list_specialisations(request):
    return list(Specialisation.objects.order_by("direction", "name").values("id", "name", "direction"))

