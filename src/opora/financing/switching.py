"""Switching groups (docs/domain.md §4, «Switching groups»): an enrolled child moves to
another group of the same program and the contract is amended from the first day of a
month, its amounts for the rest of the period recomputed by ``pricing.price_contract``.
A contract paid by a certificate moves to a group paid for by certificates only; one
paid by a social certificate, to a group paid for by social certificates only, its
social certificate's nominal following the new amounts.

- ``switch_targets(contract)`` — the groups the child may move to; ``effective_months
  (contract)`` — the months an amendment may start with.
- ``preview(actor, contract, group, month) -> Amendment`` — the amounts before and after,
  read without locks (what the confirmation page shows).
- ``switch_group(actor, contract, group, month) -> GroupSwitch`` — the child's guardian
  moves the child at once.
- ``propose_switch(actor, contract, group, month)`` — the provider's staff propose it;
  ``accept_switch`` / ``decline_switch`` — the guardian answers; ``withdraw_switch`` —
  the staff take the proposal back. A new proposal replaces an unanswered one.

The amendment, with d = the first day of the chosen month:

- the months before d are kept as they are (settled or not);
- the rest is priced as a new contract in the target group from max(d, the group's
  start, the contract's start) to min(the group's end, the period's end, the
  certificate's last valid day), the certificate part capped by the ledger's balance
  plus what the old months from d on held in reserve (that reserve is the contract's
  own) — for a social certificate, by the new module's normative cost only, as when it
  was formed — and its months replace the old months from d on;
- the certificate's reserve (ledger and period) moves by the difference, taken with the
  conditional UPDATEs of ``reserves`` (refused when the budget cannot pay more); a
  social certificate's nominal (and its ledger's) moves by the same difference;
- across municipalities (the child's municipality pays a provider of another), a
  cooperation agreement «payer → host» must be in force on the new part's first day
  (``CooperationAgreement.objects.in_force``); the extra money counts against the
  contract's own agreement's limits;
- the contract's total, certificate and parent parts are the kept months plus the new
  ones; its normative = ⌊old normative × kept days / old days⌋ + the new normative;
- no month from d on may be settled already.

Locks, in the order every contract change takes: both groups (primary-key order), the
application, the payer's settlement lock (a month being closed reads the amounts), the
certificate, the contract, the agreements (the contract's own, then the one in force),
the ledger, the period. The target's seat is checked under
its group lock, so two children never take its last seat twice (a PostgreSQL race test
with a control run). The application moves to the new group (one seat freed, one taken).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from opora import audit, locking
from opora.accounts import scope
from opora.enrollment import seats
from opora.enrollment import selectors as enrollment_selectors
from opora.enrollment.models import LIVE, Application
from opora.enrollment.models import ApplicationStatus as AS
from opora.errors import InvalidTransition, NotFound, ValidationFailed
from opora.financing import agreements, pricing, reserves, settlement
from opora.financing.models import (
    Certificate,
    CertificateLedger,
    CertificationStatus,
    Contract,
    ContractMonth,
    ContractStatus,
    CooperationAgreement,
    GroupSwitch,
    ModuleCertification,
    SocialCertificate,
    SwitchStatus,
    kopecks,
)
from opora.registry.choices import FundingSource
from opora.registry.models import Group, GroupFunding, Municipality

MONEY = "money"
ZERO = Decimal("0.00")
FAR = dt.date(9999, 12, 31)


@dataclass(frozen=True)
class MonthChange:
    month: dt.date
    certificate_before: Decimal
    parent_before: Decimal
    certificate_after: Decimal
    parent_after: Decimal

    def as_json(self) -> dict:
        return {"month": self.month.isoformat(), "certificate_before": f"{self.certificate_before:.2f}",
                "parent_before": f"{self.parent_before:.2f}", "certificate_after": f"{self.certificate_after:.2f}",
                "parent_after": f"{self.parent_after:.2f}"}


@dataclass(frozen=True)
class Amendment:
    """What a switch changes: the contract's amounts before and after, the new part's
    dates and price, the months from the effective month on, and the reserve's move."""

    effective_on: dt.date
    starts_on: dt.date  # of the new part
    ends_on: dt.date
    total_before: Decimal
    certificate_before: Decimal
    parent_before: Decimal
    total_after: Decimal
    normative_after: Decimal
    certificate_after: Decimal
    parent_after: Decimal
    reserve_change: Decimal
    price: pricing.Price  # of the new part
    months: tuple[MonthChange, ...]


