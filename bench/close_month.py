"""Closing a month of personified financing for a whole region, next to its bare SQL.

    .venv/bin/python bench/close_month.py [--reset] [--children 460000] [--month 2026-10] [--runs 5]
                                          [--no-advances]

On the PostgreSQL database ``opora_close_month`` (created when missing, 127.0.0.1 only;
``CLOSE_MONTH_DATABASE_URL`` overrides):

1. migrates and loads the region's registry with ``bench/generate.py`` (40
   municipalities, 5,000 organizations, 100,000 groups; left alone when filled);
2. loads with COPY, when the financing tables are empty (or with ``--reset``): one
   financing period per municipality for the school year, children with an issued
   financing certificate and its ledger, their applications, contracts in groups running
   in the month (priced with ``pricing.price_contract``: most children one contract, some
   two, some none; 96 % active, 2 % closed at the end of December, 2 % awaiting the
   parent) and each contract's monthly schedule, the ledgers' reserves and the periods'
   budgets agreeing with them; then the months of the school year before the
   benchmark's month are opened and closed through ``settlement``, as the region
   would have done (untimed), so the tables look like months of settling;
3. undoes any earlier run of the month (so the timing is repeatable), ``VACUUM ANALYZE``;
4. times ``settlement.open_month_for_region`` for the month (unless ``--no-advances``)
   and, right after it, the bare ``INSERT … SELECT`` below (the same months) for its ratio;
   with the school year's first month the invoice tables are then empty, as in a
   region's first month; then ``--runs`` times (each after taking back the previous
   final invoices and ``VACUUM ANALYZE``): ``close_month_for_region`` and, right after
   it in the same run, the bare ``INSERT … SELECT`` that computes the same final lines
   into a temporary table;
   checks that both give the same lines and amounts; prints each run's ratio and load
   average, the medians, and the statements of the median run; last runs ``close_month``
   (and ``open_month``) again: they must change nothing.

The month defaults to the last one that has ended. Deterministic for a given ``--seed``.
"""

import argparse
import datetime as dt
import functools
import os
import random
import statistics
import sys
import time
import urllib.parse
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/opora_close_month"
LOOPBACK = {"127.0.0.1", "localhost"}
FINANCING_TABLES = ["enrollment_child", "enrollment_application", "financing_financingperiod",
                    "financing_certificate", "financing_certificateledger", "financing_contract",
                    "financing_contractmonth", "financing_invoice", "financing_invoiceline"]
NOMINAL = Decimal("40000.00")
PRICES = [Decimal(p) for p in ("13500.00", "18000.00", "22500.00", "27000.00", "31500.00", "36000.00")]
CHUNK = 50_000


