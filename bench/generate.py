"""Region-scale registry data on PostgreSQL for the catalog benchmark.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opora_bench \\
        .venv/bin/python bench/generate.py [--reset] [--programs 50000] ...

Migrates the database, then loads one region with COPY: 40 municipalities, 5,000
organizations, 15,000 teachers, 50,000 programs (with modules), 100,000 groups with
schedules, teachers and financing sources. A filled database is left alone unless
``--reset`` is given, which truncates the registry tables (and everything referring
to them: use a database of its own). Finally the navigator's catalog index and search
vocabulary are rebuilt and the tables analysed. Deterministic for a given ``--seed``.
"""

import argparse
import datetime as dt
import os
import random
import secrets
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opora.settings")
# Measured as in production (no debug mode), with a throwaway secret key.
os.environ.setdefault("OPORA_SECRET_KEY", secrets.token_urlsafe(50))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from bench import words as w  # noqa: E402
from opora.navigator import index  # noqa: E402
from opora.registry.identifiers import make_inn, make_ogrn  # noqa: E402

REGISTRY_TABLES = [
    "registry_region", "registry_municipality", "registry_organization", "registry_teacher",
    "registry_program", "registry_program_partners", "registry_module", "registry_group",
    "registry_group_teachers", "registry_scheduleline", "registry_groupfunding",
]
STATUSES = ["published"] * 16 + ["initial", "initial", "moderating", "archive"]
FORMS = ["full_time"] * 8 + ["mixed", "correspondence"]
SEASONAL = [""] * 19 + ["summer_school", "profile_shift", "correspondence_school"]
AGE_BANDS = [(5, 7), (5, 9), (6, 10), (7, 11), (7, 14), (8, 12), (10, 14), (11, 15), (12, 17),
             (14, 18), (7, 17), (5, 18), (3, 7), (9, 13)]


class Loader:
    def __init__(self, rng: random.Random, now: dt.datetime):
        self.rng = rng
        self.now = now

    def copy(self, table, columns, rows):
        """COPY rows into table; returns how many."""
        count = 0
        with connection.cursor() as cursor, cursor.cursor.copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count

    def stamps(self):
        return uuid.UUID(int=self.rng.getrandbits(128), version=4), self.now, self.now


def _sequences():
    with connection.cursor() as cursor:
        for table in REGISTRY_TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)")


def _specialisations():
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, direction, name FROM registry_specialisation")
        rows = cursor.fetchall()
    return [(pk, direction, name) for pk, direction, name in rows if name in w.TITLES]


