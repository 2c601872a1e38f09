"""Use cases of applications and seats. Children, consent, walk-ins and merges are in
``opora.enrollment.children``. Every function checks permission, runs in one
transaction, records each status change with ``opora.audit.record`` and queues the
e-mail to the guardians after commit; refusals are DomainErrors in Russian.

Signatures for pages, the API and the benchmark (``actor`` is the acting user):

- ``submit_application(actor, child, group, channel=Channel.CABINET) -> (Application, created)``
  a guardian applies (cabinet or API; ``child`` an instance, its key or uuid, ``group`` an
  instance or its key; a child the actor is no confirmed guardian of is not found). Takes a seat
  (``new``) if one is free, else joins the waiting list (``waitlisted`` with the next
  queue number). Idempotent: a repeated submission returns the live application
  already there (``created`` is False then). Gate refusals raise
  ``NotEligible`` (its ``code`` names the gate, see ``rules.refusals``).
- ``withdraw_application(actor, application, reason="")`` — the parent.
- ``file_continuation(actor, child, group, reason)`` — for the prolongation of contracts.
- ``confirm_application(actor, application)`` — staff: new → enrolled, or awaiting a
  contract when the group is funded by certificates only (``after_status_change``
  hooks then make the contract; ``enrol_under_contract`` enrols once it is accepted).
  An enrolment on a budget place is checked against the organization's municipal task
  (``budget_places.check_confirmation``): refused beyond it, or confirmed with
  ``task_warning`` set on the returned application when the municipality warns.
- ``reject_application(actor, application, reason)``,
  ``expel(actor, application, reason, on_date=None)``,
  ``complete(actor, application, on_date=None)`` — staff.
- ``process_applications(actor, ids, action, reason="", on_date=None)`` — staff, in
  bulk, all or nothing: ``action`` is "confirm", "reject", "expel" or "complete".
- ``change_capacity(actor, group, capacity_max)`` — staff; raising it promotes.
- ``after_capacity_change(group)`` — for the registry: call after saving a group.
- ``promote_waitlist(group, actor=None)`` — give free seats to the first in line.
- ``save_enrolment_settings(actor, municipality, max_live_applications)`` — the МОЦ.

Seats are the group's counter, changed in the transaction that changes the
applications (``seats``): a released seat goes to the first in line in the same
transaction, and no group ever holds more seats than its capacity.
"""

import datetime as dt
import logging
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opora import audit, locking, logs, rows
from opora.accounts import scope
from opora.enrollment import budget_places, notifications, rules, seats, selectors
from opora.enrollment.models import (
    LIVE,
    Application,
    Channel,
    Child,
    EnrolmentSettings,
)
from opora.enrollment.models import ApplicationStatus as S
from opora.errors import InvalidTransition, NotFound, ValidationFailed
from opora.locking import Busy  # noqa: F401  (for callers)
from opora.registry.choices import FundingSource
from opora.registry.models import Group, GroupFunding, Municipality

log = logging.getLogger(__name__)


class NotEligible(InvalidTransition):
    """The child may not apply to this group now; ``code`` names the gate."""


# Called as ``hook(actor, application, before)`` inside the transaction of every status
# change, after the row is saved and under the group's lock: personified financing
# makes the contract when an application starts awaiting one, and ends it when the
# application is withdrawn, rejected or expelled. A hook refuses with a DomainError,
# which rolls the change back.
after_status_change: list = []


# --- submission ----------------------------------------------------------------------


def _live_application(child_id, group_id) -> Application | None:
    return Application.objects.filter(child_id=child_id, group_id=group_id,
                                      status__in=LIVE).first()


def _facts(child, group: Group | int, guardian=None) -> tuple[Child, Group]:
    try:
        return selectors.submission_facts(child, getattr(group, "pk", group), guardian)
    except selectors.SubmissionNotFound as missing:
        if missing.what == "child":
            raise NotFound(_("Ребёнок не найден."), field="child") from None
        raise NotFound(_("Группа не найдена."), field="group") from None


def submit_application(actor, child: Child | int | UUID, group: Group | int,
                       channel: str = Channel.CABINET) -> tuple[Application, bool]:
    """A guardian applies for a child (an instance, its primary key or its uuid) to a
    group (an instance or its primary key): a free seat is taken, else the child joins
    the waiting list; submitting again returns the first application. A child the actor
    is not a confirmed guardian of is not found. Returns the application and whether
    this call filed it; ``application.group`` is the group with its program and
    organization, ``application.child`` the child."""
    if channel not in (Channel.CABINET, Channel.API):
        raise ValueError("provider staff file applications with children.enrol_walk_in")
    child, group = _facts(child, group, guardian=actor)
    return _file(actor, child, group, channel)


