"""Disputes over invoice lines (docs/domain.md §4, «Disputes»): a parent who disagrees
with the completeness of a month on a line of a final or supplementary invoice opens a
dispute before the invoice is accepted; the payer sees it and may hold the line; the
provider answers; the payer decides.

- ``open_dispute(actor, line, text, claimed=None)`` — the child's guardian, while the
  invoice is a draft or submitted; one undecided dispute per line.
- ``hold_line(actor, dispute, held)`` — the payer (``financing.settle``): a held line
  refuses the invoice's acceptance until its dispute is decided.
- ``answer_dispute(actor, dispute, text)`` — the provider's staff (``financing.provide``).
- ``resolve_dispute(actor, dispute, outcome, completeness=None, resolution="")`` — the
  payer: ``parent`` — the line is set to ``completeness`` (below the line's; 0 takes
  the month out of payment) with ``settlement.change_line``, the difference back on the
  certificate's ledger and in the period's budget to the kopeck; ``provider`` — nothing
  changes.
- ``invoice_accepted`` / ``invoice_cancelled`` — called by ``settlement`` under the
  invoice's lock: acceptance is refused while a held dispute is undecided and closes the
  disputes not held; a cancelled invoice closes its disputes (its months come back, and
  the new invoice's line may be disputed again).

Every change takes the payer's settlement lock and the invoice's row lock
(``settlement._locked``), as completeness edits do, so a decision never races an edit,
a submission or an acceptance of the same invoice.
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opora import audit, locking
from opora.accounts import scope
from opora.enrollment import selectors as enrollment_selectors
from opora.errors import InvalidTransition, NotFound, ValidationFailed
from opora.financing import settlement
from opora.financing.models import (
    UNRESOLVED,
    DisputeStatus,
    Invoice,
    InvoiceDispute,
    InvoiceLine,
    InvoiceStatus,
)

TEXT_MAX = 2000
OPEN_INVOICE = (InvoiceStatus.DRAFT, InvoiceStatus.SUBMITTED)
OUTCOMES = ("parent", "provider")


def _text(value, field: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed({field: [_("Заполните это поле.")]})
    if len(value) > TEXT_MAX:
        raise ValidationFailed({field: [_("Не длиннее %(n)s символов.") % {"n": TEXT_MAX}]})
    return value


def _percent(value, field: str) -> Decimal:
    try:
        return settlement.parse_percent(value)
    except ValidationFailed as error:
        raise ValidationFailed({field: error.errors["completeness"]}) from None


def _locked(dispute: InvoiceDispute) -> tuple[Invoice, InvoiceLine, InvoiceDispute]:
    invoice = settlement._locked(dispute.line.invoice)
    line = locking.row(InvoiceLine.objects.select_related("contract"), dispute.line_id, of=("self",))
    return invoice, line, locking.row(InvoiceDispute, dispute.pk)


def _undecided(dispute: InvoiceDispute) -> None:
    if dispute.status not in UNRESOLVED:
        raise InvalidTransition(_("Спор уже закрыт: «%(status)s».") % {"status": dispute.get_status_display()})


def _invoice_open(invoice: Invoice) -> None:
    if invoice.status not in OPEN_INVOICE:
        raise InvalidTransition(_("Счёт уже %(status)s: спор по нему открыть или решить нельзя.")
                                % {"status": invoice.get_status_display().lower()})


def _record(actor, action: str, dispute: InvoiceDispute, before: str, **data) -> None:
    audit.record(actor, f"financing.dispute.{action}", dispute, from_state=before, to_state=dispute.status,
                 invoice=dispute.line.invoice_id, contract=dispute.line.contract_number, **data)


# --- the parent ------------------------------------------------------------------------


def open_dispute(actor, line: InvoiceLine, text, claimed=None) -> InvoiceDispute:
    """The child's guardian disagrees with the completeness of the month on ``line``;
    ``claimed`` is the completeness the parent thinks right (optional, below the line's)."""
    line = InvoiceLine.objects.select_related("invoice", "contract__application__child").get(pk=line.pk)
    if not enrollment_selectors.is_guardian(actor, line.contract.application.child):
        raise NotFound(_("Строка счёта не найдена."))
    text = _text(text, "text")
    claimed = None if claimed in (None, "") else _percent(claimed, "claimed_completeness")
    if line.invoice.kind not in settlement.BILLED_BY_COMPLETENESS:
        raise InvalidTransition(_("Оспорить можно только строку итогового или дополнительного счёта."))
    if claimed is not None and claimed >= line.completeness:
        raise ValidationFailed({"claimed_completeness": [_(
            "Укажите полноту меньше той, что в счёте (%(n)s %%).") % {"n": line.completeness}]})
    try:
        with transaction.atomic():
            invoice = settlement._locked(line.invoice)
            _invoice_open(invoice)
            if InvoiceDispute.objects.filter(line=line, status__in=UNRESOLVED).exists():
                raise InvalidTransition(_("По этой строке счёта уже открыт спор."))
            dispute = InvoiceDispute.objects.create(line=line, text=text, claimed_completeness=claimed,
                                                    opened_by=actor)
            _record(actor, "opened", dispute, "", month=invoice.month.isoformat(),
                    completeness=str(line.completeness),
                    claimed=str(claimed) if claimed is not None else "")
    except IntegrityError:
        raise InvalidTransition(_("По этой строке счёта уже открыт спор.")) from None
    return dispute


# --- the payer and the provider -------------------------------------------------------


def hold_line(actor, dispute: InvoiceDispute, held: bool) -> InvoiceDispute:
    """The payer holds the disputed line (acceptance waits for the decision) or lets it go."""
    dispute = InvoiceDispute.objects.select_related("line__invoice").get(pk=dispute.pk)
    scope.require(actor, "financing.settle", dispute.line.invoice)
    with transaction.atomic():
        invoice, _line, dispute = _locked(dispute)
        _undecided(dispute)
        _invoice_open(invoice)
        if dispute.held != bool(held):
            dispute.held = bool(held)
            dispute.save(update_fields=["held"])
            _record(actor, "held" if held else "released", dispute, dispute.status)
    return dispute


def answer_dispute(actor, dispute: InvoiceDispute, text) -> InvoiceDispute:
    """The provider answers the parent (the payer reads both before deciding)."""
    dispute = InvoiceDispute.objects.select_related("line__invoice").get(pk=dispute.pk)
    scope.require(actor, "financing.provide", dispute.line.invoice)
    text = _text(text, "answer")
    with transaction.atomic():
        _invoice, _line, dispute = _locked(dispute)
        _undecided(dispute)
        before = dispute.status
        dispute.answer, dispute.answered_by, dispute.answered_at = text, actor, timezone.now()
        dispute.status = DisputeStatus.ANSWERED
        dispute.save(update_fields=["answer", "answered_by", "answered_at", "status"])
        _record(actor, "answered", dispute, before)
    return dispute


def resolve_dispute(actor, dispute: InvoiceDispute, outcome: str, completeness=None,
                    resolution="") -> InvoiceDispute:
    """The payer decides. ``parent``: the line is set to ``completeness`` (below the
    line's); what it no longer pays returns to the certificate and the budget.
    ``provider``: the line stays as it is."""
    dispute = InvoiceDispute.objects.select_related("line__invoice").get(pk=dispute.pk)
    scope.require(actor, "financing.settle", dispute.line.invoice)
    if outcome not in OUTCOMES:
        raise ValidationFailed({"outcome": [_("Выберите, в чью пользу решён спор.")]})
    resolution = _text(resolution, "resolution", required=False)
    percent = None
    if outcome == "parent":
        if completeness in (None, ""):
            raise ValidationFailed({"completeness": [_("Укажите полноту оказания услуги по решению.")]})
        percent = _percent(completeness, "completeness")
    with transaction.atomic():
        invoice, line, dispute = _locked(dispute)
        _undecided(dispute)
        _invoice_open(invoice)
        before = dispute.status
        dispute.completeness_before = line.completeness
        if outcome == "parent":
            if percent >= line.completeness:
                raise ValidationFailed({"completeness": [_(
                    "В пользу родителя полнота должна стать меньше, чем в счёте (%(n)s %%).")
                    % {"n": line.completeness}]})
            _changed, returned, _amount = settlement.change_line(invoice, line, percent)
            dispute.status, dispute.returned = DisputeStatus.PARENT_RIGHT, returned
        else:
            dispute.status, dispute.returned = DisputeStatus.PROVIDER_RIGHT, Decimal("0.00")
        dispute.completeness_after = line.completeness
        dispute.resolution, dispute.resolved_by, dispute.resolved_at = resolution, actor, timezone.now()
        dispute.held = False
        dispute.save()
        _record(actor, "resolved", dispute, before, outcome=outcome,
                completeness_before=str(dispute.completeness_before),
                completeness_after=str(dispute.completeness_after), returned=str(dispute.returned),
                line_amount=str(line.amount), invoice_amount=str(invoice.amount))
    return dispute


# --- the invoice's life (called by settlement under its lock) -------------------------


def _dismiss(actor, invoice: Invoice, why: str) -> None:
    for dispute in locking.rows(InvoiceDispute.objects.filter(line__invoice=invoice, status__in=UNRESOLVED)):
        before = dispute.status
        dispute.status, dispute.resolution = DisputeStatus.DISMISSED, why
        dispute.resolved_by = actor if actor is not None and actor.is_authenticated else None
        dispute.resolved_at, dispute.held = timezone.now(), False
        dispute.save(update_fields=["status", "resolution", "resolved_by", "resolved_at", "held"])
        audit.record(actor, "financing.dispute.dismissed", dispute, from_state=before, to_state=dispute.status,
                     reason=why, invoice=invoice.pk)


def invoice_accepted(actor, invoice: Invoice) -> None:
    held = InvoiceDispute.objects.filter(line__invoice=invoice, status__in=UNRESOLVED, held=True).count()
    if held:
        raise InvalidTransition(_("В счёте удержаны строки со спорами родителей (%(n)s): решите споры или "
                                  "снимите удержание, затем примите счёт.") % {"n": held})
    _dismiss(actor, invoice, _("Счёт принят плательщиком без удержания строки."))


def invoice_cancelled(actor, invoice: Invoice) -> None:
    _dismiss(actor, invoice, _("Счёт отменён плательщиком."))


# --- reading ---------------------------------------------------------------------------


def visible_disputes(user):
    """Disputes a user may read: a guardian's children's, staff their organization's,
    the payer its municipality's, the РМЦ all."""
    if scope.is_parent(user):
        queryset = InvoiceDispute.objects.filter(
            line__contract__application__child__guardianships__parent=user,
            line__contract__application__child__guardianships__confirmed_at__isnull=False)
    else:
        queryset = scope.territory(user, InvoiceDispute.objects.all())
    return queryset.select_related("line__invoice__organization", "line__invoice__municipality",
                                   "line__contract").order_by("-opened_at", "-pk")


def dispute_for(user, dispute_uuid) -> InvoiceDispute:
    try:
        found = visible_disputes(user).filter(uuid=dispute_uuid).first()
    except (ValueError, TypeError):
        found = None
    if found is None:
        raise NotFound(_("Спор не найден."))
    return found


def lines_of_contract(contract):
    """The contract's lines on final and supplementary invoices (not cancelled), newest
    month first, each with ``dispute`` (its latest dispute or None) and ``disputable``."""
    lines = list(InvoiceLine.objects.filter(contract=contract, invoice__kind__in=settlement.BILLED_BY_COMPLETENESS)
                 .exclude(invoice__status=InvoiceStatus.CANCELLED).select_related("invoice")
                 .order_by("-invoice__month", "-pk"))
    latest = {}
    for dispute in InvoiceDispute.objects.filter(line__in=lines).order_by("opened_at", "pk"):
        latest[dispute.line_id] = dispute
    for line in lines:
        line.dispute = latest.get(line.pk)
        line.disputable = line.invoice.status in OPEN_INVOICE and (
            line.dispute is None or line.dispute.status not in UNRESOLVED)
    return lines


def disputes_of_invoice(invoice: Invoice) -> dict[int, InvoiceDispute]:
    """The latest dispute of each disputed line of the invoice, by line id."""
    latest = {}
    for dispute in InvoiceDispute.objects.filter(line__invoice=invoice).order_by("opened_at", "pk"):
        latest[dispute.line_id] = dispute
    return latest
