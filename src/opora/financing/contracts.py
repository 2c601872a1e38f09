"""Contracts of studies paid with a certificate (docs/domain.md §4).

A contract follows its application; ``application_changed`` is registered in
``opora.enrollment.services.after_status_change`` and runs inside the transaction of
every status change, after the application row is saved and under its group's lock:

- new → awaiting a contract (the provider confirmed an application to a group paid for
  by certificates only): the contract is made and its certificate part reserved
  (``confirmed``). A refusal (no certificate, frozen, no period, uncertified module,
  budget exhausted) raises ``InvalidTransition``, which rolls the confirmation back.
- awaiting → enrolled: only after the parent accepted the contract
  (``accept_contract``, which activates it and enrols the child).
- awaiting → withdrawn or rejected (the parent declined with ``decline_contract``, the
  provider rejected, the certificate was frozen): ``refused``, the whole reserve back.
- enrolled → expelled, withdrawn or completed: ``closed`` from the application's end
  date; the months after the month holding that date are cancelled and their reserve
  returns; the month holding it stays for the settlement by completeness.

Money. The certificate part is reserved from the certificate's ledger in the financing
period of the payer (the certificate's municipality, ``agreements.resolve_payer``; a
provider of another municipality only under an active cooperation agreement, within its
limits) holding the contract's start: the ledger's and the period's ``committed`` grow by it,
each by a conditional UPDATE (the ledger's only while its balance covers ``x``, the
period's only while the budget does), ledger first and period second, so two confirmations can never spend one
balance twice nor pass the budget, and a lost update is impossible; the CHECK
constraints of the models are the last line of defence. The certificate row is locked
(``SELECT … FOR UPDATE``) first: it serializes the contracts of one certificate, so
the balance read for pricing is the one reserved from, the certificate's status is
checked under the lock a freeze takes, and the contract number
«<certificate number>-<n>» (n = the certificate's contracts + 1) is never given twice.
Lock order: children (a bulk action of enrolment locks all of its children first), group
(by enrolment), application, the payer's settlement lock (a termination), certificate or
contract, cooperation agreement (a child of another municipality), ledger, period.
Settled months (paid already) are never touched.

Read side: ``visible_contracts`` and ``contract_for`` (a parent: their children's
contracts; staff: their organization's; the МОЦ and the authority: those paid by their
municipality; the РМЦ: all), ``contracts_of_certificate``.
"""

import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from opora import audit, locking, logs
from opora.accounts import scope
from opora.enrollment import seats
from opora.enrollment import selectors as enrollment_selectors
from opora.enrollment import services as enrollment_services
from opora.enrollment.models import ApplicationStatus as S
from opora.errors import InvalidTransition, NotFound, ValidationFailed
from opora.financing import agreements, pricing, reserves, settlement
from opora.financing.models import (
    Certificate,
    CertificateKind,
    CertificateLedger,
    CertificateStatus,
    CertificationStatus,
    Contract,
    ContractMonth,
    ContractStatus,
    ModuleCertification,
    ProlongationOffer,
    ProlongationStatus,
    SocialCertificate,
)
from opora.registry.choices import FundingSource
from opora.registry.models import Group, GroupFunding

# The money guard (``locking.unguarded("money")`` in the race tests' control only): the
# rows of a contract's certificate, ledger and contract are locked, and reservations are
# conditional UPDATEs. Off, the rows are read without locks and the reservations read,
# decide and write back, to show that the race then happens (docs/decisions.md, «Race
# tests have a control»).
MONEY = "money"
log = logging.getLogger(__name__)
ZERO = Decimal("0.00")
REASON_MAX_LENGTH = 500
CONTRACT_RELATED = ("application__child", "certificate", "period__municipality", "organization",
                    "module__program", "group", "ledger__social_certificate")


# --- the hook ------------------------------------------------------------------------


def application_changed(actor, application, before):
    """``enrollment.services.after_status_change`` hook: make, refuse, check or close the
    application's contract as its status changed from ``before`` (see the module
    docstring)."""
    after = application.status
    if before == S.NEW and after == S.AWAITING_CONTRACT:
        create_contract(actor, application)
    elif before == S.AWAITING_CONTRACT and after in (S.WITHDRAWN, S.REJECTED):
        _refuse(actor, application)
    elif before == S.AWAITING_CONTRACT and after == S.ENROLLED:
        if not Contract.objects.filter(application_id=application.pk,
                                       status=ContractStatus.ACTIVE).exists():
            raise InvalidTransition(_("Зачислить ребёнка можно только после того, как родитель "
                                      "примет договор."))
    elif before == S.ENROLLED and after in (S.EXPELLED, S.WITHDRAWN, S.COMPLETED):
        _terminate(actor, application)


