"""The personified financing API (ПФДО): certificates and their decisions by the МОЦ,
contracts paid with a certificate and the parent's answer to them, the providers'
invoices with completeness, and the payer's monthly settlement.

Endpoints turn JSON into the arguments of ``opora.financing.certificates``,
``contracts`` and ``settlement`` and read through ``selectors`` (or the same querysets
the pages use); who may do what is decided there. A row outside the caller's view
answers 404 exactly like a row that does not exist, so ids cannot be probed; a row the
caller sees but may not change answers 403 from the service.

Money travels as strings with two decimals (``"30000.00"``), never as binary floats.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from django.db.models import Count
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator

from opora.accounts import scope
from opora.accounts.models import Role
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
from opora.enrollment import selectors as enrollment_selectors
from opora.enrollment.api import ChildRef, GroupRef, ProviderRef, own_child
from opora.errors import NotFound, PermissionDenied
from opora.financing import certificates, contracts, selectors, settlement
from opora.financing.models import (
    Certificate,
    CertificateKind,
    CertificateStatus,
    ContractStatus,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
)

router = Router(tags=["Персонифицированное финансирование"])

CertificateStatusCode = choice_codes(CertificateStatus)
CertificateKindCode = choice_codes(CertificateKind)
ContractStatusCode = choice_codes(ContractStatus)
InvoiceKindCode = choice_codes(InvoiceKind)
InvoiceStatusCode = choice_codes(InvoiceStatus)

# Decisions that lock seats (issuing, freezing, a contract's answer) may be refused as
# busy: 503 with Retry-After.
SEAT_ERRORS = {**TRANSITION_ERRORS, 503: ErrorOut}

KOPECK = Decimal("0.01")

# Roubles with kopecks, always written with both decimals: SQLite hands computed sums
# back without them ("30000" for 30,000.00). Percents have two decimals as well.
Money = Annotated[Decimal, AfterValidator(lambda value: value.quantize(KOPECK))]
Percent = Money


# --- schemas -------------------------------------------------------------------------


class PeriodRef(Schema):
    id: int
    title: str
    starts_on: dt.date
    ends_on: dt.date


class TitledRef(Schema):
    id: int
    title: str


class CertificateOut(Schema):
    id: int
    uuid: UUID
    number: str | None = Field(description="Номер сертификата (10 цифр); нет, пока заявление не одобрено")
    status: CertificateStatusCode
    status_label: str
    kind: CertificateKindCode = Field(description="Сертификат учёта или финансирования")
    kind_label: str
    wants_financing: bool = Field(description="Родитель просит сертификат финансирования")
    financing_wanted_at: dt.datetime | None = Field(
        description="В очереди на финансирование с этого момента; нет — не в очереди")
    valid_until: dt.date | None = Field(description="Действует до (включительно)")
    reason: str = Field(description="Причина отказа или заморозки")
    child: ChildRef
    municipality: MunicipalityRef
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    current_nominal: Money | None = Field(
        description="Номинал в текущем периоде финансирования, ₽; нет — счёта в текущем периоде нет")
    current_reserved: Money | None = Field(description="Зарезервировано в текущем периоде, ₽")
    current_paid: Money | None = Field(description="Оплачено в текущем периоде, ₽")
    current_balance: Money | None = Field(description="Остаток в текущем периоде, ₽")

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_kind_label(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_current_reserved(obj):
        return selectors.reserved_of(obj)

    @staticmethod
    def resolve_current_balance(obj):
        return selectors.balance_of(obj)


class LedgerOut(Schema):
    period: PeriodRef
    nominal: Money = Field(description="Номинал, ₽ (у замороженного сертификата — урезанный до "
                                         "зарезервированного и оплаченного)")
    reserved: Money
    paid: Money
    balance: Money
    frozen_nominal: Money | None = Field(description="Номинал до заморозки, ₽")


class SocialCertificateOut(Schema):
    number: str
    nominal: Money
    period: PeriodRef
    balance: Money | None = Field(description="Остаток социального сертификата, ₽")
    issued_at: dt.datetime

    @staticmethod
    def resolve_balance(obj):
        ledger = getattr(obj, "ledger", None)
        return ledger.balance if ledger is not None else None


class CertificateDetailOut(CertificateOut):
    queue_position: int | None = Field(description="Место в очереди на финансирование (1 — следующий)")
    ledgers: list[LedgerOut] = Field(description="Счета сертификата по периодам финансирования")
    social_certificates: list[SocialCertificateOut]

    @staticmethod
    def resolve_queue_position(obj):
        return selectors.queue_position(obj)

    @staticmethod
    def resolve_ledgers(obj):
        return list(obj.ledgers.select_related("period").order_by("period__starts_on", "pk"))

    @staticmethod
    def resolve_social_certificates(obj):
        return list(obj.social_certificates.select_related("period", "ledger").order_by("issued_at", "pk"))


class CertificatePage(Schema):
    count: int = Field(description="Сколько сертификатов подходит под фильтр")
    items: list[CertificateOut]


class CertificateFilters(Schema):
    status: CertificateStatusCode | None = Field(None, description="Статус сертификата")
    kind: CertificateKindCode | None = Field(None, description="Вид выданного сертификата")
    q: str | None = Field(None, max_length=100, description="Номер (цифры) или ФИО ребёнка")
    queue: bool = Field(False, description="Только стоящие в очереди на финансирование")
    page: int = Field(1, ge=1, le=10_000, description="Номер страницы")
    page_size: int = Field(25, ge=1, le=100, description="Сертификатов на странице, не больше 100")


class CertificateIn(BodyIn):
    child: int | UUID = Field(description="Ребёнок: id или uuid")
    wants_financing: bool = Field(True, description="Просить сертификат финансирования, а не только учёта")


class ReasonIn(BodyIn):
    reason: str = Field(max_length=2000, description="Причина")


class OptionalReasonIn(BodyIn):
    reason: str = Field("", max_length=2000, description="Причина (необязательно)")


class DeclineIn(BodyIn):
    reason: str = Field("", max_length=contracts.REASON_MAX_LENGTH,
                        description="Почему родитель отказывается (необязательно)")


class ContractMonthOut(Schema):
    month: dt.date = Field(description="Первое число месяца")
    certificate_amount: Money = Field(description="Оплачивается сертификатом, ₽")
    parent_amount: Money = Field(description="Оплачивается родителем, ₽")
    cancelled: bool = Field(description="Снят при расторжении")
    settled: bool = Field(description="Рассчитан итоговым счётом")


class ContractOut(Schema):
    id: int
    uuid: UUID
    number: str
    status: ContractStatusCode
    status_label: str
    signed_on: dt.date
    starts_on: dt.date
    ends_on: dt.date
    terminated_on: dt.date | None = Field(description="Последний оплачиваемый день после расторжения")
    total: Money = Field(description="Стоимость обучения, ₽")
    normative: Money = Field(description="Нормативная стоимость, ₽")
    certificate_part: Money = Field(description="Оплачивается сертификатом, ₽")
    parent_part: Money = Field(description="Оплачивается родителем, ₽")
    reason: str = Field(description="Причина отказа или расторжения")
    accepted_at: dt.datetime | None = Field(description="Когда родитель принял оферту")
    certificate: str | None = Field(description="Номер сертификата")
    social_certificate: str | None = Field(description="Номер социального сертификата, если договор оплачивается им")
    child: ChildRef
    organization: ProviderRef
    program: TitledRef
    module: TitledRef
    group: GroupRef
    period: PeriodRef

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_certificate(obj):
        return obj.certificate.number

    @staticmethod
    def resolve_social_certificate(obj):
        ledger = obj.ledger
        if ledger is None or ledger.social_certificate_id is None:
            return None
        return ledger.social_certificate.number

    @staticmethod
    def resolve_child(obj):
        return obj.application.child

    @staticmethod
    def resolve_program(obj):
        return obj.module.program


class ContractDetailOut(ContractOut):
    months: list[ContractMonthOut] = Field(description="Помесячный график оплаты")

    @staticmethod
    def resolve_months(obj):
        return contracts.schedule_of(obj)


class ContractPage(Schema):
    count: int = Field(description="Сколько договоров подходит под фильтр")
    items: list[ContractOut]


class ContractFilters(Schema):
    status: ContractStatusCode | None = Field(None, description="Статус договора")
    page: int = Field(1, ge=1, le=10_000, description="Номер страницы")
    page_size: int = Field(25, ge=1, le=100, description="Договоров на странице, не больше 100")


class InvoiceLineOut(Schema):
    id: int
    contract_uuid: UUID
    contract_number: str
    certificate_number: str
    month_amount: Money = Field(description="По графику договора за месяц, ₽")
    completeness: Percent = Field(description="Полнота оказания услуги, %")
    amount: Money = Field(description="К оплате, ₽")

    @staticmethod
    def resolve_contract_uuid(obj):
        return obj.contract.uuid


class InvoiceOut(Schema):
    id: int
    uuid: UUID
    month: dt.date = Field(description="Первое число месяца")
    kind: InvoiceKindCode
    kind_label: str
    status: InvoiceStatusCode
    status_label: str
    municipality: MunicipalityRef = Field(description="Плательщик")
    organization: ProviderRef
    amount: Money = Field(description="Сумма счёта, ₽")
    advance: Money = Field(description="Аванс за месяц, учтённый в итоговом счёте, ₽")
    due: Money = Field(description="К оплате: сумма за вычетом аванса, ₽ (может быть меньше нуля)")
    lines_count: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_kind_label(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())


class InvoiceDetailOut(InvoiceOut):
    lines: list[InvoiceLineOut]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.select_related("contract").order_by("contract_number", "pk"))


class InvoicePage(Schema):
    count: int = Field(description="Сколько счетов подходит под фильтр")
    items: list[InvoiceOut]


class InvoiceFilters(Schema):
    month: Month | None = Field(None, description="Месяц: ГГГГ-ММ или его первое число ГГГГ-ММ-ДД")
    kind: InvoiceKindCode | None = Field(None, description="Вид счёта")
    status: InvoiceStatusCode | None = Field(None, description="Статус счёта")
    organization: Id | None = Field(None, description="Организация (id)")
    page: int = Field(1, ge=1, le=10_000, description="Номер страницы")
    page_size: int = Field(25, ge=1, le=100, description="Счетов на странице, не больше 100")


class CompletenessIn(BodyIn):
    completeness: str | Decimal = Field(
        description="Полнота оказания услуги, % — от 0 до 100, не более двух знаков после запятой; "
                    "лучше строкой («85,5» или «85.50»)")


class MonthIn(BodyIn):
    month: Month = Field(description="Месяц: ГГГГ-ММ или дата внутри него ГГГГ-ММ-ДД")


class SettlementOut(Schema):
    month: dt.date
    kind: InvoiceKindCode = Field(description="advance — авансы, final — итоговые счета")
    invoices_created: int = Field(description="Счетов создано")
    lines_created: int = Field(description="Строк добавлено")
    invoices_updated: int = Field(description="Счетов пересчитано")
    months_settled: int = Field(description="Месяцев договоров рассчитано (итоговые счета)")
    months_left_out: int = Field(description="Месяцев договоров не вошло в счета: итоговый счёт организации "
                                             "уже направлен; отмените его и закройте месяц снова")


# --- helpers -------------------------------------------------------------------------


def _visible_certificates(user):
    """A parent's: their children's certificates; everyone else's: the register of their
    territory. With the money of the current period."""
    if user.role == Role.PARENT and not user.is_superuser:
        queryset = Certificate.objects.filter(
            child__in=enrollment_selectors.children_of(user)).select_related("child", "municipality")
    else:
        queryset = selectors.register(user)
    return selectors.with_current_ledger(queryset)


def _certificate(user, certificate_id: int) -> Certificate:
    certificate = _visible_certificates(user).filter(pk=certificate_id).first()
    if certificate is None:
        raise NotFound(_("Сертификат не найден."), field="certificate_id")
    return certificate


def _visible_invoices(user):
    return (scope.territory(user, Invoice.objects.all()).select_related("organization", "municipality")
            .annotate(lines_count=Count("lines")))


def _invoice(user, invoice_id: int) -> Invoice:
    invoice = _visible_invoices(user).filter(pk=invoice_id).first()
    if invoice is None:
        raise NotFound(_("Счёт не найден."), field="invoice_id")
    return invoice


def _payer_municipality(user):
    """The payer's own municipality; without one there is nothing the user may settle."""
    if user.municipality_id is None:
        raise PermissionDenied(_("Недостаточно прав для этого действия."))
    return user.municipality


