"""Group switches, disputes and a supplementary invoice in the demo (docs/domain.md §4,
«Switching groups», «Disputes», «Supplementary invoices»), made through the services
after the settlement run, so each screen has something to show:

- a parent moves a child to another group of the same program from next month (or
  from this one in the period's last month), the contract amended and its amounts
  recomputed — «parent@demo.opora»'s child when one of the children has a contract that
  can switch, another family's otherwise;
- two disputes over lines of last month's open final invoices, opened by the guardian
  (the demo parent first when a line of theirs is open): one answered by the provider,
  one answered, held and decided by the payer for the parent (the month at 75 %);
- a contract the guardian accepts late, after the provider sent the final invoice of a
  closed month: the payer bills that month on a supplementary invoice.

Like the settlement run, nothing is made for a demo built for another day than today,
and a smaller region that lacks the rows simply gets less. Every choice is by primary
key, so the same seed gives the same region."""

from django.utils import timezone

from opora.accounts.models import Role, User
from opora.enrollment.models import ApplicationStatus, Guardianship
from opora.errors import DomainError
from opora.financing import contracts, disputes, settlement, supplementary, switching
from opora.financing.models import (
    Contract,
    ContractMonth,
    ContractStatus,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
)
from opora.registry.models import Municipality

DEMO_PARENT = "parent@demo.opora"
SHOWCASE = "staff@demo.opora"  # keeps its draft final invoice (demo.settlement)
DECIDED = "75"


def build_amendments(ctx) -> dict:
    """What was made: {"switches": n, "disputes": n, "supplementary": n}."""
    made = {"switches": 0, "disputes": 0, "supplementary": 0}
    if ctx.today != timezone.localdate():
        return made
    demo_parent = User.objects.filter(email=DEMO_PARENT).first()
    made["switches"] = _switch(demo_parent)
    made["disputes"] = _disputes(demo_parent)
    made["supplementary"] = _supplementary()
    return made


def _guardian(contract: Contract):
    link = (Guardianship.objects.filter(child_id=contract.application.child_id, confirmed_at__isnull=False)
            .select_related("parent").order_by("pk").first())
    return link.parent if link else None


def _demo_first(queryset, demo_parent, path: str):
    """The demo parent's rows first, then the rest, by primary key."""
    if demo_parent is None:
        return list(queryset.order_by("pk"))
    own = {f"{path}__guardianships__parent": demo_parent}
    return list(queryset.filter(**own).order_by("pk")) + list(queryset.exclude(**own).order_by("pk"))


def _switch(demo_parent) -> int:
    # not out of a group with a waiting list: the seat freed would be offered to it first
    active = (Contract.objects.filter(status=ContractStatus.ACTIVE, ledger__social_certificate__isnull=True)
              .exclude(group__applications__status=ApplicationStatus.WAITLISTED))
    for contract in _demo_first(active, demo_parent, "application__child")[:200]:
        months = switching.effective_months(contract)
        months = months[1:2] or months[:1]  # from next month, or this one in the period's last
        targets = [g for g in switching.switch_targets(contract) if g.seats_taken < g.capacity_max]
        parent = _guardian(contract)
        if not months or not targets or parent is None:
            continue
        try:
            switching.switch_group(parent, contract, targets[0], months[0])
        except DomainError:
            continue
        return 1
    return 0


def _disputes(demo_parent) -> int:
    lines = (InvoiceLine.objects.filter(invoice__kind=InvoiceKind.FINAL,
                                        invoice__status__in=disputes.OPEN_INVOICE, completeness=100)
             .select_related("invoice", "contract__application"))
    staff = {u.organization_id: u for u in User.objects.filter(role=Role.ORGANIZATION_STAFF).order_by("-pk")}
    payers = {u.municipality_id: u for u in User.objects.filter(role=Role.SUPPORT_CENTRE).order_by("-pk")}
    opened = []
    for line in _demo_first(lines, demo_parent, "contract__application__child"):
        parent = _guardian(line.contract)
        provider = staff.get(line.invoice.organization_id)
        if parent is None or provider is None or line.invoice_id in {d.line.invoice_id for d in opened}:
            continue
        dispute = disputes.open_dispute(parent, line, "Ребёнок болел две недели и не ходил на занятия, "
                                                      "а месяц в счёте оплачен полностью.", "50")
        disputes.answer_dispute(provider, dispute, "По журналу ребёнок пропустил шесть занятий из двенадцати; "
                                                   "два из них отработал на дополнительном занятии.")
        opened.append(dispute)
        if len(opened) == 2:
            break
    if len(opened) == 2:
        held = opened[1]
        payer = payers.get(held.line.invoice.municipality_id)
        if payer is not None:
            disputes.hold_line(payer, held, True)
            disputes.resolve_dispute(payer, held, "parent", DECIDED,
                                     "По журналу посещаемости услуга оказана на 75 %: два пропуска отработаны.")
    return len(opened)


def _supplementary() -> int:
    """A confirmed contract with a month already closed: the provider sends that month's
    final invoice when it is still a draft (not the printed provider account's, which
    keeps its draft), the guardian accepts the contract now and the payer bills the
    month on a supplementary invoice."""
    showcase = User.objects.filter(email=SHOWCASE).values_list("organization_id", flat=True).first()
    finals = Invoice.objects.filter(kind=InvoiceKind.FINAL).exclude(status=InvoiceStatus.CANCELLED)
    for row in (ContractMonth.objects.filter(contract__status=ContractStatus.CONFIRMED, cancelled=False,
                                             settled=False, certificate_amount__gt=0)
                .exclude(contract__organization_id=showcase)
                .select_related("contract__application", "contract__period").order_by("month", "pk")):
        contract = row.contract
        final = finals.filter(organization_id=contract.organization_id, month=row.month,
                              municipality_id=contract.period.municipality_id).first()
        parent = _guardian(contract)
        payer = (User.objects.filter(role=Role.SUPPORT_CENTRE, municipality_id=contract.period.municipality_id)
                 .order_by("pk").first())
        provider = (User.objects.filter(role=Role.ORGANIZATION_STAFF, organization_id=contract.organization_id)
                    .order_by("pk").first())
        if final is None or parent is None or payer is None or provider is None:
            continue
        if final.status == InvoiceStatus.DRAFT:
            settlement.submit_invoice(provider, final)
        contracts.accept_contract(parent, contract)
        formed = supplementary.form_supplementary(payer, Municipality.objects.get(pk=contract.period.municipality_id),
                                                  settlement.first_day(row.month))
        return formed.invoices_created
    return 0
