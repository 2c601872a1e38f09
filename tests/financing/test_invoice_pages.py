"""Pages of settlement: the provider's «Счета», the payer's «Расчёты», the exports."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from opora.audit.models import AuditEvent
from opora.financing import settlement
from opora.financing.models import CertificateLedger, Invoice, InvoiceLine
from tests.enrollment.conftest import add_child, open_group
from tests.financing.conftest import (
    NOV,
    OCT,
    csv_rows,
    make_certificate,
    make_contract,
    make_period,
    on_day,
    snapshot,
)
from tests.spreadsheets import (
    COUNT,
    DATETIME,
    MONEY,
    MONTH,
    PERCENT,
    TEXT_ID,
    content_of,
    header_row,
    ods_book,
    ods_cells,
    ods_formats,
    pdf_pages,
    soffice,
    xlsx_book,
    xlsx_formats,
)

D = Decimal


@pytest.fixture(autouse=True)
def _after_october(monkeypatch):
    on_day(monkeypatch, dt.date(2026, 11, 5))


@pytest.fixture
def period(city):
    return make_period(city, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2027, 8, 31))


@pytest.fixture
def contracts(certificate, certified_program, period, parent):
    second = make_certificate(add_child(parent, first_name="Борис"), period)
    a = make_contract(certificate, open_group(certified_program, name="А"), period, {OCT: D("4000.00")})
    b = make_contract(second, open_group(certified_program, name="Б"), period,
                      {OCT: D("3333.33"), NOV: D("3333.34")})
    return a, b


@pytest.fixture
def closed(operator, period, contracts):
    settlement.open_month(operator, period.municipality, OCT)
    settlement.close_month(operator, period.municipality, OCT)
    return Invoice.objects.get(kind="final")


def shown(amount: str) -> str:
    """An amount as the pages print it in Russian: «6 849,99» (a no-break space)."""
    from django.template.defaultfilters import floatformat
    from django.utils import translation

    with translation.override("ru"):
        return str(floatformat(D(amount), "2g"))


def xlsx_rows(response):
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


# --- the provider ---------------------------------------------------------------------------------


def test_staff_list_their_invoices(client, staff, closed):
    client.force_login(staff)
    page = client.get(reverse("financing:invoices")).content.decode()
    assert f"Итоговый счёт № {closed.pk}" in page and "Аванс №" in page
    assert "Найдено счетов: 2" in page


def test_other_providers_see_nothing(client, other_staff, parent, closed):
    client.force_login(other_staff)
    assert "Счетов пока нет" in client.get(reverse("financing:invoices")).content.decode()
    assert client.get(reverse("financing:invoice", args=[closed.pk])).status_code == 404
    assert client.get(reverse("financing:invoice_export", args=[closed.pk])).status_code == 404
    client.force_login(parent)
    assert client.get(reverse("financing:invoice", args=[closed.pk])).status_code == 403


def test_staff_set_completeness_and_submit(client, staff, closed, contracts):
    _a, b = contracts
    client.force_login(staff)
    page = client.get(reverse("financing:invoice", args=[closed.pk])).content.decode()
    assert 'name="completeness"' in page and "Направить плательщику" in page
    # sending cannot be undone: the page asks first (opora.js, tested with the withdrawal)
    assert 'data-confirm="Направить счёт плательщику? После отправки изменить его будет нельзя."' in page
    line = closed.lines.get(contract=b)

    response = client.post(reverse("financing:invoice_line", args=[closed.pk, line.pk]),
                           {"completeness": "85,5", "page": "1"})

    assert response.status_code == 302 and response.url.endswith(f"?page=1#line-{line.pk}")
    line.refresh_from_db()
    assert (line.completeness, line.amount) == (D("85.50"), D("2849.99"))
    page = client.get(response.url).content.decode()
    assert "Полнота по договору" in page and shown("6849.99") in page and shown("983.33") in page

    client.post(reverse("financing:invoice_submit", args=[closed.pk]))
    closed.refresh_from_db()
    assert closed.status == "submitted"
    page = client.get(reverse("financing:invoice", args=[closed.pk])).content.decode()
    assert 'name="completeness"' not in page and "Направить плательщику" not in page


def test_bad_completeness_shows_the_reason_and_changes_nothing(client, staff, closed):
    client.force_login(staff)
    line = closed.lines.first()
    before = snapshot()
    response = client.post(reverse("financing:invoice_line", args=[closed.pk, line.pk]),
                           {"completeness": "120", "page": "1"})
    assert response.status_code == 400
    page = response.content.decode()
    # The reason stands in the row the user edited, under the value as typed, which is
    # focused; not at the top of the page.
    row = page.split(f'<tr id="line-{line.pk}">', 1)[1].split("</tr>", 1)[0]
    assert 'value="120"' in row and 'aria-invalid="true"' in row and "autofocus" in row
    assert "от 0 до 100" in row and 'role="alert"' in row
    assert '<ul class="messages"' not in page
    assert snapshot() == before


def test_staff_cannot_accept_or_pay(client, staff, closed):
    client.force_login(staff)
    settlement.submit_invoice(staff, closed)
    before = snapshot()
    response = client.post(reverse("financing:invoice_accept", args=[closed.pk]), follow=True)
    assert "Недостаточно прав" in response.content.decode()
    assert snapshot() == before
    assert client.get(reverse("financing:settlement")).status_code == 403
    assert client.post(reverse("financing:settlement_run"), {"month": "2026-10", "action": "close"}).status_code == 403


# --- the payer -------------------------------------------------------------------------------------


def test_operator_closes_a_month_after_a_confirmation(client, operator, period, contracts):
    client.force_login(operator)
    page = client.get(reverse("financing:settlement")).content.decode()
    assert "Закрыть месяц" in page and 'value="2026-10"' in page

    confirm = client.post(reverse("financing:settlement_run"), {"month": "2026-10", "action": "close"})

    text = confirm.content.decode()
    assert "Закрытие месяца: октябрь 2026" in text and shown("7333.33") in text and 'name="confirmed"' in text
    assert not Invoice.objects.exists()

    done = client.post(reverse("financing:settlement_run"),
                       {"month": "2026-10", "action": "close", "confirmed": "yes"}, follow=True)

    assert "счетов создано 1, строк добавлено 2" in done.content.decode()
    final = Invoice.objects.get(kind="final")
    assert (final.amount, final.status) == (D("7333.33"), "draft")
    assert CertificateLedger.objects.filter(paid=D("3333.33")).exists()


def test_a_month_not_ended_is_refused_on_the_page(client, operator, period, contracts):
    client.force_login(operator)
    confirm = client.post(reverse("financing:settlement_run"), {"month": "2026-11", "action": "close"})
    assert "Месяц ещё не закончился" in confirm.content.decode()
    assert 'name="confirmed"' not in confirm.content.decode()
    done = client.post(reverse("financing:settlement_run"),
                       {"month": "2026-11", "action": "close", "confirmed": "yes"}, follow=True)
    assert "ноябрь 2026 ещё не закончился" in done.content.decode()
    assert not Invoice.objects.exists()


def test_bad_month_is_refused(client, operator, period, contracts):
    client.force_login(operator)
    done = client.post(reverse("financing:settlement_run"), {"month": "октябрь", "action": "close"}, follow=True)
    assert "Укажите месяц в виде ГГГГ-ММ" in done.content.decode()
    assert not Invoice.objects.exists()


def test_payer_accepts_pays_and_cancels(client, operator, authority, staff, closed):
    settlement.submit_invoice(staff, closed)
    client.force_login(authority)
    client.post(reverse("financing:invoice_accept", args=[closed.pk]))
    client.post(reverse("financing:invoice_paid", args=[closed.pk]))
    closed.refresh_from_db()
    assert closed.status == "paid"

    advance = Invoice.objects.get(kind="advance")
    client.force_login(operator)
    refused = client.post(reverse("financing:invoice_cancel", args=[advance.pk]), {"reason": "Ошибка"}, follow=True)
    assert "сначала отмените итоговый счёт" in refused.content.decode()
    advance.refresh_from_db()
    assert advance.status == "draft"


def test_the_back_link_leads_each_side_to_a_list_it_may_open(client, operator, staff, closed):
    for user, listed in ((staff, "financing:invoices"), (operator, "financing:settlement")):
        client.force_login(user)
        page = client.get(reverse("financing:invoice", args=[closed.pk])).content.decode()
        assert f'<a href="{reverse(listed)}">← Все счета</a>' in page
        assert client.get(reverse(listed)).status_code == 200


def test_payer_cancels_a_draft_with_a_reason(client, operator, closed):
    client.force_login(operator)
    refused = client.post(reverse("financing:invoice_cancel", args=[closed.pk]), {"reason": ""}, follow=True)
    assert "Укажите причину отмены" in refused.content.decode()
    client.post(reverse("financing:invoice_cancel", args=[closed.pk]), {"reason": "Ошибка в графике"})
    closed.refresh_from_db()
    assert closed.status == "cancelled"
    assert not CertificateLedger.objects.filter(paid__gt=0).exists()
    page = client.get(reverse("financing:invoice", args=[closed.pk])).content.decode()
    assert "Ошибка в графике" in page and "Отменить счёт" not in page


def test_other_municipality_sees_no_invoice(client, other_operator, closed):
    client.force_login(other_operator)
    page = client.get(reverse("financing:settlement")).content.decode()
    assert "Счетов с такими условиями нет" in page
    assert client.get(reverse("financing:invoice", args=[closed.pk])).status_code == 404
    assert client.post(reverse("financing:invoice_cancel", args=[closed.pk]), {"reason": "x"}).status_code == 404


def test_regional_centre_reads_but_does_not_run(client, regional, closed):
    client.force_login(regional)
    page = client.get(reverse("financing:settlement")).content.decode()
    assert f"Итоговый счёт № {closed.pk}" in page and "Закрыть месяц" not in page
    assert client.post(reverse("financing:settlement_run"), {"month": "2026-10", "action": "close"}).status_code == 403


def test_settlement_list_filters_and_keeps_its_query_count(client, operator, closed, django_assert_max_num_queries):
    client.force_login(operator)
    page = client.get(reverse("financing:settlement"), {"kind": "final", "month": "2026-10"}).content.decode()
    assert "Найден 1 счёт" in page
    with django_assert_max_num_queries(12):
        client.get(reverse("financing:settlement"))


# --- exports ---------------------------------------------------------------------------------------


def test_invoice_export_has_its_lines_and_totals(client, staff, closed, contracts):
    client.force_login(staff)
    response = client.get(reverse("financing:invoice_export", args=[closed.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = xlsx_rows(response)
    assert rows[0] == [f"Итоговый счёт № {closed.pk} за 10.2026"]
    header = 8  # the caption and seven lines of the title block above the table
    assert rows[header][:3] == ["№ п/п", "Номер договора", "Номер сертификата"]
    numbers = sorted(line.contract_number for line in closed.lines.all())
    assert [row[1] for row in rows[header + 1:header + 3]] == numbers
    assert [v for v in rows[-1] if v not in (None, "")] == ["К оплате с учётом аванса, ₽", 1466.67]


def test_month_invoices_export(client, operator, closed):
    client.force_login(operator)
    response = client.get(reverse("financing:settlement_export"), {"month": "2026-10"})
    rows = xlsx_rows(response)
    assert rows[0][0] == "Месяц" and len(rows) == 3
    final = next(row for row in rows if row[4] == "Итоговый счёт")
    assert final[0] == dt.datetime(2026, 10, 1)  # a real date, shown as month and year
    assert final[6:10] == [2, 7333.33, 5866.66, 1466.67]
    assert "2026-10" in response["Content-Disposition"]



def test_invoice_exports_in_csv(client, staff, operator, closed, contracts):
    program = closed.lines.order_by("contract_number").first().contract.module.program
    program.title = "=HYPERLINK(\"http://evil.example\")"
    program.save()
    client.force_login(staff)
    lines = csv_rows(client.get(reverse("financing:invoice_export", args=[closed.pk]), {"format": "csv"}))
    assert lines[0][:4] == ["№ п/п", "Номер договора", "Номер сертификата", "Программа"]
    assert lines[1][3] == "'=HYPERLINK(\"http://evil.example\")"
    assert [v for v in lines[-1] if v] == ["К оплате с учётом аванса, ₽", "1466,67"]

    client.force_login(operator)
    invoices = csv_rows(client.get(reverse("financing:settlement_export"), {"month": "2026-10", "format": "csv"}))
    assert invoices[0][:3] == ["Месяц", "Плательщик", "Организация"] and len(invoices) == 3
    final = next(row for row in invoices if row[4] == "Итоговый счёт")
    assert final[0] == "01.10.2026"
    assert final[6:10] == ["2", "7333,33", "5866,66", "1466,67"]


def test_audit_shows_on_the_invoice_page(client, operator, closed):
    client.force_login(operator)
    assert AuditEvent.objects.filter(target_id=str(closed.pk), action="financing.invoice.created").exists()
    page = client.get(reverse("financing:invoice", args=[closed.pk])).content.decode()
    assert "История" in page
    assert InvoiceLine.objects.filter(invoice=closed).count() == 2


def test_the_confirmation_shows_what_the_run_will_bill(client, operator, staff, period, certificate,
                                                       certified_program, parent, closed):
    from tests.enrollment.conftest import add_child, open_group
    from tests.financing.conftest import make_certificate

    # the October invoice was sent; a contract made since is not billed by closing again
    settlement.submit_invoice(staff, closed)
    late = make_certificate(add_child(parent, first_name="Вера"), period)
    make_contract(late, open_group(certified_program, name="В"), period, {OCT: D("1000.00")})
    client.force_login(operator)

    text = client.post(reverse("financing:settlement_run"), {"month": "2026-10", "action": "close"}).content.decode()

    assert "<dt>Договоров войдёт в счета</dt><dd>0</dd>" in text
    assert f"<dt>Сумма к включению в счета</dt><dd>{shown('0.00')} ₽</dd>" in text
    assert "<dt>Не войдут: итоговый счёт организации уже направлен</dt><dd>1</dd>" in text
    done = client.post(reverse("financing:settlement_run"),
                       {"month": "2026-10", "action": "close", "confirmed": "yes"}, follow=True)
    assert "строк добавлено 0" in done.content.decode()


# --- the invoice and the month's invoices as spreadsheets (xlsx and ods) --------------------------


def test_invoice_sheet_has_a_title_block_typed_columns_labelled_totals_and_prints_on_a_page(
        client, staff, closed, contracts):
    client.force_login(staff)
    content = content_of(client.get(reverse("financing:invoice_export", args=[closed.pk])))

    sheet = xlsx_book(content).active
    organization = closed.organization
    title = [sheet.cell(row=n, column=1).value for n in range(1, header_row(sheet))]
    assert title == [
        f"Итоговый счёт № {closed.pk} за 10.2026",
        f"Номер счёта: {closed.pk}",
        f"Поставщик услуг: {organization.full_name}, ИНН {organization.inn}",
        f"Плательщик: {closed.municipality.name}",
        "Месяц: 10.2026",
        "Вид счёта: Итоговый счёт",
        f"Статус: {closed.get_status_display()}",
        f"Дата формирования: {timezone.localtime(closed.created_at):%d.%m.%Y}",
    ]
    assert header_row(sheet) == 9 and sheet.cell(row=1, column=1).font.bold
    assert xlsx_formats(sheet) == {
        "№ п/п": COUNT, "Номер договора": TEXT_ID, "Номер сертификата": TEXT_ID, "Программа": "General",
        "По графику, ₽": MONEY, "Полнота оказания услуги, %": PERCENT, "К оплате, ₽": MONEY}
    assert sheet.cell(row=10, column=6).value == 1  # 100 % is the fraction 1
    assert sheet.cell(row=10, column=3).data_type == "s"  # the certificate number stays text
    # each total labelled in the cell before it, right-aligned (the label runs to the left)
    totals = {row[5].value: (row[6].value, row[6].number_format, row[6].font.bold)
              for row in sheet.iter_rows(min_row=12) if row[5].value}
    assert sheet.cell(row=13, column=6).alignment.horizontal == "right"
    assert totals == {"Итого по счёту, ₽": (7333.33, MONEY, True), "Выплаченный аванс, ₽": (5866.66, MONEY, True),
                      "К оплате с учётом аванса, ₽": (1466.67, MONEY, True)}
    # the filter covers the lines, not the totals; the header repeats on every printed page,
    # the table is fitted to the page width (narrow enough here to print upright)
    assert sheet.auto_filter.ref == "A9:G11"
    assert sheet.print_title_rows == "$9:$9" and sheet.page_setup.fitToWidth == 1
    assert sheet.page_setup.orientation == "portrait"


def test_invoice_sheet_in_ods_has_the_same_title_block_types_and_totals(client, staff, closed, contracts):
    client.force_login(staff)
    response = client.get(reverse("financing:invoice_export", args=[closed.pk]), {"format": "ods"})
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    assert response["Content-Disposition"].endswith(".ods")

    document = ods_book(content_of(response))
    rows = ods_cells(document, "Счёт")
    assert rows[0][0]["value"] == f"Итоговый счёт № {closed.pk} за 10.2026"
    assert [row[0]["value"].split(":")[0] for row in rows[1:8]] == [
        "Номер счёта", "Поставщик услуг", "Плательщик", "Месяц", "Вид счёта", "Статус", "Дата формирования"]
    assert ods_formats(document, "Счёт", 8) == {
        "№ п/п": ("float", "N_count"), "Номер договора": ("string", "N_id"),
        "Номер сертификата": ("string", "N_id"), "Программа": ("string", None),
        "По графику, ₽": ("float", "N_money"), "Полнота оказания услуги, %": ("percentage", "N_percent"),
        "К оплате, ₽": ("float", "N_money")}
    assert rows[9][2]["value"] == "0000000001" or rows[9][2]["value"].isdigit()
    assert [(row[5]["value"], row[6]["value"], row[6]["format"]) for row in rows[-3:]] == [
        ("Итого по счёту, ₽", 7333.33, "N_money"), ("Выплаченный аванс, ₽", 5866.66, "N_money"),
        ("К оплате с учётом аванса, ₽", 1466.67, "N_money")]


@pytest.mark.skipif(not soffice(), reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("file_format", ["xlsx", "ods"])
def test_a_short_invoice_prints_on_one_a4_page(client, staff, closed, contracts, file_format):
    client.force_login(staff)
    content = content_of(client.get(reverse("financing:invoice_export", args=[closed.pk]), {"format": file_format}))
    assert pdf_pages(content, file_format) == 1


@pytest.mark.parametrize("file_format", ["xlsx", "ods"])
def test_month_invoices_sheet_has_the_month_as_a_date_and_money_formats(client, operator, closed, file_format):
    client.force_login(operator)
    content = content_of(client.get(reverse("financing:settlement_export"),
                                    {"month": "2026-10", "format": file_format}))
    if file_format == "xlsx":
        sheet = xlsx_book(content).active
        assert xlsx_formats(sheet) == {
            "Месяц": MONTH, "Плательщик": "General", "Организация": "General", "ИНН": TEXT_ID, "Вид": "General",
            "Статус": "General", "Договоров": COUNT, "Сумма, ₽": MONEY, "Аванс, ₽": MONEY, "К оплате, ₽": MONEY,
            "Сформирован": DATETIME}
        assert sheet["A2"].value == dt.datetime(2026, 10, 1)
    else:
        document = ods_book(content)
        formats = ods_formats(document, "Счета", 0)
        assert (formats["Месяц"], formats["ИНН"], formats["Сумма, ₽"], formats["Сформирован"]) == (
            ("date", "N_month"), ("string", "N_id"), ("float", "N_money"), ("date", "N_datetime"))
        assert ods_cells(document, "Счета")[1][0]["value"] == dt.datetime(2026, 10, 1)
