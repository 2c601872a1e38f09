"""The pages of certificates, periods and certification: the parent's cabinet card and
request, the МОЦ register with filters, a fixed number of queries and the Excel export,
decisions on the card, the period and cost-parameter forms, the provider's
certification page and the МОЦ queue; who may open and post what."""

import html
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from opora.accounts.models import Role
from opora.financing import certificates as service
from opora.financing.models import (
    Certificate,
    CertificateStatus,
    CertificationStatus,
    CostParameters,
    FinancingPeriod,
    ModuleCertification,
)
from opora.registry.choices import ProgramStatus
from tests import factories as f
from tests.enrollment.conftest import add_child
from tests.financing.conftest import csv_rows, make_certificate
from tests.spreadsheets import content_of, ods_book, ods_cells, ods_formats

S = CertificateStatus


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def login(client, user):
    client.force_login(user)
    return client


# --- the parent's cabinet ------------------------------------------------------------


def test_parent_requests_a_certificate_from_the_cabinet(client, parent, child):
    login(client, parent)
    page = client.get(reverse("financing:cabinet_certificate"))
    assert page.status_code == 200 and "Сертификата пока нет" in text(page)

    response = client.post(reverse("financing:certificate_request", args=[child.uuid]),
                           {"wants_financing": ""})

    assert response.status_code == 302
    certificate = Certificate.objects.get(child=child)
    assert (certificate.status, certificate.wants_financing) == (S.REQUESTED, False)
    assert "Заявление подано" in text(client.get(reverse("financing:cabinet_certificate")))


def test_cabinet_shows_the_certificate_money_and_validity(client, parent, child, period):
    certificate = make_certificate(child, period, number="4500000042")
    certificate.ledgers.update(committed=Decimal("1200.50"))

    page = text(login(client, parent).get(reverse("financing:cabinet_certificate")))

    assert "4500000042" in page and "Сертификат финансирования" in page
    assert "30 000,00 ₽" in page and "1 200,50 ₽" in page and "28 799,50 ₽" in page
    assert "Договоров по сертификату нет" in page


def test_another_familys_child_is_not_found(client, child, district):
    stranger = f.user(Role.PARENT, municipality=district)
    response = login(client, stranger).post(reverse("financing:certificate_request", args=[child.uuid]))
    assert response.status_code == 404
    assert not Certificate.objects.exists()


def test_back_office_users_have_no_cabinet(client, operator):
    assert login(client, operator).get(reverse("financing:cabinet_certificate")).status_code == 403


# --- the register --------------------------------------------------------------------


@pytest.fixture
def register_rows(city, district, period):
    rows = []
    for n in range(3):
        parent = f.user(Role.PARENT, municipality=city)
        rows.append(make_certificate(add_child(parent, last_name=f"Иванов{n}"), period,
                                     number=f"45000000{n + 1:02d}"))
    foreign_parent = f.user(Role.PARENT, municipality=district)
    make_certificate(add_child(foreign_parent, last_name="Чужой"), number="4500000099")
    return rows


def test_register_shows_the_municipality_only_with_a_fixed_number_of_queries(
        client, operator, register_rows, django_assert_max_num_queries):
    login(client, operator)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("financing:certificates"))
    body = text(page)
    assert "4500000001" in body and "4500000003" in body
    assert "4500000099" not in body and "Чужой" not in body


def test_register_filters_by_number_and_name(client, operator, register_rows):
    login(client, operator)
    by_number = text(client.get(reverse("financing:certificates"), {"q": "4500000002"}))
    by_name = text(client.get(reverse("financing:certificates"), {"q": "иванов0"}))
    by_status = text(client.get(reverse("financing:certificates"), {"status": "requested"}))
    assert "4500000002" in by_number and "4500000001" not in by_number
    assert "4500000001" in by_name and "4500000002" not in by_name
    assert "Сертификатов с такими условиями нет" in by_status


def test_regional_centre_reads_the_whole_region(client, regional, register_rows):
    body = text(login(client, regional).get(reverse("financing:certificates")))
    assert "4500000099" in body and "4500000001" in body


@pytest.mark.parametrize("who", ["parent", "staff"])
def test_register_is_closed_to_parents_and_providers(client, request, who):
    assert login(client, request.getfixturevalue(who)).get(reverse("financing:certificates")).status_code == 403