# --- certificates --------------------------------------------------------------------


@router.get("certificates", response={200: CertificatePage},
            summary="Сертификаты, доступные пользователю",
            description="Родитель видит сертификаты своих детей; МОЦ и управление образования — "
                        "реестр своего муниципалитета, РМЦ — региона. Деньги — по счёту сертификата "
                        "в текущем периоде финансирования.")
def list_certificates(request, filters: Query[CertificateFilters]):
    params = filters.dict(exclude={"page", "page_size"})
    queryset = selectors.filter_certificates(_visible_certificates(request.auth), params)
    return page_of(queryset.order_by("-requested_at", "-pk"), filters.page, filters.page_size)


@router.get("certificates/{certificate_id}", response={200: CertificateDetailOut},
            summary="Сертификат",
            description="Со счетами по периодам финансирования и социальными сертификатами ребёнка.")
def get_certificate(request, certificate_id: int):
    return _certificate(request.auth, certificate_id)


@router.post("certificates", response={200: CertificateDetailOut, 201: CertificateDetailOut, 404: ErrorOut},
             summary="Подать заявление на сертификат (родитель)",
             description="За ребёнка от 5 до 17 лет. 201 — заявление подано (или подано снова после "
                         "отказа); 200 — у ребёнка уже есть сертификат или заявление, оно и "
                         "возвращается.")