# --- making the contract -------------------------------------------------------------


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _log(event: str, contract: Contract, before: str = "") -> None:
    logs.state_change(log, event, contract=contract.pk, application=contract.application_id,
                      certificate=contract.certificate_id, group=contract.group_id,
                      from_status=before, to_status=contract.status)


def create_contract(actor, application) -> Contract:
    """Not a use case of its own: the hook calls it when the provider confirms an
    application to a group paid for by certificates only (or by social certificates
    only). The contract is priced by ``pricing.price_contract`` and its certificate part
    reserved — from the certificate's ledger in the period, or, for a group of social
    certificates, from the ledger of the social certificate formed for this service;
    any refusal raises ``InvalidTransition`` and the caller's transaction (the
    confirmation) rolls back."""
    group = Group.objects.select_related("module__program__organization").get(pk=application.group_id)
    social = GroupFunding.objects.filter(group_id=group.pk, source=FundingSource.SOCIAL).exists()
    certificate = locking.first(Certificate.objects.filter(child_id=application.child_id), guard=MONEY)
    _check_certificate(certificate)
    certification = ModuleCertification.objects.filter(
        module_id=group.module_id, status=CertificationStatus.CERTIFIED).first()
    if certification is None:
        raise InvalidTransition(_("Модуль «%(module)s» не сертифицирован: обучение по сертификату "
                                  "в этой группе пока невозможно.") % {"module": group.module.title})
    today = timezone.localdate()
    start = max(group.start_date, today)
    if start > group.end_date:
        raise InvalidTransition(_("Занятия группы уже закончились: договор заключить нельзя."))
    if certificate.valid_until is not None and certificate.valid_until < start:
        raise InvalidTransition(_("Срок действия сертификата № %(number)s истекает до начала "
                                  "обучения.") % {"number": certificate.number})
    organization = group.module.program.organization
    payer = agreements.resolve_payer(certificate, organization, start)
    period = payer.period
    end = pricing.contract_end(group.end_date, period.ends_on)
    if certificate.valid_until is not None:
        end = min(end, certificate.valid_until)  # a certificate pays only while it is valid

    ledger = None
    if social:
        # The social certificate pays the service's normative cost: no personal balance
        # limits it (the normative cost of the module bounds min(total, normative)).
        balance = certification.normative_cost
    else:
        if certificate.kind == CertificateKind.FINANCING:
            ledger = locking.first(CertificateLedger.objects.filter(certificate=certificate, period=period),
                                   guard=MONEY)
        balance = ledger.balance if ledger is not None else ZERO
    price = pricing.price_contract(
        group_start=group.start_date, group_end=group.end_date, start=start, end=end,
        module_price=certification.price, normative_cost=certification.normative_cost,
        balance=balance)
    social_certificate = None
    if social:
        social_certificate, ledger = _form_social_certificate(
            certificate, application, period, price.certificate_part)
    if payer.agreement is not None:
        agreements.check_limits(payer.agreement, certificate, price.certificate_part)
    if price.certificate_part > 0:
        reserves.reserve(ledger, period, price.certificate_part)

    # The certificate row is locked: nobody else counts its contracts now. (Without the
    # lock, in the race tests' control, the count would collide on the unique number
    # before the money race shows, so the control numbers by application instead.)
    n = Contract.objects.filter(certificate=certificate).count() + 1 if locking.guarded(MONEY) \
        else f"a{application.pk}"
    contract = Contract.objects.create(
        number=f"{certificate.number}-{n}", application=application, certificate=certificate,
        period=period, ledger=ledger, agreement=payer.agreement, organization=organization,
        module=group.module, group=group, status=ContractStatus.CONFIRMED, signed_on=today,
        starts_on=start, ends_on=end, total=price.total, normative=price.normative,
        certificate_part=price.certificate_part, parent_part=price.parent_part)
    ContractMonth.objects.bulk_create([
        ContractMonth(contract=contract, month=m.month, certificate_amount=m.certificate,
                      parent_amount=m.parent) for m in price.months])
    audit.record(actor, "financing.contract.created", contract, to_state=ContractStatus.CONFIRMED,
                 application=application.pk, certificate=certificate.number,
                 social_certificate=social_certificate.number if social_certificate else "",
                 starts_on=start.isoformat(), ends_on=end.isoformat(), total=_money(price.total),
                 normative=_money(price.normative),
                 certificate_part=_money(price.certificate_part),
                 parent_part=_money(price.parent_part), balance_before=_money(balance),
                 agreement=str(payer.agreement.uuid) if payer.agreement else "")
    _log("contract.created", contract)
    return contract


