"""Open data of coverage: small cells are withheld, and no withheld cell can be found
again by subtracting the published figures of its row or column from their total."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from opora.monitoring import opendata
from opora.monitoring.opendata import TOTAL, suppress
from tests import factories as f
from tests.monitoring.conftest import child, enrol

pytestmark = pytest.mark.django_db


def lines(municipalities, directions):
    rows = [([(m, d) for d in directions], (m, TOTAL)) for m in municipalities]
    columns = [([(m, d) for m in municipalities], (TOTAL, d)) for d in directions]
    return rows + columns + [([(m, TOTAL) for m in municipalities], (TOTAL, TOTAL))]


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
    # the open-data dialect: «,», every cell quoted, UTF-8 without BOM
    assert csv_text.startswith('"Муниципалитет","ОКТМО","Направленность","Детей"\r\n')
    assert f'"{city}","{world["city"].oktmo}","Техническая",""\r\n' in csv_text
