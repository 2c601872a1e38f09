"""The payers' months of the demo, run through the settlement services as the МОЦ of each
municipality (the payer) and the providers would have run them by the demo's day:

- every month of the school year that has ended: its advances formed on its first day,
  sent by the providers and paid; then the month closed (final invoices at 100 % with the
  advance deducted, the month's reserve paid from the ledgers);
- the final invoices carried as far as their age makes likely: those of the months
  before last paid, last month's accepted, sent or still a draft — and in a few drafts
  one child's month reduced to 80 % (ill for a week), the rest going back to the
  certificate;
- the current month's advances formed; most are drafts, a few sent, one cancelled by
  the payer with its reason.

So the payer's «Расчёты» and the provider's «Счета» hold invoices in every status, and
the certificates' balances show money paid as well as reserved. The services stamp the
present moment, so (as for the quality assessment) a demo built for another day than
today gets no settlement."""

import random

from django.utils import timezone

from opora.accounts.models import Role, User
from opora.financing import settlement
from opora.financing.models import ContractMonth, Invoice, InvoiceKind, InvoiceStatus
from opora.registry.models import Municipality

S = InvoiceStatus
SHOWCASE = "staff@demo.opora"  # the printed provider account keeps a draft to work on
REDUCED = "80"


def build_settlement(ctx) -> None:
    if ctx.today != timezone.localdate():
        return
    rng = random.Random(f"{ctx.seed}:settlement")
    municipalities = list(Municipality.objects.order_by("name"))
    payers = {user.municipality_id: user for user in
              User.objects.filter(role=Role.SUPPORT_CENTRE).order_by("pk")}
    providers = {user.organization_id: user for user in
                 User.objects.filter(role=Role.ORGANIZATION_STAFF).order_by("pk")}
    showcase = User.objects.filter(email=SHOWCASE).values_list("organization_id", flat=True).first()
    first = ContractMonth.objects.order_by("month").values_list("month", flat=True).first()
    if first is None:
        return
    month, ended = first, []
    while ctx.today >= settlement.next_month(month):  # December too is closed once it ended
        ended.append(month)
        month = settlement.next_month(month)
    for age, month in zip(range(len(ended) - 1, -1, -1), ended, strict=True):
        for municipality in municipalities:
            payer = payers[municipality.pk]
            settlement.open_month(payer, municipality, month)
            for invoice in _invoices(municipality, month, InvoiceKind.ADVANCE):
                _carry(invoice, S.PAID, payer, providers)
            settlement.close_month(payer, municipality, month)
            for invoice in _invoices(municipality, month, InvoiceKind.FINAL):
                own = invoice.organization_id == showcase
                _carry(invoice, _final_status(rng, age, own), payer, providers,
                       reduce=own or rng.random() < 0.5)
    current = settlement.next_month(ended[-1]) if ended else first
    if not settlement.can_open(current, ctx.today):
        return
    cancelled = False
    for municipality in municipalities:
        payer = payers[municipality.pk]
        settlement.open_month(payer, municipality, current)
        for invoice in _invoices(municipality, current, InvoiceKind.ADVANCE):
            if invoice.organization_id == showcase:
                continue
            if not cancelled:
                settlement.cancel_invoice(payer, invoice, "Аванс сформирован до зачисления новых детей; "
                                                          "будет сформирован повторно.")
                cancelled = True
            elif rng.random() < 0.3:
                _carry(invoice, S.SUBMITTED, payer, providers)


def _invoices(municipality, month, kind):
    return list(Invoice.objects.filter(municipality=municipality, month=month, kind=kind,
                                       status=S.DRAFT).order_by("organization_id"))


def _final_status(rng, age: int, showcase: bool) -> str:
    """How far a final invoice of a month ``age`` months before the last ended one got."""
    if age >= 1:
        return S.PAID if age >= 2 or rng.random() < 0.7 else S.ACCEPTED
    if showcase:
        return S.DRAFT
    return rng.choices((S.DRAFT, S.SUBMITTED, S.ACCEPTED), (4, 4, 2))[0]


def _carry(invoice, status: str, payer, providers, *, reduce=False) -> None:
    """Take a draft invoice through the steps to ``status``: the provider sends it, the
    payer accepts it and records the payment. A final draft left as it is, when
    ``reduce``, has its first child's month reduced."""
    staff = providers[invoice.organization_id]
    if status == S.DRAFT:
        line = invoice.lines.order_by("pk").first()
        if reduce and invoice.kind == InvoiceKind.FINAL and line is not None:
            settlement.set_completeness(staff, line, REDUCED)
        return
    invoice = settlement.submit_invoice(staff, invoice)
    if status == S.SUBMITTED:
        return
    invoice = settlement.accept_invoice(payer, invoice)
    if status == S.PAID:
        settlement.mark_paid(payer, invoice)
