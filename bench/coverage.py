"""Coverage of a region-scale population, next to its bare SQL.

    .venv/bin/python bench/coverage.py [--reset] [--scale 1.0] [--rounds 3]

On the PostgreSQL database ``opora_coverage`` (created when missing, 127.0.0.1 only;
``COVERAGE_DATABASE_URL`` overrides):

1. migrates and loads the region's registry with ``bench/generate.py`` (40
   municipalities, 5,000 organizations, 100,000 groups; left alone when filled);
2. loads with COPY, when there are no children (or with ``--reset``): 1,000,000 × scale
   children aged 3–19 spread over the municipalities (10 % studying in a municipality
   other than their own), 3 enrolments per child on average in groups of the current
   school year (85 % enrolled, 8 % expelled, 7 % completed, some enrolled after today),
   and the population of children 5–17 of each municipality; ``VACUUM ANALYZE``;
3. times, ``--rounds`` times each, taking the best: ``indicators.compute`` for the region
   on today (every indicator and breakdown, the municipalities side by side, last year's
   values) and for one municipality, and the «Мониторинг» page of that municipality's
   МОЦ through Django's test client; then replays the very statements ``compute``
   ran (captured) on a raw cursor — the bare ``COUNT(DISTINCT …)`` SQL the figures stand
   on — and prints the ratio. A hand-written single ``COUNT(DISTINCT child_id)`` of the
   region's coverage checks the total.

Deterministic for a given ``--seed``.
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/opora_coverage"
LOOPBACK = {"127.0.0.1", "localhost"}
CHUNK = 50_000

BARE_COVERAGE = """
    SELECT COUNT(DISTINCT a.child_id)
    FROM enrollment_application a
    JOIN enrollment_child c ON c.id = a.child_id
    JOIN registry_group g ON g.id = a.group_id
    WHERE c.birth_date <= %(age5)s AND c.birth_date > %(age18)s
      AND a.enrolled_on IS NOT NULL AND a.enrolled_on <= %(day)s
      AND a.status IN ('enrolled', 'expelled', 'completed', 'withdrawn')
      AND g.start_date <= %(day)s AND g.end_date >= %(day)s
      AND (a.status = 'enrolled' OR COALESCE(a.ended_on, a.status_changed_at::date) >= %(day)s)"""


def _database(url):
    parts = urllib.parse.urlparse(url)
    if parts.scheme not in ("postgres", "postgresql") or parts.hostname not in LOOPBACK:
        sys.exit("coverage.py runs on a PostgreSQL server on 127.0.0.1 only")
    name = parts.path.lstrip("/")
    import psycopg

    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def load(args, today):
    """Children, applications and the population, with COPY."""
    from django.db import connection

    from bench import words as w

    rng = random.Random(args.seed)
    now = dt.datetime.now(dt.UTC)
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT o.municipality_id, g.id, g.start_date, g.end_date
            FROM registry_group g JOIN registry_module m ON m.id = g.module_id
            JOIN registry_program p ON p.id = m.program_id
            JOIN registry_organization o ON o.id = p.organization_id
            WHERE g.start_date <= %s ORDER BY g.id""", [today + dt.timedelta(days=30)])
        groups = {}
        for municipality, *group in cursor.fetchall():
            groups.setdefault(municipality, []).append(group)
    municipalities = sorted(groups)
    children_total = int(1_000_000 * args.scale)
    child_id = application_id = 0
    living = dict.fromkeys(municipalities, 0)

    def copy(table, columns, rows):
        with connection.cursor() as cursor, cursor.cursor.copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN") as stream:
            for row in rows:
                stream.write_row(row)

    for chunk_start in range(0, children_total, CHUNK):
        children, applications = [], []
        for _ in range(chunk_start, min(chunk_start + CHUNK, children_total)):
            child_id += 1
            home = rng.choice(municipalities)
            male = rng.random() < 0.5
            birth = today - dt.timedelta(days=rng.randint(3 * 365, 19 * 365))
            if dt.timedelta(days=5 * 365) <= today - birth < dt.timedelta(days=18 * 365):
                living[home] += 1
            children.append((
                child_id, uuid.UUID(int=rng.getrandbits(128), version=4),
                rng.choice(w.LAST_NAMES_M if male else w.LAST_NAMES),
                rng.choice(w.FIRST_NAMES_M if male else w.FIRST_NAMES), "", birth,
                "male" if male else "female", home, rng.random() < 0.2, rng.random() < 0.03,
                rng.random() < 0.02, rng.random() < 0.04, "", f"bench-{child_id}", now, now))
            taken = set()
            for _ in range(rng.choice([1, 2, 3, 3, 4, 5])):
                where = home if rng.random() < 0.9 else rng.choice(municipalities)
                group_id, start, end = rng.choice(groups[where])
                if group_id in taken:
                    continue
                taken.add(group_id)
                application_id += 1
                enrolled = start + dt.timedelta(days=rng.randint(0, 40))
                roll = rng.random()
                status, ended = "enrolled", None
                if roll < 0.08:
                    status, ended = "expelled", enrolled + dt.timedelta(days=rng.randint(1, 120))
                elif roll < 0.15:
                    status, ended = "completed", min(end, enrolled + dt.timedelta(days=rng.randint(30, 300)))
                changed = dt.datetime.combine(ended or enrolled, dt.time(12), dt.UTC)
                applications.append((
                    application_id, uuid.UUID(int=rng.getrandbits(128), version=4), child_id, group_id,
                    status, None, "provider", None, "", enrolled, ended, False, changed, now, now))
        copy("enrollment_child", [
            "id", "uuid", "last_name", "first_name", "patronymic", "birth_date", "sex",
            "municipality_id", "is_rural", "has_ovz", "is_disabled", "difficult_situation", "snils",
            "identity_key", "created_at", "updated_at"], children)
        copy("enrollment_application", [
            "id", "uuid", "child_id", "group_id", "status", "queue_number", "channel",
            "created_by_id", "reason", "enrolled_on", "ended_on", "ended_by_parent", "status_changed_at", "created_at",
            "updated_at"], applications)
        print(f"loaded {child_id:,} children, {application_id:,} applications", flush=True)
    # a population that puts coverage near the target: those covered are about 80–95 %
    copy("registry_municipalitypopulation", ["municipality_id", "year", "children_5_17"],
         [(m, today.year, int(living[m] * rng.uniform(1.0, 1.2))) for m in municipalities])
    with connection.cursor() as cursor:
        for table in ("enrollment_child", "enrollment_application"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)")
    from opora.enrollment.seats import recount_seats

    recount_seats()
    return child_id, application_id


