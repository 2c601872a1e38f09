"""Reports of personified financing for the payer and the РМЦ (docs/domain.md §4, §5):

- ``funds(user, by, month_from, month_to)`` — money of certificates by provider, program,
  direction or month: what the contracts schedule, what the advances and the final
  invoices ask, what went back to the certificates through completeness, what is paid;
- ``nominal_vs_used(user)`` — per financing period, the ledgers' nominal against what is
  reserved and paid, with the period's budget;
- ``certificate_usage(user)`` — issued certificates used in 0, 1, 2 or more contracts,
  per municipality and kind.

Each report is one or two aggregate queries whatever the size of the region, scoped to
the user's territory (a municipality for the МОЦ and the authority, the region for the
РМЦ); other users get empty reports. Rows are plain dicts for pages and exports.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from opora.accounts import scope
from opora.financing.models import (
    Certificate,
    CertificateKind,
    CertificateLedger,
    CertificateStatus,
    Contract,
    ContractMonth,
    ContractStatus,
    FinancingPeriod,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    paid_lines,
)
from opora.registry.choices import Direction
from opora.registry.models import Municipality

ZERO = Decimal("0.00")
LIVE_CONTRACTS = (ContractStatus.ACTIVE, ContractStatus.CLOSED)


@dataclass(frozen=True)
class Breakdown:
    """One way to group the funds report: the key path from a contract and its label."""

    code: str
    label: str
    keys: tuple[str, ...]  # paths from a Contract


BREAKDOWNS = {
    "provider": Breakdown("provider", _("по организациям"),
                          ("organization_id", "organization__short_name", "organization__municipality__name")),
    "program": Breakdown("program", _("по программам"),
                         ("module__program_id", "module__program__title", "organization__short_name")),
    "direction": Breakdown("direction", _("по направленностям"), ("module__program__direction",)),
    "month": Breakdown("month", _("по месяцам"), ()),
}
BREAKDOWN_LABELS = {
    "provider": _("Организация"), "program": _("Программа"), "direction": _("Направленность"),
    "month": _("Месяц"),
}


def _money(value) -> Decimal:
    # SQLite returns sums of decimals without their scale.
    return Decimal(value or 0).quantize(Decimal("0.01"))


def municipalities(user):
    """The municipalities whose money the user reads: their own, or all for the РМЦ."""
    return scope.territory(user, Municipality.objects.all())


def _in_territory(user, path: str, municipality_id: int | None = None) -> Q:
    """Rows whose municipality (at ``path``) the user reads; of one of them when
    ``municipality_id`` is given."""
    readable = municipalities(user)
    if municipality_id is not None:
        readable = readable.filter(pk=municipality_id)
    return Q(**{f"{path}__in": readable.values("pk")})


def funds(user, by: str = "provider", month_from: dt.date | None = None, month_to: dt.date | None = None,
          municipality_id: int | None = None):
    """Money of certificates grouped ``by`` provider, program, direction or month: two
    aggregate queries (the contracts' schedule, the invoices' lines) merged by key."""
    breakdown = BREAKDOWNS[by]
    months = ContractMonth.objects.filter(
        _in_territory(user, "contract__period__municipality_id", municipality_id), cancelled=False,
        contract__status__in=LIVE_CONTRACTS)
    lines = InvoiceLine.objects.filter(
        _in_territory(user, "invoice__municipality_id", municipality_id)).exclude(
        invoice__status=InvoiceStatus.CANCELLED)
    if month_from:
        months, lines = months.filter(month__gte=month_from), lines.filter(invoice__month__gte=month_from)
    if month_to:
        months, lines = months.filter(month__lte=month_to), lines.filter(invoice__month__lte=month_to)
    month_keys = ("month",) if by == "month" else ()
    line_keys = ("invoice__month",) if by == "month" else ()
    scheduled = (months.order_by().values(*month_keys, *(f"contract__{key}" for key in breakdown.keys))
                 .annotate(scheduled=Sum("certificate_amount"), contracts=Count("contract_id", distinct=True)))
    advance, final = Q(invoice__kind=InvoiceKind.ADVANCE), Q(invoice__kind=InvoiceKind.FINAL)
    invoiced = (lines.order_by().values(*line_keys, *(f"contract__{key}" for key in breakdown.keys))
                .annotate(advances=Sum("amount", filter=advance), invoiced=Sum("amount", filter=final),
                          delivered=Sum("month_amount", filter=final),
                          paid=Sum("amount", filter=final & Q(invoice__status=InvoiceStatus.PAID))))
    rows: dict[tuple, dict] = {}

    def row_for(values, month_key):
        key = tuple(values.get(f"contract__{k}") for k in breakdown.keys)
        if month_key:
            key = (values[month_key], *key)
        if key not in rows:
            rows[key] = {"key": key, "label": _label(breakdown, key), "detail": _detail(breakdown, key),
                         "contracts": 0, "scheduled": ZERO, "advances": ZERO, "invoiced": ZERO,
                         "returned": ZERO, "paid": ZERO}
        return rows[key]

    for values in scheduled:
        row = row_for(values, "month" if month_keys else None)
        row["contracts"] = values["contracts"]
        row["scheduled"] = _money(values["scheduled"])
    for values in invoiced:
        row = row_for(values, "invoice__month" if line_keys else None)
        row["advances"] = _money(values["advances"])
        row["invoiced"] = _money(values["invoiced"])
        row["returned"] = _money(values["delivered"]) - row["invoiced"]
        row["paid"] = _money(values["paid"])
    if by == "month":
        return sorted(rows.values(), key=lambda row: row["key"])
    return sorted(rows.values(), key=lambda row: (str(row["label"]), str(row["detail"]), str(row["key"])))


def _label(breakdown: Breakdown, key: tuple):
    if breakdown.code == "month":
        month = key[0]
        return f"{month:%m.%Y}"
    if breakdown.code == "direction":
        return Direction(key[0]).label if key[0] in Direction.values else key[0]
    return key[1] or "—"


def _detail(breakdown: Breakdown, key: tuple):
    return key[2] if breakdown.code in ("provider", "program") else ""


def funds_totals(rows) -> dict:
    return {field: sum((row[field] for row in rows), ZERO)
            for field in ("scheduled", "advances", "invoiced", "returned", "paid")} | {
        "contracts": sum(row["contracts"] for row in rows)}


def nominal_vs_used(user, municipality_id: int | None = None):
    """Per financing period: the ledgers' nominal, reserved, paid and balance (of the
    certificates' ledgers and of the social certificates'), with the budget: one query
    for the periods and one aggregate over their ledgers."""
    periods = list(FinancingPeriod.objects.filter(_in_territory(user, "municipality_id", municipality_id))
                   .select_related("municipality").order_by("municipality__name", "starts_on"))
    sums = {values["period"]: values for values in CertificateLedger.objects.filter(
        period__in=[p.pk for p in periods]).order_by().values("period").annotate(
        certificates=Count("pk", filter=Q(certificate__isnull=False)),
        social_certificates=Count("pk", filter=Q(social_certificate__isnull=False)),
        nominal=Sum("nominal"), used=Sum("committed"))}
    # What the ledgers paid, from their contracts' paid lines in one aggregate (a ledger's
    # paid part is not stored, see ``models.LedgerManager``).
    paid_of = dict(paid_lines().filter(contract__ledger__period__in=[p.pk for p in periods]).order_by()
                   .values_list("contract__ledger__period").annotate(paid=Sum("amount")))
    rows = []
    for period in periods:
        values = sums.get(period.pk, {})
        nominal, used, paid = _money(values.get("nominal")), _money(values.get("used")), _money(paid_of.get(period.pk))
        reserved = used - paid
        rows.append({
            "period": period, "municipality": period.municipality.name, "title": period.title,
            "starts_on": period.starts_on, "ends_on": period.ends_on, "budget": period.budget,
            "committed": period.committed, "certificates": values.get("certificates", 0),
            "social_certificates": values.get("social_certificates", 0),
            "nominal": nominal, "reserved": reserved, "paid": paid, "balance": nominal - used,
            "used_share": (used * 100 / nominal).quantize(Decimal("0.1")) if nominal else None,
        })
    return rows


def certificate_usage(user, municipality_id: int | None = None):
    """Issued (or frozen) certificates by the number of their contracts other than
    refused ones — 0, 1, 2, more — per municipality and kind, in one query."""
    used = (Contract.objects.filter(certificate=OuterRef("pk")).exclude(status=ContractStatus.REFUSED)
            .order_by().values("certificate").annotate(n=Count("pk")).values("n"))
    certificates = (Certificate.objects.filter(_in_territory(user, "municipality_id", municipality_id),
                                               status__in=[CertificateStatus.ISSUED, CertificateStatus.FROZEN])
                    .annotate(n=Coalesce(Subquery(used, output_field=IntegerField()), Value(0))))
    rows = []
    for values in (certificates.order_by().values("municipality__name", "kind")
                   .annotate(total=Count("pk"), zero=Count("pk", filter=Q(n=0)), one=Count("pk", filter=Q(n=1)),
                             two=Count("pk", filter=Q(n=2)), more=Count("pk", filter=Q(n__gt=2)))
                   .order_by("municipality__name", "kind")):
        rows.append({**values, "municipality": values["municipality__name"],
                     "kind_label": CertificateKind(values["kind"]).label})
    return rows