def file_application(actor, child: Child, group: Group | int, channel: str) -> Application:
    """``submit_application`` for a caller that has checked who may apply for this child
    itself (staff recording a walk-in), which needs the application only."""
    child, group = _facts(child, group)
    application, _created = _file(actor, child, group, channel)
    return application


def _existing(pk: int, child: Child, group: Group) -> Application:
    application = Application.objects.get(pk=pk)
    application.group, application.child = group, child
    return application


def _file(actor, child: Child, group: Group, channel: str) -> tuple[Application, bool]:
    """The opening-day path: the group and every fact about the child were read in one
    query; the seat transaction is one conditional UPDATE of the group and the written-out
    INSERTs of the application, its audit row and its mail task (``opora.rows``). Returns the
    application and whether it was filed now (not found already there)."""
    if group.live_application is not None:
        return _existing(group.live_application, child, group), False
    refused = selectors.refusals_for(child, group)
    if refused:
        raise NotEligible(refused[0].message, code=refused[0].code)
    try:
        with locking.atomic():
            if group.live_limit is not None:
                # Two applications of one child to two groups change different groups:
                # the child's row makes the count of its live applications exact.
                locking.rows(Child.objects.filter(pk=child.pk), guard="seats")
                live = Application.objects.filter(child=child, status__in=LIVE).count()
                message = rules.too_many_applications(live, group.live_limit)
                if message:
                    raise NotEligible(message, code="too_many_applications")
            queue_number = seats.hold_seat(group.pk)
            # one written-out INSERT (``rows``), like the audit row and the task row below
            application = rows.insert(Application(
                child=child, group=group, channel=channel, queue_number=queue_number,
                status=S.NEW if queue_number is None else S.WAITLISTED,
                created_by=actor if actor.is_authenticated else None,
                status_changed_at=timezone.now()))
            action = "submitted" if queue_number is None else "waitlisted"
            audit.record(actor, f"enrollment.application.{action}", application,
                         to_state=application.status, channel=channel, queue_number=queue_number)
            notifications.status_changed(application)
            _log_filed(application)
    except IntegrityError:
        # A repeat of this pair from another device won the race while this one read:
        # its transaction (the seat it took included) rolled back whole.
        existing = _live_application(child.pk, group.pk)
        if existing is None:
            raise
        return _existing(existing.pk, child, group), False
    return application, True


def file_continuation(actor, child: Child, group: Group, reason: str) -> Application:
    """Not a use case of its own: ``financing.prolongation``, having checked the right,
    files the application of a child continuing into the next year's ``group`` and
    confirms it at once (the contract hook then makes the offer). The child keeps a seat
    of the group or is refused when none is free; the enrolment window and the age gate
    are for new children and do not apply; a live application of the child to the group
    is refused (the prolongation is made once)."""
    with locking.atomic():
        if _live_application(child.pk, group.pk) is not None:
            raise InvalidTransition(_("У ребёнка уже есть заявка в группу «%(group)s».")
                                    % {"group": group.name})
        if seats.hold_seat(group.pk) is not None:
            raise InvalidTransition(_("В группе «%(group)s» нет свободных мест.") % {"group": group.name})
        application = Application.objects.create(
            child=child, group=group, channel=Channel.PROVIDER, status=S.NEW,
            created_by=actor if actor is not None and actor.is_authenticated else None,
            status_changed_at=timezone.now())
        audit.record(actor, "enrollment.application.submitted", application, to_state=S.NEW,
                     channel=Channel.PROVIDER, reason=reason)
        _log_filed(application)
        application.group = group
        application.child = child
        _change_status(actor, application, S.AWAITING_CONTRACT, "confirmed", prolongation=True)
    return application


# --- transitions ---------------------------------------------------------------------


