"""On a phone, as issue «the navigator parents prefer» asks: a parent searches «танцы для
8 лет», sees only dance programs for that age, opens one from the map, saves it to
favourites and applies."""

import re

import pytest
from playwright.sync_api import expect

from opora.accounts.models import Role
from opora.enrollment.models import Application
from opora.registry.choices import Direction, ProgramStatus
from tests import factories as f
from tests.e2e.steps import PHONE, csp_violations, log_in
from tests.enrollment.conftest import add_child, born, open_group

PASSWORD = "e2e-Pass-2030"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_dance_for_an_eight_year_old_from_the_map_to_an_application(browser, live_server):
    city = f.municipality(name="Город Тестов")
    studio = f.organization(city, short_name="Студия «Па»", latitude=56.61, longitude=84.88)
    school = f.organization(city, short_name="Школа № 5", latitude=56.58, longitude=84.95)
    dance = f.program(studio, title="Современный танец", status=ProgramStatus.PUBLISHED,
                      direction=Direction.ARTS, age_min=7, age_max=12)
    group = open_group(dance, name="Танцы-1", capacity_max=5)
    teens = f.program(school, title="Танцы для подростков", status=ProgramStatus.PUBLISHED,
                      direction=Direction.ARTS, age_min=12, age_max=17)
    open_group(teens)
    robots = f.program(school, title="Роботы для начинающих", status=ProgramStatus.PUBLISHED,
                       direction=Direction.TECHNICAL, age_min=7, age_max=12)
    open_group(robots)
    parent = f.user(Role.PARENT, municipality=city, email="mama@example.org", password=PASSWORD)
    add_child(parent, first_name="Алёна", birth_date=born(8, group.start_date))

    context = browser.new_context(base_url=live_server.url, locale="ru-RU", viewport=PHONE,
                                  is_mobile=True, has_touch=True)
    context.route(re.compile(r"^https://tile\.openstreetmap\.org/"), lambda route: route.abort())
    context.set_default_timeout(15_000)
    page = context.new_page()
    violations = csp_violations(page)
    log_in(page, "mama@example.org", PASSWORD)

    # the search reads the age from the text: only the dance program for 8-year-olds
    page.goto("/")
    page.get_by_label("Что ищете").fill("танцы для 8 лет")
    page.get_by_label("Что ищете").press("Enter")
    expect(page.get_by_role("heading", level=2, name="Найдено программ: 1")).to_be_visible()
    expect(page.get_by_text("Возраст (лет): 8")).to_be_visible()
    expect(page.get_by_role("link", name="Современный танец")).to_be_visible()

    # on the map: one marker, the studio; its popup opens its programs
    page.get_by_role("link", name="Показать на карте").click()
    expect(page.locator("#map")).to_have_attribute("data-markers", "1")
    page.locator(".leaflet-marker-icon").first.click()
    page.get_by_role("link", name="Открыть программы (1)").click()
    expect(page).to_have_url(re.compile(rf"/\?(.*&)?organization={studio.pk}(&|$)"))
    page.get_by_role("link", name="Современный танец").click()
    expect(page.get_by_role("heading", level=1, name="Современный танец")).to_be_visible()

    # saves it to favourites and applies for the child
    page.get_by_role("button", name="Сохранить в избранное: Современный танец").click()
    expect(page.get_by_role("button", name="Убрать из избранного: Современный танец")).to_be_visible()
    page.get_by_role("button", name="Записаться").first.click()
    page.get_by_label(re.compile("Алёна")).check()
    page.get_by_role("button", name="Записаться").click()
    expect(page.get_by_role("heading", level=1, name="Место забронировано")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # withdrawing asks first: «no» keeps the seat, «yes» gives it up
    application = Application.objects.get()
    page.goto(f"/cabinet/applications/{application.uuid}/")
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Отозвать заявку").click()
    expect(page.get_by_role("button", name="Отозвать заявку")).to_be_visible()
    assert questions == ["Отозвать заявку? Место в группе или в очереди будет потеряно, вернуть его нельзя."]
    application.refresh_from_db()
    assert application.status == "new"
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Отозвать заявку").click()
    expect(page.get_by_text("Заявка отозвана.")).to_be_visible()
    context.close()

    application.refresh_from_db()
    assert application.group == group and application.status == "withdrawn"
    assert parent.favourites.get().program == dance
    assert violations == []
