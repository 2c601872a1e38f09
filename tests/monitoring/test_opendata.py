"""Open data of coverage: small cells are withheld, and no withheld cell can be found
again by subtracting the published figures of its row or column from their total, nor
by any other reasoning on the relations the table holds (``known_by_a_reader``)."""

import datetime as dt
import json
import random

import pytest
from django.urls import reverse
from django.utils import timezone

from opora.monitoring import opendata
from opora.monitoring.opendata import TOTAL, suppress
from tests import factories as f
from tests.monitoring.conftest import child, enrol


def lines(municipalities, directions):
    rows = [([(m, d) for d in directions], (m, TOTAL)) for m in municipalities]
    columns = [([(m, d) for m in municipalities], (TOTAL, d)) for d in directions]
    return rows + columns + [([(m, TOTAL) for m in municipalities], (TOTAL, TOTAL))]


def known_by_a_reader(published: dict, municipalities, directions) -> dict:
    """What a reader of the published table can pin down about each withheld figure:
    key -> (lowest, highest) possible value, narrowed until nothing changes by every
    relation the table holds. Exact: a direction's column adds up to its total and the
    municipality totals to the region's (a child lives in one municipality). Bounds: a
    cell is at most its municipality's total (and a direction's total at most the
    region's), and a total at most the sum of its row (a child counts in each of its
    directions, so the row may add up to more)."""
    unknown = [key for key, n in published.items() if n is None]
    low = {key: n for key, n in published.items() if n is not None} | dict.fromkeys(unknown, 0)
    high = {key: n for key, n in published.items() if n is not None} | dict.fromkeys(
        unknown, 10**9)
    additive = [([(m, d) for m in municipalities], (TOTAL, d)) for d in directions]
    additive.append(([(m, TOTAL) for m in municipalities], (TOTAL, TOTAL)))
    bounded = [([(m, d) for d in directions], (m, TOTAL)) for m in [*municipalities, TOTAL]]

    def narrow(key, lowest, highest):
        lowest, highest = max(low[key], lowest), min(high[key], highest)
        changed = (lowest, highest) != (low[key], high[key])
        low[key], high[key] = lowest, highest
        return changed

    changed = True
    while changed:
        changed = False
        for members, total in additive:
            changed |= narrow(total, sum(low[k] for k in members), sum(high[k] for k in members))
            for key in members:
                rest = [k for k in members if k != key]
                changed |= narrow(key, low[total] - sum(high[k] for k in rest),
                                  high[total] - sum(low[k] for k in rest))
        for members, total in bounded:
            changed |= narrow(total, max(low[k] for k in members), sum(high[k] for k in members))
            for key in members:
                changed |= narrow(key, 0, high[total])
    return {key: (low[key], high[key]) for key in unknown}


def published_table(children: list[tuple[str, set]], municipalities, directions):
    """The figures of the open-data table for children given as (municipality, their
    directions), and what ``suppress`` publishes of them (None: withheld)."""
    cells = {(m, d): sum(1 for home, ds in children if home == m and d in ds)
             for m in municipalities for d in directions}
    rows = {m: sum(1 for home, _ds in children if home == m) for m in municipalities}
    columns = {d: sum(1 for _home, ds in children if d in ds) for d in directions}
    total = len(children)
    values = {**cells, **{(m, TOTAL): n for m, n in rows.items()},
              **{(TOTAL, d): n for d, n in columns.items()}, (TOTAL, TOTAL): total}
    hidden = suppress(cells, rows, columns, total, municipalities, directions)
    return values, {key: None if key in hidden else n for key, n in values.items()}


