"""End to end, the bank of best practices: a provider describes a practice and submits it
to the МОЦ; the МОЦ passes it to the experts (assigned automatically), who score it; the
МОЦ publishes it and it is found in the public bank by a search with another word form."""

import pytest
from playwright.sync_api import expect

from opora.accounts.models import Role
from opora.practices import services
from opora.practices.models import Practice
from opora.quality import services as quality
from tests import factories as f
from tests.e2e.steps import log_in, log_out, open_section

PASSWORD = "e2e-Pass-2030"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_practice_from_the_provider_to_the_public_bank(page):
    from opora.practices.defaults import create_default_set
    from opora.quality.models import CriteriaSet, Criterion

    create_default_set(CriteriaSet, Criterion)  # the data migration's set (flushed between e2e tests)
    city = f.municipality(name="Городской округ Мытищи")
    provider = f.organization(city, short_name="МБУ ДО «Дом творчества»")
    staff = f.user(Role.ORGANIZATION_STAFF, organization=provider, municipality=city, email="staff@example.org",
                   password=PASSWORD)
    operator = f.user(Role.SUPPORT_CENTRE, municipality=city, email="moc@example.org", password=PASSWORD)
    rmc = f.user(Role.REGIONAL_CENTRE)
    for name in ("Соколова", "Орлов"):
        expert = f.user(Role.EXPERT, last_name=name, first_name="Анна")
        quality.save_expert(rmc, expert, municipality=city, directions=["arts"])

    log_in(page, staff.email, PASSWORD)
    open_section(page, "Лучшие практики")
    page.get_by_role("button", name="Описать практику").click()
    page.get_by_label("Название практики").fill("Инклюзивная театральная студия")
    page.get_by_label("Авторы").fill("Иванова Мария Петровна")
    page.get_by_label("Направленность").select_option(label="Художественная")
    page.get_by_label("Целевая группа").select_option(label="дети с ОВЗ")
    page.get_by_label("Вид практики").select_option(label="методика")
    page.get_by_label("Краткое описание").fill("Совместные занятия театром детей с ОВЗ и их сверстников.")
    page.get_by_label("Результаты и их подтверждение").fill("Два спектакля, 18 детей с ОВЗ в группах.")
    page.get_by_label("Условия тиражирования").fill("Педагог с курсом по инклюзии и тьютор.")
    page.get_by_role("button", name="Сохранить").click()
    page.get_by_role("button", name="Подать в МОЦ").click()
    expect(page.get_by_text("Практика подана в МОЦ.")).to_be_visible()
    log_out(page)

    log_in(page, operator.email, PASSWORD)
    open_section(page, "Банк лучших практик")
    page.get_by_role("link", name="Инклюзивная театральная студия").click()
    page.get_by_role("button", name="Передать экспертам").click()
    expect(page.get_by_text("Практика передана экспертам.")).to_be_visible()
    practice = Practice.objects.get()
    for assignment in practice.assignments.all():  # the experts' sheets (their page is tested in tests/practices)
        sheet = {c.pk: (2, "") for c in practice.criteria_set.criteria.all()}
        services.save_sheet(assignment.expert, assignment, sheet, submit=True)
    page.reload()
    expect(page.get_by_text("100,0 %")).to_be_visible()
    page.get_by_role("button", name="Опубликовать в банке").click()
    expect(page.get_by_text("Практика опубликована в банке лучших практик.")).to_be_visible()
    log_out(page)

    page.goto("/practices/")
    page.get_by_label("Поиск").fill("театр инклюзия")
    page.get_by_role("button", name="Найти").click()
    page.get_by_role("link", name="Инклюзивная театральная студия").click()
    expect(page.get_by_role("heading", name="Организация авторов")).to_be_visible()
    expect(page.get_by_text(provider.full_name)).to_be_visible()
