"""End to end, children from other municipalities: the city's МОЦ proposes a cooperation
agreement (the city pays for its children with the district's providers), the
district's МОЦ finds it on a phone, agrees, sees an older agreement marked «Истекло», and
opens the flows between municipalities with a period filter."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opora.accounts.models import Role
from opora.financing.models import AgreementStatus, CooperationAgreement
from opora.registry.choices import ProgramStatus
from tests import factories as f
from tests.e2e.steps import PHONE, log_in, log_out, open_section
from tests.enrollment.conftest import add_child
from tests.financing.conftest import certificate_only, certify, make_certificate, make_contract, make_period

PASSWORD = "e2e-Pass-2030"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_one_side_proposes_the_other_agrees(page):
    city, district = f.municipality(name="Город Тестов"), f.municipality(name="Тестовский район")
    f.user(Role.SUPPORT_CENTRE, municipality=city, email="moc@city.example", password=PASSWORD)
    f.user(Role.SUPPORT_CENTRE, municipality=district, email="moc@district.example", password=PASSWORD)
    year = timezone.localdate().year + 1

    # 1. the city's МОЦ proposes: the city pays, up to 10 children
    log_in(page, "moc@city.example", PASSWORD)
    open_section(page, "Соглашения муниципалитетов")
    page.get_by_label("Другой муниципалитет:", exact=True).select_option(label="Тестовский район")
    page.get_by_label("Наш муниципалитет — за своих детей в организациях другого").check()
    page.get_by_label("Действует с:", exact=True).fill(f"{year}-01-01")
    page.get_by_label("Действует по:", exact=True).fill(f"{year}-12-31")
    page.get_by_label("Не более детей").fill("10")
    page.get_by_role("button", name="Предложить соглашение").click()
    expect(page.get_by_text("Ожидает согласования").first).to_be_visible()
    expect(page.get_by_role("button", name="Согласовать соглашение")).to_have_count(0)
    log_out(page)

    # 2. the district's МОЦ, on a phone, agrees
    page.set_viewport_size(PHONE)
    log_in(page, "moc@district.example", PASSWORD)
    open_section(page, "Соглашения муниципалитетов")
    page.get_by_role("link", name="Город Тестов").click()
    page.get_by_role("button", name="Согласовать соглашение").click()
    expect(page.get_by_text("Соглашение согласовано и действует.")).to_be_visible()
    agreement = CooperationAgreement.objects.get()
    assert (agreement.status, agreement.payer, agreement.host, agreement.max_children) == (
        AgreementStatus.ACTIVE, city, district, 10)
    assert agreement.valid_from == dt.date(year, 1, 1)

    # 3. an agreement of the year before, past its end date, is marked «Истекло» in its own colour
    CooperationAgreement.objects.create(
        payer=city, host=district, proposer=city, status=AgreementStatus.ACTIVE, valid_from=dt.date(year - 2, 1, 1),
        valid_to=dt.date(year - 2, 12, 31), proposed_at=timezone.now())
    open_section(page, "Соглашения муниципалитетов")
    expired = page.locator(".badge.agreement-expired")
    expect(expired).to_have_text("Истекло")
    expect(expired).to_have_css("background-color", "rgb(179, 92, 0)")

    # 4. a child of the city studies with a district provider in October and November
    program = f.program(f.organization(district), status=ProgramStatus.PUBLISHED, title="Шахматы")
    certify(program.modules.get())
    group = certificate_only(program, dt.date(year, 9, 1), dt.date(year, 12, 31))
    period = make_period(city, title=f"ПФДО {year}", starts_on=dt.date(year, 1, 1), ends_on=dt.date(year, 12, 31))
    child = add_child(f.user(Role.PARENT, municipality=city, email="parent@city.example"))
    visiting = make_contract(make_certificate(child, period), group, period,
                             {dt.date(year, 10, 1): Decimal("3000.00"), dt.date(year, 11, 1): Decimal("3000.00")})
    CooperationAgreement.objects.filter(pk=agreement.pk).update(valid_from=dt.date(year, 1, 1))
    type(visiting).objects.filter(pk=visiting.pk).update(agreement=agreement)

    # 5. the flows: all months, then November only
    page.get_by_role("button", name="Потоки между муниципалитетами").click()
    expect(page.get_by_role("heading", level=1, name="Потоки между муниципалитетами")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Город Тестов"))
    expect(row).to_contain_text(re.compile(r"6\s000,00"))
    page.locator("summary", has_text="Фильтры").click()
    page.get_by_label("С месяца").fill(f"{year}-11")
    page.get_by_label("По месяц").fill(f"{year}-11")
    page.get_by_role("button", name="Показать").click()
    expect(page.get_by_text(f"месяцы с 11.{year} по 11.{year}")).to_be_visible()
    november = re.compile(r"Тестовский район\s*1\s*1\s*3\s000,00\s*0,00\s*0,00")
    expect(page.get_by_role("row", name=re.compile("Город Тестов"))).to_have_text(november)
    assert f"month_from={year}-11" in page.get_by_role("button", name="Выгрузить в Excel").get_attribute("href")