def best(call, rounds):
    times, result = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return min(times), result


def run(args, today):
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import setup_test_environment

    from opora.accounts.models import Role, User
    from opora.monitoring import indicators

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM enrollment_child")
        children = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM enrollment_application")
        applications = cursor.fetchone()[0]
        cursor.execute("SELECT municipality_id FROM enrollment_child GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
        municipality_id = cursor.fetchone()[0]
    print(f"{children:,} children, {applications:,} applications; reference date {today}")

    statements = []

    def capture(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    if not args.no_region:
        with connection.execute_wrapper(capture):
            region_values = indicators.compute(today)
    region_sql = list(statements)
    statements.clear()
    with connection.execute_wrapper(capture):
        one_values = indicators.compute(today, municipality_id)
    one_sql = list(statements)

    if not args.no_region:
        region_time, region_values = best(lambda: indicators.compute(today), args.rounds)
    one_time, _ = best(lambda: indicators.compute(today, municipality_id), args.rounds)

    def replay(captured):
        """The statements as captured (``SET LOCAL jit = off`` first) in one transaction."""
        with transaction.atomic(), connection.cursor() as cursor:
            for sql, params in captured:
                cursor.execute(sql, params)
                if cursor.description is not None:
                    cursor.fetchall()

    one_bare, _ = best(lambda: replay(one_sql), args.rounds)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        params = {"day": today, "age5": indicators.years_before(today, 5),
                  "age18": indicators.years_before(today, 18)}
        one_single, one_total = best(lambda: (cursor.execute(
            BARE_COVERAGE + " AND c.municipality_id = %(municipality)s",
            {**params, "municipality": municipality_id}), cursor.fetchone()[0])[1], args.rounds)
        if not args.no_region:
            single, total = best(lambda: (cursor.execute(BARE_COVERAGE, params),
                                          cursor.fetchone()[0])[1], args.rounds)
    assert one_total == one_values["indicators"]["coverage"]["numerator"], "the bare SQL disagrees"
    if not args.no_region:
        region_bare, _ = best(lambda: replay(region_sql), args.rounds)
        assert total == region_values["indicators"]["coverage"]["numerator"], "the bare SQL disagrees"

    setup_test_environment()
    municipality_user = User.objects.filter(email="bench-moc@example.org").first() or \
        User.objects.create_user(email="bench-moc@example.org", password=None, role=Role.SUPPORT_CENTRE,
                                 municipality_id=municipality_id, last_name="Бенч", first_name="МОЦ")
    client = Client()
    client.force_login(municipality_user)
    page_time, response = best(lambda: client.get("/office/monitoring/", secure=True), args.rounds)
    assert response.status_code == 200, response.status_code

    if not args.no_region:
        coverage = region_values["indicators"]["coverage"]
        print(f"region coverage: {coverage['numerator']:,} / {coverage['denominator']:,} = {coverage['value']} %")
        print(f"region, every indicator and breakdown: {region_time:7.2f} s  ({len(region_sql)} statements)")
        print(f"  the same statements on a raw cursor:  {region_bare:7.2f} s")
        print(f"  ratio:                                {region_time / region_bare:7.2f} ×")
        print(f"one bare COUNT(DISTINCT) of the region: {single:7.2f} s (the headline figure alone)")
    print(f"one municipality (id {municipality_id}):            {one_time:7.2f} s  ({len(one_sql)} statements)")
    print(f"  the same statements on a raw cursor:  {one_bare:7.2f} s")
    print(f"  ratio:                                {one_time / one_bare:7.2f} ×")
    print(f"one bare COUNT(DISTINCT) of that municipality: {one_single:7.2f} s (its headline figure alone)")
    print(f"«Мониторинг» page of that МОЦ:           {page_time:7.2f} s  "
          f"(page / bare COUNT(DISTINCT) {page_time / one_single:.2f} ×)")
    with open("/proc/loadavg") as loadavg:
        print(f"load average: {' '.join(loadavg.read().split()[:3])}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--reset", action="store_true", help="load the children and enrolments again")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="children = 1,000,000 × scale (3 enrolments each on average)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-region", action="store_true",
                        help="time one municipality and its page only (the region takes minutes)")
    args = parser.parse_args(argv)

    url = os.environ.get("COVERAGE_DATABASE_URL", DEFAULT_DATABASE)
    _database(url)
    os.environ["DATABASE_URL"] = url
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    os.environ.setdefault("OPORA_ALLOWED_HOSTS", "testserver")
    from bench import generate  # sets Django up

    generate.main([f"--seed={args.seed}"])  # migrates; loads the registry when empty

    from django.db import connection, transaction
    from django.utils import timezone

    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM enrollment_child")
        existing = cursor.fetchone()[0]
    if existing and not args.reset:
        print(f"{existing:,} children already there; run with --reset to load again.")
    else:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE enrollment_application, enrollment_child, "
                           "registry_municipalitypopulation, monitoring_snapshot, financing_invoiceline "
                           "RESTART IDENTITY CASCADE")
            children, applications = load(args, today)
        with connection.cursor() as cursor:
            for table in ("enrollment_child", "enrollment_application", "registry_group"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        print(f"loaded {children:,} children and {applications:,} applications in "
              f"{time.perf_counter() - started:.1f} s")
    run(args, today)
    return 0


if __name__ == "__main__":
    sys.exit(main())