def _form_social_certificate(certificate, application, period, nominal: Decimal):
    """The social certificate of this one service and its ledger, with ``nominal`` (the
    contract's certificate part) to be reserved next. Numbered «<certificate number>-С<n>»
    (n = the certificate's social certificates + 1, under the certificate's lock)."""
    n = SocialCertificate.objects.filter(certificate=certificate).count() + 1 if locking.guarded(MONEY) \
        else f"a{application.pk}"
    social_certificate = SocialCertificate.objects.create(
        number=f"{certificate.number}-С{n}", certificate=certificate, application=application,
        period=period, nominal=nominal, issued_at=timezone.now())
    ledger = CertificateLedger.objects.create(social_certificate=social_certificate, period=period,
                                              nominal=nominal)
    return social_certificate, ledger


def _check_certificate(certificate) -> None:
    if certificate is None:
        raise InvalidTransition(_("У ребёнка нет сертификата дополнительного образования, а группа "
                                  "оплачивается только сертификатом: договор заключить нельзя."))
    if certificate.status == CertificateStatus.FROZEN:
        raise InvalidTransition(_("Сертификат ребёнка № %(number)s заморожен: договор заключить "
                                  "нельзя.") % {"number": certificate.number})
    if certificate.status != CertificateStatus.ISSUED:
        raise InvalidTransition(_("Сертификат ребёнка ещё не выдан: договор заключить нельзя."))


def _contract_of(application):
    return locking.first(Contract.objects.filter(application_id=application.pk), guard=MONEY)


def _refuse(actor, application) -> None:
    """The application awaiting its contract was withdrawn or rejected: the offer is
    refused and the whole reserve returns."""
    contract = _contract_of(application)
    if contract is None or contract.status not in (ContractStatus.CREATED, ContractStatus.CONFIRMED):
        return
    released = reserves.release_months(contract, reserves.open_months(contract))
    before = contract.status
    contract.status = ContractStatus.REFUSED
    contract.reason = application.reason
    contract.save(update_fields=["status", "reason", "updated_at"])
    action = "declined" if application.status == S.WITHDRAWN else "refused"
    _offer_decided(contract, ProlongationStatus.DECLINED if action == "declined" else ProlongationStatus.REFUSED,
                   reason=application.reason)
    _log(f"contract.{action}", contract, before)
    audit.record(actor, f"financing.contract.{action}", contract, from_state=before,
                 to_state=contract.status, reason=application.reason, released=_money(released))


def _terminate(actor, application) -> None:
    """The child stopped studying: the contract closes from the application's end date;
    the months after the month holding it are cancelled and their reserve returns. The
    payer's settlement lock is taken first (before the contract's row): a month being
    closed and a backdated termination never see each other half done."""
    payer = (Contract.objects.filter(application_id=application.pk)
             .values_list("period__municipality_id", flat=True).first())
    if payer is None:
        return
    settlement.lock_payer(payer)
    contract = _contract_of(application)
    if contract is None or contract.status not in (ContractStatus.ACTIVE, ContractStatus.CONFIRMED):
        return
    terminated_on = application.ended_on or timezone.localdate()
    first_of_month = terminated_on.replace(day=1)
    released = reserves.release_months(contract, reserves.open_months(contract).filter(month__gt=first_of_month))
    before = contract.status
    contract.status = ContractStatus.CLOSED
    contract.terminated_on = terminated_on
    contract.reason = application.reason
    contract.save(update_fields=["status", "terminated_on", "reason", "updated_at"])
    _log("contract.ended", contract, before)
    audit.record(actor, "financing.contract.closed", contract, from_state=before,
                 to_state=contract.status, reason=application.reason,
                 terminated_on=terminated_on.isoformat(), released=_money(released),
                 application_status=application.status)


# --- the parent's decision -----------------------------------------------------------


def _for_guardian(actor, contract: Contract) -> Contract:
    contract = Contract.objects.select_related(*CONTRACT_RELATED).get(pk=contract.pk)
    if not enrollment_selectors.is_guardian(actor, contract.application.child):
        raise NotFound(_("Договор не найден."))
    return contract


def accept_contract(actor, contract: Contract) -> Contract:
    """The child's guardian accepts the offer: the contract becomes active and the child
    is enrolled in the group, in one transaction."""
    return _activate(actor, _for_guardian(actor, contract))


