"""The quality assessment API: the МОЦ's campaigns and their programs, the expert's
assignments and sheet (blind: another expert's scores only after one's own sheet is
submitted), the appeal of a published result (the provider files it; the МОЦ gives it to a
new expert and decides it), the published results and the parents' rating of a program
(public).

Who sees what is ``opora.quality.selectors``; an object outside the caller's view answers
404 like one that does not exist."""

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from opora.api.schemas import TRANSITION_ERRORS, BodyIn, Id, MunicipalityRef, choice_codes, page_of
from opora.errors import NotFound
from opora.quality import ratings, selectors, services
from opora.quality.models import (
    Appeal,
    AppealStatus,
    AssignmentKind,
    AssignmentStatus,
    CampaignStatus,
    Decision,
    Entry,
    EntryStatus,
)

router = Router(tags=["Оценка качества"])

QualityCampaignStatusCode = choice_codes(CampaignStatus)
QualityEntryStatusCode = choice_codes(EntryStatus)
QualityDecisionCode = choice_codes(Decision)
QualityAssignmentStatusCode = choice_codes(AssignmentStatus)
QualityAssignmentKindCode = choice_codes(AssignmentKind)
QualityAppealStatusCode = choice_codes(AppealStatus)


class QualityCriterionOut(Schema):
    id: int
    position: int
    title: str
    description: str
    scale_max: int = Field(description="Шкала от 0 до этого балла")
    weight: Decimal
    is_knock_out: bool = Field(description="Критерий-стоп: 0 у большинства экспертов — «не соответствует»")


class QualityCriteriaSetOut(Schema):
    id: int
    title: str
    version: int
    pass_threshold: Decimal = Field(description="Порог «соответствует», % наибольшего взвешенного балла")
    revise_threshold: Decimal = Field(description="Порог «на доработку», %")
    criteria: list[QualityCriterionOut]

    @staticmethod
    def resolve_criteria(obj):
        return list(obj.criteria.all())


class QualityCampaignOut(Schema):
    id: int
    title: str
    municipality: MunicipalityRef | None = Field(description="Пусто — кампания региона")
    starts_on: dt.date
    ends_on: dt.date
    scoring_deadline: dt.date
    status: QualityCampaignStatusCode
    experts_per_program: int
    spread_limit: Decimal
    appeal_days: int
    published_at: dt.datetime | None
    criteria_set: QualityCriteriaSetOut


class QualityCampaignPage(Schema):
    count: int
    items: list[QualityCampaignOut]


class QualityProgramRef(Schema):
    id: int
    title: str
    direction: str
    organization: str

    @staticmethod
    def resolve_organization(obj):
        return obj.organization.short_name


class QualityEntryOut(Schema):
    id: int
    program: QualityProgramRef
    status: QualityEntryStatusCode
    experts: int = Field(description="Назначено экспертов")
    submitted: int = Field(description="Сдано листов")
    score: Decimal | None = Field(description="Итоговый балл, %")
    decision: QualityDecisionCode | None
    needs_expert: bool = Field(description="Оценки разошлись, а свободного эксперта нет")

    @staticmethod
    def resolve_experts(obj):
        return len(obj.live_assignments)

    @staticmethod
    def resolve_submitted(obj):
        return sum(1 for a in obj.live_assignments if a.status == AssignmentStatus.SUBMITTED)

    @staticmethod
    def resolve_decision(obj):
        return obj.decision or None


class QualityCampaignDetailOut(QualityCampaignOut):
    entries: list[QualityEntryOut]

    @staticmethod
    def resolve_entries(obj):
        return obj.entries_list


class QualityFilters(Schema):
    status: QualityCampaignStatusCode | None = Field(None, description="Статус кампании")
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(25, ge=1, le=100)


@router.get("quality/campaigns", response={200: QualityCampaignPage}, summary="Кампании оценки качества",
            description="МОЦ и управление образования видят кампании своего муниципалитета и региона, РМЦ — все.")
def list_campaigns(request, filters: Query[QualityFilters]):
    campaigns = selectors.campaigns_for(request.auth)
    if filters.status:
        campaigns = campaigns.filter(status=filters.status)
    return page_of(campaigns.prefetch_related("criteria_set__criteria"), filters.page, filters.page_size)


@router.get("quality/campaigns/{campaign_id}", response={200: QualityCampaignDetailOut},
            summary="Кампания с программами")
def get_campaign(request, campaign_id: int):
    campaign = selectors.campaign_for(request.auth, campaign_id)
    campaign.entries_list = list(selectors.entries_of(campaign))
    return campaign