# --- reading -------------------------------------------------------------------------


def _first_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def effective_months(contract: Contract, today: dt.date | None = None) -> list[dt.date]:
    """The months an amendment of ``contract`` may start with: from the current month (or
    the contract's first) to its last, after its last settled month."""
    today = today or timezone.localdate()
    months = pricing.months_touched(contract.starts_on, contract.ends_on)
    settled = [m.month for m in contract.months.filter(settled=True)]
    after = max(settled) if settled else dt.date.min
    return [m for m in months if m >= _first_of(today) and m > after]


def is_social(contract: Contract) -> bool:
    """Whether the contract is paid by a social certificate (its ledger is the social
    certificate's)."""
    return bool(contract.ledger_id and contract.ledger.social_certificate_id)


def _source(contract: Contract) -> str:
    """The funding source of the groups the contract may move to: its own kind."""
    return FundingSource.SOCIAL if is_social(contract) else FundingSource.CERTIFICATE


def _paid_only_by(group_ids, source: str):
    """Of these groups, those paid for by ``source`` only."""
    other = GroupFunding.objects.exclude(source=source).values("group_id")
    paid = GroupFunding.objects.filter(source=source).values("group_id")
    return Group.objects.filter(pk__in=group_ids).filter(pk__in=paid).exclude(pk__in=other)


def switch_targets(contract: Contract):
    """Active groups of the contract's program, paid for only by the contract's kind of
    certificate (a certificate or a social one), with a certified module, not ended
    before the first month an amendment may start with."""
    months = effective_months(contract)
    if not months:
        return Group.objects.none()
    candidates = (Group.objects.filter(module__program_id=contract.module.program_id, is_active=True,
                                       end_date__gte=months[0],
                                       module__certification__status=CertificationStatus.CERTIFIED)
                  .exclude(pk=contract.group_id).values("pk"))
    return (_paid_only_by(candidates, _source(contract)).select_related("module__certification")
            .order_by("start_date", "name", "pk"))


def switches_of(contract: Contract):
    """The contract's switches, newest first (its history)."""
    return contract.group_switches.select_related("from_group", "to_group", "proposed_by",
                                                  "decided_by").order_by("-created_at", "-pk")


def proposed_switch(contract: Contract):
    return contract.group_switches.filter(status=SwitchStatus.PROPOSED).select_related(
        "from_group", "to_group").first()


# --- the amendment -------------------------------------------------------------------


def _month(value) -> dt.date:
    if not isinstance(value, dt.date):
        raise ValidationFailed({"month": [_("Укажите месяц, с которого ребёнок переходит в группу.")]})
    return _first_of(value)


def _check(contract: Contract, target: Group, month: dt.date) -> ModuleCertification:
    """Everything that does not depend on money and seats; the certification of the
    target's module."""
    if contract.status != ContractStatus.ACTIVE:
        raise InvalidTransition(_("Перевести в другую группу можно только по действующему договору; "
                                  "этот договор — «%(status)s».") % {"status": contract.get_status_display()})
    if target.pk == contract.group_id:
        raise ValidationFailed({"group": [_("Ребёнок уже занимается в этой группе.")]})
    if target.module.program_id != contract.module.program_id:
        raise ValidationFailed({"group": [_("Перевести можно только в группу той же программы.")]})
    if not target.is_active or not _paid_only_by([target.pk], _source(contract)).exists():
        if is_social(contract):
            message = _("В группу «%(group)s» нельзя перевести по социальному сертификату: она не действует "
                        "или оплачивается не только социальными сертификатами.")
        else:
            message = _("В группу «%(group)s» нельзя перевести по сертификату: она не действует или "
                        "оплачивается не только сертификатами.")
        raise ValidationFailed({"group": [message % {"group": target.name}]})
    certification = ModuleCertification.objects.filter(module_id=target.module_id,
                                                       status=CertificationStatus.CERTIFIED).first()
    if certification is None:
        raise InvalidTransition(_("Модуль «%(module)s» не сертифицирован: перевести в группу «%(group)s» "
                                  "нельзя.") % {"module": target.module.title, "group": target.name})
    if month not in effective_months(contract):
        raise ValidationFailed({"month": [_(
            "Перевести можно с первого числа текущего или одного из следующих месяцев договора, если "
            "месяц ещё не рассчитан.")]})
    return certification


def _new_start(contract: Contract, target: Group, month: dt.date) -> dt.date:
    """The first day of the new part: the month's first day, or the group's or the
    contract's start when later."""
    return max(month, target.start_date, contract.starts_on)


