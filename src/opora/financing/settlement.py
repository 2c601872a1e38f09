"""Monthly settlement of certificate contracts (docs/domain.md §4): advances at the start of a
month, the final invoice after it, the provider's completeness, and the life of an
invoice (draft → submitted → accepted → paid, or cancelled).

Signatures for pages, the command and the benchmark (``actor`` is the acting user):

- ``open_month(actor, municipality, month) -> Settlement`` — the payer (``financing.settle``):
  one advance invoice (draft) per provider with a line per live contract of the month,
  the period's advance share (80 % by default) of the month's certificate part, floored
  to the kopeck. Advances move no money on the ledgers.
- ``close_month(actor, municipality, month) -> Settlement`` — the payer: one final
  invoice (draft) per provider with a line per live contract month at 100 %, the amount
  of the provider's advance for the month kept on it (``Invoice.due`` = amount − advance).
  The line settles its contract month and turns the month's reserve on the ledger into
  paid money; both are derived from the line, never stored (``models.settling_lines``,
  ``models.LedgerManager``). Allowed once the month has ended; December from 1 December.
- ``open_month_for_region(month, municipality=None)``, ``close_month_for_region(month,
  municipality=None)`` — the same for every municipality at once (or one), run by the
  system (the ``close_month`` command, the benchmark): no actor, no permission check.
- ``preview(actor, municipality, month, kind) -> Preview`` — what opening (``kind``
  advance) or closing (final) the month would bill now, from the run's own selection.
- ``set_completeness(actor, line, percent) -> InvoiceLine`` — the provider's staff
  (``financing.provide``) on a draft final invoice: the line pays ⌊month amount × percent
  / 100⌋; what is not delivered goes back to the certificate's balance and the budget.
- ``submit_invoice(actor, invoice)`` — staff; ``accept_invoice``, ``mark_paid``,
  ``cancel_invoice(actor, invoice, reason)`` — the payer. Cancelling a final invoice
  gives its months back (paid → reserved, not settled), so the month can be closed again.

A live contract month of month M: the contract is active, or closed with that month
not cancelled, and its month M (not cancelled) has a certificate amount above zero. The
payer of a contract is the municipality of its financing period.

Opening and closing are set-based: whatever the number of contracts, a run is the same
handful of statements (``INSERT … SELECT … ON CONFLICT DO NOTHING``, ``UPDATE … FROM`` an
aggregate), valid on PostgreSQL and on SQLite (≥ 3.35: ``UPDATE … FROM``, ``RETURNING``).
Closing selects the months it bills into a temporary table once and makes from it the
providers' invoices and then the lines, and nothing else per contract: no flag on the
months, no sum on the ledgers.
Each statement only adds what is missing or changes what differs, so running a month
again changes no row. Runs of one municipality are serialised by a transaction-scoped
advisory lock on PostgreSQL (SQLite serialises all writers anyway); every other change
of an invoice takes the same lock, so a run never races a completeness edit.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opora import audit, locking, logs
from opora.accounts import scope
from opora.errors import InvalidTransition, ValidationFailed
from opora.financing import reserves
from opora.financing.dialect import Dialect
from opora.financing.models import (
    Contract,
    ContractStatus,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
)
from opora.financing.pricing import floor_kopecks
from opora.registry.models import Municipality

K = InvoiceKind
S = InvoiceStatus
HUNDRED = Decimal(100)
log = logging.getLogger(__name__)
MONTHS = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
          "октябрь", "ноябрь", "декабрь")


def local_today() -> dt.date:
    """Today in the region's time zone (tests replace it to stand on a chosen day)."""
    return timezone.localdate()


@dataclass(frozen=True)
class Settlement:
    """What one run of opening or closing a month changed (0 everywhere on a rerun)."""

    month: dt.date
    kind: str
    invoices_created: int
    lines_created: int
    invoices_updated: int
    months_settled: int = 0
    # live contract months of providers whose final invoice has left draft: not billed
    # until the payer cancels that invoice and closes the month again
    months_left_out: int = 0

    @property
    def changed(self) -> int:
        return self.invoices_created + self.lines_created + self.invoices_updated + self.months_settled