def _database(url):
    parts = urllib.parse.urlparse(url)
    if parts.scheme not in ("postgres", "postgresql") or parts.hostname not in LOOPBACK:
        sys.exit("close_month.py runs on a PostgreSQL server on 127.0.0.1 only")
    name = parts.path.lstrip("/")
    import psycopg

    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def _previous_month(today: dt.date) -> dt.date:
    first = dt.date(today.year, today.month, 1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def _month_arg(value: str) -> dt.date:
    return dt.datetime.strptime(value, "%Y-%m").date()


# --- loading -----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=100_000)
def _price(group_start, group_end, start, end, module_price, balance):
    from opora.financing.pricing import price_contract

    return price_contract(group_start=group_start, group_end=group_end, start=start, end=end,
                          module_price=module_price, normative_cost=(module_price * Decimal("0.8")).quantize(
                              Decimal("0.01")), balance=balance)


class FinancingLoader:
    """Children, certificates, ledgers, applications, contracts and months, with COPY."""

    def __init__(self, args, month):
        from django.db import connection

        self.connection = connection
        self.rng = random.Random(args.seed)
        self.args = args
        self.month = month
        self.now = dt.datetime.now(dt.UTC)
        self.school_start = dt.date(month.year if month.month >= 9 else month.year - 1, 9, 1)
        self.school_end = dt.date(self.school_start.year + 1, 8, 31)
        self.counts = dict.fromkeys(FINANCING_TABLES[:7], 0)

    def copy(self, table, columns, rows):
        with self.connection.cursor() as cursor, cursor.cursor.copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        self.counts[table] += len(rows)

    def uuid(self):
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def groups_by_municipality(self):
        """Groups running in the month, per municipality, with their free seats: a
        contract needs a seat and must touch the month."""
        month_end = (self.month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        with self.connection.cursor() as cursor:
            cursor.execute("""
                SELECT o.municipality_id, g.id, g.module_id, o.id, g.start_date, g.end_date,
                       g.capacity_max - g.seats_taken
                FROM registry_group g JOIN registry_module m ON m.id = g.module_id
                JOIN registry_program p ON p.id = m.program_id JOIN registry_organization o ON o.id = p.organization_id
                WHERE g.is_active AND g.start_date <= %s AND g.end_date >= %s
                  AND g.start_date >= %s AND g.capacity_max > g.seats_taken
                ORDER BY g.id""", [month_end, self.month, self.school_start])
            rows = cursor.fetchall()
        groups = {}
        for mun, *group in rows:
            groups.setdefault(mun, []).append(list(group))
        for listed in groups.values():
            self.rng.shuffle(listed)
        return groups

    def load(self):
        from opora.enrollment.rules import identity_key

        groups = self.groups_by_municipality()
        municipalities = sorted(groups)
        weights = [sum(g[5] for g in groups[m]) for m in municipalities]
        cursor_of = dict.fromkeys(municipalities, 0)
        periods = {m: m for m in municipalities}  # period id = municipality id
        self.copy("financing_financingperiod", [
            "id", "uuid", "municipality_id", "title", "starts_on", "ends_on", "budget", "certificates_cap", "nominal",
            "nominal_unit", "hour_cost", "fallback_on", "advance_share", "price_cap_share", "committed",
            "financing_places", "created_at", "updated_at"], [
            (periods[m], self.uuid(), m, f"ПФДО {self.school_start.year}/{self.school_end.year}", self.school_start,
             self.school_end, Decimal("999999999999.00"), 1_000_000, NOMINAL, "roubles", None, None,
             Decimal("0.8000"), Decimal("1.5000"), 0, 0, self.now, self.now) for m in municipalities])

        from bench import words as w

        child_id = contract_id = month_id = application_id = 0
        for chunk_start in range(0, self.args.children, CHUNK):
            rows = {table: [] for table in FINANCING_TABLES[:7] if table != "financing_financingperiod"}
            for _ in range(chunk_start, min(chunk_start + CHUNK, self.args.children)):
                child_id += 1
                mun = self.rng.choices(municipalities, weights)[0]
                male = self.rng.random() < 0.5
                last = self.rng.choice(w.LAST_NAMES_M if male else w.LAST_NAMES)
                first = self.rng.choice(w.FIRST_NAMES_M if male else w.FIRST_NAMES)
                patronymic = self.rng.choice(w.PATRONYMICS_M if male else w.PATRONYMICS)
                birth = self.school_start - dt.timedelta(days=self.rng.randint(5 * 365 + 2, 17 * 365))
                rows["enrollment_child"].append((
                    child_id, self.uuid(), last, first, patronymic, birth, "male" if male else "female", mun,
                    self.rng.random() < 0.2, False, False, False, "", identity_key(last, first, patronymic, birth),
                    self.now, self.now))
                rows["financing_certificate"].append((
                    child_id, self.uuid(), child_id, mun, f"{9_900_000_000 + child_id}", "financing", "issued", True,
                    None, dt.date(birth.year + 18, 1, 1), None, self.now, None, self.now, "", self.now, self.now))
                share = self.rng.random()
                wanted = 0 if share < 0.10 else (2 if share > 0.92 else 1)
                balance, committed = NOMINAL, Decimal("0.00")
                taken = set()
                for _n in range(wanted):
                    listed = groups[mun]
                    group = None
                    for _try in range(len(listed)):
                        candidate = listed[cursor_of[mun] % len(listed)]
                        cursor_of[mun] += 1
                        if candidate[5] > 0 and candidate[0] not in taken:
                            group = candidate
                            break
                    if group is None or balance <= 0:
                        break
                    group[5] -= 1
                    taken.add(group[0])
                    group_id, module_id, organization_id, group_start, group_end, _free = group
                    start = max(group_start, self.school_start)
                    end = min(group_end, self.school_end)
                    price = _price(group_start, group_end, start, end, self.rng.choice(PRICES), balance)
                    if price.certificate_part <= 0:
                        break
                    draw = self.rng.random()
                    status = "active" if draw < 0.96 else ("closed" if draw < 0.98 else "confirmed")
                    application_id += 1
                    contract_id += 1
                    app_status = {"active": "enrolled", "closed": "completed", "confirmed": "awaiting_contract"}
                    rows["enrollment_application"].append((
                        application_id, self.uuid(), child_id, group_id, app_status[status], None, "cabinet", None,
                        "", None, self.now, self.now, self.now, False))
                    terminated = dt.date(self.month.year, 12, 31) if status == "closed" else None
                    rows["financing_contract"].append((
                        contract_id, self.uuid(), f"{mun:02d}-{contract_id:07d}", application_id, child_id,
                        periods[mun], child_id, organization_id, module_id, group_id, status, start, start, end,
                        terminated,
                        price.total, price.normative, price.certificate_part, price.parent_part, "",
                        None if status == "confirmed" else self.now, self.now, self.now))
                    balance -= price.certificate_part
                    for part in price.months:
                        month_id += 1
                        cancelled = terminated is not None and part.month > terminated
                        if not cancelled:
                            committed += part.certificate
                        rows["financing_contractmonth"].append((
                            month_id, contract_id, part.month, part.certificate, part.parent, cancelled))
                rows["financing_certificateledger"].append((child_id, child_id, periods[mun], NOMINAL, committed,
                                                            None))
            for table, columns in [
                ("enrollment_child", ["id", "uuid", "last_name", "first_name", "patronymic", "birth_date", "sex",
                                      "municipality_id", "is_rural", "has_ovz", "is_disabled", "difficult_situation",
                                      "snils", "identity_key", "created_at", "updated_at"]),
                ("financing_certificate", ["id", "uuid", "child_id", "municipality_id", "number", "kind", "status",
                                           "wants_financing", "financing_wanted_at", "valid_until",
                                           "requested_by_id", "requested_at", "decided_by_id", "decided_at",
                                           "reason", "created_at", "updated_at"]),
                ("financing_certificateledger", ["id", "certificate_id", "period_id", "nominal", "committed",
                                                 "frozen_nominal"]),
                ("enrollment_application", ["id", "uuid", "child_id", "group_id", "status", "queue_number",
                                            "channel", "created_by_id", "reason", "ended_on", "status_changed_at",
                                            "created_at", "updated_at", "ended_by_parent"]),
                ("financing_contract", ["id", "uuid", "number", "application_id", "certificate_id", "period_id",
                                        "ledger_id", "organization_id", "module_id", "group_id", "status", "signed_on",
                                        "starts_on", "ends_on", "terminated_on", "total", "normative",
                                        "certificate_part", "parent_part", "reason", "accepted_at", "created_at",
                                        "updated_at"]),
                ("financing_contractmonth", ["id", "contract_id", "month", "certificate_amount", "parent_amount",
                                             "cancelled"]),
            ]:
                self.copy(table, columns, rows[table])
        with self.connection.cursor() as cursor:
            # the periods' budgets and places agree with the ledgers; seat counters with the applications
            cursor.execute("""
                UPDATE financing_financingperiod p SET committed = s.committed, financing_places = s.places,
                       budget = ceil(s.committed * 1.1), certificates_cap = s.places + 100
                FROM (SELECT period_id, sum(committed) AS committed, count(*) AS places
                      FROM financing_certificateledger GROUP BY period_id) s
                WHERE p.id = s.period_id""")
            for table in FINANCING_TABLES:
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)")
        from opora.enrollment.seats import recount_seats

        recount_seats()
        return self.counts

    def history(self):
        """Settle the months of the school year before the benchmark's month through
        ``settlement``, as the region would have done: the tables then hold what months
        of settling leave behind (updated rows, space freed by VACUUM), not freshly
        packed pages that no UPDATE has touched."""
        from opora.financing import settlement

        earlier = self.school_start
        while earlier < self.month:
            started = time.perf_counter()
            settlement.open_month_for_region(earlier)
            closed = settlement.close_month_for_region(earlier)
            print(f"history: {earlier:%Y-%m} settled ({closed.months_settled:,} months) "
                  f"in {time.perf_counter() - started:.1f} s", flush=True)
            earlier = (earlier + dt.timedelta(days=32)).replace(day=1)


# --- the run -------------------------------------------------------------------------------------------


BARE_SQL = """
    INSERT INTO bare_lines
    SELECT p.municipality_id, c.organization_id, c.id, c.number, COALESCE(cert.number, ''),
           cm.certificate_amount, 100, cm.certificate_amount
    FROM financing_contractmonth cm
    JOIN financing_contract c ON c.id = cm.contract_id
    JOIN financing_financingperiod p ON p.id = c.period_id
    JOIN financing_certificate cert ON cert.id = c.certificate_id
    WHERE cm.month = %(month)s AND NOT cm.cancelled AND cm.certificate_amount > 0
      AND c.status IN ('active', 'closed')"""


def undo(cursor, month, kinds=("advance", "final")):
    """Take back an earlier run of the month: ledgers, invoices of ``kinds`` (with their
    lines, which settled the months) and their audit (between the timed runs only the
    final invoices are taken back)."""
    params = {"month": month, "kinds": list(kinds)}
    cursor.execute("""
        UPDATE financing_certificateledger SET committed = committed + s.returned
        FROM (SELECT c.ledger_id, sum(l.month_amount - l.amount) AS returned
              FROM financing_invoiceline l JOIN financing_invoice i ON i.id = l.invoice_id
              JOIN financing_contract c ON c.id = l.contract_id
              WHERE i.month = %(month)s AND i.kind = 'final' AND i.status <> 'cancelled'
                AND l.amount <> l.month_amount
              GROUP BY c.ledger_id) s
        WHERE financing_certificateledger.id = s.ledger_id""", params)
    of_month = "SELECT id FROM financing_invoice WHERE month = %(month)s AND kind = ANY(%(kinds)s)"
    cursor.execute(f"""DELETE FROM audit_auditevent WHERE target_type = 'financing.invoice'
                       AND target_id IN (SELECT id::text FROM ({of_month}) i)""", params)
    cursor.execute(f"DELETE FROM financing_invoiceline WHERE invoice_id IN ({of_month})", params)
    cursor.execute("DELETE FROM financing_invoice WHERE month = %(month)s AND kind = ANY(%(kinds)s)", params)


def totals(cursor, month):
    cursor.execute("""
        SELECT (SELECT count(*) FROM financing_invoice WHERE month = %(month)s),
               (SELECT count(*) FROM financing_invoiceline l JOIN financing_invoice i ON i.id = l.invoice_id
                WHERE i.month = %(month)s),
               (SELECT coalesce(sum(amount), 0) FROM financing_invoice WHERE month = %(month)s AND kind = 'final'),
               (SELECT coalesce(sum(advance), 0) FROM financing_invoice WHERE month = %(month)s AND kind = 'final'),
               (SELECT sum(committed) FROM financing_certificateledger),
               (SELECT count(*) FROM financing_invoiceline l JOIN financing_invoice i ON i.id = l.invoice_id
                WHERE i.month = %(month)s AND i.kind IN ('final', 'supplementary') AND i.status <> 'cancelled'),
               (SELECT max(updated_at) FROM financing_invoice),
               (SELECT count(*) FROM audit_auditevent)""", {"month": month})
    return cursor.fetchone()


def timed(call):
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def _median(values):
    return statistics.median(values)


def _vacuum(connection):
    for table in FINANCING_TABLES + ["audit_auditevent"]:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {table}")


def _clock(statements):
    """An execute wrapper appending (seconds, start of the SQL) of each statement run."""
    def clock(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((time.perf_counter() - started, " ".join(sql.split())[:70]))
    return clock


def _print_statements(total, statements):
    for seconds, sql in statements:
        if seconds >= 0.05:
            print(f"    {seconds:6.2f} s  {sql}")
    print(f"    {total - sum(s for s, _ in statements):6.2f} s  the rest: COMMIT (with any deferred "
          f"foreign-key checks of the new lines) and Python")


def _bare(connection, month):
    """The bare INSERT … SELECT of the month's final lines into an unindexed temporary
    table: (seconds, lines, sum)."""
    with connection.cursor() as cursor:
        cursor.execute("""CREATE TEMP TABLE bare_lines (municipality_id bigint, organization_id bigint,
                          contract_id bigint, contract_number varchar(30), certificate_number varchar(10),
                          month_amount numeric(14, 2), completeness numeric(5, 2), amount numeric(14, 2))""")
        seconds, _ = timed(lambda: cursor.execute(BARE_SQL, {"month": month}))
        cursor.execute("SELECT count(*), sum(amount) FROM bare_lines")
        count, total = cursor.fetchone()
        cursor.execute("DROP TABLE bare_lines")
    return seconds, count, total


def run(args, month):
    from django.db import connection

    from opora.financing import settlement

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM financing_contract WHERE status IN ('active', 'closed')")
        contracts = cursor.fetchone()[0]
        cursor.execute("""SELECT count(*) FROM financing_contractmonth cm JOIN financing_contract c
                          ON c.id = cm.contract_id WHERE cm.month = %s AND NOT cm.cancelled
                          AND cm.certificate_amount > 0 AND c.status IN ('active', 'closed')""", [month])
        live = cursor.fetchone()[0]
        undo(cursor, month)
    _vacuum(connection)
    print(f"month {month:%Y-%m}: {contracts:,} live contracts, {live:,} of them with a certificate "
          f"amount in the month")

    if args.advances:
        # none of the month's invoices here; for the school year's first month, no invoice at all
        load_before = os.getloadavg()[0]
        statements = []
        with connection.execute_wrapper(_clock(statements)):
            open_time, opened = timed(lambda: settlement.open_month_for_region(month))
        bare_time = _bare(connection, month)[0]
        load = (load_before + os.getloadavg()[0]) / 2
        print(f"open_month (advances):     {open_time:7.2f} s  invoices {opened.invoices_created:,}, "
              f"lines {opened.lines_created:,}; bare INSERT … SELECT {bare_time:5.2f} s, "
              f"ratio {open_time / bare_time:5.2f} ×, load average {load:4.2f}", flush=True)
        _print_statements(open_time, statements)
    runs = []
    for number in range(1, args.runs + 1):
        if number > 1:
            with connection.cursor() as cursor:
                undo(cursor, month, kinds=("final",))
        _vacuum(connection)
        load_before = os.getloadavg()[0]
        statements = []
        with connection.execute_wrapper(_clock(statements)):
            close_time, closed = timed(lambda: settlement.close_month_for_region(month))
        bare_time, bare_count, bare_sum = _bare(connection, month)
        load = (load_before + os.getloadavg()[0]) / 2
        with connection.cursor() as cursor:
            cursor.execute("""SELECT count(*), sum(l.amount) FROM financing_invoiceline l
                              JOIN financing_invoice i ON i.id = l.invoice_id
                              WHERE i.month = %s AND i.kind = 'final' AND i.status <> 'cancelled'""", [month])
            final_count, final_sum = cursor.fetchone()
        assert (final_count, final_sum) == (bare_count, bare_sum), "close_month and the bare SQL disagree"
        runs.append((close_time, bare_time, close_time / bare_time, load, statements, closed))
        print(f"run {number}: close_month {close_time:6.2f} s, bare INSERT … SELECT {bare_time:5.2f} s, "
              f"ratio {close_time / bare_time:5.2f} ×, load average {load:4.2f}  (lines {closed.lines_created:,}, "
              f"months settled {closed.months_settled:,}, sum {bare_sum:,})", flush=True)

    with connection.cursor() as cursor:
        before = totals(cursor, month)
    rerun_time, rerun = timed(lambda: settlement.close_month_for_region(month))
    reopen_time, reopened = timed(lambda: settlement.open_month_for_region(month)) if args.advances else (0, None)
    with connection.cursor() as cursor:
        after = totals(cursor, month)
    assert rerun.changed == 0 and after == before, "a second run changed rows"
    assert reopened is None or reopened.changed == 0, "opening the month again changed rows"

    closed = runs[-1][5]
    print(f"close_month (final):       median {_median([r[0] for r in runs]):6.2f} s  invoices "
          f"{closed.invoices_created:,}, lines {closed.lines_created:,}, months settled {closed.months_settled:,}")
    print(f"bare INSERT … SELECT:      median {_median([r[1] for r in runs]):6.2f} s")
    print(f"close_month / bare SQL:    median {_median([r[2] for r in runs]):6.2f} ×  "
          f"(runs: {', '.join(f'{r[2]:.2f}' for r in runs)}; load average {_median([r[3] for r in runs]):.2f})")
    median_run = sorted(runs, key=lambda r: r[0])[len(runs) // 2]
    print(f"close_month of the median run ({median_run[0]:.2f} s), statement by statement:")
    _print_statements(median_run[0], median_run[4])
    print(f"close_month again:         {rerun_time:7.2f} s  rows changed {rerun.changed}")
    if reopened is not None:
        print(f"open_month again:          {reopen_time:7.2f} s  rows changed {reopened.changed}")
    print(f"final invoices: amount {before[2]:,}, advances deducted {before[3]:,}, due {before[2] - before[3]:,}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--reset", action="store_true", help="load the financing data again")
    parser.add_argument("--children", type=int, default=460_000)
    parser.add_argument("--month", type=_month_arg, help="ГГГГ-ММ, by default the last month that has ended")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-advances", dest="advances", action="store_false",
                        help="close the month without opening its advances first")
    parser.add_argument("--runs", type=int, default=5, help="timed closes of the month (each after an undo)")
    args = parser.parse_args(argv)

    url = os.environ.get("CLOSE_MONTH_DATABASE_URL", DEFAULT_DATABASE)
    _database(url)
    os.environ["DATABASE_URL"] = url
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    from bench import generate  # sets Django up

    generate.main([f"--seed={args.seed}"])  # migrates; loads the registry when empty

    from django.db import connection, transaction
    from django.utils import timezone

    month = args.month or _previous_month(timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM financing_contract")
        existing = cursor.fetchone()[0]
    if existing and not args.reset:
        print(f"{existing:,} contracts already there; run with --reset to load again.")
    else:
        started = time.perf_counter()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {', '.join(FINANCING_TABLES)} RESTART IDENTITY CASCADE")
                cursor.execute("UPDATE registry_group SET seats_taken = 0, queue_last = 0")
            counts = FinancingLoader(args, month).load()
        for table, count in counts.items():
            print(f"{table:30} {count:>10,}")
        print(f"loaded in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM financing_invoice WHERE month < %s", [month])
        settled_before = cursor.fetchone()[0]
    if not settled_before:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        FinancingLoader(args, month).history()
    run(args, month)
    return 0


if __name__ == "__main__":
    sys.exit(main())