@pytest.mark.parametrize("seed", range(40))
def test_no_withheld_figure_is_found_again_from_the_published_ones(seed):
    """Random regions, some with nearly empty municipalities or directions: whatever a
    reader subtracts or bounds, every withheld figure that is not zero stays uncertain."""
    rng = random.Random(seed)
    municipalities = [f"m{i}" for i in range(rng.randint(2, 6))]
    directions = [f"d{i}" for i in range(rng.randint(2, 5))]
    children = []
    for municipality in municipalities:
        for _ in range(rng.choice([0, 1, 3, 6, 12, 30, 60])):
            wanted = rng.choices([1, 2, 3], weights=[70, 25, 5])[0]
            picked = rng.sample(directions, min(wanted, len(directions)))
            if rng.random() < 0.5:  # some directions are rare
                picked = [d for d in picked if d != directions[-1]] or picked
            children.append((municipality, set(picked)))

    values, published = published_table(children, municipalities, directions)
    known = known_by_a_reader(published, municipalities, directions)

    for key, (lowest, highest) in known.items():
        assert lowest <= values[key] <= highest, key  # the reader's reasoning is sound
        if values[key] > 0:
            assert lowest < highest, (key, values[key], published)
    assert all(n is None or n >= opendata.THRESHOLD for n in published.values())


def test_primary_and_secondary_suppression():
    municipalities, directions = ["A", "B", "C"], ["x", "y", "z"]
    cells = {("A", "x"): 20, ("A", "y"): 3, ("A", "z"): 30,
             ("B", "x"): 12, ("B", "y"): 40, ("B", "z"): 25,
             ("C", "x"): 9, ("C", "y"): 15, ("C", "z"): 50}
    rows = {"A": 50, "B": 70, "C": 70}
    columns = {"x": 41, "y": 58, "z": 105}

    hidden = suppress(cells, rows, columns, 190, municipalities, directions)
    values = {**cells, **{(m, TOTAL): n for m, n in rows.items()},
              **{(TOTAL, d): n for d, n in columns.items()}, (TOTAL, TOTAL): 190}

    assert ("A", "y") in hidden  # primary: 3 < 5
    for members, total in lines(municipalities, directions):
        if total not in hidden:  # a published total never has exactly one withheld member
            assert sum(key in hidden and values[key] > 0 for key in members) != 1, (members, hidden)
    assert ("A", "x") not in hidden or ("B", "x") not in hidden  # not everything goes


def test_a_small_municipality_total_is_not_left_alone():
    hidden = suppress({("A", "x"): 3, ("B", "x"): 40}, {"A": 3, "B": 40}, {"x": 43}, 43,
                      ["A", "B"], ["x"])

    assert {("A", "x"), ("A", TOTAL), ("B", "x"), ("B", TOTAL)} <= hidden


@pytest.mark.django_db
def test_the_published_files(client, world):
    today = timezone.localdate()
    group = world["groups"]["tech"]
    group.start_date, group.end_date = today - dt.timedelta(days=30), today + dt.timedelta(days=30)
    group.save()
    for _ in range(6):
        enrol(child(world["city"]), group, on=today - dt.timedelta(days=3))
    enrol(child(world["district"]), group, on=today - dt.timedelta(days=3))
    f.municipality()  # nobody lives there yet

    data = json.loads(b"".join([client.get(reverse("monitoring:opendata_json")).content]))
    csv_text = b"".join(client.get(reverse("monitoring:opendata_csv")).streaming_content).decode()

    published = {(row["municipality"], row["direction"]): row["children"] for row in data["rows"]}
    city, district = world["city"].name, world["district"].name
    assert published[(district, "Техническая")] is None  # 1 child
    assert published[(city, "Техническая")] is None  # would be the column total minus 1
    assert published[(city, "Всего")] is None  # would be the row's only non-zero cell
    assert published[("Регион", "Техническая")] == 7
    assert all(value is None or value >= opendata.THRESHOLD for value in published.values())
    as_keys = {(TOTAL if m == "Регион" else m, TOTAL if d == "Всего" else d): n
               for (m, d), n in published.items()}
    known = known_by_a_reader(as_keys, sorted({m for m, _d in as_keys} - {TOTAL}),
                              sorted({d for _m, d in as_keys} - {TOTAL}))
    for key in ((city, "Техническая"), (district, "Техническая"), (city, TOTAL), (district, TOTAL)):
        lowest, highest = known[key]
        assert lowest < highest, key  # 6, 1, 6 and 1 children: none can be found again
    # the open-data dialect: «,», every cell quoted, UTF-8 without BOM
    assert csv_text.startswith('"Муниципалитет","ОКТМО","Направленность","Детей"\r\n')
    assert f'"{city}","{world["city"].oktmo}","Техническая",""\r\n' in csv_text