def _across(contract: Contract, target: Group) -> tuple[int, int] | None:
    """(payer, host) when the target's provider is in another municipality than the
    contract's payer, else None."""
    host = (Group.objects.filter(pk=target.pk)
            .values_list("module__program__organization__municipality_id", flat=True).first())
    payer = contract.period.municipality_id
    return (payer, host) if host is not None and host != payer else None


def _in_force(contract: Contract, target: Group, month: dt.date, *, lock: bool):
    """Across municipalities: the cooperation agreement «payer → host» in force on the
    new part's first day (its row locked under ``lock``), refused when there is none.
    None for a switch within one municipality."""
    sides = _across(contract, target)
    if sides is None:
        return None
    on = _new_start(contract, target, month)
    found = CooperationAgreement.objects.in_force(on).filter(payer_id=sides[0], host_id=sides[1])
    agreement = locking.first(found, guard=agreements.LOCK) if lock else found.first()
    if agreement is None:
        names = dict(Municipality.objects.filter(pk__in=sides).values_list("pk", "name"))
        raise InvalidTransition(_(
            "Ребёнок живёт в муниципалитете «%(payer)s», а группа «%(group)s» — в организации муниципалитета "
            "«%(host)s». На %(date)s между ними нет действующего соглашения о сотрудничестве (оно истекло, "
            "прекращено или не заключено), поэтому перевести ребёнка в эту группу с этой даты нельзя. "
            "Обратитесь в муниципальный опорный центр по месту жительства ребёнка.") % {
            "payer": names.get(sides[0], ""), "host": names.get(sides[1], ""), "group": target.name,
            "date": on.strftime("%d.%m.%Y")})
    return agreement


def _amend(contract: Contract, target: Group, month: dt.date, certification, balance: Decimal,
           valid_until) -> Amendment:
    rows = list(contract.months.order_by("month"))
    kept = [r for r in rows if r.month < month and not r.cancelled]
    rest = [r for r in rows if r.month >= month]
    if any(r.settled for r in rest):
        raise InvalidTransition(_("Месяц %(month)s уже рассчитан: перевести можно с первого "
                                  "нерассчитанного месяца.") % {"month": settlement.month_label(month)})
    start = _new_start(contract, target, month)
    end = min(target.end_date, contract.period.ends_on, valid_until or FAR)
    if start > end:
        raise InvalidTransition(_("Занятия группы «%(group)s» или период финансирования заканчиваются до "
                                  "%(date)s: перевести с этого месяца нельзя.")
                                % {"group": target.name, "date": start.strftime("%d.%m.%Y")})
    live_rest = [r for r in rest if not r.cancelled]
    rest_certificate = sum((r.certificate_amount for r in live_rest), ZERO)
    if is_social(contract):
        # A social certificate pays the service's normative cost, as when it was formed
        # (``contracts.create_contract``): no personal balance limits it.
        available = certification.normative_cost
    else:
        available = balance + rest_certificate if contract.ledger_id else ZERO
    price = pricing.price_contract(
        group_start=target.start_date, group_end=target.end_date, start=start, end=end,
        module_price=certification.price, normative_cost=certification.normative_cost, balance=available)
    kept_certificate = sum((r.certificate_amount for r in kept), ZERO)
    kept_parent = sum((r.parent_amount for r in kept), ZERO)
    old_days = (contract.ends_on - contract.starts_on).days + 1
    kept_days = max((month - contract.starts_on).days, 0)
    normative = pricing.floor_kopecks(Fraction(contract.normative) * kept_days / old_days) + price.normative
    before = {r.month: r for r in live_rest}
    after = {m.month: m for m in price.months}
    changes = tuple(MonthChange(
        month=m,
        certificate_before=before[m].certificate_amount if m in before else ZERO,
        parent_before=before[m].parent_amount if m in before else ZERO,
        certificate_after=after[m].certificate if m in after else ZERO,
        parent_after=after[m].parent if m in after else ZERO) for m in sorted(set(before) | set(after)))
    certificate_after = kept_certificate + price.certificate_part
    parent_after = kept_parent + price.parent_part
    return Amendment(
        effective_on=month, starts_on=start, ends_on=end, total_before=contract.total,
        certificate_before=contract.certificate_part, parent_before=contract.parent_part,
        total_after=certificate_after + parent_after, normative_after=normative,
        certificate_after=certificate_after, parent_after=parent_after,
        reserve_change=price.certificate_part - rest_certificate if contract.ledger_id else ZERO,
        price=price, months=changes)


