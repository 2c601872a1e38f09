"""The whole published catalog as open data, streamed."""

import csv
import io
import json

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opora.core.exporters import restore_neutralised
from opora.navigator.opendata import COLUMNS, TYPES
from tests import factories as f
from tests.navigator.conftest import add_group


def download(client, name):
    response = client.get(reverse(f"navigator:{name}"))
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def csv_rows(text):
    """The rows as the open-data page documents the dialect: UTF-8 without BOM, «,»,
    double quotes."""
    assert not text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=",", quotechar='"'))


def typed(row):
    """A CSV row read by the documented types: what the JSON holds."""
    values = {}
    for code, value in row.items():
        kind = TYPES.get(code, "text")
        if kind == "integer":
            values[code] = int(value) if value else None
        elif kind == "boolean":
            assert value in ("true", "false")
            values[code] = value == "true"
        elif kind == "list":
            values[code] = [restore_neutralised(item) for item in value.split("|")] if value else []
        elif kind in ("decimal", "date", "datetime"):
            values[code] = value or None
        else:
            values[code] = restore_neutralised(value)
    return values


def test_csv_has_every_public_program_and_nothing_else(client, catalog):
    rows = csv_rows(download(client, "opendata_csv"))
    assert list(rows[0]) == [code for code, _label in COLUMNS]
    assert [row["title"] for row in rows] == [p.title for p in sorted(catalog.public, key=lambda p: p.pk)]
    chess = next(row for row in rows if row["title"] == "Шахматы для начинающих")
    assert (chess["free"], chess["certificate"], chess["paid"]) == ("true", "false", "true")
    assert (chess["min_monthly_price"], chess["min_paid_monthly_price"]) == ("0.00", "900.00")
    assert chess["ovz"] == "Нарушения речи" and chess["seasonal"] == "Летняя школа"
    robotics = next(row for row in rows if row["title"] == "Робототехника")
    assert robotics["levels"] == "Стартовый (ознакомительный)|Базовый"  # a list in one cell
    assert chess["url"] == f"http://testserver/programs/{catalog.chess.pk}/"
    assert chess["municipality"] == catalog.district.name


def test_csv_never_carries_a_formula(client, provider):
    hostile = '=HYPERLINK("http://evil.example";"Шахматы")'
    for title in (hostile, ' @SUM(1+1)*cmd|"/C calc"!A0', "Шахматы - для всех"):
        add_group(f.program(provider, title=title, status="published"))
    provider.phone = "+7 (900) 123-45-67"
    provider.save()

    response = client.get(reverse("navigator:opendata_csv"))
    text = download(client, "opendata_csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert text.startswith('"id","uuid","url","title","direction",')
    assert text.split("\r\n")[0].count('","') == len(COLUMNS) - 1
    rows = csv_rows(text)
    assert [row["title"] for row in rows] == [
        "'" + hostile, '\' @SUM(1+1)*cmd|"/C calc"!A0', "Шахматы - для всех"]
    assert {row["phone"] for row in rows} == {"'+7 (900) 123-45-67"}
    assert {row["free"] for row in rows} == {"true"}


def test_json_keeps_the_values_as_they_are(client, provider):
    hostile = '=HYPERLINK("http://evil.example";"Шахматы")'
    add_group(f.program(provider, title=hostile, status="published"))

    [record] = json.loads(download(client, "opendata_json"))

    assert record["title"] == hostile


def test_json_matches_the_csv(client, catalog):
    records = json.loads(download(client, "opendata_json"))
    assert [r["id"] for r in records] == sorted(p.pk for p in catalog.public)
    english = next(r for r in records if r["title"] == "Английский язык")
    assert english["ovz"] == ["Дети-инвалиды"] and english["next_start"] is None and english["free"] is False
    assert set(english) == {code for code, _label in COLUMNS}


def test_open_data_reads_in_one_query_whatever_the_size(client, provider):
    counts = []
    for size in (3, 27):
        for n in range(size):
            add_group(f.program(provider, title=f"Открытая {n}", status="published"))
        with CaptureQueriesContext(connection) as queries:
            download(client, "opendata_csv")
        counts.append(len(queries))
    assert counts == [1, 1]


def test_open_data_page_documents_the_columns(client):
    page = client.get(reverse("navigator:opendata")).content.decode()
    assert "programs.csv" in page and "<code>min_paid_monthly_price</code>" in page
    assert "Кодировка UTF-8 без метки BOM" in page and "Разделитель полей — запятая" in page
    assert "вертикальную черту «|»" in page
    # the monitoring's anonymised coverage is listed too
    assert 'href="/opendata/coverage.csv"' in page and 'href="/opendata/coverage.json"' in page
    assert "Значения меньше 5 не публикуются" in page


def test_csv_read_with_the_documented_dialect_gives_the_json_rows(client, catalog, provider):
    add_group(f.program(provider, title="=1+1 «Шахматы, шашки; го»", status="published"))
    provider.phone = "+7 (900) 123-45-67"
    provider.save()

    rows = [typed(row) for row in csv_rows(download(client, "opendata_csv"))]
    records = json.loads(download(client, "opendata_json"))

    assert len(rows) == len(records) > 3
    assert rows == records
    assert any(len(record["levels"]) > 1 for record in records)
