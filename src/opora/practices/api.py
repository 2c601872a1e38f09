"""The bank of best practices in the API: the published practices with the bank's filters
and search (public), one published practice, a provider's submission of its practice to
the МОЦ, and the appeal of a return (the provider files it; the МОЦ gives it to a new
expert and decides it). Who sees what is ``opora.practices.selectors``; a practice outside the
caller's view answers 404 like one that does not exist."""

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from opora.api.schemas import TRANSITION_ERRORS, BodyIn, MunicipalityRef, choice_codes, page_of
from opora.errors import NotFound
from opora.practices import selectors, services
from opora.practices.models import (
    AppealStatus,
    AssignmentStatus,
    PracticeAppeal,
    PracticeKind,
    PracticeStatus,
    TargetGroup,
)
from opora.quality.api import AppealExpertIn, AppealIn
from opora.quality.models import AssignmentKind, Decision
from opora.registry.choices import Direction

router = Router(tags=["Банк лучших практик"])

PracticeKindCode = choice_codes(PracticeKind)
PracticeTargetGroupCode = choice_codes(TargetGroup)
PracticeStatusCode = choice_codes(PracticeStatus)
PracticeDirectionCode = choice_codes(Direction)
PracticeDecisionCode = choice_codes(Decision)
PracticeAppealStatusCode = choice_codes(AppealStatus)


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
    needs_expert: bool = Field(description="Оценки разошлись больше допустимого, а свободного эксперта нет")
    returned_at: dt.datetime | None = Field(description="Когда практика возвращена на доработку")
    appeal_deadline: dt.date | None = Field(description="Последний день апелляции на возврат")

    @staticmethod
    def resolve_decision(obj):
        return obj.decision or None

    @staticmethod
    def resolve_appeal_deadline(obj):
        return services.appeal_deadline(obj) if obj.status == PracticeStatus.RETURNED else None


class PracticeAppealOut(Schema):
    id: int
    round: int = Field(description="Раунд экспертизы, возврат которого обжалован")
    status: PracticeAppealStatusCode
    reason: str
    filed_at: dt.datetime
    decision_before: PracticeDecisionCode | None = Field(description="Вывод экспертизы до апелляции")
    score_before: Decimal | None = Field(description="Балл до апелляции, %")
    expert_assigned: bool = Field(description="Новый эксперт назначен")
    expert_submitted: bool = Field(description="Новый эксперт сдал лист")
    answer: str = Field(description="Ответ МОЦ")
    decided_at: dt.datetime | None
    practice: PracticeStateOut

    @staticmethod
    def resolve_decision_before(obj):
        return obj.decision_before or None

    @staticmethod
    def resolve_expert_assigned(obj):
        return obj.practice.assignments.filter(round=obj.round, kind=AssignmentKind.APPEAL).exclude(
            status=AssignmentStatus.WITHDRAWN).exists()

    @staticmethod
    def resolve_expert_submitted(obj):
        return obj.practice.assignments.filter(round=obj.round, kind=AssignmentKind.APPEAL,
                                               status=AssignmentStatus.SUBMITTED).exists()


class PracticeAppealDecisionIn(BodyIn):
    upheld: bool = Field(description="true — удовлетворить (практика снова на экспертизе с пересчитанным "
                                     "итогом), false — отклонить (возврат остаётся)")
    answer: str = Field(max_length=8000, description="Ответ организации")


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


def _appeal(user, practice_id) -> PracticeAppeal:
    practice = selectors.practice_for(user, practice_id)
    found = practice.appeals.filter(round=practice.review_round).select_related("practice").first()
    if found is None:
        raise NotFound(_("Апелляция не найдена."))
    return found


@router.get("practices/{practice_id}/appeal", response={200: PracticeAppealOut},
            summary="Апелляция на возврат практики",
            description="Организация-автор и МОЦ муниципалитета видят апелляцию текущего раунда экспертизы.")
def get_appeal(request, practice_id: int):
    return _appeal(request.auth, practice_id)


@router.post("practices/{practice_id}/appeal", response={201: PracticeAppealOut, **TRANSITION_ERRORS},
             summary="Обжаловать возврат практики",
             description="Сотрудник организации обжалует возврат практики, прошедшей экспертизу, в течение "
                         "срока, заданного МОЦ (дней после возврата); один раз на возврат.")
def file_appeal(request, practice_id: int, body: AppealIn):
    appeal = services.file_appeal(request.auth, selectors.practice_for(request.auth, practice_id), body.reason)
    return Status(201, appeal)


@router.post("practices/{practice_id}/appeal/expert", response={200: PracticeAppealOut, **TRANSITION_ERRORS},
             summary="Передать апелляцию новому эксперту",
             description="МОЦ назначает эксперта, который ещё не оценивал практику в этом раунде, без "
                         "конфликта интересов; без эксперта в запросе — наименее загруженного по направленности.")
def assign_appeal_expert(request, practice_id: int, body: AppealExpertIn):
    appeal = _appeal(request.auth, practice_id)
    services.assign_appeal_expert(request.auth, appeal, body.expert)
    return _appeal(request.auth, practice_id)


@router.post("practices/{practice_id}/appeal/decide", response={200: PracticeAppealOut, **TRANSITION_ERRORS},
             summary="Решение МОЦ по апелляции",
             description="После листа нового эксперта: удовлетворить — итог пересчитывается по всем листам "
                         "раунда и практика снова на экспертизе; отклонить — возврат остаётся.")
def decide_appeal(request, practice_id: int, body: PracticeAppealDecisionIn):
    appeal = _appeal(request.auth, practice_id)
    services.decide_appeal(request.auth, appeal, upheld=body.upheld, answer=body.answer)
    return _appeal(request.auth, practice_id)
