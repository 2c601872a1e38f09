"""Who may publish where, and what the public sees: drafts and scheduled pages never."""

import datetime as dt

import pytest
from django.utils import timezone
from wagtail.models import PageLogEntry

from opora.errors import PermissionDenied
from opora.portal import access, services
from opora.portal.models import NewsPage, Status
from tests.portal.conftest import news

pytestmark = pytest.mark.django_db


def test_operator_publishes_news_of_its_municipality(operator, city_page, client):
    item = news(operator, city_page, title="День открытых дверей в ЦДТ")

    assert item.live and item.status == Status.PUBLISHED
    assert item.get_parent().pk == city_page.pk
    assert "День открытых дверей в ЦДТ" in client.get(city_page.url).content.decode()
    assert client.get(item.url).status_code == 200


def test_operator_cannot_write_into_another_municipality(operator, district_page):
    with pytest.raises(PermissionDenied):
        news(operator, district_page)

    assert NewsPage.objects.count() == 0


def test_operator_cannot_edit_another_municipalitys_news(operator, other_operator, district_page):
    item = news(other_operator, district_page)

    with pytest.raises(PermissionDenied):
        services.edit_content(operator, item, title="Чужая правка")
    with pytest.raises(PermissionDenied):
        services.archive(operator, item)

    item.refresh_from_db()
    assert item.title == "Открыта запись на летние смены" and item.live


def test_regional_centre_edits_region_pages_not_a_municipality(regional, region_page, city_page):
    news(regional, region_page, title="Региональный конкурс «Педагог года»")

    with pytest.raises(PermissionDenied):
        news(regional, city_page)


@pytest.mark.parametrize("persona", ["staff", "parent", "authority"])
def test_other_roles_get_no_rights_in_the_cms(persona, request, city_page):
    user = request.getfixturevalue(persona)

    assert access.sync_editor(user) is None
    with pytest.raises(PermissionDenied):
        news(user, city_page)


def test_rights_follow_a_changed_municipality(operator, city_page, district_page, district):
    assert access.sync_editor(operator).name.endswith(city_page.title)

    operator.municipality = district
    operator.save()

    group = access.sync_editor(operator)
    assert group.name.endswith(district_page.title)
    assert list(operator.groups.values_list("name", flat=True)) == [group.name]
    assert not city_page.permissions_for_user(operator).can_edit()


def test_a_draft_is_never_public(operator, city_page, client):
    draft = news(operator, city_page, title="Черновик приказа", publish=False)

    assert draft.status == Status.DRAFT
    assert client.get(draft.url or f"{city_page.url}{draft.slug}/").status_code == 404
    assert "Черновик приказа" not in client.get(city_page.url).content.decode()
    assert "Черновик приказа" not in client.get(city_page.url + "feed/rss/").content.decode()
    assert "Черновик приказа" not in client.get("/sitemap-portal.xml").content.decode()


def test_a_scheduled_page_waits_for_its_time(operator, city_page, client):
    tomorrow = timezone.now() + dt.timedelta(days=1)
    page = services.add_content(operator, city_page, NewsPage(title="Завтрашняя новость", lead="…"),
                                go_live_at=tomorrow)

    assert not page.live and page.status == Status.SCHEDULED
    assert client.get(f"{city_page.url}{page.slug}/").status_code == 404


def test_an_archived_page_leaves_the_site_and_keeps_its_history(operator, city_page, client):
    item = news(operator, city_page)

    services.archive(operator, item)

    assert item.status == Status.ARCHIVED
    assert client.get(f"{city_page.url}{item.slug}/").status_code == 404
    actions = list(PageLogEntry.objects.filter(page=item).values_list("action", flat=True))
    assert "wagtail.publish" in actions and "wagtail.unpublish" in actions


def test_publication_is_in_oporas_audit(operator, city_page):
    from opora import audit

    item = news(operator, city_page)

    events = [(e.action, e.to_state, e.actor_id) for e in audit.timeline(item)]
    assert ("portal.page.published", "published", operator.pk) in events
