"""The API of group switches, disputes over invoice lines and supplementary invoices
(``opora.financing.switching``, ``disputes``, ``supplementary``). Added to the financing
router by ``opora.financing.api``; who may do what is decided by the services."""

import datetime as dt
from decimal import Decimal
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from opora.accounts.models import Role
from opora.api.schemas import TRANSITION_ERRORS, BodyIn, ErrorOut, Id, Month, choice_codes
from opora.errors import NotFound, PermissionDenied
from opora.financing import contracts, disputes, supplementary, switching
from opora.financing.models import DisputeStatus, InvoiceLine, SwitchStatus
from opora.registry.models import Group

router = Router(tags=["Персонифицированное финансирование"])
ERRORS = {**TRANSITION_ERRORS, 503: ErrorOut}
SwitchStatusCode = choice_codes(SwitchStatus)
DisputeStatusCode = choice_codes(DisputeStatus)


def _money(value) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


# --- group switches ----------------------------------------------------------------------


class SwitchIn(BodyIn):
    group: int = Field(description="Группа той же программы (id)")
    month: Month = Field(description="С какого месяца: ГГГГ-ММ (с первого числа)")


class SwitchMonthOut(Schema):
    month: dt.date
    certificate_before: str
    parent_before: str
    certificate_after: str
    parent_after: str


class SwitchOut(Schema):
    uuid: UUID
    status: SwitchStatusCode
    status_label: str
    contract_uuid: UUID
    contract_number: str
    from_group: str
    to_group: str
    effective_on: dt.date = Field(description="С первого числа этого месяца")
    total_before: str | None = Field(description="Стоимость обучения по договору до перевода, ₽")
    total_after: str | None
    certificate_before: str | None = Field(description="Оплачивается сертификатом до перевода, ₽")
    certificate_after: str | None
    parent_before: str | None = Field(description="Оплачивается родителем до перевода, ₽")
    parent_after: str | None
    reserve_change: str | None = Field(description="На сколько изменился резерв сертификата, ₽ (меньше нуля — "
                                                   "средства вернулись)")
    months: list[SwitchMonthOut]
    created_at: dt.datetime
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_contract_uuid(obj):
        return obj.contract.uuid

    @staticmethod
    def resolve_contract_number(obj):
        return obj.contract.number

    @staticmethod
    def resolve_from_group(obj):
        return obj.from_group.name

    @staticmethod
    def resolve_to_group(obj):
        return obj.to_group.name

    @staticmethod
    def resolve_total_before(obj):
        return _money(obj.total_before)

    @staticmethod
    def resolve_total_after(obj):
        return _money(obj.total_after)

    @staticmethod
    def resolve_certificate_before(obj):
        return _money(obj.certificate_before)

    @staticmethod
    def resolve_certificate_after(obj):
        return _money(obj.certificate_after)

    @staticmethod
    def resolve_parent_before(obj):
        return _money(obj.parent_before)

    @staticmethod
    def resolve_parent_after(obj):
        return _money(obj.parent_after)

    @staticmethod
    def resolve_reserve_change(obj):
        return _money(obj.reserve_change)


class SwitchPreviewOut(Schema):
    contract_number: str
    from_group: str
    to_group: str
    effective_on: dt.date
    total_before: str
    total_after: str
    certificate_before: str
    certificate_after: str
    parent_before: str
    parent_after: str
    reserve_change: str
    months: list[SwitchMonthOut]


class TargetOut(Schema):
    id: int
    name: str
    start_date: dt.date
    end_date: dt.date
    free_seats: int

    @staticmethod
    def resolve_free_seats(obj):
        return max(obj.capacity_max - obj.seats_taken, 0)


class SwitchOptionsOut(Schema):
    groups: list[TargetOut] = Field(description="Группы той же программы, куда можно перевести")
    months: list[dt.date] = Field(description="С каких месяцев можно перевести")


def _acted(request, uuid: UUID, find, act, *args):
    """The body every action on one switch or dispute shares: the row the user reads
    (NotFound otherwise), the service's action on it, the row read again as the answer."""
    user = request.auth
    act(user, find(user, uuid), *args)
    return find(user, uuid)


def _on_switch(request, switch_uuid: UUID, act, *args):
    return _acted(request, switch_uuid, switching.switch_for, act, *args)


def _on_dispute(request, dispute_uuid: UUID, act, *args):
    return _acted(request, dispute_uuid, disputes.dispute_for, act, *args)