def _guardian_contract(actor, contract: Contract) -> Contract:
    contract = Contract.objects.select_related("application__child", "module__program", "group", "period",
                                               "ledger", "certificate").get(pk=contract.pk)
    if not enrollment_selectors.is_guardian(actor, contract.application.child):
        raise NotFound(_("Договор не найден."))
    return contract


def _may_read(actor, contract: Contract) -> Contract:
    contract = Contract.objects.select_related("application__child", "module__program", "group", "period",
                                               "ledger", "certificate").get(pk=contract.pk)
    if scope.is_parent(actor):
        return _guardian_contract(actor, contract)
    scope.require(actor, "financing.provide", contract)
    return contract


def preview(actor, contract: Contract, target: Group, month) -> Amendment:
    """The amendment a switch would make now (no locks, nothing written)."""
    contract = _may_read(actor, contract)
    month = _month(month)
    target = Group.objects.select_related("module").get(pk=target.pk)
    certification = _check(contract, target, month)
    _in_force(contract, target, month, lock=False)
    ledger = CertificateLedger.objects.filter(pk=contract.ledger_id).first()
    return _amend(contract, target, month, certification, ledger.balance if ledger else ZERO,
                  contract.certificate.valid_until)


def _apply(actor, contract_id: int, target_id: int, month: dt.date, *, proposal: GroupSwitch | None = None,
           proposed_by=None) -> GroupSwitch:
    """Move the child and amend the contract under the locks (module docstring)."""
    with locking.atomic():
        known = Contract.objects.select_related("period").get(pk=contract_id)
        groups = seats.lock_groups([known.group_id, target_id])
        application = locking.row(Application, known.application_id, guard="seats")
        settlement.lock_payer(known.period.municipality_id)
        certificate = locking.row(Certificate, known.certificate_id, guard=MONEY)
        contract = locking.row(Contract.objects.select_related("module", "period", "ledger"), contract_id,
                               guard=MONEY, of=("self",))
        source = groups.get(contract.group_id)
        target = groups.get(target_id)
        if source is None or target is None:
            raise InvalidTransition(_("Договор изменился, пока вы выбирали группу: обновите страницу."))
        target = Group.objects.select_related("module").get(pk=target.pk)  # fresh, under its lock
        certification = _check(contract, target, month)
        if application.status != AS.ENROLLED:
            raise InvalidTransition(_("Перевести можно только зачисленного ребёнка."))
        if Application.objects.filter(child_id=application.child_id, group_id=target.pk,
                                      status__in=LIVE).exists():
            raise InvalidTransition(_("У ребёнка уже есть заявка в группу «%(group)s»: сначала отзовите её.")
                                    % {"group": target.name})
        seat_group = groups[target_id]
        if seat_group.seats_taken >= seat_group.capacity_max:
            raise InvalidTransition(_("В группе «%(group)s» нет свободных мест.") % {"group": target.name})
        # a contract across municipalities: its agreement row after the certificate and
        # before the ledger, as a new contract locks it (agreements.resolve_payer), then
        # the agreement in force on the new part's first day (most often the same row)
        agreement = (locking.row(CooperationAgreement.objects.select_related("payer", "host"),
                                 contract.agreement_id, guard=agreements.LOCK)
                     if contract.agreement_id else None)
        _in_force(contract, target, month, lock=True)
        ledger = (locking.row(CertificateLedger, contract.ledger_id, guard=MONEY)
                  if contract.ledger_id else None)
        amendment = _amend(contract, target, month, certification, ledger.balance if ledger else ZERO,
                           certificate.valid_until)
        if agreement is not None and amendment.reserve_change > 0:
            agreements.check_limits(agreement, certificate, amendment.reserve_change)
        seats.count_seats(target.pk, +1)
        seats.count_seats(source.pk, -1)
        _move_reserve(contract, ledger, amendment.reserve_change)
        _rewrite_months(contract, amendment)
        Contract.objects.filter(pk=contract.pk).update(
            group=target, module_id=target.module_id, ends_on=amendment.ends_on, total=amendment.total_after,
            normative=amendment.normative_after, certificate_part=amendment.certificate_after,
            parent_part=amendment.parent_after, updated_at=timezone.now())
        Application.objects.filter(pk=application.pk).update(group=target, queue_number=None,
                                                             updated_at=timezone.now())
        switch = proposal or GroupSwitch(contract=contract, from_group=source, to_group=target,
                                         effective_on=month, proposed_by=proposed_by)
        before_status = switch.status if proposal else ""
        switch.status = SwitchStatus.APPLIED
        switch.decided_by = actor if actor is not None and actor.is_authenticated else None
        switch.decided_at = timezone.now()
        switch.total_before, switch.total_after = amendment.total_before, amendment.total_after
        switch.certificate_before, switch.certificate_after = amendment.certificate_before, amendment.certificate_after
        switch.parent_before, switch.parent_after = amendment.parent_before, amendment.parent_after
        switch.reserve_change = amendment.reserve_change
        switch.months = [m.as_json() for m in amendment.months]
        switch.save()
        facts = {"from_group": source.name, "to_group": target.name, "effective_on": month.isoformat(),
                 "total_before": f"{amendment.total_before:.2f}", "total_after": f"{amendment.total_after:.2f}",
                 "certificate_before": f"{amendment.certificate_before:.2f}",
                 "certificate_after": f"{amendment.certificate_after:.2f}",
                 "parent_before": f"{amendment.parent_before:.2f}",
                 "parent_after": f"{amendment.parent_after:.2f}",
                 "reserve_change": f"{amendment.reserve_change:.2f}"}
        audit.record(actor, "financing.switch.applied", switch, from_state=before_status,
                     to_state=SwitchStatus.APPLIED, **facts)
        audit.record(actor, "financing.contract.group_switched", contract, from_state=contract.status,
                     to_state=contract.status, **facts)
        audit.record(actor, "enrollment.application.group_switched", application, from_state=application.status,
                     to_state=application.status, from_group=source.name, to_group=target.name,
                     effective_on=month.isoformat())
    return switch