# The years a settlement month may name (beyond them a date has no next month to build).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def month_label(month: dt.date) -> str:
    return f"{_(MONTHS[month.month - 1])} {month.year}"


def first_day(month: dt.date) -> dt.date:
    if not isinstance(month, dt.date):
        raise ValidationFailed({"month": [_("Укажите месяц.")]})
    if not FIRST_YEAR <= month.year <= LAST_YEAR:
        raise ValidationFailed({"month": [_("Укажите месяц с %(first)s по %(last)s год.") % {
            "first": FIRST_YEAR, "last": LAST_YEAR}]})
    return dt.date(month.year, month.month, 1)


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + 1, 1, 1) if month.month == 12 else dt.date(month.year, month.month + 1, 1)


def can_close(month: dt.date, today: dt.date | None = None) -> bool:
    """A month is closed once it has ended; December is settled within December."""
    today = today or local_today()
    month = first_day(month)
    return today >= next_month(month) or (month.month == 12 and today >= month)


def can_open(month: dt.date, today: dt.date | None = None) -> bool:
    """Advances of a month are formed from its first day."""
    return (today or local_today()) >= first_day(month)


# --- SQL that PostgreSQL and SQLite both run ----------------------------------------------


def _params(month: dt.date, municipality_id: int | None, **extra) -> dict:
    ops = connection.ops
    params = {
        "month": ops.adapt_datefield_value(month),
        "now": ops.adapt_datetimefield_value(timezone.now()),
        "active": ContractStatus.ACTIVE, "closed": ContractStatus.CLOSED,
        "advance": K.ADVANCE, "final": K.FINAL, "supplementary": K.SUPPLEMENTARY,
        "draft": S.DRAFT, "cancelled": S.CANCELLED,
    }
    if municipality_id is not None:
        params["municipality"] = municipality_id
    params.update(extra)
    return params


# The month (alias cm) is settled: its line is on a live final or supplementary invoice of
# the month (``models.settling_lines``; nothing is stored on the month).
SETTLED = """EXISTS (SELECT 1 FROM financing_invoiceline sl JOIN financing_invoice si ON si.id = sl.invoice_id
                     WHERE sl.contract_id = cm.contract_id AND si.month = cm.month
                       AND si.kind IN (%(final)s, %(supplementary)s) AND si.status <> %(cancelled)s)"""


def _where_municipality(column: str, municipality_id: int | None) -> str:
    return "" if municipality_id is None else f" AND {column} = %(municipality)s"


def _live_months(municipality_id: int | None, joins: str = "") -> str:
    """FROM/WHERE of the live contract months of %(month)s (aliases cm, c, p)."""
    return f"""
        FROM financing_contractmonth cm
        JOIN financing_contract c ON c.id = cm.contract_id
        JOIN financing_financingperiod p ON p.id = c.period_id{joins}
        WHERE cm.month = %(month)s AND NOT cm.cancelled AND cm.certificate_amount > 0
          AND c.status IN (%(active)s, %(closed)s){_where_municipality("p.municipality_id", municipality_id)}"""


def lock_payer(municipality_id: int | None) -> None:
    """Serialise the settlement of a municipality (every municipality when None); a
    termination of a contract takes it too, so it never races a month being closed."""
    if municipality_id is None:
        locking.advisory("settlement", *Municipality.objects.values_list("pk", flat=True))
    else:
        locking.advisory("settlement", municipality_id)


