"""The API of cooperation agreements between municipalities
(``opora.financing.agreements``): the agreements a user reads, proposing one, agreeing,
cancelling and ending it, and the flows between municipalities (``opora.financing.flows``).
Added to the financing router by ``opora.financing.api``."""

import datetime as dt
from decimal import Decimal
from typing import Literal
from uuid import UUID

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from opora.api.schemas import (
    TRANSITION_ERRORS,
    BodyIn,
    ErrorOut,
    Id,
    Month,
    MunicipalityRef,
    choice_codes,
    page_of,
)
from opora.financing import agreements, flows
from opora.financing.agreement_models import EXPIRED
from opora.financing.models import AgreementStatus
from opora.registry.models import Municipality

router = Router(tags=["Персонифицированное финансирование"])
AgreementStatusCode = choice_codes(AgreementStatus)
ERRORS = {**TRANSITION_ERRORS, 503: ErrorOut}


class AgreementOut(Schema):
    uuid: UUID
    status: AgreementStatusCode
    status_label: str = Field(description="«Истекло» — согласовано, но срок действия прошёл: к новым договорам "
                                          "не применяется")
    expired: bool = Field(description="Срок действия прошёл")
    payer: MunicipalityRef = Field(description="Плательщик: муниципалитет, где живут дети")
    host: MunicipalityRef = Field(description="Муниципалитет организаций, где дети учатся")
    proposer: MunicipalityRef = Field(description="Сторона, предложившая соглашение")
    valid_from: dt.date
    valid_to: dt.date
    max_children: int | None = Field(description="Не более детей; нет — без ограничения")
    max_amount: str | None = Field(description="Не более, ₽ (средства сертификатов); нет — без ограничения")
    document: str = Field(description="Реквизиты соглашения")
    reason: str = Field(description="Причина отмены или прекращения")
    proposed_at: dt.datetime
    decided_at: dt.datetime | None
    ended_at: dt.datetime | None

    @staticmethod
    def resolve_status_label(obj):
        return obj.state_label

    @staticmethod
    def resolve_max_amount(obj):
        return f"{obj.max_amount:.2f}" if obj.max_amount is not None else None


class AgreementDetailOut(AgreementOut):
    children: int = Field(description="Детей с договорами по соглашению")
    used_amount: str = Field(description="Средства сертификатов по договорам соглашения, ₽")


class AgreementPage(Schema):
    count: int
    items: list[AgreementOut]


class AgreementFilters(Schema):
    status: Literal[(*AgreementStatus.values, EXPIRED)] | None = Field(
        None, description="Статус соглашения; active — действует и срок не прошёл, expired — согласовано, "
                          "но срок действия прошёл («Истекло»)")
    page: int = Field(1, ge=1, le=10_000, description="Номер страницы")
    page_size: int = Field(25, ge=1, le=100, description="Соглашений на странице, не больше 100")


class AgreementIn(BodyIn):
    payer: Id = Field(description="Муниципалитет, который платит за своих детей")
    host: Id = Field(description="Муниципалитет организаций")
    valid_from: dt.date
    valid_to: dt.date
    max_children: int | None = Field(None, ge=1, le=agreements.MAX_CHILDREN, description="Не более детей")
    max_amount: Decimal | None = Field(None, gt=0, le=agreements.MAX_AMOUNT, decimal_places=2,
                                       description="Не более, ₽ (строкой, «500000.00»)")
    document: str = Field("", max_length=agreements.DOCUMENT_MAX_LENGTH, description="Реквизиты соглашения")


class AgreementReasonIn(BodyIn):
    reason: str = Field("", max_length=agreements.REASON_MAX_LENGTH, description="Причина")


class FlowOut(Schema):
    payer: MunicipalityRef
    host: MunicipalityRef
    children: int
    contracts: int
    scheduled: str = Field(description="Средства сертификатов по договорам, ₽")
    billed: str = Field(description="Начислено по итоговым счетам, ₽")
    paid: str = Field(description="Оплачено, ₽")


