"""«Мониторинг»: what each role sees, the drill-down, the Excel file, the print version,
query counts that do not grow with the municipalities, and the settings page."""

import datetime as dt
import html
import re
from io import BytesIO

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from opora.enrollment.budget_places import school_year
from opora.enrollment.models import MunicipalTask
from opora.monitoring import services
from opora.registry.choices import Direction, FundingSource
from opora.registry.models import GroupFunding, MunicipalityPopulation
from tests import factories as f
from tests.monitoring.conftest import child, enrol, workbook
from tests.spreadsheets import ods_book, ods_cells, xlsx_book

pytestmark = pytest.mark.django_db


def page(client, user, **params):
    client.force_login(user)
    return client.get(reverse("monitoring:index"), params)


def test_the_moc_sees_its_municipality_only(client, today_world, operator):
    response = page(client, operator, municipality=today_world["district"].pk)

    assert response.status_code == 200
    assert response.context["municipality"] == today_world["city"]
    rows = {row["code"]: row for row in response.context["indicators"]}
    assert (rows["coverage"]["numerator"], rows["coverage"]["denominator"]) == (2, 100)
    assert rows["coverage"]["target"] == 80
    assert "municipality" not in response.context["form"].fields
    assert response.context["municipalities"] == []
    assert "<svg" in response.content.decode()  # bars by direction


def test_the_authority_too_and_staff_not(client, today_world, authority, staff):
    assert page(client, authority).context["municipality"] == today_world["city"]
    assert page(client, staff).status_code == 403


def test_the_rmc_sees_the_region_side_by_side_and_drills_down(client, today_world, regional):
    region = page(client, regional)
    one = page(client, regional, municipality=today_world["district"].pk)

    rows = {row["name"]: row for row in region.context["municipalities"]}
    assert rows[today_world["city"].name]["children"] == 2
    assert rows[today_world["district"].name]["coverage"] == 2.0
    assert {row["code"]: row["numerator"] for row in region.context["indicators"]}["coverage"] == 3
    assert one.context["municipality"] == today_world["district"]
    assert {row["code"]: row["numerator"] for row in one.context["indicators"]}["coverage"] == 1
    assert "Охват по муниципалитетам" in region.content.decode()


def test_a_past_date_is_frozen_and_marked_recomputed(client, today_world, operator):
    day = timezone.localdate() - dt.timedelta(days=3)

    response = page(client, operator, date=day.isoformat())

    assert response.context["snapshot"].recomputed
    assert "пересчитаны" in response.content.decode()


def test_a_future_date_is_refused_with_a_message(client, today_world, operator):
    day = timezone.localdate() + dt.timedelta(days=3)

    response = page(client, operator, date=day.isoformat())

    assert response.context["day"] == timezone.localdate()
    assert "позже сегодняшней" in response.content.decode()


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def _number(shown: str):
    """A figure as the chart or the table shows it (``12,5 %``, ``1\u00a0234``)."""
    cleaned = shown.replace("\u00a0", "").replace(" ", "").replace("%", "").replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return cleaned


def test_each_chart_is_followed_by_a_table_with_the_same_numbers(client, today_world, regional):
    """Screen readers and the visually-impaired version read the table next to each chart:
    every bar and point of a chart (its label and value) is a row of that table."""
    content = page(client, regional).content.decode()

    figures = re.findall(r'<figure class="chart-figure">(.*?)</figure>\s*(<table.*?</table>)', content, re.S)
    assert len(figures) == content.count('<figure class="chart-figure">') == 3  # municipalities, series, directions
    for figure, table in figures:
        svg = re.search(r"<svg[^>]*>", figure).group(0)
        assert 'role="img"' in svg and "aria-label=" in svg
        rows = {}
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
            header = re.search(r"<th[^>]*>(.*?)</th>", row, re.S)
            if header:
                rows[_text(header.group(1))] = {_number(_text(cell)) for cell in
                                                re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)}
        points = re.findall(r"<title>(.*?): ([^<]*)</title>", figure)
        assert points
        for label, value in points:
            assert html.unescape(label) in rows, (label, rows)
            if _number(value) != "—":
                assert _number(value) in rows[html.unescape(label)], (label, value, rows)


def test_the_print_version_has_no_menu(client, today_world, operator):
    printed = page(client, operator, print=1).content.decode()

    assert 'class="office-nav"' not in printed


def test_the_excel_file_has_every_table(client, today_world, regional):
    client.force_login(regional)

    response = client.get(reverse("monitoring:export"))

    book = openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert {"Показатели", "Муниципалитеты", "Программы", "Охват во времени"} <= set(book.sheetnames)
    indicators = {row[0].value: row for row in book["Показатели"].iter_rows()}
    coverage = indicators["Охват детей 5–17 лет дополнительным образованием, %"]
    # a percentage is a fraction shown as one; the numerator and denominator are counts
    assert [cell.value for cell in coverage[1:]] == [0.02, 0.8, None, 3, 150]
    assert [cell.number_format for cell in coverage[1:3]] == ["0.0%", "0.0%"]
    assert coverage[4].number_format == "#,##0"
    xlsx_book(b"".join(client.get(reverse("monitoring:export")).streaming_content))  # every sheet set up
    document = ods_book(b"".join(client.get(reverse("monitoring:export"), {"format": "ods"}).streaming_content))
    rows = {row[0]["value"]: row for row in ods_cells(document, "Показатели")}
    coverage = rows["Охват детей 5–17 лет дополнительным образованием, %"]
    assert [(cell["value"], cell["type"], cell["format"]) for cell in coverage[1:3]] == [
        (0.02, "percentage", "N_percent"), (0.8, "percentage", "N_percent")]
    series = ods_cells(document, "Охват во времени")
    assert series[1][0]["format"] == "N_date" and series[1][1]["format"] == "N_percent"