def _change_status(actor, application: Application, to_status: str, action: str, *,
                   reason: str = "", ended_on: dt.date | None = None, **data) -> Application:
    before = application.status
    held = application.holds_seat
    application.status = to_status
    application.status_changed_at = timezone.now()
    fields = ["status", "status_changed_at", "updated_at"]
    if reason:
        application.reason = reason
        fields.append("reason")
    if ended_on is not None:
        application.ended_on = ended_on
        fields.append("ended_on")
    if to_status == S.ENROLLED and application.enrolled_on is None:
        application.enrolled_on = timezone.localdate()
        fields.append("enrolled_on")
    application.save(update_fields=fields)
    if held != application.holds_seat:
        seats.count_seats(application.group_id, 1 if application.holds_seat else -1)
    for hook in after_status_change:
        hook(actor, application, before)
    audit.record(actor, f"enrollment.application.{action}", application, from_state=before,
                 to_state=to_status, reason=reason, **data)
    notifications.status_changed(application)
    logs.state_change(log, "application.status_changed", application=application.pk,
                      group=application.group_id, from_status=before, to_status=to_status)
    if held != application.holds_seat:
        logs.state_change(log, "seat.taken" if application.holds_seat else "seat.released",
                          group=application.group_id, application=application.pk)
    return application


def _log_filed(application: Application) -> None:
    logs.state_change(log, "application.filed", application=application.pk,
                      group=application.group_id, child=application.child_id,
                      to_status=application.status, queue_number=application.queue_number)
    if application.holds_seat:
        logs.state_change(log, "seat.taken", group=application.group_id, application=application.pk)


def _loaded(application: Application) -> Application:
    """The application with what the scope check walks through, in one query."""
    return Application.objects.select_related(*selectors.APPLICATION_RELATED).get(
        pk=application.pk)


def _refuse(application: Application, verb: str):
    raise InvalidTransition(_("Заявку в статусе «%(status)s» нельзя %(verb)s.") % {
        "status": application.get_status_display(), "verb": verb})


def _required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_("Укажите причину.")]})
    return reason


def _past_date(on_date: dt.date | None, application: Application) -> dt.date:
    today = timezone.localdate()
    on_date = on_date or today
    if on_date > today:
        raise ValidationFailed({"on_date": [_("Дата не может быть позже сегодняшней.")]})
    if on_date < timezone.localdate(application.created_at):
        raise ValidationFailed({"on_date": [_("Дата не может быть раньше подачи заявки.")]})
    return on_date


def _transition(actor, application, *, allowed, verb, apply):
    """Lock the group, re-read the application under the lock, check its status and
    ``apply`` the change; a seat it releases goes to the first in line."""
    with locking.atomic():
        group = seats.lock_group(application.group_id)
        fresh = locking.row(Application, application.pk, guard="seats")
        fresh.group = group
        fresh.child = application.child
        if fresh.status not in allowed:
            _refuse(fresh, verb)
        held = fresh.holds_seat
        apply(fresh)
        if held and not fresh.holds_seat:
            promote_waitlist(group, actor=actor)
    return fresh


def _require_staff(actor, application) -> Application:
    application = _loaded(application)
    scope.require(actor, "enrollment.process", application)
    return application


def confirm_application(actor, application: Application) -> Application:
    """Staff confirm an application holding a seat: the child is enrolled, or awaits a
    contract when the group is paid for by certificates only (or by social certificates
    only)."""
    application = _require_staff(actor, application)
    sources = set(GroupFunding.objects.filter(group_id=application.group_id)
                  .values_list("source", flat=True))
    by_certificate = sources in ({FundingSource.CERTIFICATE}, {FundingSource.SOCIAL})
    target = S.AWAITING_CONTRACT if by_certificate else S.ENROLLED
    budget = target == S.ENROLLED and FundingSource.BUDGET in sources
    warning = None

    def apply(fresh):
        nonlocal warning
        if budget:  # a budget place: the municipal task is checked under the group's lock
            warning = budget_places.check_confirmation(fresh.group)
        data = {"over_task": True} if warning else {}
        _change_status(actor, fresh, target, "confirmed", **data)

    confirmed = _transition(actor, application, allowed={S.NEW}, verb=_("подтвердить"), apply=apply)
    confirmed.task_warning = warning
    return confirmed


def enrol_under_contract(actor, application: Application) -> Application:
    """Not a use case of its own: ``financing.contracts.accept_contract``, having checked
    that the actor is the child's guardian, enrols the child whose application awaited
    the contract the parent has just accepted."""
    return _transition(actor, application, allowed={S.AWAITING_CONTRACT},
                       verb=_("зачислить по договору"),
                       apply=lambda a: _change_status(actor, a, S.ENROLLED, "contract_accepted"))