def _create_invoices(cursor, sql: Dialect, kind: str, municipality_id, params) -> list[int]:
    """One draft invoice of ``kind`` per (payer, provider) with live months (a final run:
    with months to bill, in ``settlement_run``) and no live invoice of that kind yet (the
    partial unique index decides); an advance also needs no final invoice of the month.
    Never a ``NOT EXISTS`` over the table being filled: planned on the statistics of an
    empty table (a region's first month, or after ``VACUUM``) it is a nested loop that
    rescans, for every new row, the pages the statement has written — quadratic.
    Conflicts settle the invoices of the same kind; those of the other kind are read by
    the compound select (``UNION`` the advances into a final run, ``EXCEPT`` the
    final invoices out of an advance run), which reads them once, before any write."""
    other = ""
    providers = f"SELECT DISTINCT p.municipality_id, c.organization_id {_live_months(municipality_id)}"
    if kind == K.FINAL:
        # The providers of the months the run bills, from its own selection (not the join
        # again). A provider whose advance was paid for months since cancelled still gets
        # its final invoice: the advance must be deducted (the amount due is then negative).
        providers = "SELECT DISTINCT municipality_id, organization_id FROM settlement_run"
        other = f"""
            UNION SELECT a.municipality_id, a.organization_id FROM financing_invoice a
            WHERE a.month = %(month)s AND a.kind = %(advance)s AND a.status <> %(cancelled)s
                  {_where_municipality("a.municipality_id", municipality_id)}"""
    if kind == K.ADVANCE:
        other = f"""
            EXCEPT SELECT f.municipality_id, f.organization_id FROM financing_invoice f
            WHERE f.month = %(month)s AND f.kind = %(final)s AND f.status <> %(cancelled)s
                  {_where_municipality("f.municipality_id", municipality_id)}"""
    cursor.execute(f"""
        INSERT INTO financing_invoice
            (uuid, municipality_id, organization_id, month, kind, status, amount, advance, created_at, updated_at)
        SELECT {sql.uuid()}, t.municipality_id, t.organization_id, %(month)s, %(kind)s, %(draft)s, 0, 0,
               %(now)s, %(now)s
        FROM ({providers}{other}) t
        WHERE TRUE  -- SQLite would read ON CONFLICT as a join constraint without a WHERE
        ON CONFLICT DO NOTHING  -- one live advance or final invoice per provider and month
        RETURNING id""", {**params, "kind": kind})
    return [row[0] for row in cursor.fetchall()]


def _invoice_of_provider(kind: str, *, sent: bool) -> str:
    """EXISTS subquery: the provider of a live month (aliases c, p) has a live invoice of
    ``kind`` for the month — one sent (out of draft) when ``sent``."""
    statuses = "NOT IN (%(draft)s, %(cancelled)s)" if sent else "<> %(cancelled)s"
    return f"""SELECT 1 FROM financing_invoice o
                   WHERE o.municipality_id = p.municipality_id AND o.organization_id = c.organization_id
                     AND o.month = %(month)s AND o.kind = %({kind})s AND o.status {statuses}"""


def _billed(kind: str, municipality_id: int | None, join: str = "JOIN", *, new_only: bool = True) -> str:
    """FROM/WHERE of the months a run of ``kind`` bills (aliases cm, c, p, cert, and i: the
    provider's draft invoice of the kind, which ``preview`` LEFT JOINs as it may be still to
    make): live months whose provider's invoice has not been sent; not settled (final); of a
    provider with no live final invoice, and (``new_only``) not on the draft yet (advance).
    The INSERT of the advance lines leaves that last test to its ``ON CONFLICT``: it is a
    ``NOT EXISTS`` over the lines, the very table the INSERT fills (see ``_create_invoices``)."""
    joins = f"""
        JOIN financing_certificate cert ON cert.id = c.certificate_id
        {join} financing_invoice i ON i.municipality_id = p.municipality_id AND i.organization_id = c.organization_id
             AND i.month = %(month)s AND i.kind = %({kind})s AND i.status = %(draft)s"""
    where = f" AND NOT EXISTS ({_invoice_of_provider(kind, sent=True)})"
    if kind == K.FINAL:
        where += f" AND NOT {SETTLED}"
    else:
        where += f"""
          AND NOT EXISTS ({_invoice_of_provider(K.FINAL, sent=False)})"""
        if new_only:
            where += """
          AND NOT EXISTS (SELECT 1 FROM financing_invoiceline l WHERE l.invoice_id = i.id AND l.contract_id = c.id)"""
    return _live_months(municipality_id, joins) + where