def _queries(client, user, name="monitoring:index", **params):
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(name), params).status_code == 200
    return len(captured)


def _every_page(client, regional, operator):
    """Queries of the monitoring page and its Excel file, the annual report, the 1-ДОП
    page and the open data (of the current year: live values, so no snapshot is stored
    between two readings), for the region and for one МОЦ."""
    year = timezone.localdate().year
    return [_queries(client, user, name, **params) for user in (regional, operator)
            for name, params in (("monitoring:index", {}), ("monitoring:export", {}),
                                 ("monitoring:annual", {"year": year}),
                                 ("monitoring:statform", {"year": year}),
                                 ("monitoring:opendata_json", {}))]


def test_queries_do_not_grow_with_municipalities_or_rows(client, today_world, regional, operator):
    before = _every_page(client, regional, operator)
    for _ in range(5):
        municipality = f.municipality()
        MunicipalityPopulation.objects.create(municipality=municipality,
                                              year=timezone.localdate().year, children_5_17=10)
        organization = f.organization(municipality)
        group = f.group(f.program(organization), start_date=timezone.localdate() - dt.timedelta(days=5))
        for _ in range(3):
            enrol(child(municipality), group, on=timezone.localdate() - dt.timedelta(days=1))
            enrol(child(today_world["city"]), group, on=timezone.localdate() - dt.timedelta(days=1))

    assert _every_page(client, regional, operator) == before


def _named(content: bytes) -> BytesIO:
    upload = BytesIO(content)
    upload.name = "population.xlsx"
    return upload


def test_the_settings_page_saves_population_and_targets(client, today_world, operator, regional):
    client.force_login(operator)
    city = today_world["city"]

    assert client.get(reverse("monitoring:settings")).status_code == 200
    client.post(reverse("monitoring:save", args=["population"]), {
        "population-municipality": city.pk, "population-year": 2027,
        "population-children_5_17": 777})
    client.post(reverse("monitoring:save", args=["target"]), {
        "target-municipality": city.pk, "target-year": 2027, "target-indicator": "coverage",
        "target-value": "82"})
    refused = client.post(reverse("monitoring:save", args=["import"]), {
        "import-file": _named(workbook((city.oktmo, "", 2027, 1)))})

    assert city.populations.get(year=2027).children_5_17 == 777
    assert city.indicator_targets.get(year=2027).value == 82
    assert "может только РМЦ" in refused.content.decode()
    client.force_login(regional)
    upload = _named(workbook((city.oktmo, "", 2028, 5), ("", "", 2028, 7)))
    failed = client.post(reverse("monitoring:save", args=["import"]), {"import-file": upload})
    assert "Строка 3: муниципалитет не найден." in failed.content.decode()
    assert not city.populations.filter(year=2028).exists()


def test_the_municipal_task_of_the_school_year_is_read_live_and_exported(client, today_world, operator, regional):
    tech = today_world["groups"]["tech"]
    tech.start_date = timezone.localdate()  # in the school year of today whatever the date
    tech.save()
    tech.funding.exclude(source=FundingSource.BUDGET).delete()
    GroupFunding.objects.get_or_create(group=tech, source=FundingSource.BUDGET)
    year = school_year(timezone.localdate())
    MunicipalTask.objects.create(organization=today_world["centre"], year=year,
                                 direction=Direction.TECHNICAL, places=4)
    MunicipalTask.objects.create(organization=today_world["centre"], year=year - 1,
                                 direction=Direction.ARTS, places=9)  # another year

    rows = page(client, operator).context["task"]
    assert [(r["direction"], r["places"], r["filled"], r["percent"]) for r in rows] == [
        (Direction.TECHNICAL, 4, 1, 25)]
    client.force_login(regional)
    response = client.get(reverse("monitoring:export"))
    book = openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content)))
    sheet = book["Муниципальное задание"]
    assert [cell.value for cell in sheet[2]] == [today_world["city"].name, "Техническая", 4, 1, 25]


def test_the_population_downloads_in_the_form_the_import_reads(client, today_world, operator, regional):
    city, district = today_world["city"], today_world["district"]
    MunicipalityPopulation.objects.create(municipality=city, year=2020, children_5_17=1234)

    client.force_login(operator)
    own = openpyxl.load_workbook(BytesIO(b"".join(
        client.get(reverse("monitoring:population_export")).streaming_content))).worksheets[0]
    client.force_login(regional)
    content = b"".join(client.get(reverse("monitoring:population_export")).streaming_content)
    every = openpyxl.load_workbook(BytesIO(content)).worksheets[0]

    year = timezone.localdate().year
    assert [[cell.value for cell in row] for row in own.iter_rows()] == [
        ["ОКТМО", "Муниципалитет", "Год", "Детей 5–17 лет"],
        [city.oktmo, city.name, 2020, 1234], [city.oktmo, city.name, year, 100]]
    assert {(row[1].value, row[3].value) for row in every.iter_rows(min_row=2)} == {
        (city.name, 1234), (city.name, 100), (district.name, 50)}
    before = set(MunicipalityPopulation.objects.values_list("municipality", "year", "children_5_17"))
    assert services.import_population(regional, content) == 0  # loaded back, it changes nothing
    assert set(MunicipalityPopulation.objects.values_list("municipality", "year", "children_5_17")) == before
    ods = client.get(reverse("monitoring:population_export"), {"format": "ods"})
    assert ods["Content-Type"].startswith("application/vnd.oasis.opendocument.spreadsheet")