@router.post("quality/campaigns/{campaign_id}/start", response={200: QualityCampaignDetailOut, **TRANSITION_ERRORS},
             summary="Начать экспертизу и назначить экспертов автоматически")
def start_campaign(request, campaign_id: int):
    services.start_campaign(request.auth, selectors.campaign_for(request.auth, campaign_id))
    return get_campaign(request, campaign_id)


@router.post("quality/campaigns/{campaign_id}/publish",
             response={200: QualityCampaignDetailOut, **TRANSITION_ERRORS}, summary="Опубликовать результаты")
def publish_campaign(request, campaign_id: int):
    services.publish_results(request.auth, selectors.campaign_for(request.auth, campaign_id))
    return get_campaign(request, campaign_id)


# --- the expert -------------------------------------------------------------------------------


class QualityAssignmentOut(Schema):
    id: int
    program: QualityProgramRef
    campaign: str
    kind: QualityAssignmentKindCode
    status: QualityAssignmentStatusCode
    due_on: dt.date

    @staticmethod
    def resolve_program(obj):
        return obj.entry.program

    @staticmethod
    def resolve_campaign(obj):
        return obj.entry.campaign.title


class QualityAssignmentPage(Schema):
    count: int
    items: list[QualityAssignmentOut]


class QualityOtherScoreOut(Schema):
    expert: int = Field(description="Номер другого эксперта на программе (без имени)")
    value: int
    comment: str


class QualitySheetLineOut(Schema):
    criterion: QualityCriterionOut
    value: int | None
    comment: str
    others: list[QualityOtherScoreOut] = Field(
        description="Оценки других экспертов — только после того, как свой лист сдан")

    @staticmethod
    def resolve_others(obj):
        return [{"expert": n, "value": v, "comment": c} for n, v, c in obj.others]


class QualitySheetOut(QualityAssignmentOut):
    lines: list[QualitySheetLineOut]


class QualityScoreIn(BodyIn):
    criterion: int
    value: int | None = Field(None, ge=0, le=100)
    comment: str = Field("", max_length=4000)


class QualitySheetIn(BodyIn):
    scores: list[QualityScoreIn] = Field(max_length=100)
    submit: bool = Field(False, description="Сдать лист (после этого он не меняется)")


def _sheet(user, assignment_id):
    assignment = selectors.assignment_of(user, assignment_id)
    assignment.lines = selectors.sheet(assignment)
    return assignment


@router.get("quality/assignments", response={200: QualityAssignmentPage}, summary="Мои назначения эксперта")
def list_assignments(request, page: int = Query(1, ge=1, le=10_000)):
    return page_of(selectors.assignments_of(request.auth), page, 100)


@router.get("quality/assignments/{assignment_id}", response={200: QualitySheetOut},
            summary="Экспертный лист",
            description="Свои баллы и комментарии; баллы других экспертов — только после сдачи своего листа.")
def get_sheet(request, assignment_id: int):
    return _sheet(request.auth, assignment_id)


@router.put("quality/assignments/{assignment_id}/sheet", response={200: QualitySheetOut, **TRANSITION_ERRORS},
            summary="Сохранить (и сдать) экспертный лист")
def save_sheet(request, assignment_id: int, payload: QualitySheetIn):
    assignment = selectors.assignment_of(request.auth, assignment_id)
    services.save_sheet(request.auth, assignment,
                        {s.criterion: (s.value, s.comment) for s in payload.scores}, submit=payload.submit)
    return _sheet(request.auth, assignment_id)


# --- the appeal of a published result -----------------------------------------------------------


class QualityResultStateOut(Schema):
    id: int = Field(description="Программа на оценке (запись кампании)")
    campaign: str
    program: QualityProgramRef
    status: QualityEntryStatusCode
    score: Decimal | None = Field(description="Итоговый балл, %")
    decision: QualityDecisionCode | None
    appeal_deadline: dt.date | None = Field(description="Последний день апелляции (после публикации)")

    @staticmethod
    def resolve_campaign(obj):
        return obj.campaign.title

    @staticmethod
    def resolve_score(obj):
        return obj.score if obj.campaign.status == CampaignStatus.PUBLISHED else None

    @staticmethod
    def resolve_decision(obj):
        return (obj.decision or None) if obj.campaign.status == CampaignStatus.PUBLISHED else None

    @staticmethod
    def resolve_appeal_deadline(obj):
        return services.appeal_deadline(obj.campaign) if obj.campaign.status == CampaignStatus.PUBLISHED else None


