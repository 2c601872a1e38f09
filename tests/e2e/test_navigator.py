"""End to end on a phone: a parent searches the catalog from the home page, narrows it
by the child's age, and opens a program; the same search works without JavaScript."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opora.registry.choices import Direction, FundingSource, Level
from tests import factories as f
from tests.e2e.steps import csp_violations
from tests.navigator.conftest import add_group

PHONE = {"width": 360, "height": 740}


def _catalog():
    city = f.municipality(name="Город Тестов")
    provider = f.organization(city, short_name="ДДТ «Радуга»")
    robotics = f.program(provider, title="Робототехника", status="published", direction=Direction.TECHNICAL,
                         age_min=7, age_max=14, levels=Level.START)
    add_group(robotics, sources=[(FundingSource.BUDGET, 0)])
    club = f.program(provider, title="Клуб юных роботов", status="published", direction=Direction.TECHNICAL,
                     age_min=10, age_max=16, levels=Level.ADVANCED)
    now = timezone.now()
    add_group(club, sources=[(FundingSource.CERTIFICATE, 1500)],
              enrolment=(now + dt.timedelta(days=3), now + dt.timedelta(days=30)))
    dance = f.program(provider, title="Танцевальная студия", status="published", direction=Direction.ARTS,
                      age_min=5, age_max=12, description="Современный и народный танец.")
    add_group(dance)
    return club


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_parent_searches_on_a_phone_filters_by_age_and_opens_a_program(browser, live_server):
    _catalog()
    context = browser.new_context(base_url=live_server.url, locale="ru-RU", viewport=PHONE,
                                  is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    violations = csp_violations(page)

    # the home page: a search box with a label, filters folded away
    page.goto("/")
    expect(page.get_by_role("heading", level=1, name="Кружки и секции для детей")).to_be_visible()
    expect(page.get_by_label("Возраст ребёнка, полных лет")).to_be_hidden()

    # search: the typed word finds both robot programs, the URL keeps the search
    page.get_by_label("Что ищете").fill("робот")
    page.get_by_label("Что ищете").press("Enter")
    expect(page.get_by_role("heading", level=2, name="Найдено программ: 2")).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=%D1%80%D0%BE%D0%B1%D0%BE%D1%82"))

    # filter by the child's age: only the club takes 15-year-olds
    page.get_by_text("Фильтры", exact=True).click()
    page.get_by_label("Возраст ребёнка, полных лет").select_option("15")
    expect(page.get_by_role("heading", level=2, name="Найдено программ: 1")).to_be_visible()
    expect(page).to_have_url(re.compile(r"age=15"))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # the filtered list opened again (reloaded, or a link shared): its results first, the
    # filters folded under «Фильтры · выбрано: 1»
    page.reload()
    expect(page.get_by_role("heading", level=2, name="Найдено программ: 1")).to_be_in_viewport()
    expect(page.get_by_label("Возраст ребёнка, полных лет")).to_be_hidden()
    expect(page.get_by_text("Фильтры · выбрано: 1")).to_be_visible()

    # open the program
    page.get_by_role("link", name="Клуб юных роботов").click()
    expect(page.get_by_role("heading", level=1, name="Клуб юных роботов")).to_be_visible()
    expect(page.get_by_text("Возможна оплата сертификатом")).to_be_visible()
    expect(page.get_by_role("button", name="Записаться")).to_be_disabled()
    expect(page.get_by_text(re.compile("Запись откроется"))).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()
    assert violations == []  # the live search and the filters ran under the policy


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_catalog_search_and_filters_work_without_javascript(browser, live_server):
    _catalog()
    context = browser.new_context(base_url=live_server.url, locale="ru-RU", viewport=PHONE,
                                  java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    page.get_by_label("Что ищете").fill("танцы")
    page.get_by_role("button", name="Найти").click()
    expect(page.get_by_role("heading", level=2, name="Найдено программ: 1")).to_be_visible()
    expect(page.get_by_role("link", name="Танцевальная студия")).to_be_visible()
    context.close()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_language_switch_works_on_the_page_kept_for_another_visitor(browser, live_server, settings):
    settings.OPORA_CATALOG_PAGE_SECONDS = 600
    _catalog()
    for javascript in (True, False):
        first = browser.new_context(base_url=live_server.url, locale="ru-RU", java_script_enabled=javascript)
        first.new_page().goto("/?q=танцы")  # the page is kept, with no token in it
        second = browser.new_context(base_url=live_server.url, locale="ru-RU", java_script_enabled=javascript)
        page = second.new_page()
        page.goto("/?q=танцы")  # answered from the kept page, with this visitor's token
        expect(page.get_by_role("heading", level=1, name="Кружки и секции для детей")).to_be_visible()
        page.get_by_role("button", name="English").click()
        expect(page.get_by_role("heading", level=1, name="Clubs and classes for children")).to_be_visible()
        expect(page).to_have_url(re.compile(r"q=%D1%82%D0%B0%D0%BD%D1%86%D1%8B"))
        page.get_by_role("button", name="Русский").click()
        expect(page.get_by_role("heading", level=1, name="Кружки и секции для детей")).to_be_visible()
        first.close()
        second.close()
