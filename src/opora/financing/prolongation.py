"""Prolongation of certificate contracts into the next financing period (пролонгация,
docs/domain.md §4, «The next school year»).

Before a municipality's next period starts, the children studying under an active
contract of the period before it continue in a group of the next module (or, for a
program of one module repeated every year, of the same module) starting in the new
period:

- ``propose_prolongation(actor, group, target=None, contract_ids=None)`` — the provider's
  staff propose the continuing children of one group: all by default, into the next
  module's group by default. The children not chosen are «left out» (recorded, so that
  the municipality's run does not propose them).
- ``run_prolongation(actor, municipality) -> Report`` — the payer's bulk run (the МОЦ or
  the education authority): every continuing child of the municipality not yet
  proposed, into the default group; then the offers due for automatic acceptance. A
  rerun changes nothing that was decided; offers refused for want of money or a seat are
  tried again (the budget may have been raised).
- ``accept_due_offers(today=None, municipality=None) -> int`` — offers the parent left
  unanswered for the municipality's number of days are accepted (the command
  ``opora accept_prolongations`` runs it daily; idempotent).
- ``save_prolongation_settings(actor, municipality, auto_accept_days)`` — the payer's rule.

An offer is made exactly as a new contract is: the application of the child to the new
group is filed and confirmed (``enrollment.services.file_continuation``), and the
contract hook prices the contract by ``pricing.price_contract`` and reserves its
certificate part from the certificate's ledger in the new period and from the new
period's budget, in the lock order of every contract (group, application, certificate,
ledger, period), refusing with the same reasons. Each child is its own transaction
(under an advisory lock of the source contract): one child's refusal never undoes
another's offer, and a concurrent rerun waits and then finds the offer made. The parent
accepts or declines the new contract like any offer (``contracts.accept_contract``,
``contracts.decline_contract``); the offer follows its contract.
"""

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.db import IntegrityError
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opora import audit, locking, logs
from opora.accounts import scope
from opora.enrollment import services as enrollment_services
from opora.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from opora.financing import contracts
from opora.financing.models import (
    Contract,
    ContractStatus,
    FinancingPeriod,
    ProlongationOffer,
    ProlongationSettings,
    ProlongationStatus,
)
from opora.registry.choices import FundingSource
from opora.registry.models import Group, GroupFunding, Module, Municipality

log = logging.getLogger(__name__)
OFFER_RELATED = ("source__application__child", "source__group", "source__module__program",
                 "source__organization", "source__certificate", "period", "group", "contract")
SETTLED = (ProlongationStatus.OFFERED, ProlongationStatus.ACCEPTED, ProlongationStatus.DECLINED)


@dataclass
class Report:
    """What a run did: offers made now, and the offers of the period by status."""

    period: FinancingPeriod
    made: int = 0
    refused: int = 0
    accepted_automatically: int = 0
    counts: dict = field(default_factory=dict)


# --- periods and groups --------------------------------------------------------------


def next_period(municipality_id, today: dt.date | None = None) -> FinancingPeriod | None:
    """The municipality's period that has not started yet (the earliest), or None."""
    today = today or timezone.localdate()
    return (FinancingPeriod.objects.filter(municipality_id=municipality_id, starts_on__gt=today)
            .order_by("starts_on", "pk").first())


def continuing(period: FinancingPeriod):
    """Active contracts paid by the period's municipality from a period that ended
    before ``period`` starts: the children who may continue into it."""
    return Contract.objects.filter(period__municipality_id=period.municipality_id,
                                   period__ends_on__lt=period.starts_on, status=ContractStatus.ACTIVE)


def candidate_groups(period: FinancingPeriod, programs):
    """Groups of ``programs`` starting in ``period``, active and paid for by certificates
    only, with their modules: what a continuing child can be offered."""
    paid_otherwise = GroupFunding.objects.exclude(source=FundingSource.CERTIFICATE).values("group_id")
    return (Group.objects.filter(module__program__in=programs, is_active=True,
                                 start_date__gte=period.starts_on, start_date__lte=period.ends_on,
                                 funding__source=FundingSource.CERTIFICATE)
            .exclude(pk__in=paid_otherwise).select_related("module__program")
            .order_by("start_date", "pk").distinct())