def _final_months(municipality_id: int | None) -> str:
    """FROM/WHERE of the months a final run bills (aliases cm, c, p, cert): live, not
    settled, of a provider with no final invoice of the month sent — ``_billed`` of a final
    run before its draft invoices exist."""
    return (_live_months(municipality_id, "\n        JOIN financing_certificate cert ON cert.id = c.certificate_id")
            + f" AND NOT EXISTS ({_invoice_of_provider(K.FINAL, sent=True)}) AND NOT {SETTLED}")


def _line_amount(sql: Dialect, kind: str) -> str:
    """What a new line pays: the advance share of the month's certificate part, or all of it."""
    return sql.share("cm.certificate_amount", "p.advance_share") if kind == K.ADVANCE else "cm.certificate_amount"


def _add_advance_lines(cursor, sql: Dialect, municipality_id, params) -> int:
    """A line for every live month not yet on the provider's draft advance (the unique
    line per invoice and contract decides), while the provider has no final invoice of
    the month."""
    amount = _line_amount(sql, K.ADVANCE)
    cursor.execute(f"""
        INSERT INTO financing_invoiceline
            (invoice_id, contract_id, contract_number, certificate_number, month_amount, completeness, amount)
        SELECT i.id, c.id, c.number, COALESCE(cert.number, ''), cm.certificate_amount, 100, {amount}
        {_billed(K.ADVANCE, municipality_id, new_only=False)}
        ON CONFLICT (invoice_id, contract_id) DO NOTHING""", params)
    return cursor.rowcount


def _select_final_lines(cursor, sql: Dialect, municipality_id, params) -> None:
    """The months a final run bills, selected once into the temporary table
    ``settlement_run``: live, not settled, of a provider that has not sent its final
    invoice of the month. The providers' invoices are made from it, then the lines. A
    temporary table, because "not settled" reads the lines (an INSERT never reads the table
    it fills) and because reading the months, contracts and certificates while writing the
    lines and their indexes made one statement 2 s slower than two (bench/README.md)."""
    cursor.execute("DROP TABLE IF EXISTS settlement_run")
    cursor.execute(f"""
        CREATE TEMPORARY TABLE settlement_run AS
        SELECT p.municipality_id, c.organization_id, c.id AS contract_id, c.number AS contract_number,
               COALESCE(cert.number, '') AS certificate_number, cm.certificate_amount AS amount
        {_final_months(municipality_id)}""", params)
    if sql.postgres:
        cursor.execute("ANALYZE settlement_run")  # temporary tables get no statistics otherwise


def _bill_and_settle(cursor, params) -> int:
    """The final run's lines: one at 100 % for every month of ``settlement_run``, on its
    provider's draft final invoice. The line settles its month and makes its reserve paid
    (both derived from it: nothing else is written), so a rerun finds nothing. Inserted in
    the order of the lines' unique index, without ``ON CONFLICT``: under the payer's lock
    an unsettled month has no line on the draft, and the unique constraint refuses the
    whole run if one ever had. Returns the lines added, which is the months settled."""
    cursor.execute("""
        INSERT INTO financing_invoiceline
            (invoice_id, contract_id, contract_number, certificate_number, month_amount, completeness, amount)
        SELECT i.id, r.contract_id, r.contract_number, r.certificate_number, r.amount, 100, r.amount
        FROM settlement_run r
        JOIN financing_invoice i ON i.municipality_id = r.municipality_id AND i.organization_id = r.organization_id
             AND i.month = %(month)s AND i.kind = %(final)s AND i.status = %(draft)s
        ORDER BY i.id, r.contract_id""", params)
    lines = cursor.rowcount
    cursor.execute("DROP TABLE settlement_run")
    return lines


