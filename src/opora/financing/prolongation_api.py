"""The API of prolongation into the next period (``opora.financing.prolongation``): the
offers a user may read, the provider's proposal for a group, the payer's bulk run with
its report and the rule of automatic acceptance. The parent answers an offer with the
contract endpoints (``contracts/{uuid}/accept`` and ``…/decline``). Added to the
financing router by ``opora.financing.api``."""

import datetime as dt
from uuid import UUID

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from opora.api.schemas import TRANSITION_ERRORS, BodyIn, ErrorOut, ValidationErrorOut, choice_codes, page_of
from opora.financing import prolongation
from opora.financing.models import ProlongationStatus
from opora.registry.models import Group

router = Router(tags=["Персонифицированное финансирование"])
ProlongationStatusCode = choice_codes(ProlongationStatus)
ERRORS = {**TRANSITION_ERRORS, 503: ErrorOut}


class ProlongationGroupRef(Schema):
    id: int
    name: str
    start_date: dt.date
    end_date: dt.date


class ProlongationOfferOut(Schema):
    uuid: UUID
    status: ProlongationStatusCode
    status_label: str
    reason: str = Field(description="Почему продлить не удалось, или причина отказа")
    accepted_automatically: bool = Field(description="Оферта принята автоматически по правилу муниципалитета")
    source_contract: str = Field(description="Номер продлеваемого договора")
    source_contract_uuid: UUID
    child: str = Field(description="ФИО ребёнка")
    organization: str
    period: str = Field(description="Новый период финансирования")
    group: ProlongationGroupRef | None = Field(description="Группа на новый период")
    contract_uuid: UUID | None = Field(description="Новый договор (оферта), если он заключён")
    certificate_part: str | None = Field(description="Оплачивается сертификатом по новому договору, ₽")
    offered_at: dt.datetime | None

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_source_contract(obj):
        return obj.source.number

    @staticmethod
    def resolve_source_contract_uuid(obj):
        return obj.source.uuid

    @staticmethod
    def resolve_child(obj):
        return obj.source.application.child.full_name

    @staticmethod
    def resolve_organization(obj):
        return obj.source.organization.short_name

    @staticmethod
    def resolve_period(obj):
        return obj.period.title

    @staticmethod
    def resolve_contract_uuid(obj):
        return obj.contract.uuid if obj.contract_id else None

    @staticmethod
    def resolve_certificate_part(obj):
        return f"{obj.contract.certificate_part:.2f}" if obj.contract_id else None


class ProlongationOfferPage(Schema):
    count: int
    items: list[ProlongationOfferOut]


class ProlongationFilters(Schema):
    status: ProlongationStatusCode | None = Field(None, description="Статус продления")
    page: int = Field(1, ge=1, le=10_000, description="Номер страницы")
    page_size: int = Field(25, ge=1, le=100, description="Оферт на странице, не больше 100")


class ProlongationProposalIn(BodyIn):
    target: int | None = Field(None, description="Группа на новый период; нет — группа следующего модуля")
    contracts: list[int] | None = Field(None, description="Договоры детей, которые продолжают; нет — все")


class ProlongationReportOut(Schema):
    period: str
    made: int = Field(description="Оферт направлено сейчас")
    refused: int = Field(description="Не удалось продлить сейчас")
    accepted_automatically: int
    counts: dict[str, int] = Field(description="Оферты периода по статусам")


class ProlongationSettingsIn(BodyIn):
    auto_accept_days: int | None = Field(None, description="Через сколько дней оферта принимается "
                                                           "автоматически (1–90); нет — только родителем")


class ProlongationSettingsOut(Schema):
    auto_accept_days: int | None


@router.get("prolongation/offers", response={200: ProlongationOfferPage},
            summary="Оферты продления договоров на новый период",
            description="Сотрудник организации видит оферты её детей, МОЦ и управление образования — "
                        "своего муниципалитета, РМЦ — региона, родитель — своих детей.")
def list_offers(request, filters: Query[ProlongationFilters]):
    return page_of(prolongation.visible_offers(request.auth, status=filters.status),
                   filters.page, filters.page_size)


@router.post("prolongation/groups/{group_id}", response={200: list[ProlongationOfferOut], **ERRORS},
             summary="Предложить продление детям группы (организация)",
             description="Отмеченным детям направляется оферта на новый период (средства резервируются "
                         "сразу), остальные отмечаются как непредложенные.")
def propose(request, group_id: int, payload: ProlongationProposalIn | None = None):
    group = get_object_or_404(Group, pk=group_id)
    payload = payload or ProlongationProposalIn()
    offers = prolongation.propose_prolongation(request.auth, group, payload.target, payload.contracts)
    return prolongation.visible_offers(request.auth).filter(pk__in=[o.pk for o in offers])


@router.post("prolongation/run", response={200: ProlongationReportOut, 422: ValidationErrorOut, **ERRORS},
             summary="Продлить договоры муниципалитета (плательщик)",
             description="Повторный запуск не создаёт вторых договоров.")
def run(request):
    user = request.auth
    report = prolongation.run_prolongation(user, user.municipality)
    return {"period": report.period.title, "made": report.made, "refused": report.refused,
            "accepted_automatically": report.accepted_automatically, "counts": report.counts}


@router.put("prolongation/settings", response={200: ProlongationSettingsOut, **ERRORS},
            summary="Правило автоматического принятия оферт продления (плательщик)")
def save_settings(request, payload: ProlongationSettingsIn):
    user = request.auth
    return prolongation.save_prolongation_settings(user, user.municipality, payload.auto_accept_days)
