"""End to end, the appeal of a practice's return: the МОЦ returned a reviewed practice
with remarks; the provider appeals within the days; the МОЦ gives the appeal to a new
expert (chosen automatically), who scores it blind in the browser; the МОЦ upholds the
appeal and the practice is back on review with the result computed over every sheet.

With ``OPORA_E2E_SHOTS=/some/dir`` the new screens are saved at 390 and 1280 pixels."""

import os

import pytest
from playwright.sync_api import expect

from opora.accounts.models import Role
from opora.practices import services
from opora.practices.models import Practice, PracticeStatus
from opora.quality import services as quality
from tests import factories as f
from tests.e2e.steps import DESKTOP, PHONE, log_in, log_out, open_section

PASSWORD = "e2e-Pass-2030"
SHOTS = os.environ.get("OPORA_E2E_SHOTS")


def _shot(page, name):
    if not SHOTS:
        return
    for size, width in ((PHONE, 390), (DESKTOP, 1280)):
        page.set_viewport_size(size)
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size(DESKTOP)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_returned_practice_is_appealed_and_reviewed_by_a_new_expert(page):
    from opora.practices.defaults import create_default_set
    from opora.quality.models import CriteriaSet, Criterion

    create_default_set(CriteriaSet, Criterion)  # the data migration's set (flushed between e2e tests)
    city = f.municipality(name="Городской округ Мытищи")
    provider = f.organization(city, short_name="МБУ ДО «Дом творчества»")
    staff = f.user(Role.ORGANIZATION_STAFF, organization=provider, municipality=city, email="staff@example.org",
                   password=PASSWORD)
    operator = f.user(Role.SUPPORT_CENTRE, municipality=city, email="moc@example.org", password=PASSWORD)
    rmc = f.user(Role.REGIONAL_CENTRE)
    experts = []
    for name in ("Соколова", "Орлова"):
        expert = f.user(Role.EXPERT, last_name=name, first_name="Анна")
        experts.append(quality.save_expert(rmc, expert, municipality=city, directions=["arts"]))

    practice = services.save_practice(staff, {
        "title": "Инклюзивная театральная студия", "authors": "Иванова Мария Петровна", "direction": "arts",
        "target_group": "ovz", "kind": "methodology",
        "summary": "Совместные занятия театром детей с ОВЗ и их сверстников.",
        "results": "Два спектакля, 18 детей с ОВЗ в группах.",
        "replication": "Педагог с курсом по инклюзии и тьютор."})
    services.submit(staff, practice)
    practice = services.start_review(operator, practice)
    for assignment in practice.assignments.all():
        sheet = {c.pk: (1, "Описано неполно.") for c in practice.criteria_set.criteria.all()}
        services.save_sheet(assignment.expert, assignment, sheet, submit=True)
    services.return_practice(operator, practice, "Подтвердите результаты документами.")
    # the one who will take the appeal: not among the experts of the round
    newcomer = f.user(Role.EXPERT, last_name="Новикова", first_name="Елена", email="expert@example.org",
                      password=PASSWORD)
    quality.save_expert(rmc, newcomer, municipality=city, directions=["arts"])

    log_in(page, staff.email, PASSWORD)
    open_section(page, "Лучшие практики")
    page.get_by_role("link", name="Инклюзивная театральная студия").click()
    page.get_by_text("Не согласны с возвратом? Подайте апелляцию до").click()
    _shot(page, "provider-appeal-form")
    page.get_by_role("button", name="Подать апелляцию").click()
    expect(page.get_by_text("Изложите доводы апелляции.")).to_be_visible()
    page.get_by_label("Доводы апелляции").fill("Результаты подтверждены отчётом управления образования.")
    page.get_by_role("button", name="Подать апелляцию").click()
    expect(page.get_by_text("Апелляция подана в МОЦ.")).to_be_visible()
    expect(page.get_by_role("link", name="Изменить")).to_have_count(0)
    _shot(page, "provider-appeal-filed")
    log_out(page)

    log_in(page, operator.email, PASSWORD)
    open_section(page, "Банк лучших практик")
    page.get_by_role("link", name="Инклюзивная театральная студия").click()
    expect(page.get_by_role("heading", name="Апелляция организации")).to_be_visible()
    _shot(page, "moc-appeal-assign")
    page.get_by_role("button", name="Передать новому эксперту").click()
    expect(page.get_by_text("Апелляция передана новому эксперту.")).to_be_visible()
    log_out(page)

    log_in(page, newcomer.email, PASSWORD)
    open_section(page, "Экспертиза практик")
    page.get_by_role("link", name="Инклюзивная театральная студия").click()
    expect(page.get_by_text("Организация обжаловала возврат практики")).to_be_visible()
    expect(page.get_by_text("Оценки других экспертов", exact=True)).to_have_count(0)  # blind before submitting
    for radio in page.locator('input[type="radio"][value="2"]').all():
        radio.check()
    _shot(page, "expert-appeal-sheet")
    page.get_by_role("button", name="Сдать лист").click()
    expect(page.get_by_text("Лист сдан. Спасибо!")).to_be_visible()
    expect(page.get_by_text("Оценки других экспертов", exact=True).first).to_be_visible()
    log_out(page)

    log_in(page, operator.email, PASSWORD)
    open_section(page, "Банк лучших практик")
    page.get_by_role("link", name="Инклюзивная театральная студия").click()
    page.get_by_label("удовлетворить: вернуть практику на экспертизу с пересчитанным итогом").check()
    page.get_by_label("Ответ организации").fill("Отчёт подтверждает результаты, доводы приняты.")
    _shot(page, "moc-appeal-decide")
    page.get_by_role("button", name="Принять решение по апелляции").click()
    expect(page.get_by_text("Решение по апелляции принято.")).to_be_visible()
    expect(page.get_by_text("66,7 %")).to_be_visible()
    practice = Practice.objects.get()
    assert practice.status == PracticeStatus.REVIEW and str(practice.score) == "66.7"
    assert practice.appeals.get().status == "upheld"

    page.goto("/office/practices/settings/")
    _shot(page, "moc-practice-settings")
    page.get_by_label("Срок апелляции, дней").fill("0")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Срок апелляции — от 1 до 90 дней.")).to_be_visible()