def _group(group_id: int) -> Group:
    group = Group.objects.filter(pk=group_id).first()
    if group is None:
        raise NotFound(_("Группа не найдена."), field="group")
    return group


@router.get("contracts/{contract_uuid}/switch", response={200: SwitchOptionsOut},
            summary="Куда и с какого месяца можно перевести ребёнка",
            description="Родитель или сотрудник организации видят группы той же программы и месяцы.")
def switch_options(request, contract_uuid: UUID):
    contract = contracts.contract_for(request.auth, contract_uuid)
    return {"groups": list(switching.switch_targets(contract)), "months": switching.effective_months(contract)}


@router.post("contracts/{contract_uuid}/switch/preview", response={200: SwitchPreviewOut, **ERRORS},
             summary="Суммы договора после перевода (ничего не меняет)")
def switch_preview(request, contract_uuid: UUID, payload: SwitchIn):
    contract = contracts.contract_for(request.auth, contract_uuid)
    group = _group(payload.group)
    amendment = switching.preview(request.auth, contract, group, payload.month)
    return {"contract_number": contract.number, "from_group": contract.group.name, "to_group": group.name,
            "effective_on": amendment.effective_on,
            "total_before": _money(amendment.total_before), "total_after": _money(amendment.total_after),
            "certificate_before": _money(amendment.certificate_before),
            "certificate_after": _money(amendment.certificate_after),
            "parent_before": _money(amendment.parent_before), "parent_after": _money(amendment.parent_after),
            "reserve_change": _money(amendment.reserve_change),
            "months": [m.as_json() for m in amendment.months]}


@router.post("contracts/{contract_uuid}/switch", response={200: SwitchOut, **ERRORS},
             summary="Перевести ребёнка в другую группу (родитель) или предложить перевод (организация)",
             description="Родитель переводит сразу: договор изменяется с первого числа месяца, суммы "
                         "пересчитываются, резерв сертификата меняется на разницу. Сотрудник организации "
                         "направляет предложение, которое родитель принимает или отклоняет.")
def switch(request, contract_uuid: UUID, payload: SwitchIn):
    user = request.auth
    contract = contracts.contract_for(user, contract_uuid)
    group = _group(payload.group)
    if user.role == Role.ORGANIZATION_STAFF:
        made = switching.propose_switch(user, contract, group, payload.month)
    else:
        made = switching.switch_group(user, contract, group, payload.month)
    return switching.switch_for(user, made.uuid)


@router.get("switches", response={200: list[SwitchOut]}, summary="Переводы в другие группы",
            description="Родитель — своих детей, организация — свои, плательщик — своего муниципалитета.")
def list_switches(request):
    return list(switching.visible_switches(request.auth).select_related(
        "contract", "from_group", "to_group").order_by("-created_at", "-pk")[:100])


@router.post("switches/{switch_uuid}/accept", response={200: SwitchOut, **ERRORS},
             summary="Согласиться на перевод, предложенный организацией (родитель)")
def accept_switch(request, switch_uuid: UUID):
    return _on_switch(request, switch_uuid, switching.accept_switch)


@router.post("switches/{switch_uuid}/decline", response={200: SwitchOut, **ERRORS},
             summary="Отказаться от перевода (родитель)")
def decline_switch(request, switch_uuid: UUID):
    return _on_switch(request, switch_uuid, switching.decline_switch)


@router.post("switches/{switch_uuid}/withdraw", response={200: SwitchOut, **ERRORS},
             summary="Отозвать предложение о переводе (организация)")
def withdraw_switch(request, switch_uuid: UUID):
    return _on_switch(request, switch_uuid, switching.withdraw_switch)


# --- disputes ----------------------------------------------------------------------------


class DisputeIn(BodyIn):
    text: str = Field(max_length=2000, description="С чем не согласен родитель")
    claimed_completeness: str | None = Field(None, description="Полнота по мнению родителя, % (необязательно)")


class AnswerIn(BodyIn):
    answer: str = Field(max_length=2000, description="Ответ организации")


class HoldIn(BodyIn):
    held: bool = Field(description="Удержать строку: счёт не принимается, пока спор не решён")


class ResolveIn(BodyIn):
    outcome: str = Field(description="parent — в пользу родителя, provider — в пользу организации")
    completeness: str | None = Field(None, description="Полнота по решению, % (в пользу родителя; 0 — месяц не "
                                                       "оплачивается)")
    resolution: str = Field("", max_length=2000, description="Обоснование решения")