def default_targets(period: FinancingPeriod, source_groups) -> dict:
    """For each source group: the first group of the next module (year of study + 1)
    starting in ``period``; else of the same module when the program has no next module
    (a one-year program repeated); None when the program has a next module without a
    group yet (the child cannot continue); absent when the program simply ends."""
    source_groups = list(source_groups)
    programs = {g.module.program_id for g in source_groups}
    offered = list(candidate_groups(period, programs))
    years = set(Module.objects.filter(program_id__in=programs).values_list("program_id", "year_of_study"))
    targets = {}
    for source in source_groups:
        program, year = source.module.program_id, source.module.year_of_study
        wanted = year + 1 if (program, year + 1) in years else year
        found = [g for g in offered if g.module.program_id == program and g.module.year_of_study == wanted]
        if found:
            targets[source.pk] = found[0]
        elif wanted != year:
            targets[source.pk] = None
    return targets


def targets_for(period: FinancingPeriod, source_group: Group) -> list[Group]:
    """The groups a child of ``source_group`` may be offered in ``period`` (same program)."""
    return list(candidate_groups(period, [source_group.module.program_id]))


# --- one child -----------------------------------------------------------------------


def _prolong_one(actor, source: Contract, period: FinancingPeriod, target: Group | None,
                 *, left_out: bool = False) -> ProlongationOffer:
    """Offer ``source``'s child the ``target`` group in ``period`` (or record the child
    left out): its own transaction, the offer found again if already decided."""
    try:
        with locking.atomic():
            locking.advisory("prolongation", source.pk)
            offer = ProlongationOffer.objects.filter(source=source, period=period).first()
            if offer is not None and offer.status in SETTLED:
                offer.decided_now = False
                return offer
            if offer is None:
                offer = ProlongationOffer(source=source, period=period)
            offer.group, offer.proposed_by = target, actor if actor and actor.is_authenticated else None
            offer.contract, offer.reason = None, ""
            if left_out:
                offer.status = ProlongationStatus.LEFT_OUT
            elif target is None:
                offer.status = ProlongationStatus.REFUSED
                offer.reason = _("На новый период нет группы следующего модуля программы «%(program)s».") % {
                    "program": source.module.program.title}
            else:
                _make_contract(actor, offer, source, target)
            offer.save()
            audit.record(actor, f"financing.prolongation.{offer.status}", source,
                         to_state=offer.status, reason=offer.reason, period=period.pk,
                         group=target.pk if target else None,
                         contract=offer.contract.number if offer.contract else "")
            logs.state_change(log, "prolongation." + offer.status, contract=source.pk, period=period.pk,
                              group=target.pk if target else None,
                              new_contract=offer.contract_id)
            offer.decided_now = True
            return offer
    except IntegrityError:
        # a rerun in another connection made it between our read and write (SQLite path)
        offer = ProlongationOffer.objects.get(source=source, period=period)
        offer.decided_now = False
        return offer


def _make_contract(actor, offer, source: Contract, target: Group) -> None:
    """The application to ``target`` filed and confirmed in a savepoint: the contract is
    made with its reserve, or the refusal (the message of a new contract's) is kept."""
    child = source.application.child
    try:
        with locking.atomic():
            application = enrollment_services.file_continuation(
                actor, child, target, _("Продление договора № %(number)s") % {"number": source.number})
            contract = Contract.objects.get(application=application)
            if contract.period_id != offer.period_id:
                raise ValidationFailed({"group": [_("Группа «%(group)s» начинает занятия не в новом периоде.")
                                                  % {"group": target.name}]})
    except locking.Busy:
        raise
    except DomainError as refusal:
        offer.status, offer.reason = ProlongationStatus.REFUSED, refusal.message
        return
    offer.status, offer.contract, offer.offered_at = ProlongationStatus.OFFERED, contract, timezone.now()


# --- the provider ----------------------------------------------------------------------


