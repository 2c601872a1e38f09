"""End to end, on a phone: the provider raises the price of a published program's group;
the catalog keeps the old price until the МОЦ approves the new one on the card."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from opora.accounts.models import Role
from opora.registry.choices import FundingSource, ProgramStatus
from opora.registry.models import GroupFunding
from tests import factories as f
from tests.e2e.steps import PHONE, log_in, log_out

PASSWORD = "e2e-Pass-2030"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_new_price_reaches_the_catalog_once_the_support_centre_approves_it(page, live_server):
    city = f.municipality(name="Город Тестов")
    provider = f.organization(city, short_name="ДДТ «Радуга»")
    program = f.program(provider, title="Робототехника", status=ProgramStatus.PUBLISHED)
    group = f.group(program, name="Группа 1-А")
    GroupFunding.objects.filter(group=group).delete()
    GroupFunding.objects.create(group=group, source=FundingSource.CERTIFICATE,
                                monthly_price=Decimal("1600"), total_price=Decimal("14400"))
    f.user(Role.ORGANIZATION_STAFF, organization=provider, municipality=city,
           email="staff@raduga.example", password=PASSWORD)
    f.user(Role.SUPPORT_CENTRE, municipality=city, email="moc@city.example",
           last_name="Сидоров", first_name="Олег", password=PASSWORD)
    page.set_viewport_size(PHONE)

    # the provider proposes 9 999 ₽ a month
    log_in(page, "staff@raduga.example", PASSWORD)
    page.goto(f"{live_server.url}/office/registry/my/groups/{group.pk}/edit/")
    funding = page.get_by_role("group", name="Источник финансирования 1")
    funding.get_by_label(re.compile("^Стоимость в месяц, ₽")).fill("9999")
    page.get_by_role("button", name="Сохранить группу").click()
    expect(page.get_by_role("status")).to_contain_text("Новая стоимость появится в навигаторе "
                                                       "после проверки МОЦ")
    log_out(page)

    # parents still see 1 600 ₽
    page.goto(f"{live_server.url}/programs/{program.pk}/")
    expect(page.get_by_text("Сертификат — 1\xa0600 ₽ в месяц")).to_be_visible()

    # the МОЦ finds it in the queue and approves it on the card
    log_in(page, "moc@city.example", PASSWORD)
    page.goto(f"{live_server.url}/office/registry/moderation/")
    row = page.get_by_role("row").filter(has_text="Робототехника")
    expect(row).to_contain_text("Новая стоимость групп")
    row.get_by_role("link", name="Робототехника").click()
    expect(page.get_by_role("article").filter(has_text="Новая стоимость на проверке МОЦ")
           ).to_contain_text("Сертификат: 1\xa0600 ₽ → 9\xa0999 ₽ в месяц")
    page.get_by_role("button", name="Утвердить новую стоимость").click()
    expect(page.get_by_role("status")).to_contain_text("Новая стоимость утверждена")
    history = page.get_by_role("region", name="История")
    expect(history.get_by_role("listitem").filter(has_text="Изменена стоимость группы")
           ).to_contain_text("Сидоров О.")
    log_out(page)

    page.goto(f"{live_server.url}/programs/{program.pk}/")
    expect(page.get_by_text("Сертификат — 9\xa0999 ₽ в месяц")).to_be_visible()