class DisputeOut(Schema):
    uuid: UUID
    status: DisputeStatusCode
    status_label: str
    invoice_id: int
    line_id: int
    month: dt.date
    contract_number: str
    text: str
    claimed_completeness: str | None
    held: bool
    answer: str
    resolution: str
    completeness_before: str | None
    completeness_after: str | None
    returned: str | None = Field(description="Возвращено на сертификат по решению, ₽")
    line_amount: str = Field(description="Строка к оплате сейчас, ₽")
    opened_at: dt.datetime

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_invoice_id(obj):
        return obj.line.invoice_id

    @staticmethod
    def resolve_month(obj):
        return obj.line.invoice.month

    @staticmethod
    def resolve_contract_number(obj):
        return obj.line.contract_number

    @staticmethod
    def resolve_claimed_completeness(obj):
        return _money(obj.claimed_completeness)

    @staticmethod
    def resolve_completeness_before(obj):
        return _money(obj.completeness_before)

    @staticmethod
    def resolve_completeness_after(obj):
        return _money(obj.completeness_after)

    @staticmethod
    def resolve_returned(obj):
        return _money(obj.returned)

    @staticmethod
    def resolve_line_amount(obj):
        return _money(obj.line.amount)


@router.get("disputes", response={200: list[DisputeOut]}, summary="Споры по строкам счетов",
            description="Родитель — по договорам своих детей, организация — по своим счетам, плательщик — "
                        "по счетам своего муниципалитета.")
def list_disputes(request):
    return list(disputes.visible_disputes(request.auth)[:100])


@router.post("invoices/{invoice_id}/lines/{line_id}/dispute", response={200: DisputeOut, **ERRORS},
             summary="Оспорить полноту месяца по строке счёта (родитель)",
             description="До принятия итогового или дополнительного счёта плательщиком.")
def open_dispute(request, invoice_id: Id, line_id: Id, payload: DisputeIn):
    user = request.auth
    line = InvoiceLine.objects.filter(pk=line_id, invoice_id=invoice_id).first()
    if line is None:
        raise NotFound(_("Строка счёта не найдена."), field="line_id")
    made = disputes.open_dispute(user, line, payload.text, payload.claimed_completeness)
    return disputes.dispute_for(user, made.uuid)


@router.post("disputes/{dispute_uuid}/answer", response={200: DisputeOut, **ERRORS},
             summary="Ответить на спор (организация)")
def answer_dispute(request, dispute_uuid: UUID, payload: AnswerIn):
    return _on_dispute(request, dispute_uuid, disputes.answer_dispute, payload.answer)


@router.post("disputes/{dispute_uuid}/hold", response={200: DisputeOut, **ERRORS},
             summary="Удержать спорную строку или снять удержание (плательщик)")
def hold_dispute(request, dispute_uuid: UUID, payload: HoldIn):
    return _on_dispute(request, dispute_uuid, disputes.hold_line, payload.held)


@router.post("disputes/{dispute_uuid}/resolve", response={200: DisputeOut, **ERRORS},
             summary="Решить спор (плательщик)",
             description="В пользу родителя строка уменьшается до указанной полноты, разница возвращается на "
                         "сертификат и в бюджет периода; в пользу организации ничего не меняется.")
def resolve_dispute(request, dispute_uuid: UUID, payload: ResolveIn):
    return _on_dispute(request, dispute_uuid, disputes.resolve_dispute, payload.outcome, payload.completeness,
                       payload.resolution)


# --- supplementary invoices --------------------------------------------------------------


class SupplementaryIn(BodyIn):
    month: Month = Field(description="Месяц: ГГГГ-ММ")


class SupplementaryOut(Schema):
    month: dt.date
    invoices_created: int
    lines_created: int = Field(description="Месяцев договоров выставлено сейчас (повторный запуск — 0)")
    amount: str


@router.post("settlement/supplementary", response={200: SupplementaryOut, **ERRORS},
             summary="Сформировать дополнительные счета за месяц (плательщик)",
             description="Месяцы договоров, ставшие оплачиваемыми после того, как итоговый счёт организации "
                         "направлен. Каждый месяц выставляется один раз.")
def form_supplementary(request, payload: SupplementaryIn):
    user = request.auth
    if user.municipality_id is None:
        raise PermissionDenied(_("Недостаточно прав для этого действия."))
    formed = supplementary.form_supplementary(user, user.municipality, payload.month)
    return {"month": formed.month, "invoices_created": formed.invoices_created,
            "lines_created": formed.lines_created, "amount": f"{formed.amount:.2f}"}

