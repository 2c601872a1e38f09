"""The data requests API (``/api/v1/surveys…``): the РМЦ or a МОЦ writes and sends a
request, providers and the МОЦ answer, the level above accepts or returns.

Endpoints turn JSON into the arguments of ``opora.surveys.services`` and read through
``selectors``; who may do what is decided there. A request or a reply outside the
caller's view answers 404 exactly like one that does not exist. Numbers travel as
strings with two decimals; file fields are answered on the page (``office/surveys/``),
the API reports whether a file is there.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator

from opora.api.schemas import TRANSITION_ERRORS, BodyIn, Day, Id, MunicipalityRef, choice_codes, page_of
from opora.surveys import selectors, services
from opora.surveys.models import FieldKind, Prefill, ReplyStatus, SurveyStatus

router = Router(tags=["Запросы данных"])

FieldKindCode = choice_codes(FieldKind)
PrefillCode = choice_codes(Prefill)
ReplyStatusCode = choice_codes(ReplyStatus)
SurveyStatusCode = choice_codes(SurveyStatus)
SurveyNumber = Annotated[Decimal, AfterValidator(lambda value: value.quantize(Decimal("0.01")))]


# --- schemas -------------------------------------------------------------------------


class SurveyFieldOut(Schema):
    id: int
    position: int
    label: str
    kind: FieldKindCode
    options: list[str] = Field(description="Варианты ответа (для выбора из списка)")
    required: bool
    prefill: PrefillCode = Field(description="Живой показатель, с которого начинается числовое поле")


class SurveyOut(Schema):
    id: int
    title: str
    description: str
    deadline: dt.date = Field(description="Срок ответа (включительно)")
    status: SurveyStatusCode
    municipality: MunicipalityRef | None = Field(
        description="МОЦ какого муниципалитета спрашивает; нет — запрос РМЦ")
    asks_providers: bool = Field(description="Отвечают и все организации муниципалитетов")
    sent_at: dt.datetime | None


class SurveyDetailOut(SurveyOut):
    fields: list[SurveyFieldOut]
    addressees: list[MunicipalityRef]

    @staticmethod
    def resolve_fields(obj):
        return list(obj.fields.all())

    @staticmethod
    def resolve_addressees(obj):
        return list(obj.addressees.all())


class SurveyPage(Schema):
    count: int
    items: list[SurveyOut]


class SurveyFilters(Schema):
    page: int = Field(1, ge=1, le=10_000, description="Номер страницы")
    page_size: int = Field(25, ge=1, le=100, description="Запросов на странице, не больше 100")


class SurveyFieldIn(BodyIn):
    label: str = Field(max_length=300, description="Вопрос")
    kind: FieldKindCode
    options: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=list, max_length=services.MAX_OPTIONS, description="Варианты (для выбора)")
    required: bool = False
    prefill: PrefillCode = Field("", description="Только для числового поля")


class SurveyIn(BodyIn):
    title: str = Field(max_length=300)
    description: str = Field("", max_length=services.MAX_TEXT)
    deadline: Day = Field(description="Срок ответа: сегодня или позже")
    municipalities: list[Id] | None = Field(
        None, max_length=1000, description="Кому: id муниципалитетов; нет — всем (МОЦ — только своему)")
    asks_providers: bool = Field(False, description="Отвечают и все организации муниципалитетов")
    fields: list[SurveyFieldIn] = Field(max_length=services.MAX_FIELDS)


class SurveyOrganizationRef(Schema):
    id: int
    short_name: str


class SurveyAnswerOut(Schema):
    field: int = Field(description="id поля")
    label: str
    kind: FieldKindCode
    number: SurveyNumber | None = Field(description="Число (для числового поля)")
    total: SurveyNumber | None = Field(
        description="Итого по муниципалитету: сумма принятых ответов организаций и собственных данных МОЦ")
    text: str = Field(description="Текст или выбранный вариант")
    has_file: bool

    @staticmethod
    def resolve_field(obj):
        return obj.field_id

    @staticmethod
    def resolve_label(obj):
        return obj.field.label

    @staticmethod
    def resolve_kind(obj):
        return obj.field.kind

    @staticmethod
    def resolve_has_file(obj):
        return bool(obj.file)


class SurveyReplyOut(Schema):
    id: int
    survey: int
    municipality: MunicipalityRef
    organization: SurveyOrganizationRef | None = Field(description="Нет — ответ муниципалитета (МОЦ)")
    status: ReplyStatusCode
    status_label: str
    submitted_at: dt.datetime | None
    late: bool = Field(description="Отправлен после срока")
    remarks: str = Field(description="Замечания проверившего")

    @staticmethod
    def resolve_survey(obj):
        return obj.survey_id

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())


class SurveyReplyDetailOut(SurveyReplyOut):
    answers: list[SurveyAnswerOut]

    @staticmethod
    def resolve_answers(obj):
        return selectors.answers_of(obj)


class SurveyReplyList(Schema):
    items: list[SurveyReplyOut]


class SurveyAnswerIn(BodyIn):
    field: Id = Field(description="id поля")
    value: str | None = Field(None, max_length=services.MAX_TEXT,
                              description="Число («12,5»), текст или вариант из списка; нет — не менять")


class SurveyAnswersIn(BodyIn):
    answers: list[SurveyAnswerIn] = Field(max_length=services.MAX_FIELDS)
    submit: bool = Field(False, description="Сразу отправить на проверку")


class SurveyRemarksIn(BodyIn):
    remarks: str = Field("", max_length=services.MAX_REMARKS, description="Замечания")


class SurveyReminderOut(Schema):
    reminded: int = Field(description="Скольким адресатам отправлено напоминание")


# --- requests ------------------------------------------------------------------------


@router.get("surveys", response={200: SurveyPage}, summary="Запросы данных, доступные пользователю",
            description="РМЦ видит все запросы; МОЦ — свои и адресованные его муниципалитету; "
                        "управление образования — адресованные муниципалитету; организация — "
                        "те, на которые она отвечает.")
def list_surveys(request, filters: Query[SurveyFilters]):
    queryset = selectors.surveys_for(request.auth).order_by("-created_at", "-pk")
    return page_of(queryset, filters.page, filters.page_size)


@router.post("surveys", response={201: SurveyDetailOut}, summary="Новый запрос данных (черновик)",
             description="РМЦ — муниципалитетам региона, МОЦ — своему муниципалитету.")
def create_survey(request, payload: SurveyIn):
    data = payload.model_dump()
    survey = services.save_survey(request.auth, data)
    return Status(201, selectors.survey_for(request.auth, survey.pk))


@router.get("surveys/{survey_id}", response={200: SurveyDetailOut}, summary="Запрос данных")
def get_survey(request, survey_id: int):
    return selectors.survey_for(request.auth, survey_id)


@router.post("surveys/{survey_id}/send", response={200: SurveyDetailOut, **TRANSITION_ERRORS},
             summary="Отправить запрос адресатам")
def send_survey(request, survey_id: int):
    services.send_survey(request.auth, selectors.survey_for(request.auth, survey_id))
    return selectors.survey_for(request.auth, survey_id)


@router.post("surveys/{survey_id}/remind", response={200: SurveyReminderOut, **TRANSITION_ERRORS},
             summary="Напомнить тем, кто не ответил",
             description="МОЦ напоминает своим организациям, РМЦ — муниципалитетам; письма уходят в "
                         "фоне, одному адресату не чаще раза в час.")
def remind(request, survey_id: int):
    return {"reminded": services.remind(request.auth, selectors.survey_for(request.auth, survey_id))}


@router.get("surveys/{survey_id}/replies", response={200: SurveyReplyList},
            summary="Ответы на запрос, которые видит пользователь")
def list_replies(request, survey_id: int):
    survey = selectors.survey_for(request.auth, survey_id)
    return {"items": list(selectors.replies_for(request.auth, survey)
                          .order_by("municipality__name", "organization__short_name"))}


# --- replies -------------------------------------------------------------------------


@router.get("surveys/replies/{reply_id}", response={200: SurveyReplyDetailOut}, summary="Ответ")
def get_reply(request, reply_id: int):
    return selectors.reply_for(request.auth, reply_id)


@router.post("surveys/replies/{reply_id}/answers", response={200: SurveyReplyDetailOut, **TRANSITION_ERRORS},
             summary="Сохранить ответ (и отправить на проверку)",
             description="Организация — свой ответ, МОЦ — ответ муниципалитета (его собственные "
                         "данные; число муниципалитета = сумма принятых ответов организаций + "
                         "собственные данные МОЦ).")
def save_answers(request, reply_id: int, payload: SurveyAnswersIn):
    user = request.auth
    reply = selectors.reply_for(user, reply_id)
    values = {item.field: item.value for item in payload.answers}
    services.save_reply(user, reply, values, submit=payload.submit)
    return selectors.reply_for(user, reply_id)


@router.post("surveys/replies/{reply_id}/submit", response={200: SurveyReplyDetailOut, **TRANSITION_ERRORS},
             summary="Отправить ответ на проверку")
def submit_reply(request, reply_id: int):
    user = request.auth
    services.submit_reply(user, selectors.reply_for(user, reply_id))
    return selectors.reply_for(user, reply_id)


@router.post("surveys/replies/{reply_id}/accept", response={200: SurveyReplyDetailOut, **TRANSITION_ERRORS},
             summary="Принять ответ (МОЦ — ответ организации, РМЦ — муниципалитета)")
def accept_reply(request, reply_id: int, payload: SurveyRemarksIn | None = None):
    user = request.auth
    services.review_reply(user, selectors.reply_for(user, reply_id), True,
                          payload.remarks if payload else "")
    return selectors.reply_for(user, reply_id)


@router.post("surveys/replies/{reply_id}/return", response={200: SurveyReplyDetailOut, **TRANSITION_ERRORS},
             summary="Вернуть ответ на доработку с замечаниями")
def return_reply(request, reply_id: int, payload: SurveyRemarksIn):
    user = request.auth
    services.review_reply(user, selectors.reply_for(user, reply_id), False, payload.remarks)
    return selectors.reply_for(user, reply_id)