def request_certificate(request, payload: CertificateIn):
    user = request.auth
    child = own_child(user, payload.child)
    certificate, created = certificates.request_certificate(user, child, payload.wants_financing)
    return Status(201 if created else 200, _certificate(user, certificate.pk))


@router.post("certificates/{certificate_id}/issue", response={200: CertificateDetailOut, **SEAT_ERRORS},
             summary="Выдать сертификат (МОЦ)",
             description="Сертификат получает номер и срок действия; становится сертификатом "
                         "финансирования, если родитель его просил и в текущем периоде есть место, "
                         "иначе — сертификатом учёта (в очереди, если финансирование просили).")
def issue_certificate(request, certificate_id: int):
    user = request.auth
    certificates.issue_certificate(user, _certificate(user, certificate_id))
    return _certificate(user, certificate_id)


@router.post("certificates/{certificate_id}/refuse", response={200: CertificateDetailOut, **TRANSITION_ERRORS},
             summary="Отказать в выдаче сертификата с причиной (МОЦ)")
def refuse_certificate(request, certificate_id: int, payload: ReasonIn):
    user = request.auth
    certificates.refuse_certificate(user, _certificate(user, certificate_id), payload.reason)
    return _certificate(user, certificate_id)


@router.post("certificates/{certificate_id}/freeze", response={200: CertificateDetailOut, **SEAT_ERRORS},
             summary="Заморозить сертификат с причиной (МОЦ)",
             description="Остатки счетов откладываются, а заявки ребёнка, ещё не ставшие обучением, "
                         "отклоняются.")