def reject_application(actor, application: Application, reason: str) -> Application:
    """Staff refuse an application that is new, waitlisted or awaiting a contract."""
    reason = _required_reason(reason)
    application = _require_staff(actor, application)
    return _transition(actor, application, allowed={S.NEW, S.WAITLISTED, S.AWAITING_CONTRACT},
                       verb=_("отклонить"),
                       apply=lambda a: _change_status(actor, a, S.REJECTED, "rejected",
                                                      reason=reason))


def withdraw_application(actor, application: Application, reason: str = "") -> Application:
    """A guardian withdraws an application that has not become studies yet."""
    application = _loaded(application)
    if not selectors.is_guardian(actor, application.child):
        raise NotFound(_("Заявка не найдена."))
    reason = (reason or "").strip()
    return _transition(actor, application, allowed={S.NEW, S.WAITLISTED, S.AWAITING_CONTRACT},
                       verb=_("отозвать"),
                       apply=lambda a: _change_status(actor, a, S.WITHDRAWN, "withdrawn",
                                                      reason=reason))


def reject_for_certificate(actor, application: Application, reason: str) -> Application:
    """Not a use case of its own: ``financing.certificates.freeze_certificate``, having
    checked the МОЦ's right, rejects the child's applications that have not become
    studies yet (new, waitlisted, awaiting a contract) with the given reason."""
    return _transition(actor, application, allowed={S.NEW, S.WAITLISTED, S.AWAITING_CONTRACT},
                       verb=_("отклонить"),
                       apply=lambda a: _change_status(actor, a, S.REJECTED, "rejected",
                                                      reason=reason))


def withdraw_for_merge(actor, application: Application, reason: str) -> Application:
    """Not a use case of its own: ``children.merge_children``, having checked the МОЦ's
    right, withdraws the later of two live applications of one child to one group."""
    return _transition(actor, application, allowed=set(LIVE), verb=_("отозвать"),
                       apply=lambda a: _change_status(actor, a, S.WITHDRAWN, "withdrawn",
                                                      reason=reason, merge=True))


def expel(actor, application: Application, reason: str, on_date: dt.date | None = None,
          *, by_parent: bool = False) -> Application:
    """Staff expel an enrolled child from a date (today by default); the seat goes to
    the first in line. ``by_parent``: at the parent's request (заявление родителя), which
    the parents' rating of the program counts as a contract ended early by the parents."""
    reason = _required_reason(reason)
    application = _require_staff(actor, application)
    on_date = _past_date(on_date, application)

    def apply(a):
        a.ended_by_parent = bool(by_parent)
        a.save(update_fields=["ended_by_parent"])
        return _change_status(actor, a, S.EXPELLED, "expelled", reason=reason, ended_on=on_date,
                              **({"by_parent": True} if by_parent else {}))

    return _transition(actor, application, allowed={S.ENROLLED}, verb=_("отчислить"), apply=apply)


def complete(actor, application: Application, on_date: dt.date | None = None) -> Application:
    """Staff record that an enrolled child finished the course. The seat is not offered
    to the waiting list: the group's studies are over for this child."""
    application = _require_staff(actor, application)
    on_date = _past_date(on_date, application)
    with locking.atomic():
        seats.lock_group(application.group_id)
        fresh = locking.row(Application, application.pk, guard="seats")
        if fresh.status != S.ENROLLED:
            _refuse(fresh, _("завершить"))
        _change_status(actor, fresh, S.COMPLETED, "completed", ended_on=on_date)
    return fresh


BULK_ACTIONS = {
    "confirm": lambda actor, a, reason, on_date: confirm_application(actor, a),
    "reject": lambda actor, a, reason, on_date: reject_application(actor, a, reason),
    "expel": lambda actor, a, reason, on_date, by_parent=False: expel(actor, a, reason, on_date,
                                                                     by_parent=by_parent),
    "complete": lambda actor, a, reason, on_date: complete(actor, a, on_date),
}