def _social_nominal(ledger, change: Decimal) -> None:
    """A social certificate's nominal is its contract's certificate part: it and its
    ledger's move by ``change`` (the ledger's row is locked)."""
    CertificateLedger.objects.filter(pk=ledger.pk).update(nominal=kopecks(F("nominal") + change))
    SocialCertificate.objects.filter(pk=ledger.social_certificate_id).update(nominal=kopecks(F("nominal") + change))


def _move_reserve(contract: Contract, ledger, change: Decimal) -> None:
    if ledger is None or change == 0:
        return
    social = ledger.social_certificate_id is not None
    if change < 0:
        reserves.release(contract, -change)
        if social:
            _social_nominal(ledger, change)  # after the release: nominal ≥ reserved + paid holds
        return
    if social:
        _social_nominal(ledger, change)  # before the reserve, which then finds the room
    try:
        reserves.reserve(ledger, contract.period, change)
    except InvalidTransition:
        raise InvalidTransition(_("В бюджете периода финансирования «%(period)s» не хватает %(amount)s ₽ "
                                  "на перевод в эту группу: выберите другую группу или обратитесь в "
                                  "муниципальный опорный центр.")
                                % {"period": contract.period.title, "amount": f"{change:.2f}"}) from None


def _rewrite_months(contract: Contract, amendment: Amendment) -> None:
    """The months from the effective month on become the new part's schedule."""
    new = {m.month: m for m in amendment.price.months}
    existing = {m.month: m for m in ContractMonth.objects.filter(contract=contract,
                                                                 month__gte=amendment.effective_on)}
    for month, row in existing.items():
        if month in new:
            row.certificate_amount, row.parent_amount = new[month].certificate, new[month].parent
            row.cancelled = False
            row.save(update_fields=["certificate_amount", "parent_amount", "cancelled"])
    ContractMonth.objects.filter(contract=contract, month__in=[m for m in existing if m not in new]).delete()
    ContractMonth.objects.bulk_create([
        ContractMonth(contract=contract, month=month, certificate_amount=m.certificate, parent_amount=m.parent)
        for month, m in new.items() if month not in existing])


# --- use cases -----------------------------------------------------------------------


def _target(group) -> Group:
    found = Group.objects.filter(pk=getattr(group, "pk", group)).first()
    if found is None:
        raise ValidationFailed({"group": [_("Выберите группу.")]})
    return found


def switch_group(actor, contract: Contract, group, month) -> GroupSwitch:
    """The child's guardian moves the child to ``group`` from ``month``: the contract is
    amended at once. An unanswered proposal of the provider is withdrawn by it."""
    contract = _guardian_contract(actor, contract)
    target, month = _target(group), _month(month)
    with locking.atomic():
        switch = _apply(actor, contract.pk, target.pk, month, proposed_by=actor)
        _close_proposals(actor, contract, SwitchStatus.WITHDRAWN, exclude=switch.pk)
    return switch


