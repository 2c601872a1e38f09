"""Supplementary invoices (docs/domain.md §4, «Supplementary invoices»): contract months
of a closed month that became billable after the provider's final invoice of that month
left draft (a contract accepted late, a final invoice's months given back) are billed on
a supplementary invoice instead of waiting for the payer to cancel the final invoice.

- ``late_months(municipality, month)`` — the live contract months of ``month`` not yet
  settled whose provider's final invoice has been sent (submitted, accepted or paid):
  exactly what ``settlement.close_month`` leaves out.
- ``form_supplementary(actor, municipality, month) -> Formed`` — the payer
  (``financing.settle``): each such month becomes a line at 100 % on the provider's draft
  supplementary invoice (made when it has none), which settles it and makes its reserve
  paid, as closing a month does (both derived from the line). A month once settled is never picked
  again, so running it again bills nothing; a supplementary invoice then goes through
  the statuses of a final one (completeness on the draft, submitted, accepted, paid, or
  cancelled: its months come back and a new supplementary invoice picks them up).

Runs take the payer's settlement lock, like closing a month and every invoice change.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from opora import audit, locking
from opora.accounts import scope
from opora.errors import ValidationFailed
from opora.financing import settlement
from opora.financing.models import (
    ContractMonth,
    ContractStatus,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
)

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Formed:
    month: dt.date
    invoices_created: int
    lines_created: int
    amount: Decimal


def late_months(municipality_id: int, month: dt.date):
    sent_final = (Invoice.objects.filter(
        municipality_id=OuterRef("contract__period__municipality_id"),
        organization_id=OuterRef("contract__organization_id"), month=month, kind=InvoiceKind.FINAL)
        .exclude(status__in=[InvoiceStatus.DRAFT, InvoiceStatus.CANCELLED]))
    return (ContractMonth.objects.filter(
        month=month, cancelled=False, settled=False, certificate_amount__gt=0,
        contract__status__in=[ContractStatus.ACTIVE, ContractStatus.CLOSED],
        contract__period__municipality_id=municipality_id)
        .filter(Exists(sent_final)))


def preview(actor, municipality, month: dt.date) -> tuple[int, Decimal]:
    """How many months a run would bill now, and for how much."""
    scope.require(actor, "financing.settle", municipality)
    rows = list(late_months(municipality.pk, settlement.first_day(month)).values_list("certificate_amount",
                                                                                     flat=True))
    return len(rows), sum(rows, ZERO)


def form_supplementary(actor, municipality, month: dt.date) -> Formed:
    scope.require(actor, "financing.settle", municipality)
    month = settlement._check_close(month)
    try:
        return _form(actor, municipality, month)
    except IntegrityError as error:
        raise ValidationFailed(_("Расчёт не выполнен: резерв сертификатов не сходится с графиком "
                                 "договоров. Обратитесь к администратору.")) from error


def _form(actor, municipality, month: dt.date) -> Formed:
    with transaction.atomic():
        settlement.lock_payer(municipality.pk)
        months = locking.rows(late_months(municipality.pk, month).select_related(
            "contract__certificate"), of=("self",))
        by_provider = defaultdict(list)
        for row in months:
            by_provider[row.contract.organization_id].append(row)
        created, lines_made, total = 0, 0, ZERO
        for organization_id, rows in sorted(by_provider.items()):
            invoice = locking.first(Invoice.objects.filter(
                municipality=municipality, organization_id=organization_id, month=month,
                kind=InvoiceKind.SUPPLEMENTARY, status=InvoiceStatus.DRAFT))
            if invoice is None:
                invoice = Invoice.objects.create(municipality=municipality, organization_id=organization_id,
                                                 month=month, kind=InvoiceKind.SUPPLEMENTARY)
                created += 1
                audit.record(actor, "financing.invoice.created", invoice, to_state=invoice.status,
                             month=month.isoformat(), kind=invoice.kind)
            InvoiceLine.objects.bulk_create([
                InvoiceLine(invoice=invoice, contract=row.contract, contract_number=row.contract.number,
                            certificate_number=row.contract.certificate.number or "",
                            month_amount=row.certificate_amount, completeness=Decimal(100),
                            amount=row.certificate_amount) for row in rows])
            added = sum((row.certificate_amount for row in rows), ZERO)
            invoice.amount += added
            invoice.save(update_fields=["amount", "updated_at"])
            audit.record(actor, "financing.invoice.supplemented", invoice, from_state=invoice.status,
                         to_state=invoice.status, month=month.isoformat(), lines=len(rows),
                         added=f"{added:.2f}", amount=f"{invoice.amount:.2f}")
            lines_made += len(rows)
            total += added
    return Formed(month=month, invoices_created=created, lines_created=lines_made, amount=total)
