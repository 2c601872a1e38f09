"""Flows between municipalities (docs/domain.md §4, «Children from other municipalities»):
for each pair «payer → host», the children of the payer studying with the providers of
the host under certificate contracts, those contracts, their certificate money, what the
payer was billed and what it paid.

- ``flows(user, selection=None) -> list[dict]`` — the pairs of which the user's
  municipality is a side (the МОЦ, the authority; the РМЦ: every pair of the region),
  three aggregate queries whatever the number of contracts;
- ``select(user, period=None, month_from=None, month_to=None) -> Selection`` — the
  period filter, checked (a financing period the user reads, months in order).
- ``FlowsExporter(rows)`` — the same as .xlsx, .ods or csv.

Contracts: not refused. Money: the certificate amounts of their months not cancelled
(«по договорам»); billed: final invoices not cancelled (after completeness); paid:
advances and final invoices marked paid, each final one less the advance it deducts.

The period filter: a financing period keeps the contracts of that period (so its
municipality is their payer) and that payer's invoices of the period's months; months
«from» and «to» keep the contracts running in them, their months in them and the invoices
of those months. Both together: the period's contracts within the months.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opora.core.exporters import Column, Kind, RowsExporter
from opora.errors import ValidationFailed
from opora.financing.agreements import readable_municipalities
from opora.financing.models import (
    Contract,
    ContractMonth,
    ContractStatus,
    FinancingPeriod,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
)
from opora.registry.models import Municipality

KOPECK = Decimal("0.01")
FIELDS = ("children", "contracts", "scheduled", "billed", "paid")


def _kopecks(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(KOPECK)


@dataclass(frozen=True)
class Selection:
    """The period filter of the flows: a financing period and/or a range of months (each
    month by its first day), all optional."""

    period: FinancingPeriod | None = None
    month_from: dt.date | None = None
    month_to: dt.date | None = None

    @property
    def first_month(self) -> dt.date | None:
        starts = [d for d in (self.month_from, self.period and self.period.starts_on.replace(day=1)) if d]
        return max(starts) if starts else None

    @property
    def last_day(self) -> dt.date | None:
        ends = [d for d in (self.month_to and _last_day(self.month_to), self.period and self.period.ends_on) if d]
        return min(ends) if ends else None


def _last_day(month: dt.date) -> dt.date:
    following = dt.date(month.year + 1, 1, 1) if month.month == 12 else dt.date(month.year, month.month + 1, 1)
    return following - dt.timedelta(days=1)


def periods(user):
    """The financing periods the filter offers: those of the municipalities the user reads."""
    return (FinancingPeriod.objects.filter(municipality__in=readable_municipalities(user).values("pk"))
            .select_related("municipality").order_by("municipality__name", "-starts_on", "pk"))


def select(user, period=None, month_from: dt.date | None = None, month_to: dt.date | None = None) -> Selection:
    """The period filter checked: ``period`` (a ``FinancingPeriod`` or its uuid) one of
    ``periods(user)``, months «from» no later than «to». ``ValidationFailed`` otherwise."""
    found = None
    if period is not None:
        found = period if isinstance(period, FinancingPeriod) else periods(user).filter(uuid=period).first()
        if found is None or not periods(user).filter(pk=found.pk).exists():
            raise ValidationFailed({"period": [gettext("Такого периода финансирования нет среди периодов "
                                                       "ваших муниципалитетов.")]})
    month_from = month_from.replace(day=1) if month_from else None
    month_to = month_to.replace(day=1) if month_to else None
    if month_from and month_to and month_from > month_to:
        raise ValidationFailed({"month_to": [gettext("Месяц «по» раньше месяца «с»: поменяйте их местами.")]})
    return Selection(period=found, month_from=month_from, month_to=month_to)


def flows(user, selection: Selection | None = None) -> list[dict]:
    """Per pair (payer, host) with a contract across them, sorted by payer and host,
    within ``selection`` (the period filter) when given."""
    selection = selection or Selection()
    first, last = selection.first_month, selection.last_day
    readable = readable_municipalities(user).values("pk")
    payer, host = "period__municipality_id", "organization__municipality_id"
    across = (Q(**{f"{payer}__in": readable}) | Q(**{f"{host}__in": readable})) & ~Q(**{payer: F(host)})
    contracts = Contract.objects.filter(across).exclude(status=ContractStatus.REFUSED)
    months = ContractMonth.objects.filter(cancelled=False)
    invoice_host = "organization__municipality_id"
    invoices = Invoice.objects.filter(
        (Q(municipality_id__in=readable) | Q(**{f"{invoice_host}__in": readable}))
        & ~Q(municipality_id=F(invoice_host))).exclude(status=InvoiceStatus.CANCELLED)
    if selection.period is not None:
        contracts = contracts.filter(period=selection.period)
        invoices = invoices.filter(municipality_id=selection.period.municipality_id)
    if first is not None:
        contracts, months = contracts.filter(ends_on__gte=first), months.filter(month__gte=first)
        invoices = invoices.filter(month__gte=first)
    if last is not None:
        contracts, months = contracts.filter(starts_on__lte=last), months.filter(month__lte=last)
        invoices = invoices.filter(month__lte=last)
    rows: dict[tuple, dict] = {}

    def row(key):
        return rows.setdefault(key, {"payer_id": key[0], "host_id": key[1], "children": 0, "contracts": 0,
                                     "scheduled": Decimal("0.00"), "billed": Decimal("0.00"),
                                     "paid": Decimal("0.00")})

    for values in (contracts.order_by().values(payer, host)
                   .annotate(children=Count("certificate_id", distinct=True), contracts=Count("pk"))):
        found = row((values[payer], values[host]))
        found["children"], found["contracts"] = values["children"], values["contracts"]
    for values in (months.filter(contract__in=contracts).order_by()
                   .values(f"contract__{payer}", f"contract__{host}")
                   .annotate(scheduled=Sum("certificate_amount"))):
        row((values[f"contract__{payer}"], values[f"contract__{host}"]))["scheduled"] = _kopecks(values["scheduled"])
    final, advance, paid = Q(kind=InvoiceKind.FINAL), Q(kind=InvoiceKind.ADVANCE), Q(status=InvoiceStatus.PAID)
    for values in (invoices.order_by().values("municipality_id", invoice_host)
                   .annotate(billed=Sum("amount", filter=final), paid_advances=Sum("amount", filter=advance & paid),
                             paid_finals=Sum("amount", filter=final & paid),
                             deducted=Sum("advance", filter=final & paid))):
        found = row((values["municipality_id"], values[invoice_host]))
        found["billed"] = _kopecks(values["billed"])
        # SQLite sums decimals as floats: each sum is brought to kopecks before they are added.
        found["paid"] = (_kopecks(values["paid_advances"]) + _kopecks(values["paid_finals"])
                         - _kopecks(values["deducted"]))
    names = dict(Municipality.objects.filter(pk__in={k for key in rows for k in key}).values_list("pk", "name"))
    for found in rows.values():
        found["payer"], found["host"] = names[found["payer_id"]], names[found["host_id"]]
    return sorted(rows.values(), key=lambda r: (r["payer"], r["host"]))


def totals(rows) -> dict:
    return {field: sum((r[field] for r in rows), Decimal("0.00") if field not in ("children", "contracts") else 0)
            for field in FIELDS}


class FlowsExporter(RowsExporter):
    """The flows between municipalities, one row per pair «payer → host»."""

    filename = "Потоки между муниципалитетами"
    ascii_filename = "municipal-flows"
    sheet_title = _("Потоки")
    columns = (
        Column(_("Плательщик (муниципалитет детей)"), lambda row: row["payer"], 32),
        Column(_("Муниципалитет организаций"), lambda row: row["host"], 32),
        Column(_("Детей"), lambda row: row["children"], 10, Kind.COUNT),
        Column(_("Договоров"), lambda row: row["contracts"], 10, Kind.COUNT),
        Column(_("По договорам, ₽"), lambda row: row["scheduled"], 16, Kind.MONEY),
        Column(_("Начислено по итоговым счетам, ₽"), lambda row: row["billed"], 18, Kind.MONEY),
        Column(_("Оплачено, ₽"), lambda row: row["paid"], 16, Kind.MONEY),
    )