def process_applications(actor, ids, action: str, reason: str = "",
                         on_date: dt.date | None = None, by_parent: bool = False) -> list[Application]:
    """Staff apply one action to several applications (primary keys), all or nothing:
    the first refusal names its application and nothing is changed."""
    if action not in BULK_ACTIONS:
        raise ValidationFailed({"action": [_("Неизвестное действие.")]})
    if action in ("reject", "expel"):
        reason = _required_reason(reason)
    ids = sorted(set(ids))
    if not ids:
        raise ValidationFailed({"ids": [_("Выберите хотя бы одну заявку.")]})
    applications = list(scope.actionable(actor, "enrollment.process", Application.objects
                                         .filter(pk__in=ids)).order_by("pk"))
    if len(applications) != len(ids):
        raise NotFound(_("Некоторые заявки не найдены или относятся к другой организации."))
    done = []
    with locking.atomic():
        # The children, then all groups, each in key order, so two bulk requests cannot
        # deadlock: a confirmation or an expulsion goes on to lock the child's certificate
        # and ledgers, and two bulks listing the same children in another order would
        # otherwise each hold one and wait for the other. Children before groups is the
        # order a submission and a merge take too.
        locking.rows(Child.objects.filter(pk__in={a.child_id for a in applications}), guard="seats")
        seats.lock_groups(a.group_id for a in applications)
        if action == "confirm":
            budget_places.lock_tasks(a.group_id for a in applications)
        for application in applications:
            try:
                extra = {"by_parent": True} if by_parent and action == "expel" else {}
                done.append(BULK_ACTIONS[action](actor, application, reason, on_date, **extra))
            except (InvalidTransition, ValidationFailed) as error:
                raise type(error)(_("Заявка № %(number)s: %(message)s") % {
                    "number": application.pk, "message": error.message}) from None
    return done


# --- waiting list and capacity -------------------------------------------------------


def promote_waitlist(group: Group, actor=None) -> list[Application]:
    """Give every free seat of the group to the first in line (lowest queue number), in
    the caller's transaction under the group lock. Returns the promoted applications."""
    with locking.atomic():
        group = seats.lock_group(group.pk)
        free = group.capacity_max - group.seats_taken
        if free <= 0:
            return []
        first = locking.rows(Application.objects.filter(
            pk__in=Application.objects.filter(group=group, status=S.WAITLISTED)
            .order_by("queue_number").values("pk")[:free]), guard="seats")
        for application in first:
            _change_status(actor, application, S.NEW, "promoted",
                           queue_number=application.queue_number)
    return first


def group_terms_blocker(groups) -> str | None:
    """For the registry: the terms of a group are fixed while applications live on it
    (a contract always has its live application)."""
    if Application.objects.filter(group__in=groups, status__in=LIVE).exists():
        return _("на группу есть действующие заявки")
    return None


def after_capacity_change(group: Group) -> list[Application]:
    """For the registry's group editing: call inside its transaction after a group is
    saved, so a raised capacity goes to the waiting list at once."""
    return promote_waitlist(group)


def change_capacity(actor, group: Group, capacity_max: int) -> Group:
    """Staff change the number of seats. Raising it promotes the first in line; lowering
    it below the seats already held drops nobody: it only means fewer promotions."""
    scope.require(actor, "registry.edit", Group.objects.select_related(
        "module__program__organization").get(pk=group.pk))
    with locking.atomic():
        group = seats.lock_group(group.pk)
        if not isinstance(capacity_max, int) or capacity_max < max(1, group.capacity_min):
            raise ValidationFailed({"capacity_max": [
                _("Мест должно быть не меньше %(n)s.") % {"n": max(1, group.capacity_min)}]})
        before = group.capacity_max
        if before == capacity_max:
            return group
        group.capacity_max = capacity_max
        group.save(update_fields=["capacity_max", "updated_at"])
        audit.record(actor, "enrollment.group.capacity_changed", group,
                     capacity_before=before, capacity_after=capacity_max)
        promote_waitlist(group, actor=actor)
    return group


# --- municipal settings --------------------------------------------------------------


@transaction.atomic
def save_enrolment_settings(actor, municipality: Municipality,
                            max_live_applications: int | None) -> EnrolmentSettings:
    """The МОЦ limits how many live applications one child of the municipality may have
    at once (None: no limit)."""
    scope.require(actor, "enrollment.configure", municipality)
    if max_live_applications is not None and max_live_applications < 1:
        raise ValidationFailed({"max_live_applications": [
            _("Укажите число от 1 или оставьте поле пустым.")]})
    current = locking.first(EnrolmentSettings.objects.filter(municipality=municipality))
    if current is None:
        current, _created = EnrolmentSettings.objects.get_or_create(municipality=municipality)
    before = current.max_live_applications
    current.max_live_applications = max_live_applications
    current.save()
    audit.record(actor, "enrollment.settings.updated", current,
                 max_live_applications_before=before,
                 max_live_applications_after=max_live_applications)
    return current

