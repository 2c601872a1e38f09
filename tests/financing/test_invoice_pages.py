"""Pages of settlement: the provider's «Счета», the payer's «Расчёты», the exports."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
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
