"""End to end, children from other municipalities: the city's МОЦ proposes a cooperation
agreement (the city pays for its children with the district's providers), the
district's МОЦ finds it on a phone, agrees, and opens the flows between municipalities."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opora.accounts.models import Role
from opora.financing.models import AgreementStatus, CooperationAgreement
from tests import factories as f
from tests.e2e.steps import PHONE, log_in, log_out, open_section

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

    # 3. the flows between municipalities open (no child studies across yet)
    open_section(page, "Соглашения муниципалитетов")
    page.get_by_role("button", name="Потоки между муниципалитетами").click()
    expect(page.get_by_role("heading", level=1, name="Потоки между муниципалитетами")).to_be_visible()