def _recount(cursor, sql: Dialect, kind: str, municipality_id, params) -> list[int]:
    """Set each draft invoice's amount to the sum of its lines (a final one's advance to
    the provider's live advance of the month), where it differs. Returns the ids changed."""
    advance = "0"
    join_advance = ""
    if kind == K.FINAL:
        advance = "COALESCE(MAX(a.amount), 0)"
        join_advance = """
              LEFT JOIN financing_invoice a ON a.municipality_id = i.municipality_id
                   AND a.organization_id = i.organization_id AND a.month = i.month
                   AND a.kind = %(advance)s AND a.status <> %(cancelled)s"""
    cursor.execute(f"""
        UPDATE financing_invoice SET amount = s.amount, advance = s.advance, updated_at = %(now)s
        FROM (SELECT i.id, COALESCE({sql.total("l.amount")}, 0) AS amount, {advance} AS advance
              FROM financing_invoice i
              LEFT JOIN financing_invoiceline l ON l.invoice_id = i.id{join_advance}
              WHERE i.month = %(month)s AND i.kind = %(kind)s AND i.status = %(draft)s
                    {_where_municipality("i.municipality_id", municipality_id)}
              GROUP BY i.id) s
        WHERE financing_invoice.id = s.id
          AND (financing_invoice.amount <> s.amount OR financing_invoice.advance <> s.advance)
        RETURNING financing_invoice.id""", {**params, "kind": kind})
    return [row[0] for row in cursor.fetchall()]


def _audit_many(actor, action: str, invoice_ids, **data) -> None:
    """``audit.record`` for many invoices in one INSERT (a region's month is thousands)."""
    invoices = Invoice.objects.filter(pk__in=invoice_ids).select_related("organization").order_by("pk")
    audit.record_many(audit.event(actor, action, invoice, to_state=invoice.status, **data,
                                  amount=str(invoice.amount), advance=str(invoice.advance))
                      for invoice in invoices)


def _run(actor, kind: str, month: dt.date, municipality_id: int | None) -> Settlement:
    sql = Dialect()
    params = _params(month, municipality_id)
    with transaction.atomic():
        lock_payer(municipality_id)
        with connection.cursor() as cursor:
            if kind == K.FINAL:
                _select_final_lines(cursor, sql, municipality_id, params)
            created = _create_invoices(cursor, sql, kind, municipality_id, params)
            sql.analyze(cursor, "financing_invoice", len(created) * 100)
            if kind == K.FINAL:
                lines = settled = _bill_and_settle(cursor, params)
            else:
                lines, settled = _add_advance_lines(cursor, sql, municipality_id, params), 0
            sql.analyze(cursor, "financing_invoiceline", lines)
            updated = _recount(cursor, sql, kind, municipality_id, params)
            left_out = _left_out(cursor, municipality_id, params) if kind == K.FINAL else 0
        _audit_many(actor, "financing.invoice.created", created, month=month.isoformat(), kind=kind)
        _audit_many(actor, "financing.invoice.recounted", sorted(set(updated) - set(created)),
                    month=month.isoformat(), kind=kind)
        logs.state_change(log, "settlement.run", municipality=municipality_id, month=month.isoformat(), kind=kind,
                          invoices_created=len(created), invoices_recounted=len(set(updated) - set(created)))
    return Settlement(month=month, kind=kind, invoices_created=len(created), lines_created=lines,
                      invoices_updated=len(set(updated) - set(created)), months_settled=settled,
                      months_left_out=left_out)


def _left_out(cursor, municipality_id, params) -> int:
    """Live, unsettled months of the month whose provider's final invoice is no longer a
    draft (a contract accepted or made after the invoice was sent): not billed by this run."""
    cursor.execute(f"""SELECT COUNT(*) {_live_months(municipality_id)} AND NOT {SETTLED}
                       AND EXISTS ({_invoice_of_provider(K.FINAL, sent=True)})""", params)
    return cursor.fetchone()[0]


@dataclass(frozen=True)
class Preview:
    """A run's new lines now, their providers and amount, and (closing) months left out."""

    lines: int
    providers: int
    amount: Decimal
    months_left_out: int = 0


def preview(actor, municipality: Municipality, month: dt.date, kind: str) -> Preview:
    """The lines ``open_month`` (``kind`` advance) or ``close_month`` (final) of this
    month would add now, read from the run's own selection (``_billed``) without writing."""
    scope.require(actor, "financing.settle", municipality)
    month = first_day(month)
    sql = Dialect()
    params = _params(month, municipality.pk)
    with connection.cursor() as cursor:
        cursor.execute(f"""SELECT COUNT(*), COUNT(DISTINCT c.organization_id), {sql.total(_line_amount(sql, kind))}
                           {_billed(kind, municipality.pk, join="LEFT JOIN")}""", params)
        lines, providers, total = cursor.fetchone()
        left_out = _left_out(cursor, municipality.pk, params) if kind == K.FINAL else 0
    return Preview(lines=lines, providers=providers,
                   amount=Decimal(str(total or 0)).quantize(Decimal("0.01")), months_left_out=left_out)


