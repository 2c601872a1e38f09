"""End to end, on a phone: a parent moves the child to another group of the same
program from November, sees the amounts before and after, confirms, and finds the new
schedule and the history of the switch on the contract."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opora.accounts.models import Role
from opora.financing.models import Contract
from tests import factories as f
from tests.e2e.steps import DESKTOP, PHONE, fact, log_in, money, open_section
from tests.enrollment.conftest import add_child
from tests.financing.conftest import certificate_only, certify, make_certificate, make_period
from tests.financing.switching_fixtures import in_module, module, studying

PASSWORD = "e2e-Pass-2030"
Y = timezone.localdate().year + 1
D = Decimal


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_parent_switches_the_group_and_sees_the_new_amounts(page, tmp_path):
    city = f.municipality(name="Город Тестов")
    provider = f.organization(city, short_name="ДДТ «Радуга»")
    period = make_period(city, title=f"ПФДО {Y}", starts_on=dt.date(Y, 1, 1), ends_on=dt.date(Y + 1, 8, 31))
    program = f.program(provider, status="published", title="Робототехника ПФДО")
    certify(program.modules.get())
    autumn = certificate_only(program, dt.date(Y, 9, 1), dt.date(Y, 12, 31), name="Осень")
    second = in_module(certificate_only(program, dt.date(Y, 10, 1), dt.date(Y, 12, 31), name="Второй модуль"),
                       module(program, 2, D("27600.00"), D("23000.00")))
    staff = f.user(Role.ORGANIZATION_STAFF, organization=provider, municipality=city)
    parent = f.user(Role.PARENT, municipality=city, email="olga.smirnova@example.org", password=PASSWORD)
    parent.email_confirmed_at = parent.date_joined
    parent.save()
    child = add_child(parent)
    make_certificate(child, period, nominal=D("40000.00"))
    contract = studying(parent, child, staff, autumn)

    page.set_viewport_size(PHONE)
    log_in(page, "olga.smirnova@example.org", PASSWORD)
    page.goto("/cabinet/")
    open_section(page, "Договоры")
    page.get_by_role("link", name=f"Договор № {contract.number}").click()
    page.get_by_label("Группа").select_option(str(second.pk))
    page.get_by_label("С месяца").select_option(dt.date(Y, 11, 1).isoformat())
    page.get_by_role("button", name="Показать новые суммы").click()

    amounts = page.locator("#switch-amounts")
    expect(amounts.get_by_role("row", name="Оплачивается родителем")).to_contain_text("6 033,62".replace(" ", "\u00a0"))
    expect(page.get_by_text("С сертификата дополнительно зарезервируется")).to_contain_text("168,04")
    page.screenshot(path=str(tmp_path / "switch-preview-390.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(tmp_path / "switch-preview-1280.png"), full_page=True)
    page.get_by_role("button", name="Подтвердить перевод").click()

    expect(page.get_by_role("status").first).to_contain_text("переведён в группу «Второй модуль»")
    expect(fact(page, "Группа")).to_have_text("Второй модуль")
    expect(fact(page, "Оплачивается родителем")).to_have_text(money(D("6033.62")))
    expect(page.locator("#switch-history")).to_contain_text("Осень → Второй модуль")
    page.screenshot(path=str(tmp_path / "switch-done-1280.png"), full_page=True)
    assert Contract.objects.get(pk=contract.pk).group_id == second.pk
