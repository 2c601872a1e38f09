"""Children from other municipalities: the payer of a contract and the cooperation
agreements between municipalities (docs/domain.md §4, «Children from other
municipalities»).

The payer of a contract is the municipality of the child's certificate: its financing
period holding the start pays, and its certificate's ledger in that period gives the
balance. When the provider is in another municipality (the host), the payer pays only
under an active cooperation agreement «payer → host» covering the start, within the
agreement's limits (children and money, each optional); without one the contract is
refused.

- ``resolve_payer(certificate, organization, start) -> Payer`` — the one answer to «who
  pays for this contract»: the payer's period and, across municipalities, the agreement,
  its row locked (lock «agreement», taken after the certificate's and before its ledger
  and the period: the lock order of ``opora.financing.contracts``).
- ``check_limits(agreement, certificate, amount)`` — under that lock: one more child (a
  child already studying under the agreement is not counted twice) and ``amount`` more
  money fit the agreement's limits. The use is computed from facts (the contracts made
  under the agreement, their months not cancelled, less what final invoices returned by
  completeness), so no counter can drift.
- ``propose_agreement(actor, payer, host, ...)`` — the МОЦ or the education authority of
  either side (``financing.agreements``); ``agree_agreement(actor, agreement)`` — the
  other side; ``cancel_agreement(actor, agreement, reason)`` — a proposal withdrawn or
  declined by either side; ``end_agreement(actor, agreement, reason)`` — an active
  agreement ended by either side: no new contracts under it, the contracts made go on.
- ``visible_agreements(user)``, ``agreement_for(user, uuid)``, ``usage(agreement)``,
  ``allowed_actions(user, agreement)`` — the read side: both sides and the РМЦ read an
  agreement.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from opora import audit, locking, logs
from opora.accounts import scope
from opora.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from opora.financing.models import (
    AgreementStatus,
    ContractMonth,
    ContractStatus,
    CooperationAgreement,
    FinancingPeriod,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
)
from opora.registry.models import Municipality

ACTION = "financing.agreements"
LOCK = "agreement"
ZERO = Decimal("0.00")
KOPECK = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")
MAX_CHILDREN = 1_000_000
MAX_YEARS = 10  # an agreement longer than this is a typing error
REASON_MAX_LENGTH = 500
DOCUMENT_MAX_LENGTH = 200
log = logging.getLogger(__name__)
S = AgreementStatus
RELATED = ("payer", "host", "proposer", "proposed_by", "decided_by", "ended_by")


def _date(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


# --- the payer of a contract -----------------------------------------------------------


@dataclass(frozen=True)
class Payer:
    """Who pays for a contract: the municipality, its financing period holding the start,
    and the cooperation agreement when the provider is in another municipality."""

    municipality_id: int
    period: FinancingPeriod
    agreement: CooperationAgreement | None = None


def resolve_payer(certificate, organization, start: dt.date) -> Payer:
    """The payer of a contract of ``certificate``'s child with ``organization`` starting
    on ``start``: the certificate's municipality, from its period holding ``start``; across
    municipalities only under an active agreement «payer → provider's municipality»
    covering ``start``, whose row is locked for ``check_limits``. Refusals raise
    ``InvalidTransition`` (the confirmation rolls back)."""
    payer_id = certificate.municipality_id
    agreement = None
    if organization.municipality_id != payer_id:
        agreement = locking.first(
            CooperationAgreement.objects.in_force(start).filter(
                payer_id=payer_id, host_id=organization.municipality_id).select_related("payer", "host"),
            guard=LOCK)
        if agreement is None:
            names = dict(Municipality.objects.filter(pk__in=(payer_id, organization.municipality_id))
                         .values_list("pk", "name"))
            raise InvalidTransition(_(
                "Ребёнок живёт в муниципалитете «%(payer)s», а организация находится в муниципалитете "
                "«%(host)s». Между ними нет действующего соглашения о сотрудничестве на дату начала "
                "обучения %(date)s, поэтому договор по сертификату заключить нельзя. Обратитесь в "
                "муниципальный опорный центр по месту жительства ребёнка.") % {
                "payer": names.get(payer_id, ""), "host": names.get(organization.municipality_id, ""),
                "date": _date(start)})
    period = (FinancingPeriod.objects
              .filter(municipality_id=payer_id, starts_on__lte=start, ends_on__gte=start)
              .order_by("starts_on", "pk").first())
    if period is None:
        raise InvalidTransition(_("В муниципалитете сертификата нет действующего периода "
                                  "финансирования на дату начала обучения %(date)s: договор "
                                  "заключить нельзя.") % {"date": _date(start)})
    return Payer(municipality_id=payer_id, period=period, agreement=agreement)


@dataclass(frozen=True)
class Usage:
    """What an agreement has been used for: children with a contract under it (refused
    contracts aside) and their certificate money (months not cancelled, less what final
    invoices returned by completeness)."""

    children: int
    amount: Decimal


def usage(agreement: CooperationAgreement) -> Usage:
    """The agreement's use now, from facts (three aggregate queries)."""
    contracts = agreement.contracts.exclude(status=ContractStatus.REFUSED)
    children = contracts.values("certificate_id").distinct().count()
    scheduled = ContractMonth.objects.filter(
        contract__in=contracts, cancelled=False).aggregate(s=Sum("certificate_amount"))["s"]
    returned = InvoiceLine.objects.filter(
        contract__in=contracts, invoice__kind=InvoiceKind.FINAL).exclude(
        invoice__status=InvoiceStatus.CANCELLED).aggregate(month=Sum("month_amount"), paid=Sum("amount"))
    # SQLite sums decimals as floats: each sum is brought back to kopecks before subtracting.
    amount = (_kopecks(scheduled) - (_kopecks(returned["month"]) - _kopecks(returned["paid"])))
    return Usage(children=children, amount=amount)