def _guarded(run):
    """Turn a ledger or budget constraint hit by a run into a Russian refusal."""
    try:
        return run()
    except IntegrityError as error:
        raise ValidationFailed(_("Расчёт не выполнен: резерв сертификатов не сходится с графиком "
                                 "договоров. Обратитесь к администратору.")) from error


# --- opening and closing a month ---------------------------------------------------------


def _check_open(month: dt.date) -> dt.date:
    month = first_day(month)
    if not can_open(month):
        raise InvalidTransition(_("Авансы за %(month)s формируются с первого числа месяца.")
                                % {"month": month_label(month)})
    return month


def _check_close(month: dt.date) -> dt.date:
    month = first_day(month)
    if not can_close(month):
        raise InvalidTransition(_("Месяц %(month)s ещё не закончился: итоговые счета формируются после "
                                  "его окончания (за декабрь — с 1 декабря).") % {"month": month_label(month)})
    return month


def open_month(actor, municipality: Municipality, month: dt.date) -> Settlement:
    """The payer forms the advances of a month: for each provider a draft invoice with
    the advance share of every live contract's certificate part for the month."""
    scope.require(actor, "financing.settle", municipality)
    month = _check_open(month)
    return _guarded(lambda: _run(actor, K.ADVANCE, month, municipality.pk))


def close_month(actor, municipality: Municipality, month: dt.date) -> Settlement:
    """The payer closes an ended month (December within December): final invoices at
    100 % with the advance deducted; their lines make the months' reserve paid."""
    scope.require(actor, "financing.settle", municipality)
    month = _check_close(month)
    return _guarded(lambda: _run(actor, K.FINAL, month, municipality.pk))


def open_month_for_region(month: dt.date, municipality: Municipality | None = None) -> Settlement:
    """``open_month`` for every municipality of the region (or one), run by the system."""
    month = _check_open(month)
    return _guarded(lambda: _run(None, K.ADVANCE, month, getattr(municipality, "pk", None)))


def close_month_for_region(month: dt.date, municipality: Municipality | None = None) -> Settlement:
    """``close_month`` for every municipality of the region (or one), run by the system."""
    month = _check_close(month)
    return _guarded(lambda: _run(None, K.FINAL, month, getattr(municipality, "pk", None)))


# --- one invoice ---------------------------------------------------------------------------


def _locked(invoice: Invoice) -> Invoice:
    """The invoice re-read under the settlement lock of its payer and a row lock."""
    lock_payer(invoice.municipality_id)
    return locking.row(Invoice.objects.select_related("organization", "municipality"), invoice.pk)