def freeze_certificate(request, certificate_id: int, payload: ReasonIn):
    user = request.auth
    certificates.freeze_certificate(user, _certificate(user, certificate_id), payload.reason)
    return _certificate(user, certificate_id)


@router.post("certificates/{certificate_id}/unfreeze", response={200: CertificateDetailOut, **TRANSITION_ERRORS},
             summary="Разморозить сертификат (МОЦ)",
             description="Номиналы, отложенные при заморозке, возвращаются.")
def unfreeze_certificate(request, certificate_id: int, payload: OptionalReasonIn | None = None):
    user = request.auth
    certificates.unfreeze_certificate(user, _certificate(user, certificate_id),
                                      payload.reason if payload else "")
    return _certificate(user, certificate_id)


# --- contracts -----------------------------------------------------------------------


@router.get("contracts", response={200: ContractPage},
            summary="Договоры, доступные пользователю",
            description="Родитель видит договоры своих детей, сотрудник организации — её договоры, "
                        "МОЦ и управление образования — оплачиваемые их муниципалитетом, РМЦ — все.")
def list_contracts(request, filters: Query[ContractFilters]):
    queryset = contracts.visible_contracts(request.auth, status=filters.status)
    return page_of(queryset, filters.page, filters.page_size)


@router.get("contracts/{contract_uuid}", response={200: ContractDetailOut},
            summary="Договор", description="С помесячным графиком оплаты.")
