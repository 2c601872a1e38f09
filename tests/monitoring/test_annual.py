"""The annual report on «Успех каждого ребенка»: its contents for a municipality, who
reads it, bad years, the page, the print version and the Excel file."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import docx
import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from opora.errors import PermissionDenied, ValidationFailed
from opora.financing.models import CertificateKind
from opora.monitoring import annual
from tests.financing.conftest import make_certificate, make_period
from tests.monitoring.conftest import child

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture
def money(today_world):
    """A financing period in each municipality, two certificates in the city, one in the
    district."""
    city, district = today_world["city"], today_world["district"]
    city_period = make_period(city, budget=Decimal("1000000.00"))
    make_period(district, title="ПФДО района", budget=Decimal("500000.00"))
    make_certificate(child(city), city_period)
    make_certificate(child(city), kind=CertificateKind.ACCOUNTING)
    make_certificate(child(district), kind=CertificateKind.ACCOUNTING)
    return today_world


def test_the_report_of_a_municipality_holds_its_own_figures_only(money, operator):
    report = annual.build(operator, YEAR, money["city"])

    rows = {row["code"]: row for row in report["indicators"]}
    assert (rows["coverage"]["numerator"], rows["coverage"]["denominator"]) == (2, 100)
    assert rows["coverage"]["target"] == 80
    assert report["day"] == min(dt.date(YEAR, 12, 31), timezone.localdate())
    assert [table["name"] for table in report["coverage_tables"]][:3] == ["direction", "sex", "age_band"]
    assert report["program_totals"]["total"] == 2  # the city's tech and arts programs
    assert [(row["title"], row["budget"]) for row in report["periods"]] == [
        (f"ПФДО {YEAR}", Decimal("1000000.00"))]
    assert sorted((row["kind"], row["total"]) for row in report["certificates"]) == [
        ("accounting", 1), ("financing", 1)]


def test_the_rmc_reads_the_region_and_any_municipality(money, regional):
    region = annual.build(regional, YEAR, None)
    district = annual.build(regional, YEAR, money["district"])

    assert len(region["periods"]) == 2
    assert sum(row["total"] for row in region["certificates"]) == 3
    assert [row["title"] for row in district["periods"]] == ["ПФДО района"]


def test_others_may_not_read_it(money, operator, staff, parent):
    with pytest.raises(PermissionDenied):
        annual.build(operator, YEAR, money["district"])
    with pytest.raises(PermissionDenied):
        annual.build(operator, YEAR, None)
    for user in (staff, parent):
        with pytest.raises(PermissionDenied):
            annual.build(user, YEAR, money["city"])


@pytest.mark.parametrize("year", ["прошлый", None, 2019, YEAR + 1])
def test_bad_years_are_refused(money, operator, year):
    with pytest.raises(ValidationFailed):
        annual.build(operator, year, money["city"])


def test_a_past_year_reads_31_december_from_its_snapshot(money, operator):
    report = annual.build(operator, YEAR - 1, money["city"])

    assert report["day"] == dt.date(YEAR - 1, 12, 31)
    assert report["final"] is True
    assert report["snapshot"].recomputed is True  # none was taken: computed and frozen now
    assert annual.build(operator, YEAR - 1, money["city"])["snapshot"] == report["snapshot"]


def test_the_page_the_print_version_and_the_excel_file(client, money, operator):
    client.force_login(operator)
    url = reverse("monitoring:annual")

    page = client.get(url, {"year": YEAR})
    assert page.status_code == 200
    html = page.content.decode()
    assert "«Успех каждого ребенка»" in html
    assert "1\xa0000\xa0000,00" in html  # the period's budget, formatted
    assert 'class="office-nav"' not in client.get(url, {"year": YEAR, "print": 1}).content.decode()
    assert 'href="/office/monitoring/annual/"' in client.get(reverse("monitoring:index")).content.decode()
    export = client.get(reverse("monitoring:annual_export"), {"year": YEAR})
    book = openpyxl.load_workbook(BytesIO(b"".join(export.streaming_content)))
    assert book.sheetnames[0] == "Показатели"
    periods = list(book["Периоды финансирования, ₽"].iter_rows(min_row=2, values_only=True))
    assert book["Периоды финансирования, ₽"]["C2"].number_format == "#,##0.00"
    assert [(row[1], row[2]) for row in periods] == [(f"ПФДО {YEAR}", 1000000)]


def test_the_word_document(client, money, operator):
    client.force_login(operator)

    response = client.get(reverse("monitoring:annual_document"), {"year": YEAR})

    document = docx.Document(BytesIO(b"".join(response.streaming_content)))
    assert "«Успех каждого ребенка»" in document.paragraphs[0].text
    periods = next(t for t in document.tables if t.rows[0].cells[0].text == "Муниципалитет"
                   and t.rows[0].cells[1].text == "Период")
    assert [c.text for c in periods.rows[1].cells][1:3] == [f"ПФДО {YEAR}", "1 000 000,00"]
    header = periods.rows[0]._tr.trPr
    assert header is not None and "tblHeader" in header.xml  # repeated on every page


def test_staff_are_refused_the_page(client, money, staff):
    client.force_login(staff)
    assert client.get(reverse("monitoring:annual")).status_code == 403
