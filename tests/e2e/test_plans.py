"""End to end, the МОЦ's plan: the МОЦ operator creates a plan and pastes its table, fixes
a deadline the preview did not recognise, saves and sends the plan for approval; the
education authority approves it; the operator marks an item done with a file; the report
shows the item done with its evidence."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opora.accounts.models import Role
from opora.plans.models import Item, ItemStatus, Plan, PlanStatus
from tests import factories as f
from tests.e2e.steps import log_in, log_out, open_section

PASSWORD = "e2e-Pass-2030"
TABLE = ("№ п/п\tНаименование мероприятия\tСроки\tОтветственный\n"
         "1.\tОпределение координатора МОЦ\tФевраль - март\tГречаная Н.М.\n"
         "2.\tРазработка Положения о МОЦ\tкогда-нибудь\tЯгольников И.Ю.\n")


def _label(text):
    return re.compile(rf"^{re.escape(text)}:?$")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_paste_fix_send_approve_mark_done_and_report(page, tmp_path):
    city = f.municipality(name="Городской округ Мытищи")
    operator = f.user(Role.SUPPORT_CENTRE, municipality=city, email="moc@example.org", password=PASSWORD)
    f.user(Role.EDUCATION_AUTHORITY, municipality=city, email="uo@example.org", password=PASSWORD)
    year = timezone.localdate().year - 1

    log_in(page, operator.email, PASSWORD)
    open_section(page, "Планы")
    page.get_by_role("button", name="Новый план").click()
    page.get_by_label(_label("Вид плана")).select_option(label="План работы МОЦ")
    page.get_by_label(_label("Год")).fill(str(year))
    page.get_by_role("button", name="Создать").click()

    page.get_by_label(_label("Таблица плана")).fill(TABLE)
    page.get_by_role("button", name="Проверить").click()
    rows = page.get_by_test_id("preview-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("Срок «когда-нибудь» не распознан")
    rows.nth(1).get_by_label("Сроки").fill("апрель")
    page.get_by_role("button", name="Проверить снова").click()
    expect(page.get_by_test_id("preview-row").nth(1)).to_contain_text(f"01.04.{year} – 30.04.{year}")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Сохранено мероприятий: 2.")).to_be_visible()
    page.get_by_role("button", name="Отправить на утверждение").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("на утверждении")
    plan = Plan.objects.get()
    log_out(page)

    log_in(page, "uo@example.org", PASSWORD)
    open_section(page, "Планы")
    page.get_by_role("link", name="План работы МОЦ").click()
    page.get_by_label(_label("Дата")).fill(timezone.localdate().isoformat())
    page.get_by_label(_label("Фамилия и инициалы")).fill("Гречаная Н.М.")
    page.get_by_label(_label("Должность")).fill("Начальник Управления образования")
    page.get_by_role("button", name="Утвердить", exact=True).click()
    expect(page.get_by_test_id("plan-status")).to_have_text("утверждён")
    log_out(page)

    log_in(page, operator.email, PASSWORD)
    page.goto(f"/office/plans/{plan.pk}/")
    page.get_by_role("link", name="Определение координатора МОЦ").click()
    page.get_by_label(_label("Статус")).select_option("done")
    page.get_by_label(_label("Дата выполнения")).fill(f"{year}-03-15")
    page.get_by_label(_label("Фактический результат")).fill("Координатор назначен приказом")
    page.get_by_role("button", name="Отметить").click()
    expect(page.get_by_test_id("item-status")).to_have_text("выполнено")
    order = tmp_path / "prikaz.pdf"
    order.write_bytes(b"%PDF-1.4 order")
    page.get_by_label(_label("Файл")).set_input_files(str(order))
    page.get_by_label(_label("Описание")).fill("Приказ о координаторе")
    page.get_by_role("button", name="Добавить").click()
    expect(page.get_by_role("link", name="Приказ о координаторе")).to_be_visible()

    page.goto(f"/office/plans/{plan.pk}/")
    page.get_by_role("link", name="Отчёт об исполнении").click()
    first = page.get_by_test_id("report-row").first
    expect(first).to_contain_text("Координатор назначен приказом")
    expect(first).to_contain_text("выполнено")
    expect(first.get_by_role("link", name="Приказ о координаторе")).to_be_visible()
    expect(page.get_by_test_id("report-summary")).to_contain_text("выполнено в срок: 1")

    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.approved_by_name == "Гречаная Н.М."
    assert Item.objects.get(number="1").status == ItemStatus.DONE