def generate(args):
    rng = random.Random(args.seed)
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    load = Loader(rng, now)
    specialisations = _specialisations()
    n_mun = args.municipalities
    n_org = args.organizations
    counts = {}

    counts["registry_region"] = load.copy("registry_region", ["id", "name", "code"],
                                          [(1, "Бенчмаркская область", "99")])
    municipalities = []
    for i in range(1, n_mun + 1):
        town = w.TOWNS[(i - 1) % len(w.TOWNS)] + ("" if i <= len(w.TOWNS) else f"-{i}")
        kind = "urban_district" if i % 3 else "municipal_okrug"
        name = f"Городской округ {town}" if kind == "urban_district" else f"Муниципальный округ {town}"
        municipalities.append((i, *load.stamps(), name, kind, f"{45000000 + i:08d}", 1))
    counts["registry_municipality"] = load.copy(
        "registry_municipality",
        ["id", "uuid", "created_at", "updated_at", "name", "kind", "oktmo", "region_id"],
        municipalities)

    org_rows, org_mun = [], {}
    inns = set()
    for i in range(1, n_org + 1):
        short, full = rng.choice(w.ORG_KINDS)
        inn = make_inn(rng)
        while inn in inns:
            inn = make_inn(rng)
        inns.add(inn)
        mun = rng.randint(1, n_mun)
        org_mun[i] = mun
        town = w.TOWNS[(mun - 1) % len(w.TOWNS)]
        kind = "general" if "школа" in short.lower() and "спорт" not in short else "supplementary"
        org_rows.append((
            i, *load.stamps(), f"{full} № {i}»", f"{short} № {i}»", inn, make_ogrn(rng), kind,
            "education", "private" if short.startswith("ООО") else "municipal",
            f"г. {town}, ул. {rng.choice(w.STREETS)}, д. {rng.randint(1, 120)}",
            rng.random() < 0.3, f"+7 (900) {rng.randint(100, 999)}-{rng.randint(10, 99)}-{i % 100:02d}",
            f"org{i}@example.org", "", "", "", None,
            rng.random() > 0.03, False, False, mun))
    counts["registry_organization"] = load.copy(
        "registry_organization",
        ["id", "uuid", "created_at", "updated_at", "full_name", "short_name", "inn", "ogrn", "kind",
         "sector", "ownership", "address", "is_rural", "phone", "email", "website", "head_name",
         "licence_number", "licence_date", "is_active", "is_support_centre", "issues_certificates",
         "municipality_id"],
        org_rows)

    teacher_rows = []
    for i in range(1, n_org * 3 + 1):
        male = rng.random() < 0.3
        teacher_rows.append((
            i, *load.stamps(),
            rng.choice(w.LAST_NAMES_M if male else w.LAST_NAMES),
            rng.choice(w.FIRST_NAMES_M if male else w.FIRST_NAMES),
            rng.choice(w.PATRONYMICS_M if male else w.PATRONYMICS),
            "Педагог дополнительного образования", "higher", "first", True, (i - 1) // 3 + 1))
    counts["registry_teacher"] = load.copy(
        "registry_teacher",
        ["id", "uuid", "created_at", "updated_at", "last_name", "first_name", "patronymic",
         "position", "education", "category", "is_active", "organization_id"], teacher_rows)

    programs, modules, partners, program_org = [], [], [], {}
    for i in range(1, args.programs + 1):
        spec_id, direction, spec_name = rng.choice(specialisations)
        title = rng.choice(w.TITLES[spec_name]) + rng.choice(w.TITLE_SUFFIXES)
        org = rng.randint(1, n_org)
        program_org[i] = org
        age_min, age_max = rng.choice(AGE_BANDS)
        levels = rng.choice([1, 1, 1, 2, 2, 4, 3, 7])
        ovz = 0 if rng.random() > 0.15 else rng.choice([1, 2, 8, 16, 32, 64, 256, 2 | 8, 32 | 64 | 128])
        network = rng.random() < 0.05
        status = rng.choice(STATUSES)
        description = " ".join([rng.choice(w.OPENINGS), *rng.sample(w.MIDDLES, 2), rng.choice(w.CLOSINGS)])
        months = rng.choice([3, 8, 9, 9, 9, 12, 18, 36])
        programs.append((
            i, *load.stamps(), title, direction, "general", levels,
            rng.choice(FORMS), rng.random() < 0.15, network, age_min, age_max, months,
            months * 8, 5, rng.choice([10, 12, 15, 20]), ovz, rng.random() < 0.05,
            rng.choice([4, 8, 12, 16, 2 | 8]), rng.choice(SEASONAL), f"{title}. {description}",
            "Развитие интереса и способностей ребёнка.", "Ребёнок освоит основы направления.",
            "", "", "", status, "", now if status in ("published", "archive") else None,
            org, spec_id))
        modules.append((i, *load.stamps(), 1, f"{title}. 1-й год обучения", months * 8, "", i))
        if network:
            partner = rng.randint(1, n_org)
            if partner != org:
                partners.append((len(partners) + 1, i, partner))
    counts["registry_program"] = load.copy(
        "registry_program",
        ["id", "uuid", "created_at", "updated_at", "title", "direction", "program_type", "levels",
         "study_form", "is_distance", "is_network", "age_min", "age_max", "duration_months",
         "hours_total", "group_size_min", "group_size_max", "ovz_kinds", "is_for_disabled",
         "registers", "seasonal_kind", "description", "goals", "expected_results", "material_base",
         "address", "photo", "status", "moderation_remark", "published_at", "organization_id",
         "specialisation_id"], programs)
    counts["registry_module"] = load.copy(
        "registry_module",
        ["id", "uuid", "created_at", "updated_at", "year_of_study", "title", "hours", "description",
         "program_id"], modules)
    counts["registry_program_partners"] = load.copy(
        "registry_program_partners", ["id", "program_id", "organization_id"], partners)

    groups, group_teachers, schedule, funding = [], [], [], []
    # the current school year's groups, some starting later, some for the next year
    season_start = dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    for i in range(1, args.groups + 1):
        program = rng.randint(1, args.programs)
        start = season_start + dt.timedelta(days=rng.choice([0, 0, 0, 30, 60, 120, 365]))
        start += dt.timedelta(days=rng.randint(0, 20))
        end = start + dt.timedelta(days=rng.choice([90, 240, 270, 270]))
        age_min, age_max = programs[program - 1][11], programs[program - 1][12]
        is_open = rng.random() < 0.6
        opens = now - dt.timedelta(days=rng.randint(-20, 40))
        groups.append((
            i, *load.stamps(), f"Группа {i % 7 + 1}-{rng.randint(1, 9)}", start, end,
            rng.choice([72, 108, 144]), 5, rng.choice([10, 12, 15, 20]), age_min, age_max, "",
            rng.random() > 0.05, is_open, opens, opens + dt.timedelta(days=rng.randint(10, 90)),
            None, None, program))
        teacher = (program_org[program] - 1) * 3 + rng.randint(1, 3)
        group_teachers.append((i, i, teacher))
        days = rng.choice([1 | 4, 2 | 8, 16, 32, 1 | 4 | 16])
        hour = rng.randint(9, 18)
        schedule.append((len(schedule) + 1, days, dt.time(hour, 0), dt.time(hour + 1, 30), 40, 10, "", i))
        sources = rng.choice([["budget"], ["budget"], ["certificate"], ["paid"], ["budget", "paid"],
                              ["certificate", "paid"], ["private"]])
        for source in sources:
            price = Decimal(0) if source == "budget" else Decimal(rng.choice(
                [800, 1200, 1500, 2000, 2500, 3000, 4500]))
            funding.append((len(funding) + 1, source, price, price * 9, i))
    counts["registry_group"] = load.copy(
        "registry_group",
        ["id", "uuid", "created_at", "updated_at", "name", "start_date", "end_date",
         "hours_per_year", "capacity_min", "capacity_max", "age_min", "age_max", "address",
         "is_active", "enrolment_open", "enrolment_from", "enrolment_to",
         "next_year_enrolment_from", "next_year_enrolment_to", "module_id"], groups)
    counts["registry_group_teachers"] = load.copy(
        "registry_group_teachers", ["id", "group_id", "teacher_id"], group_teachers)
    counts["registry_scheduleline"] = load.copy(
        "registry_scheduleline",
        ["id", "weekdays", "time_from", "time_to", "lesson_minutes", "break_minutes", "address",
         "group_id"], schedule)
    counts["registry_groupfunding"] = load.copy(
        "registry_groupfunding", ["id", "source", "monthly_price", "total_price", "group_id"], funding)
    _sequences()
    return counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--reset", action="store_true", help="truncate the registry tables first")
    parser.add_argument("--programs", type=int, default=50_000)
    parser.add_argument("--organizations", type=int, default=5_000)
    parser.add_argument("--groups", type=int, default=100_000)
    parser.add_argument("--municipalities", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        parser.error("the benchmark needs PostgreSQL: set DATABASE_URL to a database of its own")

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM registry_program")
        existing = cursor.fetchone()[0]
    if existing and not args.reset:
        print(f"{existing} programs already there; run with --reset to generate again.")
        return 0
    with transaction.atomic():
        if existing:
            with connection.cursor() as cursor:
                # the invoice lines too: they name contracts by a trigger, which CASCADE does not follow
                cursor.execute(f"TRUNCATE {', '.join(REGISTRY_TABLES)}, financing_invoiceline RESTART IDENTITY CASCADE")
        counts = generate(args)
    loaded = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the index's statement is planned on the real sizes
    index.rebuild()
    indexed = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    for table, count in counts.items():
        print(f"{table:28} {count:>9,}")
    print(f"loaded in {loaded - started:.1f} s, catalog index rebuilt in {indexed - loaded:.1f} s, "
          f"total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