class QualityResultStatePage(Schema):
    count: int
    items: list[QualityResultStateOut]


class QualityAppealOut(Schema):
    id: int
    status: QualityAppealStatusCode
    reason: str
    filed_at: dt.datetime
    decision_before: QualityDecisionCode = Field(description="Решение до апелляции")
    score_before: Decimal | None = Field(description="Балл до апелляции, %")
    expert_assigned: bool = Field(description="Новый эксперт назначен")
    expert_submitted: bool = Field(description="Новый эксперт сдал лист")
    answer: str = Field(description="Ответ МОЦ")
    decided_at: dt.datetime | None
    entry: QualityResultStateOut

    @staticmethod
    def resolve_expert_assigned(obj):
        return obj.entry.assignments.filter(kind=AssignmentKind.APPEAL).exclude(
            status=AssignmentStatus.WITHDRAWN).exists()

    @staticmethod
    def resolve_expert_submitted(obj):
        return obj.entry.assignments.filter(kind=AssignmentKind.APPEAL, status=AssignmentStatus.SUBMITTED).exists()


# The appeal and its new expert are filed the same way for a campaign's result and for a
# practice's return: the practices' API uses these two schemas too (comments, not
# docstrings: a docstring would become the schema's description in the OpenAPI document).
class AppealIn(BodyIn):
    reason: str = Field(max_length=8000, description="Доводы организации")


class AppealExpertIn(BodyIn):
    expert: Id | None = Field(None, description="Пользователь-эксперт; пусто — выбрать автоматически")


class QualityAppealDecisionIn(BodyIn):
    upheld: bool = Field(description="true — удовлетворить (итог пересчитывается по всем листам, включая "
                                     "лист нового эксперта), false — отклонить (результат остаётся)")
    answer: str = Field(max_length=8000, description="Ответ организации")


def _entry(user, entry_id) -> Entry:
    # The territory of the caller: the organization's staff its own programs' entries, the
    # МОЦ and the education authority their municipality's, the РМЦ all; an expert none.
    return selectors.provider_entry(user, entry_id)


def _appeal(user, entry_id) -> Appeal:
    entry = _entry(user, entry_id)
    found = Appeal.objects.filter(entry=entry).select_related("entry__campaign", "entry__program__organization").first()
    if found is None:
        raise NotFound(_("Апелляция не найдена."))
    return found


@router.get("quality/entries", response={200: QualityResultStatePage}, summary="Программы на оценке качества",
            description="Организация — свои программы в кампаниях, МОЦ и управление образования — программы "
                        "муниципалитета, РМЦ — все. Балл, решение и последний день апелляции — после "
                        "публикации результатов кампании; id — для запросов апелляции.")
def list_entries(request, page: int = Query(1, ge=1, le=10_000), page_size: int = Query(25, ge=1, le=100)):
    return page_of(selectors.provider_entries(request.auth), page, page_size)


@router.get("quality/entries/{entry_id}/appeal", response={200: QualityAppealOut},
            summary="Апелляция на результат оценки",
            description="Организация — по своим программам, МОЦ и управление образования — по программам "
                        "муниципалитета, РМЦ — по всем.")
def get_appeal(request, entry_id: int):
    return _appeal(request.auth, entry_id)


@router.post("quality/entries/{entry_id}/appeal", response={201: QualityAppealOut, **TRANSITION_ERRORS},
             summary="Обжаловать результат оценки",
             description="Сотрудник организации обжалует опубликованный результат, кроме «соответствует», "
                         "в течение срока кампании (дней после публикации); один раз.")
def file_appeal(request, entry_id: int, body: AppealIn):
    services.file_appeal(request.auth, _entry(request.auth, entry_id), body.reason)
    return Status(201, _appeal(request.auth, entry_id))


@router.post("quality/entries/{entry_id}/appeal/expert", response={200: QualityAppealOut, **TRANSITION_ERRORS},
             summary="Передать апелляцию новому эксперту",
             description="МОЦ назначает эксперта, который ещё не оценивал программу, без конфликта "
                         "интересов; без эксперта в запросе — наименее загруженного.")
def assign_appeal_expert(request, entry_id: int, body: AppealExpertIn):
    services.assign_appeal_expert(request.auth, _appeal(request.auth, entry_id), body.expert)
    return _appeal(request.auth, entry_id)


@router.post("quality/entries/{entry_id}/appeal/decide", response={200: QualityAppealOut, **TRANSITION_ERRORS},
             summary="Решение МОЦ по апелляции",
             description="После листа нового эксперта: удовлетворить — итог пересчитывается по всем листам; "
                         "отклонить — результат остаётся.")
