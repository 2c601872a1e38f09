"""The whole published catalog as open data, streamed."""

import csv
import io
import json

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opora.navigator.opendata import COLUMNS
from tests import factories as f
from tests.navigator.conftest import add_group


def download(client, name):
    response = client.get(reverse(f"navigator:{name}"))
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def test_csv_has_every_public_program_and_nothing_else(client, catalog):
    rows = list(csv.DictReader(io.StringIO(download(client, "opendata_csv"))))
    assert list(rows[0]) == [code for code, _label in COLUMNS]
    assert [row["title"] for row in rows] == [p.title for p in sorted(catalog.public, key=lambda p: p.pk)]
    chess = next(row for row in rows if row["title"] == "Шахматы для начинающих")
    assert (chess["free"], chess["certificate"], chess["paid"]) == ("true", "false", "true")
    assert (chess["min_monthly_price"], chess["min_paid_monthly_price"]) == ("0.00", "900.00")
    assert chess["ovz"] == "Нарушения речи" and chess["seasonal"] == "Летняя школа"
    assert chess["url"] == f"http://testserver/programs/{catalog.chess.pk}/"
    assert chess["municipality"] == catalog.district.name


def test_json_matches_the_csv(client, catalog):
    records = json.loads(download(client, "opendata_json"))
    assert [r["id"] for r in records] == sorted(p.pk for p in catalog.public)
    english = next(r for r in records if r["title"] == "Английский язык")
    assert english["ovz"] == "Дети-инвалиды" and english["next_start"] is None and english["free"] is False
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