def propose_prolongation(actor, group: Group, target: Group | int | None = None,
                         contract_ids=None) -> list[ProlongationOffer]:
    """The provider proposes the continuing children of ``group`` (those with
    ``contract_ids``, all when None) into ``target`` (the default group when None) for
    the payer's next period; the others are left out. Returns the group's offers."""
    group = Group.objects.select_related("module__program__organization").get(pk=group.pk)
    scope.require(actor, "financing.provide", group)
    sources = list(Contract.objects.filter(group=group, status=ContractStatus.ACTIVE)
                   .select_related("application__child", "module__program", "period").order_by("number"))
    periods = {}
    for source in sources:
        payer = source.period.municipality_id
        if payer not in periods:
            periods[payer] = next_period(payer)
    sources = [s for s in sources if periods[s.period.municipality_id] is not None
               and s.period.ends_on < periods[s.period.municipality_id].starts_on]
    if not sources:
        raise ValidationFailed({"group": [_("В группе нет детей, чьи договоры можно продлить: нет "
                                            "действующих договоров или следующий период финансирования "
                                            "ещё не создан.")]})
    chosen = {s.pk for s in sources} if contract_ids is None else {int(pk) for pk in contract_ids}
    if not chosen & {s.pk for s in sources}:
        raise ValidationFailed({"contracts": [_("Отметьте хотя бы одного ребёнка.")]})
    offers = []
    for source in sources:
        period = periods[source.period.municipality_id]
        picked = _target(period, group, target)
        offers.append(_prolong_one(actor, source, period, picked, left_out=source.pk not in chosen))
    return offers


def _target(period, group, target):
    if target is None:
        return default_targets(period, [group]).get(group.pk)
    allowed = {g.pk: g for g in targets_for(period, group)}
    picked = allowed.get(getattr(target, "pk", target))
    if picked is None:
        raise ValidationFailed({"target": [_("Выберите группу той же программы, которая начинает "
                                             "занятия в новом периоде и оплачивается сертификатом.")]})
    return picked


# --- the payer -------------------------------------------------------------------------


def run_prolongation(actor, municipality: Municipality) -> Report:
    """The payer's bulk run: every continuing child of the municipality with no decided
    offer for the next period is offered the default group of its group; then the due
    offers are accepted automatically. Idempotent. Returns the report."""
    if municipality is None:  # the РМЦ: no municipality of its own to run for
        raise PermissionDenied(_("Продлевать договоры может только плательщик — МОЦ или управление "
                                 "образования муниципалитета."))
    scope.require(actor, "financing.prolong", municipality)
    period = next_period(municipality.pk)
    if period is None:
        raise ValidationFailed({"period": [_("Следующий период финансирования ещё не создан: продлевать "
                                             "договоры не на что.")]})
    # offers refused before a contract was made (money, a seat) are tried again
    decided = ProlongationOffer.objects.filter(period=period).exclude(
        status=ProlongationStatus.REFUSED, contract__isnull=True)
    sources = list(continuing(period).exclude(pk__in=decided.values("source_id"))
                   .select_related("application__child", "module__program", "group__module")
                   .order_by("pk"))
    targets = default_targets(period, {s.group_id: s.group for s in sources}.values())
    report = Report(period=period)
    for source in sources:
        if source.group_id not in targets:
            continue  # the program ends with this module: nothing to continue
        offer = _prolong_one(actor, source, period, targets[source.group_id])
        report.made += offer.decided_now and offer.status == ProlongationStatus.OFFERED
        report.refused += offer.decided_now and offer.status == ProlongationStatus.REFUSED
    report.accepted_automatically = accept_due_offers(municipality=municipality)
    report.counts = counts(ProlongationOffer.objects.filter(period=period))
    audit.record(actor, "financing.prolongation.run", municipality, period=period.pk, made=report.made,
                 refused=report.refused, accepted_automatically=report.accepted_automatically)
    return report


