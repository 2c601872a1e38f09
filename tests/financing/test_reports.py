"""Financing reports: funds by provider, program, direction and month; nominal versus
used; certificates by the number of their contracts. Figures computed by hand."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from opora.financing import reports, settlement
from opora.financing.models import CertificateLedger, ContractStatus, FinancingPeriod, Invoice
from opora.registry.choices import Direction
from tests import factories as f
from tests.enrollment.conftest import add_child, open_group
from tests.financing.conftest import NOV, OCT, csv_rows, make_certificate, make_contract, make_period, on_day
from tests.spreadsheets import COUNT, DATE, MONEY, PERCENT, content_of, ods_book, ods_formats, xlsx_book, xlsx_formats

D = Decimal


@pytest.fixture(autouse=True)
def _after_october(monkeypatch):
    on_day(monkeypatch, dt.date(2026, 11, 5))


@pytest.fixture
def period(city):
    return make_period(city, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2027, 8, 31))


@pytest.fixture
def arts(provider):
    return f.program(provider, title="Хор", direction=Direction.ARTS)


@pytest.fixture
def settled(operator, staff, authority, period, certificate, certified_program, arts, parent):
    """A (robotics, 4,000.00 × 2) and C (robotics, 1,000.00 in October) on the first
    certificate; B (choir, 3,333.33 + 3,333.34) on the second at 85.5 % in October; a third
    certificate has only a refused contract. October is advanced, closed and paid."""
    second = make_certificate(add_child(parent, first_name="Борис"), period)
    third = make_certificate(add_child(parent, first_name="Вера"), period)
    make_contract(certificate, open_group(certified_program, name="А"), period, {OCT: D("4000.00"), NOV: D("4000.00")})
    make_contract(certificate, open_group(certified_program, name="В"), period, {OCT: D("1000.00")})
    b = make_contract(second, open_group(arts, name="Б"), period, {OCT: D("3333.33"), NOV: D("3333.34")})
    make_contract(third, open_group(arts, name="Г"), period, {OCT: D("500.00")}, status=ContractStatus.REFUSED)
    CertificateLedger.objects.filter(certificate=third).update(committed=0)  # a refused contract reserves nothing
    FinancingPeriod.objects.filter(pk=period.pk).update(committed=D("15666.67"))
    settlement.open_month(operator, period.municipality, OCT)
    settlement.close_month(operator, period.municipality, OCT)
    final = Invoice.objects.get(kind="final")
    settlement.set_completeness(staff, final.lines.get(contract=b), "85.5")
    settlement.submit_invoice(staff, final)
    settlement.accept_invoice(authority, final)
    settlement.mark_paid(authority, final)
    return final


def figures(row):
    return (row["contracts"], row["scheduled"], row["advances"], row["invoiced"], row["returned"], row["paid"])


def test_funds_by_provider(operator, provider, settled):
    rows = reports.funds(operator, "provider")
    assert [row["label"] for row in rows] == [provider.short_name]
    # scheduled 8,000 + 1,000 + 6,666.67; advances 3,200 + 800 + 2,666.66; final 4,000 + 1,000 + 2,849.99
    assert figures(rows[0]) == (3, D("15666.67"), D("6666.66"), D("7849.99"), D("483.34"), D("7849.99"))


def test_funds_by_direction_and_program(operator, settled, certified_program, arts):
    by_direction = {row["label"]: figures(row) for row in reports.funds(operator, "direction")}
    assert by_direction == {
        "Техническая": (2, D("9000.00"), D("4000.00"), D("5000.00"), D("0.00"), D("5000.00")),
        "Художественная": (1, D("6666.67"), D("2666.66"), D("2849.99"), D("483.34"), D("2849.99")),
    }
    by_program = {row["label"]: figures(row) for row in reports.funds(operator, "program")}
    assert by_program[certified_program.title] == by_direction["Техническая"]
    assert by_program[arts.title] == by_direction["Художественная"]


def test_funds_by_month_and_a_month_range(operator, settled):
    by_month = [(row["label"], *figures(row)) for row in reports.funds(operator, "month")]
    assert by_month == [
        ("10.2026", 3, D("8333.33"), D("6666.66"), D("7849.99"), D("483.34"), D("7849.99")),
        ("11.2026", 2, D("7333.34"), D("0.00"), D("0.00"), D("0.00"), D("0.00")),
    ]
    november = reports.funds(operator, "provider", month_from=NOV)
    assert figures(november[0]) == (2, D("7333.34"), D("0.00"), D("0.00"), D("0.00"), D("0.00"))
    assert reports.funds_totals(reports.funds(operator, "month"))["scheduled"] == D("15666.67")


def test_nominal_versus_used(operator, settled, period):
    [row] = reports.nominal_vs_used(operator)
    # reserved: 4,000 (A, November) + 3,333.34 (B, November); paid: 5,000 + 2,849.99
    assert (row["certificates"], row["nominal"], row["reserved"], row["paid"], row["balance"]) == (
        3, D("90000.00"), D("7333.34"), D("7849.99"), D("74816.67"))
    assert row["used_share"] == D("16.9")  # 15,183.33 / 90,000
    assert row["committed"] == D("15183.33")


def test_certificates_by_number_of_contracts(operator, settled):
    [row] = reports.certificate_usage(operator)
    assert (row["kind_label"], row["total"], row["zero"], row["one"], row["two"], row["more"]) == (
        "Сертификат финансирования", 3, 1, 1, 1, 0)


def test_reports_are_scoped_to_the_territory(other_operator, staff, regional, settled, city):
    assert reports.funds(other_operator) == []
    assert reports.nominal_vs_used(other_operator) == []
    assert reports.certificate_usage(other_operator) == []
    assert reports.funds(staff) == [] and reports.certificate_usage(staff) == []
    assert [row["municipality"] for row in reports.certificate_usage(regional)] == [city.name]


def test_report_page_and_permissions(client, operator, staff, parent, settled, django_assert_max_num_queries):
    client.force_login(operator)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("financing:reports"), {"by": "direction"}).content.decode()
    assert "Техническая" in page and "Художественная" in page and "Сертификаты по числу договоров" in page
    for who in (staff, parent):
        client.force_login(who)
        assert client.get(reverse("financing:reports")).status_code == 403
        assert client.get(reverse("financing:report_export", args=["usage"])).status_code == 403


def _rows(response):
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def test_report_exports(client, operator, settled, provider):
    client.force_login(operator)
    funds = _rows(client.get(reverse("financing:report_export", args=["funds"]), {"by": "provider"}))
    assert funds[0][:3] == ["Организация", "Муниципалитет", "Договоров"]
    assert funds[1][0] == provider.short_name and funds[1][2:] == [3, 15666.67, 6666.66, 7849.99, 483.34, 7849.99]
    nominal = _rows(client.get(reverse("financing:report_export", args=["nominal"])))
    assert nominal[1][5:11] == [3, 0, 90000, 7333.34, 7849.99, 74816.67]
    usage = _rows(client.get(reverse("financing:report_export", args=["usage"])))
    assert usage[1][2:] == [3, 1, 1, 1, 0]
    assert client.get(reverse("financing:report_export", args=["unknown"])).status_code == 404


def test_report_exports_in_csv(client, operator, settled, provider):
    provider.short_name = "-ДДТ «Радуга»"
    provider.save()
    client.force_login(operator)
    funds = csv_rows(client.get(reverse("financing:report_export", args=["funds"]),
                                {"by": "provider", "format": "csv"}))
    assert funds[0][:3] == ["Организация", "Муниципалитет", "Договоров"]
    assert funds[1][0] == "'-ДДТ «Радуга»" and funds[1][2:] == [
        "3", "15666,67", "6666,66", "7849,99", "483,34", "7849,99"]
    nominal = csv_rows(client.get(reverse("financing:report_export", args=["nominal"]), {"format": "csv"}))
    assert nominal[1][5:11] == ["3", "0", "90000,00", "7333,34", "7849,99", "74816,67"]
    usage = csv_rows(client.get(reverse("financing:report_export", args=["usage"]), {"format": "csv"}))
    assert usage[1][2:] == ["3", "1", "1", "1", "0"]


@pytest.mark.parametrize("file_format", ["xlsx", "ods"])
def test_report_sheets_are_typed_and_set_up_for_print(client, operator, settled, file_format):
    client.force_login(operator)

    def get(report, **params):
        return content_of(client.get(reverse("financing:report_export", args=[report]),
                                     {"format": file_format, **params}))

    if file_format == "xlsx":
        funds = xlsx_formats(xlsx_book(get("funds", by="provider")).active)
        nominal = xlsx_formats(xlsx_book(get("nominal")).active)
        usage = xlsx_formats(xlsx_book(get("usage")).active)
        money, percent, count, date = MONEY, PERCENT, COUNT, DATE
    else:
        funds = {k: v[1] for k, v in ods_formats(ods_book(get("funds", by="provider")), "Средства", 0).items()}
        nominal = {k: v[1] for k, v in ods_formats(ods_book(get("nominal")), "Номинал", 0).items()}
        usage = {k: v[1] for k, v in ods_formats(ods_book(get("usage")), "Использование", 0).items()}
        money, percent, count, date = "N_money", "N_percent", "N_count", "N_date"
    assert (funds["Договоров"], funds["По графику, ₽"], funds["Оплачено по итоговым счетам, ₽"]) == (
        count, money, money)
    assert (nominal["Начало"], nominal["Бюджет, ₽"], nominal["Сертификатов с номиналом"],
            nominal["Использовано, %"]) == (date, money, count, percent)
    assert usage["Всего"] == count
