"""End to end, the next school year: the provider's staff propose to prolong the
contracts of a group into the next module's group; the parent finds the offer for the
new period in the cabinet with its amounts, accepts it, and sees the new period's
reserve on the certificate."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from opora.accounts.models import Role
from opora.financing.models import ContractStatus, ProlongationOffer, ProlongationStatus
from tests import factories as f
from tests.concurrency import families
from tests.e2e.steps import PHONE, fact, log_in, log_out, money, open_section
from tests.financing.prolongation_fixtures import school_years, studying, two_year_program

PASSWORD = "e2e-Pass-2030"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_provider_proposes_and_the_parent_accepts_next_years_offer(page, tmp_path):
    # given: a school year under way and the next period planned; three children study in
    # this year's group of a two-year program under active contracts
    city = f.municipality(name="Город Тестов")
    provider = f.organization(city, short_name="ДДТ «Радуга»")
    current, new = school_years(city)
    _program, this_year, next_year = two_year_program(provider)
    f.user(Role.ORGANIZATION_STAFF, organization=provider, municipality=city,
           email="staff@raduga.example", last_name="Иванова", first_name="Ольга", password=PASSWORD)
    people = families(3, city)
    contracts = [studying(child, this_year, current, new) for _parent, child in people]
    parent, child = people[0]
    parent.email, parent.email_confirmed_at = "olga.smirnova@example.org", parent.date_joined
    parent.set_password(PASSWORD)
    parent.save()

    # 1. the provider opens «Продление договоров», the group, and proposes everyone
    log_in(page, "staff@raduga.example", PASSWORD)
    open_section(page, "Продление договоров")
    expect(page.get_by_role("heading", level=1, name="Продление договоров на новый период")).to_be_visible()
    page.get_by_role("link", name=this_year.name).click()
    expect(page.get_by_role("heading", level=1, name=f"Продление группы «{this_year.name}»")).to_be_visible()
    for contract in contracts:
        expect(page.get_by_label(f"{contract.application.child.full_name} · № {contract.number}")).to_be_checked()
    expect(page.get_by_label("Группа на новый период")).to_have_value(str(next_year.pk))
    page.get_by_role("button", name="Предложить продление").click()
    expect(page.get_by_role("status").first).to_contain_text("Оферт на новый период направлено родителям: 3.")
    expect(page.get_by_role("table").get_by_text("Ждёт решения родителя")).to_have_count(3)
    page.screenshot(path=str(tmp_path / "provider.png"), full_page=True)
    log_out(page)
    offer = ProlongationOffer.objects.get(source=contracts[0])
    new_contract = offer.contract

    # 2. the parent finds the offer for the new period and accepts it (on a phone)
    page.set_viewport_size(PHONE)
    log_in(page, "olga.smirnova@example.org", PASSWORD)
    page.goto("/cabinet/")
    open_section(page, "Договоры")
    page.get_by_role("link", name=f"Договор № {new_contract.number}").click()
    expect(page.get_by_role("heading", name=f"Продление на новый период «{new.title}»")).to_be_visible()
    reserve = page.locator("#new-reserve")
    expect(fact(reserve, "Номинал сертификата в новом периоде")).to_have_text(money(Decimal("30000.00")))
    expect(fact(reserve, "Зарезервировано по этому договору")).to_have_text(money(Decimal("30000.00")))
    expect(fact(reserve, "Остаток сертификата в новом периоде")).to_have_text(money(Decimal("0.00")))
    expect(fact(page, "Оплачивается родителем")).to_have_text(money(Decimal("6000.00")))
    page.screenshot(path=str(tmp_path / "parent-offer.png"), full_page=True)
    page.get_by_role("button", name="Принять договор").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Договор № {new_contract.number} принят")
    expect(page.get_by_text("Договор действует: ребёнок зачислен в группу.")).to_be_visible()

    # 3. the certificate shows the new period's reserve
    open_section(page, "Сертификаты")
    expect(page.get_by_role("heading", name=f"Следующий период: {new.title}")).to_be_visible()
    card = page.get_by_role("article", name=child.full_name)
    next_money = card.get_by_role("heading", name=f"Следующий период: {new.title}").locator(
        "xpath=following-sibling::dl[1]")
    expect(fact(next_money, "Зарезервировано")).to_have_text(money(Decimal("30000.00")))
    expect(fact(next_money, "Остаток")).to_have_text(money(Decimal("0.00")))

    offer.refresh_from_db()
    new_contract.refresh_from_db()
    assert (offer.status, new_contract.status) == (ProlongationStatus.ACCEPTED, ContractStatus.ACTIVE)