def _kopecks(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(KOPECK)


def check_limits(agreement: CooperationAgreement, certificate, amount: Decimal) -> None:
    """Under the agreement's lock: one more child (unless this certificate already has a
    contract under it) and ``amount`` more fit its limits; else ``InvalidTransition``."""
    if agreement.max_children is None and agreement.max_amount is None:
        return
    used = usage(agreement)
    if agreement.max_children is not None:
        known = agreement.contracts.exclude(status=ContractStatus.REFUSED).filter(
            certificate_id=certificate.pk).exists()
        if not known and used.children + 1 > agreement.max_children:
            raise InvalidTransition(_(
                "По соглашению о сотрудничестве муниципалитетов «%(payer)s» и «%(host)s» уже обучаются "
                "%(used)s из %(limit)s детей: договор по сертификату заключить нельзя.") % {
                "payer": agreement.payer.name, "host": agreement.host.name, "used": used.children,
                "limit": agreement.max_children})
    if agreement.max_amount is not None and used.amount + amount > agreement.max_amount:
        raise InvalidTransition(_(
            "Лимит соглашения о сотрудничестве муниципалитетов «%(payer)s» и «%(host)s» исчерпан: "
            "использовано %(used)s ₽ из %(limit)s ₽, а договор требует %(amount)s ₽. Договор по "
            "сертификату заключить нельзя.") % {
            "payer": agreement.payer.name, "host": agreement.host.name, "used": _money(used.amount),
            "limit": _money(agreement.max_amount), "amount": _money(amount)})


# --- the agreement's life --------------------------------------------------------------


def _own_side(actor, *sides: Municipality) -> Municipality:
    """The side (one of ``sides``) the actor acts for; PermissionDenied when none."""
    for side in sides:
        if side is not None and scope.can(actor, ACTION, side):
            return side
    raise PermissionDenied(_("Недостаточно прав для этого действия."))


def _reason(reason, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationFailed({"reason": [_("Укажите причину.")]})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed({"reason": [_("Причина не длиннее %(n)s символов.") % {"n": REASON_MAX_LENGTH}]})
    return reason


def _clean_terms(valid_from, valid_to, max_children, max_amount, document) -> dict:
    """The terms of a proposal, checked; ValidationFailed names every bad field."""
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    for field, value in (("valid_from", valid_from), ("valid_to", valid_to)):
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            errors[field] = [_("Укажите дату.")]
    if not errors:
        if valid_from > valid_to:
            errors["valid_to"] = [_("Окончание действия не может быть раньше начала.")]
        elif valid_to < today:
            errors["valid_to"] = [_("Соглашение должно действовать хотя бы до сегодняшнего дня.")]
        elif valid_to.year - valid_from.year > MAX_YEARS:
            errors["valid_to"] = [_("Соглашение заключается не более чем на %(n)s лет.") % {"n": MAX_YEARS}]
    if max_children in ("", None):
        max_children = None
    elif isinstance(max_children, bool) or not isinstance(max_children, int) \
            or not 1 <= max_children <= MAX_CHILDREN:
        errors["max_children"] = [_("Число детей — целое число от 1 до %(n)s, или оставьте поле пустым.")
                                  % {"n": MAX_CHILDREN}]
    amount = None
    if max_amount not in ("", None):
        try:
            amount = Decimal(str(max_amount).strip().replace(" ", "").replace(",", ".")) \
                if not isinstance(max_amount, float | bool) else None
        except (InvalidOperation, ValueError):
            amount = None
        if amount is None or not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT \
                or amount != amount.quantize(KOPECK):
            errors["max_amount"] = [_("Сумма — положительное число рублей, не более двух знаков после "
                                      "запятой, или оставьте поле пустым.")]
            amount = None
    document = (document or "").strip()
    if len(document) > DOCUMENT_MAX_LENGTH:
        errors["document"] = [_("Не длиннее %(n)s символов.") % {"n": DOCUMENT_MAX_LENGTH}]
    if errors:
        raise ValidationFailed(errors)
    return {"valid_from": valid_from, "valid_to": valid_to, "max_children": max_children,
            "max_amount": amount.quantize(KOPECK) if amount is not None else None, "document": document}


def _overlapping(payer_id: int, host_id: int, valid_from: dt.date, valid_to: dt.date, statuses, exclude=None):
    found = CooperationAgreement.objects.filter(
        payer_id=payer_id, host_id=host_id, status__in=statuses, valid_from__lte=valid_to,
        valid_to__gte=valid_from)
    return found.exclude(pk=exclude).order_by("valid_from", "pk").first() if exclude else \
        found.order_by("valid_from", "pk").first()


def _overlap_refusal(other: CooperationAgreement) -> str:
    return _("Между этими муниципалитетами уже есть соглашение в статусе «%(status)s» на %(start)s – "
             "%(end)s: сроки соглашений одного направления не должны пересекаться.") % {
        "status": other.get_status_display(), "start": _date(other.valid_from), "end": _date(other.valid_to)}


def _record(actor, action: str, agreement: CooperationAgreement, before: str, **data) -> None:
    audit.record(actor, f"financing.agreement.{action}", agreement, from_state=before, to_state=agreement.status,
                 reason=agreement.reason if action in ("cancelled", "ended") else "",
                 payer=agreement.payer.name, host=agreement.host.name, **data)
    logs.state_change(log, f"agreement.{action}", agreement=agreement.pk, payer=agreement.payer_id,
                      host=agreement.host_id, from_status=before, to_status=agreement.status)


def propose_agreement(actor, *, payer: Municipality, host: Municipality, valid_from, valid_to,
                      max_children=None, max_amount=None, document: str = "") -> CooperationAgreement:
    """The МОЦ or the education authority of one side proposes that ``payer`` pay for its
    children studying with the providers of ``host`` over the dates, within the optional
    limits; the other side agrees. Terms overlapping a live agreement of the same pair
    and direction are refused."""
    if payer is None or host is None or payer.pk == host.pk:
        raise ValidationFailed({"counterpart": [_("Выберите другой муниципалитет региона.")]})
    if payer.region_id != host.region_id:
        raise ValidationFailed({"counterpart": [_("Соглашение заключается между муниципалитетами одного "
                                                  "региона.")]})
    proposer = _own_side(actor, payer, host)
    terms = _clean_terms(valid_from, valid_to, max_children, max_amount, document)
    with locking.atomic():
        locking.advisory(LOCK, f"{payer.pk}:{host.pk}")  # one pair's proposals one at a time
        other = _overlapping(payer.pk, host.pk, terms["valid_from"], terms["valid_to"], (S.PROPOSED, S.ACTIVE))
        if other is not None:
            raise ValidationFailed({"valid_from": [_overlap_refusal(other)]})
        agreement = CooperationAgreement.objects.create(
            payer=payer, host=host, proposer=proposer, status=S.PROPOSED, proposed_by=actor,
            proposed_at=timezone.now(), **terms)
        _record(actor, "proposed", agreement, "", valid_from=terms["valid_from"].isoformat(),
                valid_to=terms["valid_to"].isoformat(), max_children=terms["max_children"],
                max_amount=_money(terms["max_amount"]) if terms["max_amount"] is not None else None,
                document=terms["document"])
    return agreement


def _locked(agreement: CooperationAgreement) -> CooperationAgreement:
    return locking.row(CooperationAgreement.objects.select_related("payer", "host", "proposer"), agreement.pk)


def _other_side(agreement: CooperationAgreement) -> Municipality:
    return agreement.host if agreement.proposer_id == agreement.payer_id else agreement.payer


def agree_agreement(actor, agreement: CooperationAgreement) -> CooperationAgreement:
    """The side that did not propose agrees: the agreement is active from then on (for
    contracts starting within its dates)."""
    with locking.atomic():
        agreement = _locked(agreement)
        other = _other_side(agreement)
        if not scope.can(actor, ACTION, other):
            if scope.can(actor, ACTION, agreement.proposer):
                raise PermissionDenied(_("Соглашение согласует другая сторона — муниципалитет «%(name)s».")
                                       % {"name": other.name})
            raise PermissionDenied(_("Недостаточно прав для этого действия."))
        if agreement.status != S.PROPOSED:
            raise InvalidTransition(_("Согласовать можно только предложенное соглашение; это соглашение — "
                                      "«%(status)s».") % {"status": agreement.get_status_display()})
        if agreement.valid_to < timezone.localdate():
            raise InvalidTransition(_("Срок предложенного соглашения уже истёк: предложите новое."))
        locking.advisory(LOCK, f"{agreement.payer_id}:{agreement.host_id}")
        clash = _overlapping(agreement.payer_id, agreement.host_id, agreement.valid_from, agreement.valid_to,
                             (S.ACTIVE,), exclude=agreement.pk)
        if clash is not None:
            raise InvalidTransition(_overlap_refusal(clash))
        agreement.status = S.ACTIVE
        agreement.decided_by, agreement.decided_at = actor, timezone.now()
        agreement.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        _record(actor, "agreed", agreement, S.PROPOSED)
    return agreement


def cancel_agreement(actor, agreement: CooperationAgreement, reason: str = "") -> CooperationAgreement:
    """Either side withdraws or declines a proposal that is not agreed yet."""
    reason = _reason(reason, required=False)
    with locking.atomic():
        agreement = _locked(agreement)
        _own_side(actor, agreement.payer, agreement.host)
        if agreement.status != S.PROPOSED:
            raise InvalidTransition(_("Отменить можно только предложенное соглашение; действующее "
                                      "соглашение прекращают."))
        agreement.status, agreement.reason = S.CANCELLED, reason
        agreement.decided_by, agreement.decided_at = actor, timezone.now()
        agreement.save(update_fields=["status", "reason", "decided_by", "decided_at", "updated_at"])
        _record(actor, "cancelled", agreement, S.PROPOSED)
    return agreement


def end_agreement(actor, agreement: CooperationAgreement, reason: str) -> CooperationAgreement:
    """Either side ends an active agreement: no new contracts are made under it (it waits
    for the contracts being made under its lock); the contracts already made go on to
    their end and are paid by the payer."""
    reason = _reason(reason, required=True)
    with locking.atomic():
        agreement = _locked(agreement)
        _own_side(actor, agreement.payer, agreement.host)
        if agreement.status != S.ACTIVE:
            raise InvalidTransition(_("Прекратить можно только действующее соглашение; это соглашение — "
                                      "«%(status)s».") % {"status": agreement.get_status_display()})
        agreement.status, agreement.reason = S.ENDED, reason
        agreement.ended_by, agreement.ended_at = actor, timezone.now()
        agreement.save(update_fields=["status", "reason", "ended_by", "ended_at", "updated_at"])
        _record(actor, "ended", agreement, S.ACTIVE)
    return agreement


# --- read side -----------------------------------------------------------------------


def readable_municipalities(user):
    """The municipalities whose agreements the user reads: their own (the МОЦ, the
    authority), all of the region (the РМЦ)."""
    if not scope.reads_territory(user):
        return Municipality.objects.none()
    return scope.territory(user, Municipality.objects.all())


def visible_agreements(user, *, status: str | None = None):
    """Agreements of which the user's municipality is a side (all for the РМЦ), newest
    first, with both sides loaded."""
    readable = readable_municipalities(user).values("pk")
    found = CooperationAgreement.objects.filter(Q(payer__in=readable) | Q(host__in=readable))
    if status:
        found = found.in_state(status)
    return found.select_related(*RELATED).order_by("-valid_from", "-pk")


def agreement_for(user, agreement_uuid) -> CooperationAgreement:
    """One agreement the user reads, by uuid; NotFound otherwise."""
    try:
        found = visible_agreements(user).filter(uuid=agreement_uuid).first()
    except (ValidationError, ValueError):
        found = None
    if found is None:
        raise NotFound(_("Соглашение не найдено."))
    return found


def allowed_actions(user, agreement: CooperationAgreement) -> dict:
    """Which buttons the user gets on the agreement (the services check again)."""
    sides = [m for m in (agreement.payer, agreement.host) if scope.can(user, ACTION, m)]
    proposed = agreement.status == S.PROPOSED
    active = agreement.status == S.ACTIVE and not agreement.expired
    return {"agree": proposed and scope.can(user, ACTION, _other_side(agreement)),
            "cancel": proposed and bool(sides), "end": active and bool(sides)}


def counterparts(user):
    """The municipalities the user's municipality may make an agreement with."""
    if user.municipality_id is None:
        return Municipality.objects.none()
    return (Municipality.objects.filter(region_id=user.municipality.region_id)
            .exclude(pk=user.municipality_id).order_by("name"))
