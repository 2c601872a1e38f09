"""End to end, the portal: a МОЦ operator opens the CMS from the back-office menu, uploads
a photo, writes a news item with the photo as its cover and publishes it; the item is on
the municipality's portal page with its picture and in the municipality's RSS feed. The
page also lists the municipality's published event, and its link opens the event."""

import xml.etree.ElementTree as ET

import pytest
from playwright.sync_api import expect

from opora.accounts.models import Role
from opora.portal import tree
from opora.portal.models import MunicipalityPage, NewsPage
from tests import factories as f
from tests.e2e.steps import log_in, open_section
from tests.events.conftest import make_event
from tests.portal.conftest import png

PASSWORD = "e2e-Pass-2030"
TITLE = "Фестиваль технического творчества «Инженерные каникулы»"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_moc_publishes_news_with_a_photo_on_its_portal_page_and_feed(page, tmp_path):
    city = f.municipality(name="Городской округ Мытищи")
    f.municipality(name="Сосновский район")
    operator = f.user(Role.SUPPORT_CENTRE, municipality=city, email="moc@example.org", password=PASSWORD)
    tree.ensure_portal()
    city_page = MunicipalityPage.objects.get(municipality=city)
    staff = f.user(Role.ORGANIZATION_STAFF, organization=f.organization(city), municipality=city)
    event = make_event(staff, operator, title="Городской турнир юных робототехников")
    photo = tmp_path / "festival.png"
    photo.write_bytes(png(1200, 675, (200, 90, 40)))

    log_in(page, operator.email, PASSWORD)
    open_section(page, "Портал: публикации")
    expect(page.get_by_role("heading", name="Портал: публикации", level=1)).to_be_visible()

    page.goto("/cms/images/add/")
    page.locator("input[type=file]").set_input_files(str(photo))
    page.locator("#id_title").fill("Фестиваль: выставка роботов")
    page.locator("main form[enctype='multipart/form-data'] button[type=submit]").first.click()
    expect(page.get_by_text("Фестиваль: выставка роботов").first).to_be_visible()

    page.goto(f"/cms/pages/add/portal/newspage/{city_page.pk}/")
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_lead").fill("Приглашаем школьников на выставку роботов и мастер-классы.")
    page.locator("button[data-chooser-action-choose]").first.click()
    page.locator(".modal-content a", has_text="Фестиваль: выставка роботов").first.click()
    expect(page.locator(".modal-content")).to_be_hidden()
    page.locator("footer .dropdown-toggle, [data-w-dropdown-target=toggle]").last.click()
    page.get_by_role("button", name="Опубликовать").click()
    expect(page.get_by_text("опубликована").first).to_be_visible()

    item = NewsPage.objects.get(title=TITLE)
    assert item.live and item.cover is not None and item.get_parent().pk == city_page.pk

    page.goto(city_page.url)
    card = page.locator("article.portal-card", has_text=TITLE)
    expect(card).to_be_visible()
    expect(card.locator("img")).to_have_count(1)
    events = page.locator("section[aria-labelledby=events]")
    expect(events.get_by_role("heading", name="Мероприятия и конкурсы")).to_be_visible()
    expect(page.locator("section[aria-labelledby=quality]")).to_have_count(0)  # no results yet
    events.get_by_role("link", name=event.title).click()
    expect(page.get_by_role("heading", name=event.title, level=1)).to_be_visible()

    feed = page.request.get(city_page.url + "feed/rss/")
    titles = [item.findtext("title") for item in ET.fromstring(feed.body()).iter("item")]
    assert titles == [TITLE]
