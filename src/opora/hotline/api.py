"""The hotline API: a parent's or a provider's own questions (and asking one), the
operator's queue and answer, and the public FAQ. Who sees what is
``opora.hotline.selectors``: an asker only their own questions, the МОЦ its municipality's,
the РМЦ the region's; a question outside the caller's view answers 404."""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja import Status as HttpStatus

from opora.accounts import scope
from opora.accounts.middleware import client_ip
from opora.api.schemas import TRANSITION_ERRORS, BodyIn, ErrorOut, Id, MunicipalityRef, choice_codes, page_of
from opora.errors import NotFound
from opora.hotline import selectors, services
from opora.hotline.models import Channel, QuestionStatus, Topic

router = Router(tags=["Горячая линия"])

HotlineTopicCode = choice_codes(Topic)
HotlineStatusCode = choice_codes(QuestionStatus)
HotlineChannelCode = choice_codes(Channel)


class HotlineMessageOut(Schema):
    kind: str
    text: str
    created_at: dt.datetime


class HotlineQuestionOut(Schema):
    id: int
    number: str
    municipality: MunicipalityRef
    topic: HotlineTopicCode
    channel: HotlineChannelCode
    status: HotlineStatusCode
    status_label: str
    text: str
    received_at: dt.datetime
    deadline: dt.date = Field(description="Срок ответа (рабочие дни по производственному календарю)")
    overdue: bool
    answer: str
    answered_at: dt.datetime | None

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue


class HotlineQuestionDetailOut(HotlineQuestionOut):
    messages: list[HotlineMessageOut]

    @staticmethod
    def resolve_messages(obj):
        return obj.messages_list


class HotlineQuestionPage(Schema):
    count: int
    items: list[HotlineQuestionOut]


class HotlineQuestionFilters(Schema):
    page: int = Field(1, ge=1, le=10_000, description="Номер страницы")
    page_size: int = Field(25, ge=1, le=100, description="Вопросов на странице, не больше 100")


class HotlineQuestionIn(BodyIn):
    topic: HotlineTopicCode
    text: str = Field(max_length=5000, description="Вопрос")
    municipality: Id | None = Field(None, description="Муниципалитет; по умолчанию — из учётной записи")


class HotlineTextIn(BodyIn):
    text: str = Field(max_length=5000)


class HotlineFaqOut(Schema):
    id: int
    topic: HotlineTopicCode
    title: str
    body: str
    municipality: MunicipalityRef | None
    published_at: dt.datetime


class HotlineFaqPage(Schema):
    count: int
    items: list[HotlineFaqOut]


def _operator(user) -> bool:
    return scope.holds(user, "hotline.answer")


def _questions(user):
    return selectors.questions_for(user) if _operator(user) else selectors.own_questions(user)


def _detail(user, question_id):
    question = _questions(user).filter(pk=question_id).first()
    if question is None:
        raise NotFound(_("Вопрос не найден."))
    question.messages_list = selectors.thread(question, internal=_operator(user))
    return question


@router.get("hotline/questions", response={200: HotlineQuestionPage},
            summary="Вопросы горячей линии",
            description="Родителю и сотруднику организации — заданные ими вопросы; МОЦ — вопросы "
                        "его муниципалитета (сначала с ближайшим сроком); РМЦ — вопросы области.")
def list_questions(request, filters: Query[HotlineQuestionFilters]):
    user = request.auth
    queryset = (selectors.queue(user, status="all") if _operator(user)
                else selectors.own_questions(user).order_by("-received_at", "-pk"))
    return page_of(queryset, filters.page, filters.page_size)


@router.post("hotline/questions", response={201: HotlineQuestionDetailOut, 429: ErrorOut},
             summary="Задать вопрос на горячую линию",
             description="От имени родителя или сотрудника организации; срок ответа считается в "
                         "рабочих днях. С одного адреса — не больше "
                         "OPORA_HOTLINE_QUESTIONS_PER_HOUR вопросов в час (по умолчанию 10); "
                         "сверх — 429.")
def ask(request, payload: HotlineQuestionIn):
    question = services.ask(request.auth, payload.model_dump(), client=client_ip(request))
    return HttpStatus(201, _detail(request.auth, question.pk))


@router.get("hotline/questions/{question_id}", response={200: HotlineQuestionDetailOut},
            summary="Вопрос с перепиской")
def get_question(request, question_id: int):
    return _detail(request.auth, question_id)


@router.post("hotline/questions/{question_id}/answer",
             response={200: HotlineQuestionDetailOut, **TRANSITION_ERRORS},
             summary="Ответить на вопрос (МОЦ; РМЦ — на переданный ему)")
def answer(request, question_id: int, payload: HotlineTextIn):
    user = request.auth
    question = selectors.question_for(user, question_id)
    services.answer(user, question, payload.text, f"{request.scheme}://{request.get_host()}")
    return _detail(user, question_id)


@router.post("hotline/questions/{question_id}/escalate",
             response={200: HotlineQuestionDetailOut, **TRANSITION_ERRORS},
             summary="Передать вопрос в РМЦ с объяснением причины")
def escalate(request, question_id: int, payload: HotlineTextIn):
    user = request.auth
    services.escalate(user, selectors.question_for(user, question_id), payload.text)
    return _detail(user, question_id)


@router.get("hotline/faq", response={200: HotlineFaqPage}, auth=None,
            summary="Частые вопросы (публично)")
def faq(request, filters: Query[HotlineQuestionFilters], topic: HotlineTopicCode | None = None):
    return page_of(selectors.public_faq(topic=topic or ""), filters.page, filters.page_size)