def test_export_of_the_register(client, operator, register_rows):
    register_rows[0].ledgers.update(committed=Decimal("500.00"))  # reserved: no line has paid it
    response = login(client, operator).get(reverse("financing:certificates_export"))

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][0] == "Номер сертификата" and rows[0][-1] == "Остаток, ₽"
    assert [r[0] for r in rows[1:]] == ["4500000001", "4500000002", "4500000003"]  # text cells
    assert (sheet["A2"].data_type, sheet["A2"].number_format, sheet["I2"].number_format) == ("s", "@", "#,##0.00")
    first = rows[1]
    assert first[4] == "Сертификат финансирования" and first[5] == "Выдан"
    assert [Decimal(str(v)) for v in first[8:]] == [Decimal("30000"), Decimal("500"), Decimal("0"),
                                                     Decimal("29500")]


def test_export_of_the_register_in_csv(client, operator, register_rows):
    child = register_rows[0].child
    child.last_name = "=Петров"
    child.save()
    response = login(client, operator).get(reverse("financing:certificates_export"), {"format": "csv"})

    rows = csv_rows(response)
    assert rows[0][:3] == ["Номер сертификата", "Ребёнок", "Дата рождения"]
    # ="…": a spreadsheet keeps the number as text
    assert [r[0] for r in rows[1:]] == ['="4500000001"', '="4500000002"', '="4500000003"']
    assert rows[1][1].startswith("'=Петров ")


# --- decisions on the card -----------------------------------------------------------