def decide_appeal(request, entry_id: int, body: QualityAppealDecisionIn):
    services.decide_appeal(request.auth, _appeal(request.auth, entry_id), upheld=body.upheld, answer=body.answer)
    return _appeal(request.auth, entry_id)


# --- public -------------------------------------------------------------------------------------


class QualityResultOut(Schema):
    program: QualityProgramRef
    municipality: str
    score: Decimal
    decision: QualityDecisionCode

    @staticmethod
    def resolve_municipality(obj):
        return obj.program.organization.municipality.name


class QualityResultPage(Schema):
    count: int
    items: list[QualityResultOut]


@router.get("quality/results/{campaign_id}", response={200: QualityResultPage}, auth=None,
            summary="Опубликованные результаты кампании")
def public_results(request, campaign_id: int, decision: QualityDecisionCode | None = None,
                   page: int = Query(1, ge=1, le=10_000)):
    results = selectors.public_results(selectors.public_campaign(campaign_id))
    if decision:
        results = results.filter(decision=decision)
    return page_of(results, page, 100)


# --- the parents' rating of a program (public) --------------------------------------------------


class RatingMeansOut(Schema):
    results: Decimal = Field(description="Средняя оценка «результаты достигнуты», 1–5")
    staff: Decimal = Field(description="Средняя оценка «педагоги и наполняемость группы как заявлено», 1–5")
    means: Decimal = Field(description="Средняя оценка «средства обучения», 1–5")
    overall: Decimal = Field(description="Средняя оценка «общая удовлетворённость», 1–5")


class RatingRulesOut(Schema):
    version: int
    weight_results: Decimal
    weight_staff: Decimal
    weight_means: Decimal
    weight_overall: Decimal
    early_penalty: Decimal = Field(description="Баллов вычитается при доле досрочных расторжений 100 %")
    min_share: Decimal = Field(description="Минимальная доля оценивших среди зачислений с правом оценки, %")
    min_ratings: int


class RatingCommentOut(Schema):
    created_at: dt.datetime
    overall: int
    comment: str
    answer: str = Field(description="Ответ организации; пусто — ответа нет")


class ProgramRatingOut(Schema):
    program_id: int
    shown: bool = Field(description="Рейтинг показывается: оценок достаточно")
    score: Decimal | None = Field(description="Рейтинг, 0–5, до десятых; пусто, пока не показывается")
    ratings: int | None = Field(description="Сколько оценок (когда рейтинг показывается)")
    qualifying: int | None = Field(description="Сколько зачислений дают право оценить программу")
    means: RatingMeansOut | None
    weighted: Decimal | None = Field(description="Взвешенная сумма средних")
    contracts: int | None = Field(description="Договоров по программе, вступивших в силу")
    early_by_parents: int | None = Field(description="Из них досрочно расторгнуты по заявлению родителей")
    rules: RatingRulesOut = Field(description="Версия правил, по которой рассчитан рейтинг (или действующая)")
    computed_at: dt.datetime | None
    comments: list[RatingCommentOut] = Field(description="Опубликованные отзывы, новые первыми (до 50)")


@router.get("quality/programs/{program_id}/rating", response={200: ProgramRatingOut}, auth=None,
            summary="Оценка программы родителями",
            description="Рейтинг = Σ вес × средняя оценка − штраф × доля договоров, досрочно расторгнутых "
                        "по заявлению родителей; показывается, когда оценок достаточно. Программа "
                        "должна быть опубликована.")
def program_rating(request, program_id: int):
    program = ratings.public_program(program_id)
    stored = ratings.public_rating(program)
    comments = [{"created_at": r.created_at, "overall": r.overall, "comment": r.comment, "answer": r.answer}
                for r in ratings.public_comments(program)[:50]]
    if stored is None:
        return {"program_id": program.pk, "shown": False, "score": None, "ratings": None, "qualifying": None,
                "means": None, "weighted": None, "contracts": None, "early_by_parents": None,
                "rules": ratings.current_rules(), "computed_at": None, "comments": comments}
    return {"program_id": program.pk, "shown": True, "score": stored.score, "ratings": stored.ratings,
            "qualifying": stored.qualifying, "means": stored.means, "weighted": stored.weighted,
            "contracts": stored.contracts, "early_by_parents": stored.early_by_parents, "rules": stored.rules,
            "computed_at": stored.computed_at, "comments": comments}