def accept_due_offers(today: dt.date | None = None, municipality: Municipality | None = None) -> int:
    """Accept, on the parent's behalf, the offers unanswered for the number of days the
    payer set (none when it set none). Each in its own transaction; an offer the parent
    decided meanwhile is skipped. Returns how many were accepted."""
    now = timezone.now() if today is None else timezone.make_aware(
        dt.datetime.combine(today, dt.time(23, 59, 59)))
    due = (ProlongationOffer.objects.filter(status=ProlongationStatus.OFFERED,
                                            period__municipality__prolongation_settings__auto_accept_days__isnull=False)
           .values_list("pk", "contract_id", "offered_at",
                        "period__municipality__prolongation_settings__auto_accept_days").order_by("pk"))
    if municipality is not None:
        due = due.filter(period__municipality=municipality)
    accepted = 0
    for _pk, contract_id, offered_at, days in due:
        if offered_at + dt.timedelta(days=days) > now:
            continue
        try:
            contracts.accept_on_behalf(Contract(pk=contract_id))
        except DomainError as error:  # decided meanwhile, or the group's seat is busy
            logs.state_change(log, "prolongation.auto_accept_skipped", contract=contract_id, reason=error.code)
            continue
        accepted += 1
    return accepted


def settings_of(municipality) -> ProlongationSettings:
    return (ProlongationSettings.objects.filter(municipality=municipality).first()
            or ProlongationSettings(municipality=municipality))


def save_prolongation_settings(actor, municipality: Municipality, auto_accept_days) -> ProlongationSettings:
    """The payer sets after how many days an unanswered offer is accepted (None: never)."""
    if municipality is None:
        raise PermissionDenied(_("Правила продления задаёт муниципалитет."))
    scope.require(actor, "financing.configure", municipality)
    if auto_accept_days in ("", None):
        auto_accept_days = None
    else:
        try:
            auto_accept_days = int(auto_accept_days)
        except (TypeError, ValueError):
            auto_accept_days = 0
        if not 1 <= auto_accept_days <= 90:
            raise ValidationFailed({"auto_accept_days": [_("Число дней — от 1 до 90, или оставьте поле пустым.")]})
    with locking.atomic():
        rule, _created = ProlongationSettings.objects.get_or_create(municipality=municipality)
        before = rule.auto_accept_days
        rule.auto_accept_days = auto_accept_days
        rule.save()
        audit.record(actor, "financing.prolongation.settings_changed", municipality,
                     before=before, after=auto_accept_days)
    return rule


# --- read side -----------------------------------------------------------------------


def visible_offers(user, *, period=None, status=None, group=None):
    """Offers a user may read (staff: their organization's; the payer: its municipality's;
    a parent: their children's), with what a list shows in one query."""
    if scope.is_parent(user):
        queryset = ProlongationOffer.objects.filter(
            source__application__child__guardianships__parent=user,
            source__application__child__guardianships__confirmed_at__isnull=False)
    else:
        queryset = scope.visible(user, ProlongationOffer.objects.all())
    if period is not None:
        queryset = queryset.filter(period=period)
    if status:
        queryset = queryset.filter(status=status)
    if group is not None:
        queryset = queryset.filter(source__group=group)
    return queryset.select_related(*OFFER_RELATED).order_by("source__organization__short_name",
                                                            "source__group__name", "source__number")


def counts(offers) -> dict:
    """Offers by status, every status present (zero when none), in one query."""
    found = Counter(dict(offers.order_by().values_list("status").annotate(n=Count("pk"))))
    return {status: found.get(status, 0) for status in ProlongationStatus.values}


def offer_for_contract(contract: Contract) -> ProlongationOffer | None:
    """The prolongation offer that made ``contract``, or None."""
    return ProlongationOffer.objects.filter(contract=contract).select_related("source", "period").first()


def groups_to_prolong(user):
    """The provider's groups with active contracts from a period that ends before its
    payer's next period, with the number of such contracts and of offers made."""
    organization = user.organization_id
    if organization is None:
        raise NotFound(_("Организация не найдена."))
    today = timezone.localdate()
    rows = (Contract.objects.filter(organization_id=organization, status=ContractStatus.ACTIVE,
                                    period__ends_on__gte=today)
            .values("group_id").annotate(children=Count("pk", distinct=True),
                                         offers=Count("prolongation_offers", filter=Q(
                                             prolongation_offers__period__starts_on__gt=today))))
    by_group = {row["group_id"]: row for row in rows}
    groups = list(Group.objects.filter(pk__in=by_group).select_related("module__program")
                  .order_by("module__program__title", "name", "pk"))
    for group in groups:
        group.children, group.offers = by_group[group.pk]["children"], by_group[group.pk]["offers"]
    return groups