def test_operator_issues_and_refuses_on_the_card(client, operator, parent, child, period):
    certificate, _ = service.request_certificate(parent, child)
    login(client, operator)
    url = reverse("financing:certificate", args=[certificate.pk])
    assert "Выдать сертификат" in text(client.get(url))

    refused = client.post(url, {"action": "refuse", "reason": ""})
    assert refused.status_code == 400 and "Укажите причину отказа" in text(refused)
    assert Certificate.objects.get(pk=certificate.pk).status == S.REQUESTED

    assert client.post(url, {"action": "issue"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == S.ISSUED and certificate.number
    page = text(client.get(url))
    assert "Сертификат выдан" in page or "Выдан" in page
    assert "30 000,00" in page


def test_authority_reads_the_card_but_may_not_decide(client, authority, parent, child):
    certificate, _ = service.request_certificate(parent, child)
    login(client, authority)
    url = reverse("financing:certificate", args=[certificate.pk])
    assert "Выдать сертификат" not in text(client.get(url))
    assert client.post(url, {"action": "issue"}).status_code == 403
    assert Certificate.objects.get(pk=certificate.pk).status == S.REQUESTED


def test_another_municipality_card_is_not_found(client, other_operator, parent, child):
    certificate, _ = service.request_certificate(parent, child)
    url = reverse("financing:certificate", args=[certificate.pk])
    assert login(client, other_operator).post(url, {"action": "issue"}).status_code == 404


# --- periods and cost parameters -----------------------------------------------------


PERIOD_FORM = {"title": "ПФДО 2030", "starts_on": "2030-01-01", "ends_on": "2030-12-31",
               "budget": "1000000.00", "certificates_cap": "10", "nominal_unit": "roubles",
               "nominal": "30000", "hour_cost": "", "fallback_on": "", "advance_percent": "80",
               "price_cap_percent": "150"}


def test_operator_creates_and_edits_a_period(client, operator, city):
    login(client, operator)
    response = client.post(reverse("financing:period_create"), PERIOD_FORM)
    period = FinancingPeriod.objects.get()
    assert response.status_code == 302
    assert (period.municipality, period.advance_share, period.price_cap_share) == (
        city, Decimal("0.8000"), Decimal("1.5000"))

    edit = reverse("financing:period_edit", args=[period.pk])
    bad = client.post(edit, {**PERIOD_FORM, "nominal_unit": "hours"})
    assert bad.status_code == 400 and "стоимость академического часа" in text(bad)
    client.post(edit, {**PERIOD_FORM, "advance_percent": "70"})
    page = text(client.get(edit))
    assert FinancingPeriod.objects.get().advance_share == Decimal("0.7000")
    assert "Период создан" in page or "История" in page
    assert 'value="70"' in client.get(edit).content.decode()


def test_regional_centre_reads_periods_but_may_not_create(client, regional, period):
    login(client, regional)
    assert period.title in text(client.get(reverse("financing:periods")))
    assert client.get(reverse("financing:period_create")).status_code == 403
    assert client.post(reverse("financing:period_edit", args=[period.pk]), PERIOD_FORM).status_code == 403


def test_cost_parameters_page(client, authority, city):
    login(client, authority)
    data = {"area": "rural", "rural-teacher_pay_per_hour": "400", "rural-qualification_coefficient": "1.1",
            "rural-staff_development_percent": "5", "rural-premises_per_hour": "10",
            "rural-equipment_per_hour": "5", "rural-average_group_size": "8"}
    assert client.post(reverse("financing:cost_parameters"), data).status_code == 302
    saved = CostParameters.objects.get()
    assert (saved.is_rural, saved.staff_development_share) == (True, Decimal("0.0500"))
    bad = client.post(reverse("financing:cost_parameters"), {**data, "rural-average_group_size": "0"})
    assert bad.status_code == 400 and "больше 0" in text(bad)


# --- certification -------------------------------------------------------------------


@pytest.fixture
def program_with_parameters(provider, city):
    CostParameters.objects.create(
        municipality=city, is_rural=False, teacher_pay_per_hour=Decimal("500.00"),
        qualification_coefficient=Decimal("1.200"), staff_development_share=Decimal("0.0500"),
        premises_per_hour=Decimal("100.00"), equipment_per_hour=Decimal("50.00"),
        average_group_size=Decimal("10.00"))
    return f.program(provider, status=ProgramStatus.PUBLISHED, title="Роботы")


def test_provider_asks_for_certification_and_the_operator_certifies(
        client, staff, operator, program_with_parameters):
    program = program_with_parameters
    module = program.modules.get()
    url = reverse("financing:program_certification", args=[program.pk])
    login(client, staff)
    page = text(client.get(url))
    assert "5 616,00 ₽" in page and "8 424,00 ₽" in page

    too_high = client.post(url, {"module": module.pk, f"m{module.pk}-price": "8424.01"})
    assert too_high.status_code == 400 and "не может быть выше предельной: 8 424,00 ₽" in text(too_high)
    assert client.post(url, {"module": module.pk, f"m{module.pk}-price": "8000"}).status_code == 302
    certification = ModuleCertification.objects.get()

    login(client, operator)
    queue = text(client.get(reverse("financing:certification_queue")))
    assert "Роботы" in queue and "Сертифицировать" in queue
    client.post(reverse("financing:certification_decide", args=[certification.pk]),
                {"action": "certify", "back": "queue"})
    assert ModuleCertification.objects.get().status == CertificationStatus.CERTIFIED


def test_other_provider_and_operators_are_kept_out(client, other_staff, other_operator, staff,
                                                   program_with_parameters):
    program = program_with_parameters
    module = program.modules.get()
    url = reverse("financing:program_certification", args=[program.pk])
    assert login(client, other_staff).get(url).status_code == 404
    from opora.financing import certification

    made = certification.request_certification(staff, module, Decimal("8000.00"))
    decide = reverse("financing:certification_decide", args=[made.pk])
    assert login(client, other_operator).post(decide, {"action": "certify"}).status_code == 404
    assert login(client, staff).post(decide, {"action": "certify"}).status_code == 403
    assert ModuleCertification.objects.get().status == CertificationStatus.AWAITING


def test_the_register_in_ods_keeps_numbers_as_text_and_money_as_money(client, operator, register_rows):
    response = login(client, operator).get(reverse("financing:certificates_export"), {"format": "ods"})

    document = ods_book(content_of(response))
    formats = ods_formats(document, "Сертификаты", 0)
    assert (formats["Номер сертификата"], formats["Дата рождения"], formats["Номинал текущего периода, ₽"]) == (
        ("string", "N_id"), ("date", "N_date"), ("float", "N_money"))
    assert [row[0]["value"] for row in ods_cells(document, "Сертификаты")[1:]] == [
        "4500000001", "4500000002", "4500000003"]