def parse_percent(value) -> Decimal:
    """Completeness typed by a user: a number from 0 to 100 with at most two decimals."""
    message = _("Укажите полноту оказания услуги числом от 0 до 100, не более двух знаков после запятой.")
    if isinstance(value, float | bool):
        raise ValidationFailed({"completeness": [message]})
    try:
        percent = Decimal(str(value).strip().replace(",", ".").rstrip("%").strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed({"completeness": [message]}) from None
    if not percent.is_finite() or percent < 0 or percent > HUNDRED or percent != percent.quantize(Decimal("0.01")):
        raise ValidationFailed({"completeness": [message]})
    return percent.quantize(Decimal("0.01"))


def set_completeness(actor, line: InvoiceLine, percent) -> InvoiceLine:
    """The provider states how much of a month's service was delivered (0–100 %) while the
    final invoice is a draft; the line pays ⌊month amount × percent / 100⌋ and what is not
    paid goes back to the certificate's balance and to the period's budget."""
    scope.require(actor, "financing.provide", line.invoice)
    percent = parse_percent(percent)
    with transaction.atomic():
        invoice = _locked(line.invoice)
        line = locking.row(InvoiceLine.objects.select_related("contract"), line.pk)
        if invoice.kind not in BILLED_BY_COMPLETENESS or invoice.status != S.DRAFT:
            raise InvalidTransition(_("Полноту оказания услуги можно изменить только в черновике итогового "
                                      "счёта."))
        before = line.completeness
        changed, refund, new_amount = change_line(invoice, line, percent)
        if not changed:
            return line
        audit.record(actor, "financing.invoice.completeness_changed", invoice, from_state=invoice.status,
                     to_state=invoice.status, contract=line.contract_number,
                     completeness_from=str(before), completeness_to=str(percent),
                     amount=str(new_amount), returned=str(refund), invoice_amount=str(invoice.amount))
    return line


# Invoices whose lines pay by the completeness of the month (and may be disputed).
BILLED_BY_COMPLETENESS = (K.FINAL, K.SUPPLEMENTARY)


def change_line(invoice: Invoice, line: InvoiceLine, percent: Decimal) -> tuple[bool, Decimal, Decimal]:
    """Set a line of a final or supplementary invoice to ``percent`` (the caller holds the
    invoice's lock and has checked who may): the line pays ⌊month amount × percent / 100⌋
    and the difference returns to the certificate's balance and the period's budget (or
    is taken again). Returns (changed, returned, new amount)."""
    new_amount = floor_kopecks(Fraction(line.month_amount) * Fraction(percent) / 100)
    refund = line.amount - new_amount  # negative when completeness is raised again
    if refund == 0 and percent == line.completeness:
        return False, refund, new_amount
    if refund:
        reserves.refund(line.contract, refund)
        # The amount computed here under the invoice's lock, not as SQL arithmetic
        # (SQLite would do it in floating point and leave 3382.5299999999997).
        Invoice.objects.filter(pk=invoice.pk).update(amount=invoice.amount - refund, updated_at=timezone.now())
    line.completeness, line.amount = percent, new_amount
    line.save(update_fields=["completeness", "amount"])
    invoice.refresh_from_db(fields=["amount", "updated_at"])
    return True, refund, new_amount


def _transition(actor, invoice: Invoice, *, action: str, permission: str, allowed: tuple, to: str,
                refusal: str, reason: str = "", effect=None) -> Invoice:
    scope.require(actor, permission, invoice)
    with transaction.atomic():
        invoice = _locked(invoice)
        if invoice.status not in allowed:
            raise InvalidTransition(refusal % {"status": invoice.get_status_display().lower()})
        before = invoice.status
        invoice.status = to
        invoice.save(update_fields=["status", "updated_at"])
        if effect is not None:  # after the status: a cancelled final invoice no longer settles its months
            effect(invoice)
        audit.record(actor, f"financing.invoice.{action}", invoice, from_state=before, to_state=to,
                     reason=reason, amount=str(invoice.amount), advance=str(invoice.advance))
        logs.state_change(log, "invoice.status_changed", invoice=invoice.pk, municipality=invoice.municipality_id,
                          organization=invoice.organization_id, from_status=before, to_status=to)
    return invoice


def submit_invoice(actor, invoice: Invoice) -> Invoice:
    """The provider sends its draft invoice to the payer; completeness is fixed from then on."""
    return _transition(actor, invoice, action="submitted", permission="financing.provide",
                       allowed=(S.DRAFT,), to=S.SUBMITTED,
                       refusal=_("Направить можно только черновик счёта; этот счёт — %(status)s."))


def accept_invoice(actor, invoice: Invoice) -> Invoice:
    """The payer accepts a submitted invoice; a line held over a parent's dispute refuses
    it, disputes not held are closed (``disputes.invoice_accepted``)."""
    from opora.financing import disputes

    return _transition(actor, invoice, action="accepted", permission="financing.settle",
                       allowed=(S.SUBMITTED,), to=S.ACCEPTED,
                       effect=lambda locked: disputes.invoice_accepted(actor, locked),
                       refusal=_("Принять можно только направленный счёт; этот счёт — %(status)s."))


def mark_paid(actor, invoice: Invoice) -> Invoice:
    """The payer records the payment of an accepted invoice."""
    return _transition(actor, invoice, action="paid", permission="financing.settle",
                       allowed=(S.ACCEPTED,), to=S.PAID,
                       refusal=_("Отметить оплату можно только у принятого счёта; этот счёт — %(status)s."))


def cancel_invoice(actor, invoice: Invoice, reason: str) -> Invoice:
    """The payer cancels a draft or submitted invoice. A final invoice gives its months
    back (paid returns to the reserve, the months are no longer settled), so the month can
    be closed again; an advance is taken off the provider's draft final invoice."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_("Укажите причину отмены счёта.")]})
    from opora.financing import disputes

    def effect(locked):
        disputes.invoice_cancelled(actor, locked)
        (_drop_advance if locked.kind == K.ADVANCE else _unsettle)(locked)

    try:
        return _transition(actor, invoice, action="cancelled", permission="financing.settle",
                           allowed=(S.DRAFT, S.SUBMITTED), to=S.CANCELLED, reason=reason, effect=effect,
                           refusal=_("Отменить можно только черновик или направленный счёт; этот счёт — "
                                     "%(status)s."))
    except IntegrityError as error:
        raise ValidationFailed(_("Счёт нельзя отменить: средства, возвращённые по полноте оказания услуги, "
                                 "уже использованы на сертификатах или в бюджете периода.")) from error


def _unsettle(invoice: Invoice) -> None:
    """Give a final invoice's months back: once it is cancelled its lines no longer settle
    their months nor count as paid (both derived), so what is written is the part a
    completeness below 100 % had returned, committed again on the ledgers and in the
    periods, in two set-based statements."""
    sql = Dialect()
    params = {"invoice": invoice.pk, "month": connection.ops.adapt_datefield_value(invoice.month)}
    with transaction.atomic(), connection.cursor() as cursor:  # a savepoint: a refusal changes nothing
        cursor.execute(f"""
            UPDATE financing_certificateledger
            SET committed = {sql.money("committed + s.returned")}
            FROM (SELECT c.ledger_id, {sql.total("l.month_amount - l.amount")} AS returned
                  FROM financing_invoiceline l JOIN financing_contract c ON c.id = l.contract_id
                  WHERE l.invoice_id = %(invoice)s AND l.amount <> l.month_amount
                  GROUP BY c.ledger_id) s
            WHERE financing_certificateledger.id = s.ledger_id""", params)
        cursor.execute(f"""
            UPDATE financing_financingperiod
            SET committed = {sql.money("committed + s.returned")}
            FROM (SELECT c.period_id, {sql.total("l.month_amount - l.amount")} AS returned
                  FROM financing_invoiceline l JOIN financing_contract c ON c.id = l.contract_id
                  WHERE l.invoice_id = %(invoice)s AND l.amount <> l.month_amount
                  GROUP BY c.period_id) s
            WHERE financing_financingperiod.id = s.period_id""", params)
    # A contract terminated before this month (backdated after the month was closed) no
    # longer pays for it: the month is cancelled and its reserve released, as the
    # termination would have done had the month not been settled yet.
    ended = (Contract.objects.filter(invoice_lines__invoice=invoice, terminated_on__lt=invoice.month)
             .order_by("pk").distinct())
    for contract in ended:
        reserves.release_months(contract, reserves.open_months(contract).filter(month=invoice.month))


def _drop_advance(invoice: Invoice) -> None:
    """An advance cancelled: the provider's draft final invoice no longer deducts it; an
    advance already deducted on a submitted final invoice cannot be cancelled."""
    finals = Invoice.objects.filter(municipality_id=invoice.municipality_id,
                                    organization_id=invoice.organization_id, month=invoice.month,
                                    kind=K.FINAL).exclude(status=S.CANCELLED)
    if finals.exclude(status=S.DRAFT).exists():
        raise InvalidTransition(_("Аванс уже учтён в направленном итоговом счёте за этот месяц: сначала "
                                  "отмените итоговый счёт."))
    finals.update(advance=0, updated_at=timezone.now())
