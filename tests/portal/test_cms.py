"""The CMS behind Opora's login, in Russian, each editor in their own subtree."""

import json

import pytest

from opora.portal.models import NewsPage
from tests.portal.conftest import news

pytestmark = pytest.mark.django_db


def test_the_cms_sends_an_anonymous_visitor_to_oporas_login(client, portal):
    response = client.get("/cms/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_operator_opens_the_cms_in_russian_and_edits_own_subtree_only(client, operator, city_page,
                                                                          district_page, other_operator):
    other = news(other_operator, district_page)
    client.force_login(operator)

    home = client.get("/cms/")
    assert home.status_code == 200
    assert 'lang="ru"' in home.content.decode()
    assert client.get(f"/cms/pages/{city_page.pk}/edit/").status_code == 200
    assert client.get(f"/cms/pages/add/portal/newspage/{city_page.pk}/").status_code == 200
    assert client.get(f"/cms/pages/{other.pk}/edit/").status_code in (302, 403)
    assert client.get(f"/cms/pages/add/portal/newspage/{district_page.pk}/").status_code in (302, 403)


def test_operator_publishes_through_the_cms_form(client, operator, city_page):
    client.force_login(operator)
    client.get("/cms/")

    response = client.post(f"/cms/pages/add/portal/newspage/{city_page.pk}/", {
        "title": "Фестиваль технического творчества", "slug": "festival", "date": "2026-12-01",
        "lead": "Приглашаем школьников района.",
        "body": json.dumps({"blocks": [{"key": "a1", "type": "unstyled", "text": "Работы принимаются до 20 декабря.",
                                        "depth": 0, "inlineStyleRanges": [], "entityRanges": []}],
                            "entityMap": {}}),
        "attachments-TOTAL_FORMS": "0", "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0", "attachments-MAX_NUM_FORMS": "1000",
        "comments-TOTAL_FORMS": "0", "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0", "comments-MAX_NUM_FORMS": "1000",
        "action-publish": "action-publish",
    })

    assert response.status_code == 302, response.content.decode()[:2000]
    page = NewsPage.objects.get(slug="festival")
    assert page.live and page.get_parent().pk == city_page.pk
    assert page.owner == operator
    assert "Фестиваль технического творчества" in client.get(city_page.url).content.decode()


def test_a_parent_is_not_let_into_the_cms(client, parent, portal):
    client.force_login(parent)

    response = client.get("/cms/")

    assert response.status_code in (302, 403)
    assert "/cms/" not in response.get("Location", "/accounts/")[:5]


def test_the_cms_may_run_its_inline_scripts_the_site_may_not(client, operator, city_page):
    client.force_login(operator)

    cms_policy = client.get("/cms/")["Content-Security-Policy"]
    site_policy = client.get(city_page.url)["Content-Security-Policy"]

    assert "'unsafe-inline'" in cms_policy.split("script-src")[1].split(";")[0]
    assert "'unsafe-inline'" not in site_policy.split("script-src")[1].split(";")[0]