def accept_on_behalf(contract: Contract) -> Contract:
    """Not a use case of its own: ``prolongation.accept_due_offers`` accepts a
    prolongation offer the parent left unanswered past the municipality's deadline (no
    acting user: the rule accepts it)."""
    return _activate(None, Contract.objects.select_related(*CONTRACT_RELATED).get(pk=contract.pk),
                     automatically=True)


def _activate(actor, contract: Contract, *, automatically: bool = False) -> Contract:
    with locking.atomic():
        seats.lock_group(contract.group_id)  # the order every status change takes
        fresh = locking.row(Contract, contract.pk, guard=MONEY)
        if fresh.status != ContractStatus.CONFIRMED:
            raise InvalidTransition(_("Договор в статусе «%(status)s» принять нельзя.")
                                    % {"status": fresh.get_status_display()})
        fresh.status = ContractStatus.ACTIVE
        fresh.accepted_at = timezone.now()
        fresh.save(update_fields=["status", "accepted_at", "updated_at"])
        action = "accepted_automatically" if automatically else "accepted"
        audit.record(actor, f"financing.contract.{action}", fresh, from_state=ContractStatus.CONFIRMED,
                     to_state=ContractStatus.ACTIVE)
        _log("contract.signed", fresh, ContractStatus.CONFIRMED)
        _offer_decided(fresh, ProlongationStatus.ACCEPTED, automatically=automatically)
        enrollment_services.enrol_under_contract(actor, contract.application)
    fresh.refresh_from_db()
    return fresh


def _offer_decided(contract: Contract, status: str, *, reason: str = "", automatically: bool = False) -> None:
    """A prolongation offer follows its contract: accepted, declined or refused."""
    ProlongationOffer.objects.filter(contract_id=contract.pk, status=ProlongationStatus.OFFERED).update(
        status=status, reason=reason, accepted_automatically=automatically, decided_at=timezone.now())


def decline_contract(actor, contract: Contract, reason: str = "") -> Contract:
    """The child's guardian declines the offer: the application is withdrawn, and with
    it the contract is refused and its reserve released (by the hook)."""
    contract = _for_guardian(actor, contract)
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed({"reason": [_("Причина не длиннее %(n)s символов.")
                                           % {"n": REASON_MAX_LENGTH}]})
    if contract.status != ContractStatus.CONFIRMED:
        raise InvalidTransition(_("Договор в статусе «%(status)s» отклонить нельзя.")
                                % {"status": contract.get_status_display()})
    text = _("Отказ от договора № %(number)s") % {"number": contract.number}
    if reason:
        text = f"{text}: {reason}"
    enrollment_services.withdraw_application(actor, contract.application, text)
    contract.refresh_from_db()
    return contract


# --- read side -----------------------------------------------------------------------


def visible_contracts(user, *, status=None, group=None, organization=None, search=""):
    """Contracts a user may read (see the module docstring), newest first, with what a
    list shows in one query. ``search`` matches the contract or certificate number."""
    if scope.is_parent(user):
        queryset = Contract.objects.filter(
            application__child__guardianships__parent=user,
            application__child__guardianships__confirmed_at__isnull=False)
    else:
        queryset = scope.visible(user, Contract.objects.all())
    queryset = queryset.select_related(*CONTRACT_RELATED)
    if status:
        queryset = queryset.filter(status=status)
    if group is not None:
        queryset = queryset.filter(group=group)
    if organization is not None:
        queryset = queryset.filter(organization=organization)
    search = (search or "").strip()
    if search:
        queryset = queryset.filter(number__icontains=search)
    return queryset.order_by("-signed_on", "-pk")


def contract_for(user, contract_uuid) -> Contract:
    """One contract the user may read, by its uuid; NotFound outside the user's view."""
    try:
        contract = visible_contracts(user).filter(uuid=contract_uuid).first()
    except (ValidationError, ValueError):
        contract = None
    if contract is None:
        raise NotFound(_("Договор не найден."))
    return contract


def contracts_of_certificate(certificate):
    """The contracts of a certificate, newest first (for the certificate's page)."""
    return (Contract.objects.filter(certificate=certificate)
            .select_related("organization", "module__program", "group", "period")
            .order_by("-signed_on", "-pk"))


def schedule_of(contract: Contract) -> list[ContractMonth]:
    return list(contract.months.order_by("month"))


def accepted_by(contract: Contract):
    """The guardian who accepted the offer (from the audit trail), or None."""
    event = (audit.timeline(contract).filter(action="financing.contract.accepted")
             .order_by("-created_at", "-pk").first())
    return event.actor if event is not None else None

