"""End to end on a phone: suggestions under the search field from the keyboard (ARIA
combobox, announced), and the age typed into the search shown as a removable chip."""

import re

import pytest
from playwright.sync_api import expect

from opora.registry.choices import Direction
from tests import factories as f
from tests.e2e.steps import csp_violations
from tests.navigator.conftest import add_group

PHONE = {"width": 360, "height": 740}


def _catalog():
    city = f.municipality(name="Город Тестов")
    provider = f.organization(city, short_name="ДДТ «Радуга»")
    for title, direction, ages, description in [
        ("Танцевальная студия", Direction.ARTS, (5, 12), "Современный и народный танец."),
        ("Биатлон", Direction.SPORTS, (8, 16), "Часть занятий дистанционно."),
        ("Робототехника", Direction.TECHNICAL, (7, 14), "Конструируем роботов."),
        ("Танцы для старших", Direction.ARTS, (13, 17), "Хип-хоп."),
    ]:
        add_group(f.program(provider, title=title, status="published", direction=direction,
                            age_min=ages[0], age_max=ages[1], description=description))


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_suggestions_from_the_keyboard_and_the_age_chip(browser, live_server):
    _catalog()
    context = browser.new_context(base_url=live_server.url, locale="ru-RU", viewport=PHONE,
                                  is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    violations = csp_violations(page)
    page.goto("/")

    field = page.get_by_role("combobox", name="Что ищете")
    field.press_sequentially("танц", delay=50)
    listbox = page.get_by_role("listbox", name="Подсказки")
    expect(listbox).to_be_visible()
    expect(field).to_have_attribute("aria-expanded", "true")
    expect(listbox.get_by_role("option")).to_have_text(["Танцы для старших", "Танцевальная студия"])
    expect(page.locator("#q-suggest-status")).to_have_text(re.compile("Подсказок: 2"))

    # arrows move through the options, Escape closes the list
    field.press("ArrowDown")
    expect(listbox.get_by_role("option", name="Танцы для старших")).to_have_attribute("aria-selected", "true")
    expect(field).to_have_attribute("aria-activedescendant", "q-suggestions-0")
    field.press("ArrowDown")
    expect(listbox.get_by_role("option", name="Танцевальная студия")).to_have_attribute("aria-selected", "true")
    field.press("ArrowUp")
    expect(field).to_have_attribute("aria-activedescendant", "q-suggestions-0")
    field.press("Escape")
    expect(listbox).to_be_hidden()
    expect(field).to_have_attribute("aria-expanded", "false")

    # Enter on an option opens the catalog with it
    field.press("ArrowDown")
    expect(listbox).to_be_visible()
    field.press("ArrowDown")
    field.press("ArrowDown")
    field.press("Enter")
    expect(page.get_by_role("heading", level=2, name="Найдено программ: 1")).to_be_visible()
    expect(page.get_by_role("link", name="Танцевальная студия")).to_be_visible()

    # the age in the text: only dance programs for an 8-year-old, a chip removes the age
    page.goto("/")
    field = page.get_by_role("combobox", name="Что ищете")
    field.fill("танцы для девочки 8 лет")
    field.press("Enter")
    expect(page.get_by_role("heading", level=2, name="Найдено программ: 1")).to_be_visible()
    expect(page.get_by_role("link", name="Танцевальная студия")).to_be_visible()
    expect(page.get_by_role("link", name="Биатлон")).to_have_count(0)
    chip = page.get_by_role("link", name=re.compile("Возраст \\(лет\\): 8"))
    expect(chip).to_be_visible()
    chip.click()
    expect(page.get_by_role("heading", level=2, name="Найдено программ: 2")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Возраст \\(лет\\)"))).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()
    assert violations == []
