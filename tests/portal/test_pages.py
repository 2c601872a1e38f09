"""The portal's pages for every visitor: the back office's door to the CMS, a fixed number
of queries per list, the version for the visually impaired and English."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opora.portal import services
from opora.portal.models import NewsPage
from tests.portal.conftest import image, news

pytestmark = pytest.mark.django_db


def test_the_office_page_shows_the_centres_content_by_status_and_its_changes(client, operator, city_page,
                                                                             district_page, other_operator):
    news(operator, city_page, title="Опубликованная новость")
    news(operator, city_page, title="Черновик новости", publish=False)
    news(other_operator, district_page, title="Новость района")
    client.force_login(operator)

    html = client.get(reverse("portal:office")).content.decode()

    assert city_page.title in html and district_page.title not in html
    assert "Опубликовано: <strong>1</strong>" in html and "Черновик: <strong>1</strong>" in html
    assert "Опубликованная новость" in html and "Новость района" not in html


@pytest.mark.parametrize("persona", ["staff", "parent", "authority"])
def test_the_office_page_is_closed_to_other_roles(client, request, persona, portal):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("portal:office")).status_code == 403


def _queries(client, url):
    client.get(url)  # renditions are made on the first view
    with CaptureQueriesContext(connection) as done:
        assert client.get(url).status_code == 200
    return len(done.captured_queries)


def test_list_pages_keep_their_number_of_queries(client, operator, city_page, django_assert_max_num_queries):
    for n in range(3):
        news(operator, city_page, title=f"Новость {n}", cover=image())
    few = _queries(client, city_page.url + "news/")
    for n in range(3, 9):
        news(operator, city_page, title=f"Новость {n}", cover=image())

    assert _queries(client, city_page.url + "news/") == few
    assert few <= 30
    with django_assert_max_num_queries(60):
        client.get(city_page.url)


def test_the_portal_in_the_version_for_the_visually_impaired(client, operator, city_page):
    item = news(operator, city_page, title="Новость для всех", cover=image())
    client.cookies["accessible"] = "s3-bw-i0-l1"

    html = client.get(item.url).content.decode()

    assert "a11y-no-images" in html.split("<body", 1)[1].split(">", 1)[0]
    assert "Новость для всех" in html


def test_the_portal_in_english(client, operator, city_page):
    news(operator, city_page, title="Новость")
    client.cookies["django_language"] = "en"

    html = client.get(city_page.url, headers={"accept-language": "en"}).content.decode()

    assert 'lang="en"' in html
    assert ">News<" in html and "Methodical materials" in html and "Contacts" in html


def test_a_news_item_a_moc_scheduled_is_not_in_the_feed_until_published(operator, city_page, client):
    import datetime as dt

    from django.utils import timezone

    services.add_content(operator, city_page, NewsPage(title="Будущая новость", lead="…"),
                         go_live_at=timezone.now() + dt.timedelta(hours=3))

    assert "Будущая новость" not in client.get(city_page.url + "feed/atom/").content.decode()