def get_contract(request, contract_uuid: UUID):
    return contracts.contract_for(request.auth, contract_uuid)


@router.post("contracts/{contract_uuid}/accept", response={200: ContractDetailOut, **SEAT_ERRORS},
             summary="Принять договор (родитель)",
             description="Договор начинает действовать, ребёнок зачисляется в группу.")
def accept_contract(request, contract_uuid: UUID):
    user = request.auth
    contracts.accept_contract(user, contracts.contract_for(user, contract_uuid))
    return contracts.contract_for(user, contract_uuid)


@router.post("contracts/{contract_uuid}/decline", response={200: ContractDetailOut, **SEAT_ERRORS},
             summary="Отказаться от договора (родитель)",
             description="Заявка отзывается, зарезервированные средства возвращаются на сертификат.")
def decline_contract(request, contract_uuid: UUID, payload: DeclineIn | None = None):
    user = request.auth
    contracts.decline_contract(user, contracts.contract_for(user, contract_uuid),
                               payload.reason if payload else "")
    return contracts.contract_for(user, contract_uuid)


# --- invoices ------------------------------------------------------------------------


@router.get("invoices", response={200: InvoicePage},
            summary="Счета, доступные пользователю",
            description="Сотрудник организации видит её счета, МОЦ и управление образования — счета "
                        "своего муниципалитета как плательщика, РМЦ — региона.")
def list_invoices(request, filters: Query[InvoiceFilters]):
    invoices = _visible_invoices(request.auth)
    if filters.month is not None:
        invoices = invoices.filter(month=filters.month)
    if filters.kind is not None:
        invoices = invoices.filter(kind=filters.kind)
    if filters.status is not None:
        invoices = invoices.filter(status=filters.status)
    if filters.organization is not None:
        invoices = invoices.filter(organization_id=filters.organization)
    invoices = invoices.order_by("-month", "organization__short_name", "kind", "pk")
    return page_of(invoices, filters.page, filters.page_size)


@router.get("invoices/{invoice_id}", response={200: InvoiceDetailOut},
            summary="Счёт", description="Со строками по договорам.")
def get_invoice(request, invoice_id: int):
    return _invoice(request.auth, invoice_id)


@router.post("invoices/{invoice_id}/lines/{line_id}/completeness",
             response={200: InvoiceDetailOut, **TRANSITION_ERRORS},
             summary="Указать полноту оказания услуги (организация)",
             description="Только в черновике итогового счёта. Строка оплачивает сумму по графику × "
                         "полнота / 100 с округлением вниз до копейки; неоказанное возвращается на "
                         "сертификат и в бюджет периода. Возвращает счёт целиком.")
