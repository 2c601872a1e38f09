"""End to end, the independent quality assessment: the МОЦ operator starts a campaign,
includes a program and starts the expertise (experts assigned automatically); three
experts score it in the browser; the МОЦ publishes the results; the program's public page
shows the «passed» badge."""

import datetime as dt
import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opora.accounts.models import Role
from opora.quality import services
from opora.quality.models import Entry
from opora.registry.choices import ProgramStatus
from tests import factories as f
from tests.e2e.steps import PHONE, log_in, log_out, open_section

PASSWORD = "e2e-Pass-2030"
SHOTS = os.environ.get("OPORA_SCREENSHOTS")


def _label(text):
    return re.compile(rf"^{re.escape(text)}:?$")


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_campaign_three_experts_and_the_passed_badge(page, browser, live_server):
    from opora.quality.defaults import create_default_set
    from opora.quality.models import CriteriaSet, Criterion

    create_default_set(CriteriaSet, Criterion)  # the data migration's set (flushed between e2e tests)
    city = f.municipality(name="Городской округ Мытищи")
    provider = f.organization(city, short_name="МБУ ДО «Дом творчества»")
    program = f.program(provider, title="Робототехника для начинающих", status=ProgramStatus.PUBLISHED)
    operator = f.user(Role.SUPPORT_CENTRE, municipality=city, email="moc@example.org", password=PASSWORD)
    rmc = f.user(Role.REGIONAL_CENTRE)
    experts = []
    for number, name in enumerate(["Соколова", "Орлов", "Лебедева"], start=1):
        user = f.user(Role.EXPERT, email=f"expert{number}@example.org", password=PASSWORD, last_name=name,
                      first_name="Анна")
        services.save_expert(rmc, user, municipality=city, directions=["technical"])
        experts.append(user)
    today = timezone.localdate()

    log_in(page, operator.email, PASSWORD)
    open_section(page, "Оценка качества")
    page.get_by_role("button", name="Новая кампания").click()
    page.get_by_label(_label("Название")).fill("Независимая оценка качества программ 2026")
    page.get_by_label(_label("Начало")).fill((today - dt.timedelta(days=1)).isoformat())
    page.get_by_label(_label("Окончание")).fill((today + dt.timedelta(days=60)).isoformat())
    page.get_by_label(_label("Срок экспертизы")).fill((today + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Создать кампанию").click()
    expect(page.get_by_text("Кампания создана. Включите в неё программы.")).to_be_visible()
    page.get_by_label(re.compile("Робототехника для начинающих")).check()
    page.get_by_role("button", name="Включить отмеченные").click()
    page.get_by_role("button", name="Начать экспертизу и назначить экспертов").click()
    expect(page.get_by_text("Экспертиза начата. Назначено экспертов: 3.")).to_be_visible()
    _shot(page, "quality-campaign-desktop")
    log_out(page)

    for number, _expert in enumerate(experts, start=1):
        log_in(page, f"expert{number}@example.org", PASSWORD)
        open_section(page, "Экспертиза программ")
        page.get_by_role("link", name="Робототехника для начинающих").click()
        for line in page.locator("fieldset.sheet-line").all():
            line.get_by_label("2", exact=True).check()
        if number == 1:
            _shot(page, "quality-sheet-desktop")
        page.get_by_role("button", name="Сдать лист").click()
        expect(page.get_by_text("Лист сдан. Спасибо!")).to_be_visible()
        if number == 3:
            # after submitting, the others' scores open
            expect(page.get_by_text("Оценки других экспертов").first).to_be_visible()
        log_out(page)

    entry = Entry.objects.get(program=program)
    assert entry.decision == "passed"
    log_in(page, operator.email, PASSWORD)
    page.goto(f"/office/quality/campaigns/{entry.campaign_id}/")
    page.get_by_role("button", name="Опубликовать результаты").click()
    expect(page.get_by_text("Результаты опубликованы в навигаторе.")).to_be_visible()
    log_out(page)

    page.goto(f"/programs/{program.pk}/")
    badge = page.get_by_role("link", name=re.compile("Прошла независимую оценку качества"))
    expect(badge).to_be_visible()
    badge.click()
    expect(page.get_by_role("heading", name="Независимая оценка качества программ 2026")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Робототехника для начинающих"))).to_contain_text("соответствует")
    _shot(page, "quality-public-desktop")
    if SHOTS:
        phone = browser.new_context(base_url=live_server.url, locale="ru-RU", viewport=PHONE).new_page()
        phone.goto(f"/programs/{program.pk}/")
        _shot(phone, "quality-badge-phone")
        phone.goto(f"/quality/{entry.campaign_id}/")
        _shot(phone, "quality-public-phone")
        log_in(phone, "expert1@example.org", PASSWORD)
        phone.goto(f"/office/quality/assignments/{entry.assignments.first().pk}/")
        _shot(phone, "quality-sheet-phone")
        phone.context.close()