def _close_proposals(actor, contract: Contract, status: str, *, exclude=None) -> None:
    for proposal in GroupSwitch.objects.filter(contract=contract, status=SwitchStatus.PROPOSED).exclude(pk=exclude):
        proposal.status = status
        proposal.decided_by = actor if actor is not None and actor.is_authenticated else None
        proposal.decided_at = timezone.now()
        proposal.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record(actor, f"financing.switch.{status}", proposal, from_state=SwitchStatus.PROPOSED,
                     to_state=status)


def propose_switch(actor, contract: Contract, group, month) -> GroupSwitch:
    """The provider's staff propose the move; the guardian agrees or declines in the
    cabinet. Checked now as the switch would be (the seat and money again on agreement)."""
    scope.require(actor, "financing.provide", contract)
    target, month = _target(group), _month(month)
    amendment = preview(actor, contract, target, month)  # refuses what cannot be done
    with locking.atomic():
        locking.row(Contract, contract.pk, guard=MONEY)
        _close_proposals(actor, contract, SwitchStatus.WITHDRAWN)
        switch = GroupSwitch.objects.create(
            contract=contract, from_group_id=contract.group_id, to_group=target, effective_on=month,
            status=SwitchStatus.PROPOSED, proposed_by=actor, total_before=amendment.total_before,
            total_after=amendment.total_after, certificate_before=amendment.certificate_before,
            certificate_after=amendment.certificate_after, parent_before=amendment.parent_before,
            parent_after=amendment.parent_after, reserve_change=amendment.reserve_change,
            months=[m.as_json() for m in amendment.months])
        audit.record(actor, "financing.switch.proposed", switch, to_state=SwitchStatus.PROPOSED,
                     to_group=target.name, effective_on=month.isoformat(),
                     total_after=f"{amendment.total_after:.2f}")
    return switch


def _proposal(switch: GroupSwitch) -> GroupSwitch:
    switch = GroupSwitch.objects.select_related("contract").get(pk=switch.pk)
    if switch.status != SwitchStatus.PROPOSED:
        raise InvalidTransition(_("Предложение о переводе уже не действует: «%(status)s».")
                                % {"status": switch.get_status_display()})
    return switch


def accept_switch(actor, switch: GroupSwitch) -> GroupSwitch:
    """The guardian agrees: the switch is made now, with the amounts of today (the seat
    and the money are checked again)."""
    switch = GroupSwitch.objects.select_related("contract").get(pk=switch.pk)
    _guardian_contract(actor, switch.contract)
    with locking.atomic():
        switch = locking.row(GroupSwitch, switch.pk)
        _proposal(switch)
        return _apply(actor, switch.contract_id, switch.to_group_id, switch.effective_on, proposal=switch)


def decline_switch(actor, switch: GroupSwitch) -> GroupSwitch:
    switch = GroupSwitch.objects.select_related("contract").get(pk=switch.pk)
    _guardian_contract(actor, switch.contract)
    return _decide(actor, switch, SwitchStatus.DECLINED)


def withdraw_switch(actor, switch: GroupSwitch) -> GroupSwitch:
    scope.require(actor, "financing.provide", switch.contract)
    return _decide(actor, switch, SwitchStatus.WITHDRAWN)


def _decide(actor, switch: GroupSwitch, status: str) -> GroupSwitch:
    with locking.atomic():
        switch = _proposal(locking.row(GroupSwitch, switch.pk))
        switch.status, switch.decided_by, switch.decided_at = status, actor, timezone.now()
        switch.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record(actor, f"financing.switch.{status}", switch, from_state=SwitchStatus.PROPOSED,
                     to_state=status)
    return switch


def visible_switches(user):
    """Switches a user may read: a guardian's children's, staff their organization's, the
    payer its municipality's, the РМЦ all."""
    if scope.is_parent(user):
        return GroupSwitch.objects.filter(
            contract__application__child__guardianships__parent=user,
            contract__application__child__guardianships__confirmed_at__isnull=False)
    return scope.visible(user, GroupSwitch.objects.all())


def switch_for(user, switch_uuid) -> GroupSwitch:
    try:
        found = visible_switches(user).filter(uuid=switch_uuid).select_related(
            "contract", "from_group", "to_group").first()
    except (ValueError, TypeError):
        found = None
    if found is None:
        raise NotFound(_("Перевод не найден."))
    return found

