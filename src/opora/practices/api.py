"""The bank of best practices in the API: the published practices with the bank's filters
and search (public), one published practice, and a provider's submission of its practice
to the МОЦ. Who sees what is ``opora.practices.selectors``; a practice outside the
caller's view answers 404 like one that does not exist."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Query, Router, Schema

from opora.api.schemas import TRANSITION_ERRORS, MunicipalityRef, choice_codes, page_of
from opora.practices import selectors, services
from opora.practices.models import PracticeKind, PracticeStatus, TargetGroup
from opora.quality.models import Decision
from opora.registry.choices import Direction

router = Router(tags=["Банк лучших практик"])

PracticeKindCode = choice_codes(PracticeKind)
PracticeTargetGroupCode = choice_codes(TargetGroup)
PracticeStatusCode = choice_codes(PracticeStatus)
PracticeDirectionCode = choice_codes(Direction)
PracticeDecisionCode = choice_codes(Decision)


class PracticeOrganizationRef(Schema):
    id: int
    short_name: str
    full_name: str


class PracticeProgramRef(Schema):
    id: int
    title: str


class PracticeFileOut(Schema):
    id: int
    name: str
    size: int = Field(description="Размер, байт")


class PracticeOut(Schema):
    id: int
    title: str
    authors: str
    organization: PracticeOrganizationRef
    municipality: MunicipalityRef
    direction: PracticeDirectionCode
    target_group: PracticeTargetGroupCode
    kind: PracticeKindCode
    summary: str
    is_regional: bool = Field(description="РМЦ отметил практику как региональную")
    published_at: dt.datetime | None


class PracticeDetailOut(PracticeOut):
    goals: str
    resources: str
    results: str
    replication: str
    links: list[str]
    programs: list[PracticeProgramRef] = Field(description="Опубликованные программы организации по практике")
    files: list[PracticeFileOut] = Field(description="Материалы; файл скачивается по /practices/files/{id}/")

    @staticmethod
    def resolve_programs(obj):
        return obj.public_programs

    @staticmethod
    def resolve_files(obj):
        return list(obj.files.all())


class PracticePage(Schema):
    count: int
    items: list[PracticeOut]


class PracticeFilters(Schema):
    q: str = Field("", max_length=200, description="Поиск по словам (основы слов, словарь МОЦ, опечатки)")
    direction: PracticeDirectionCode | None = None
    target_group: PracticeTargetGroupCode | None = None
    kind: PracticeKindCode | None = None
    municipality: int | None = Field(None, ge=1, le=2**31 - 1)
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(25, ge=1, le=100)


class PracticeStateOut(Schema):
    id: int
    title: str
    status: PracticeStatusCode
    submitted_at: dt.datetime | None
    score: Decimal | None = Field(description="Итоговый балл экспертизы, %")
    decision: PracticeDecisionCode | None
    remarks: str = Field(description="Замечания МОЦ при возврате на доработку")

    @staticmethod
    def resolve_decision(obj):
        return obj.decision or None


@router.get("practices", response={200: PracticePage}, auth=None, summary="Банк лучших практик",
            description="Опубликованные практики: региональные первыми, затем новые.")
def list_practices(request, filters: Query[PracticeFilters]):
    query = selectors.BankQuery(text=filters.q.strip(), direction=filters.direction or "",
                                target_group=filters.target_group or "", kind=filters.kind or "",
                                municipality=filters.municipality)
    return page_of(selectors.public_practices(query), filters.page, filters.page_size)


@router.get("practices/{practice_id}", response={200: PracticeDetailOut}, auth=None,
            summary="Опубликованная практика")
def get_practice(request, practice_id: int):
    return selectors.public_practice(practice_id)


@router.post("practices/{practice_id}/submit", response={200: PracticeStateOut, **TRANSITION_ERRORS},
             summary="Подать практику в МОЦ",
             description="Сотрудник организации подаёт черновик или практику, возвращённую на доработку; "
                         "описаны должны быть результаты и условия тиражирования.")
def submit_practice(request, practice_id: int):
    return services.submit(request.auth, selectors.practice_for(request.auth, practice_id))
