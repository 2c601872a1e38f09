"""The plans API (read only): the МОЦ's plans a user sees, one plan with its items (their
evidence and, in a media plan, their publications), and the items a user is responsible
for. Who sees what is ``opora.plans.selectors``: a draft
only its МОЦ, the education authority its municipality's plans, the РМЦ every plan; a plan
outside the caller's view answers 404 like one that does not exist."""

import datetime as dt

from ninja import Field, Query, Router, Schema

from opora.api.schemas import MunicipalityRef, choice_codes, page_of
from opora.plans import selectors
from opora.plans.models import Channel, ItemStatus, PlanStatus, Recurrence

router = Router(tags=["Планы МОЦ"])

PlanStatusCode = choice_codes(PlanStatus)
PlanItemStatusCode = choice_codes(ItemStatus)
RecurrenceCode = choice_codes(Recurrence)
ChannelCode = choice_codes(Channel)


class PlanKindRef(Schema):
    code: str
    title: str


class PlanOut(Schema):
    id: int
    title: str
    kind: PlanKindRef
    municipality: MunicipalityRef
    period_kind: str = Field(description="calendar — календарный год, school — учебный")
    year: int = Field(description="Год; у учебного года — год его начала")
    period_start: dt.date
    period_end: dt.date
    status: PlanStatusCode
    status_label: str
    approved_on: dt.date | None
    approved_by_name: str
    agreed_on: dt.date | None
    agreed_by_name: str
    report_accepted_by_authority_on: dt.date | None = Field(
        description="Когда отчёт принят управлением образования")
    report_accepted_by_rmc_on: dt.date | None = Field(description="Когда отчёт принят РМЦ")

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())


class PlanEvidenceOut(Schema):
    id: int
    url: str = Field(description="Ссылка или адрес скачивания файла")
    note: str

    @staticmethod
    def resolve_url(obj):
        return obj.href


class PlanPublicationOut(Schema):
    id: int
    published_on: dt.date
    channel: ChannelCode
    channel_label: str
    title: str
    url: str = Field(description="Адрес публикации; пусто, если не указан")
    reach: int | None = Field(description="Охват, если известен")

    @staticmethod
    def resolve_channel_label(obj):
        return str(obj.get_channel_display())


class PlanItemOut(Schema):
    id: int
    number: str
    section: str | None
    title: str
    deadline_text: str = Field(description="Срок, как он записан в плане")
    starts_on: dt.date | None
    ends_on: dt.date | None
    recurrence: RecurrenceCode
    deadline_unknown: bool = Field(description="Срок не распознан")
    responsible: list[str] = Field(description="Ответственные, как в документе")
    expected_result: str
    actual_result: str
    status: PlanItemStatusCode
    status_label: str
    done_on: dt.date | None
    reason: str
    audience: list[str] = Field(description="Категории участников (план повышения квалификации): "
                                            "педагоги, руководители, методисты")
    overdue: bool = Field(description="Не закрыто, а срок окончания прошёл")
    evidence: list[PlanEvidenceOut]
    channel: ChannelCode | None = Field(description="Канал пункта медиаплана")
    publications: list[PlanPublicationOut] = Field(
        description="Публикации пункта медиаплана (у пунктов других планов — пусто)")

    @staticmethod
    def resolve_audience(obj):
        return obj.audience_labels

    @staticmethod
    def resolve_section(obj):
        return obj.section.title if obj.section else None

    @staticmethod
    def resolve_responsible(obj):
        return obj.responsible_list

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue()

    @staticmethod
    def resolve_evidence(obj):
        return list(obj.evidence.all())

    @staticmethod
    def resolve_channel(obj):
        return obj.channel or None

    @staticmethod
    def resolve_publications(obj):
        return list(obj.publications.all())


class PlanDetailOut(PlanOut):
    items: list[PlanItemOut]

    @staticmethod
    def resolve_items(obj):
        return list(selectors.report_items(obj))


class PlanPage(Schema):
    count: int
    items: list[PlanOut]


class PlanItemPage(Schema):
    count: int
    items: list[PlanItemOut]


class PlanFilters(Schema):
    status: PlanStatusCode | None = Field(None, description="Статус плана")
    year: int | None = Field(None, ge=2000, le=2100, description="Год")
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(25, ge=1, le=100)


@router.get("plans", response={200: PlanPage}, summary="Планы МОЦ, доступные пользователю",
            description="МОЦ видит планы своего муниципалитета, управление образования — отправленные "
                        "ему планы муниципалитета, РМЦ — все отправленные планы.")
def list_plans(request, filters: Query[PlanFilters]):
    plans = selectors.plans_for(request.auth)
    if filters.status:
        plans = plans.filter(status=filters.status)
    if filters.year:
        plans = plans.filter(year=filters.year)
    return page_of(plans.order_by("-year", "pk"), filters.page, filters.page_size)


@router.get("plans/mine", response={200: PlanItemPage}, summary="Мой план",
            description="Мероприятия утверждённых планов, за которые отвечает пользователь.")
def my_plan(request, page: int = Query(1, ge=1, le=10_000)):
    items = (selectors.my_items(request.auth).select_related("section")
             .prefetch_related("evidence", "publications"))
    return page_of(items, page, 100)


@router.get("plans/{plan_id}", response={200: PlanDetailOut}, summary="План с мероприятиями")
def get_plan(request, plan_id: int):
    return selectors.plan_for(request.auth, plan_id)
