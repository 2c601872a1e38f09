"""The live set (the live enrolments of a date computed once into a temporary table)
gives exactly the numbers of the definition it replaced: every breakdown counted by the
ORM straight from ``live_enrolments``, one query per breakdown. Compared on a random
population full of edge cases — children on both sides of 5 and 18, every status with
ends before, on and after D, groups that ended or start later, children studying in the
other municipality, programs of several levels, seasonal, distance, network, paid and
budget groups — for each territory, both views, the region side by side and last year."""

import datetime as dt
import random
import threading

import pytest
from django.db import connection
from django.db.models import Count, F, Q

from opora.enrollment.models import Sex
from opora.monitoring import indicators
from opora.registry.choices import Direction, FundingSource, Level, OrganizationKind, SeasonalKind
from opora.registry.models import GroupFunding
from tests import factories as f
from tests.monitoring.conftest import D, S, child, enrol

pytestmark = pytest.mark.django_db


def reference(day, municipality_id, view="residence"):
    """The coverage as it was computed before the live set (the old definition)."""
    queryset = indicators.live_enrolments(day)
    if municipality_id is not None:
        queryset = queryset.filter(**{f"{indicators.VIEWS[view]}_id": municipality_id})
    counts = {"total": Count("child_id", distinct=True)}
    for name, condition in indicators.FLAGS.items():
        counts[name] = Count("child_id", distinct=True, filter=condition)
    for level in indicators.LEVELS:
        counts[f"level_{level.value}"] = Count("child_id", distinct=True, filter=Q(**{
            f"{indicators.PROGRAM}__levels__in": indicators.with_bit(level.value)}))
    flags = queryset.aggregate(**counts)
    rows = {}
    for name in indicators.FLAGS:
        rows[name] = {"yes": flags[name]}
        if name in indicators.CHILD_FLAGS:
            rows[name]["no"] = flags["total"] - flags[name]
    rows["level"] = {str(level.value): flags[f"level_{level.value}"] for level in indicators.LEVELS}
    dimensions = {**indicators.grouped_dimensions(day),
                  "municipality": F(f"{indicators.VIEWS[view]}_id")}
    for name, expression in dimensions.items():
        grouped = (queryset.annotate(key=expression).values("key")
                   .annotate(n=Count("child_id", distinct=True)).order_by("key"))
        rows[name] = {str(row["key"]): row["n"] for row in grouped}
    return {"children": flags["total"], "breakdowns": rows}


@pytest.fixture
def tricky(city, district):
    rng = random.Random(11)
    groups = []
    for municipality in (city, district):
        for kind in (OrganizationKind.SUPPLEMENTARY, OrganizationKind.GENERAL):
            organization = f.organization(municipality, kind=kind)
            for direction in (Direction.TECHNICAL, Direction.ARTS, Direction.SPORTS):
                program = f.program(
                    organization, direction=direction,
                    levels=rng.choice([int(Level.START), int(Level.START) | int(Level.BASE), 7]),
                    seasonal_kind=rng.choice([SeasonalKind.NONE, SeasonalKind.SUMMER_SCHOOL]),
                    is_distance=rng.random() < 0.3, is_network=rng.random() < 0.3)
                for start, end in ((dt.date(2025, 9, 1), dt.date(2026, 5, 31)),
                                   (dt.date(2025, 9, 1), D - dt.timedelta(days=1)),
                                   (D, dt.date(2026, 4, 1)), (dt.date(2026, 1, 10), D),
                                   (D + dt.timedelta(days=1), dt.date(2026, 8, 31)),
                                   (dt.date(2024, 9, 1), dt.date(2025, 5, 31))):
                    group = f.group(program, start_date=start, end_date=end)
                    if rng.random() < 0.5:  # paid: no budget line
                        GroupFunding.objects.filter(group=group, source=FundingSource.BUDGET).delete()
                    groups.append(group)
    ages = [dt.date(D.year - years, D.month, D.day) + dt.timedelta(days=shift)
            for years in (5, 18, 10, 17, 4) for shift in (-1, 0, 1)]
    statuses = [S.ENROLLED, S.EXPELLED, S.COMPLETED, S.WITHDRAWN, S.NEW]
    near = [D - dt.timedelta(days=1), D, D + dt.timedelta(days=1), dt.date(2025, 10, 1)]
    for _ in range(70):
        kid = child(rng.choice((city, district)), rng.choice(ages),
                    sex=rng.choice((Sex.MALE, Sex.FEMALE)), is_rural=rng.random() < 0.3,
                    has_ovz=rng.random() < 0.2, is_disabled=rng.random() < 0.1,
                    difficult_situation=rng.random() < 0.1)
        for group in rng.sample(groups, rng.randint(1, 4)):
            status = rng.choice(statuses)
            ended = rng.choice(near) if status in (S.EXPELLED, S.COMPLETED) else None
            on = None if status == S.NEW else rng.choice([dt.date(2025, 9, 5), D, *near])
            enrol(kid, group, status=status, on=on, ended_on=ended,
                  changed=rng.choice(near) if status == S.WITHDRAWN else None)
    return {"city": city, "district": district}


@pytest.mark.parametrize("day", [D, D - dt.timedelta(days=1), D + dt.timedelta(days=1),
                                 dt.date(2025, 3, 15)])
def test_the_live_set_counts_as_the_old_definition(tricky, day):
    territories = [None, tricky["city"].pk, tricky["district"].pk]

    for municipality_id in territories:
        for view in ("residence", "provider"):
            assert indicators.coverage(day, municipality_id, view) == reference(day, municipality_id, view)
            assert indicators.coverage(day, municipality_id, view, breakdowns=False)["children"] == \
                reference(day, municipality_id, view)["children"]
    assert reference(D, None)["children"] > 10  # the set is not trivially empty

    rows = {row["id"]: row for row in indicators.by_municipality(day)}
    for municipality_id in territories[1:]:
        assert rows[municipality_id]["children"] == reference(day, municipality_id)["children"]
        assert rows[municipality_id]["provider_children"] == \
            reference(day, municipality_id, "provider")["children"]
        assert rows[municipality_id]["direction"] == \
            reference(day, municipality_id)["breakdowns"]["direction"]


def test_compute_reads_one_live_set_per_date_and_leaves_no_table(tricky):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        values = indicators.compute(D, tricky["city"].pk)

    created = [q["sql"] for q in captured if q["sql"].startswith("CREATE TEMPORARY TABLE")]
    assert len(created) == 2  # D and the same day a year before
    assert values["indicators"]["coverage"]["numerator"] == reference(D, tricky["city"].pk)["children"]
    assert indicators._open() == []


@pytest.mark.postgres  # SQLite serialises the two transactions: one would wait for the other
@pytest.mark.django_db(transaction=True)
def test_a_set_open_in_one_thread_is_not_reused_by_another():
    # A threaded server computes two pages at once, each on its own connection, where the
    # other's temporary table does not exist: reusing it was «no such table» (a 500).
    seen = {}

    def other_request():
        try:
            with indicators.live_set(D) as table, connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM {table}")
                seen["table"], seen["rows"] = table, cursor.fetchone()[0]
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            seen["error"] = error
        finally:
            connection.close()

    with indicators.live_set(D) as mine:
        thread = threading.Thread(target=other_request)
        thread.start()
        thread.join(60)

    assert "error" not in seen, seen.get("error")
    assert seen["table"] != mine and seen["rows"] == 0