def set_completeness(request, invoice_id: int, line_id: int, payload: CompletenessIn):
    user = request.auth
    invoice = _invoice(user, invoice_id)
    line = InvoiceLine.objects.select_related("invoice").filter(pk=line_id, invoice_id=invoice.pk).first()
    if line is None:
        raise NotFound(_("Строка счёта не найдена."), field="line_id")
    settlement.set_completeness(user, line, payload.completeness)
    return _invoice(user, invoice_id)


@router.post("invoices/{invoice_id}/submit", response={200: InvoiceDetailOut, **TRANSITION_ERRORS},
             summary="Направить счёт плательщику (организация)",
             description="Только черновик; после этого полнота не меняется.")
def submit_invoice(request, invoice_id: int):
    user = request.auth
    settlement.submit_invoice(user, _invoice(user, invoice_id))
    return _invoice(user, invoice_id)


@router.post("invoices/{invoice_id}/accept", response={200: InvoiceDetailOut, **TRANSITION_ERRORS},
             summary="Принять счёт (плательщик)")
def accept_invoice(request, invoice_id: int):
    user = request.auth
    settlement.accept_invoice(user, _invoice(user, invoice_id))
    return _invoice(user, invoice_id)


@router.post("invoices/{invoice_id}/pay", response={200: InvoiceDetailOut, **TRANSITION_ERRORS},
             summary="Отметить оплату счёта (плательщик)")
def pay_invoice(request, invoice_id: int):
    user = request.auth
    settlement.mark_paid(user, _invoice(user, invoice_id))
    return _invoice(user, invoice_id)


@router.post("invoices/{invoice_id}/cancel", response={200: InvoiceDetailOut, **TRANSITION_ERRORS},
             summary="Отменить счёт с причиной (плательщик)",
             description="Черновик или направленный счёт. Отменённый итоговый счёт возвращает месяцы "
                         "договоров в резерв, и месяц можно закрыть снова.")
def cancel_invoice(request, invoice_id: int, payload: ReasonIn):
    user = request.auth
    settlement.cancel_invoice(user, _invoice(user, invoice_id), payload.reason)
    return _invoice(user, invoice_id)


# --- settlement ----------------------------------------------------------------------


@router.post("settlement/open", response={200: SettlementOut, **TRANSITION_ERRORS},
             summary="Сформировать авансы за месяц (плательщик)",
             description="По черновику аванса на каждую организацию своего муниципалитета. Повторный "
                         "запуск ничего не меняет (все счётчики — 0). Авансы формируются с первого "
                         "числа месяца, раньше — 409.")
def open_month(request, payload: MonthIn):
    user = request.auth
    return settlement.open_month(user, _payer_municipality(user), payload.month)


@router.post("settlement/close", response={200: SettlementOut, **TRANSITION_ERRORS},
             summary="Закрыть месяц: итоговые счета (плательщик)",
             description="Итоговые счета со 100 % полнотой и учтённым авансом; резерв месяца "
                         "переходит в оплаченное. Месяц закрывается после его окончания (декабрь — "
                         "с 1 декабря), раньше — 409. Повторный запуск ничего не меняет.")
def close_month(request, payload: MonthIn):
    user = request.auth
    return settlement.close_month(user, _payer_municipality(user), payload.month)


# Prolongation into the next period has its own module of endpoints.
from opora.financing.prolongation_api import router as prolongation_router  # noqa: E402

router.add_router("", prolongation_router)

# Group switches, disputes over invoice lines and supplementary invoices too.
from opora.financing.switching_api import router as switching_router  # noqa: E402

router.add_router("", switching_router)

# Cooperation agreements between municipalities, likewise.
from opora.financing.agreements_api import router as agreements_router  # noqa: E402

router.add_router("", agreements_router)