class FlowFilters(Schema):
    period: UUID | None = Field(None, description="Период финансирования плательщика (uuid): договоры этого периода "
                                                  "и счета его муниципалитета за месяцы периода")
    month_from: Month | None = Field(None, description="С месяца: ГГГГ-ММ или дата внутри него")
    month_to: Month | None = Field(None, description="По месяц включительно: ГГГГ-ММ или дата внутри него")


def _detail(agreement):
    used = agreements.usage(agreement)
    agreement.children, agreement.used_amount = used.children, f"{used.amount:.2f}"
    return agreement


@router.get("agreements", response={200: AgreementPage},
            summary="Соглашения о сотрудничестве муниципалитетов",
            description="МОЦ и управление образования видят соглашения, где их муниципалитет — одна из сторон, "
                        "РМЦ — все соглашения региона.")
def list_agreements(request, filters: Query[AgreementFilters]):
    return page_of(agreements.visible_agreements(request.auth, status=filters.status), filters.page,
                   filters.page_size)


@router.get("agreements/{agreement_uuid}", response={200: AgreementDetailOut},
            summary="Соглашение и его использование")
def get_agreement(request, agreement_uuid: UUID):
    return _detail(agreements.agreement_for(request.auth, agreement_uuid))


@router.post("agreements", response={201: AgreementDetailOut, 404: ErrorOut, **ERRORS},
             summary="Предложить соглашение (МОЦ или управление образования одной из сторон)")
def propose(request, payload: AgreementIn):
    agreement = agreements.propose_agreement(
        request.auth, payer=get_object_or_404(Municipality, pk=payload.payer),
        host=get_object_or_404(Municipality, pk=payload.host), valid_from=payload.valid_from,
        valid_to=payload.valid_to, max_children=payload.max_children, max_amount=payload.max_amount,
        document=payload.document)
    return Status(201, _detail(agreement))


@router.post("agreements/{agreement_uuid}/agree", response={200: AgreementDetailOut, **ERRORS},
             summary="Согласовать соглашение (другая сторона)")
def agree(request, agreement_uuid: UUID):
    user = request.auth
    return _detail(agreements.agree_agreement(user, agreements.agreement_for(user, agreement_uuid)))


@router.post("agreements/{agreement_uuid}/cancel", response={200: AgreementDetailOut, **ERRORS},
             summary="Отменить предложенное соглашение (любая сторона)")
def cancel(request, agreement_uuid: UUID, payload: AgreementReasonIn | None = None):
    user = request.auth
    reason = payload.reason if payload else ""
    return _detail(agreements.cancel_agreement(user, agreements.agreement_for(user, agreement_uuid), reason))


@router.post("agreements/{agreement_uuid}/end", response={200: AgreementDetailOut, **ERRORS},
             summary="Прекратить действующее соглашение (любая сторона, с причиной)")
def end(request, agreement_uuid: UUID, payload: AgreementReasonIn):
    user = request.auth
    return _detail(agreements.end_agreement(user, agreements.agreement_for(user, agreement_uuid), payload.reason))


@router.get("agreement-flows", response={200: list[FlowOut], 422: ErrorOut},
            summary="Потоки между муниципалитетами",
            description="Дети одного муниципалитета в организациях другого: договоры, средства, начислено и "
                        "оплачено, по парам «плательщик → муниципалитет организаций». Фильтр периода: период "
                        "финансирования и/или месяцы «с» и «по» — договоры, идущие в эти месяцы, их суммы за эти "
                        "месяцы и счета этих месяцев.")
def list_flows(request, filters: Query[FlowFilters]):
    selection = flows.select(request.auth, filters.period, filters.month_from, filters.month_to)
    return [{"payer": {"id": r["payer_id"], "name": r["payer"]}, "host": {"id": r["host_id"], "name": r["host"]},
             "children": r["children"], "contracts": r["contracts"], "scheduled": f"{r['scheduled']:.2f}",
             "billed": f"{r['billed']:.2f}", "paid": f"{r['paid']:.2f}"} for r in flows.flows(request.auth, selection)]
