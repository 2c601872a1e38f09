"""Evidence Opora holds, from the apps around plans: events of the plan's municipality and
period (``plans.links.held_events``) and the МОЦ's pages on the portal (registered by the
portal: ``portal.evidence``); a news item picked as a media plan's publication; what the
item page, the report and its files show of them; forged links refused."""

import datetime as dt
import io

import docx
import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from opora.accounts.models import Role
from opora.errors import NotFound, ValidationFailed
from opora.events import selectors as event_selectors
from opora.events import services as events
from opora.plans import links, services
from opora.plans.models import Channel
from opora.portal import services as portal
from opora.portal import tree
from opora.portal.models import DocumentPage, MaterialPage, MunicipalityPage, NewsPage, RegionPage
from tests import factories as f
from tests.events.conftest import event_data
from tests.plans.conftest import add_items, approve, make_plan


def _held(year, month, day, days=1):
    start = timezone.make_aware(dt.datetime(year, month, day, 10))
    return [{"starts_at": start, "ends_at": start + dt.timedelta(days=days - 1, hours=3),
             "place": "Дом творчества", "online_url": ""}]


def _event(author, title, sessions, moderator=None, submit=False):
    event = events.create_event(author, event_data(title=title), sessions=sessions)
    if submit or moderator is not None:
        events.submit_event(author, event)
    if moderator is not None:
        event = events.publish_event(moderator, event)
    return event


@pytest.fixture
def held(operator, other_operator, staff, regional, city):
    """Events of the city and of the district around the plan's year (last year)."""
    year = timezone.localdate().year - 1
    neighbour = f.user(Role.ORGANIZATION_STAFF, organization=f.organization(city), municipality=city)
    return {
        "year": year,
        "neighbour": neighbour,
        "festival": _event(operator, "Фестиваль «Северное сияние»", _held(year, 5, 20, days=3), operator),
        "contest": _event(staff, "Конкурс робототехников", _held(year, 10, 2), submit=True),
        "draft": _event(operator, "Черновик праздника", _held(year, 11, 1)),
        "other": _event(neighbour, "Турнир соседей", _held(year, 9, 9), submit=True),
        "district": _event(other_operator, "Районный слёт", _held(year, 6, 1), other_operator),
        "next_year": _event(operator, "Ёлка", _held(year + 1, 1, 10), operator),
        "region": _event(regional, "Областной конкурс", _held(year, 4, 4), regional),
    }


def _urls(user, plan, kind="Мероприятие"):
    return {link.url: link.title for link in links.offered(user, plan) if link.kind == kind}


def test_events_of_the_plans_municipality_and_period_that_the_user_may_open(
        operator, staff, held, plan):
    """The МОЦ is offered its published festival (public page, with its dates), the
    provider's contest it moderates and its own draft (back office, marked), never the
    district's, the region's or next year's events; a provider responsible for an item only
    the published events and its own."""
    year = held["year"]
    public = reverse("events:detail", args=[held["festival"].pk])
    office = {name: reverse("events:manage", args=[held[name].pk]) for name in ("contest", "draft", "other")}

    offered = _urls(operator, plan)
    assert offered == {
        public: f"«Фестиваль «Северное сияние»», 20.05.{year} – 22.05.{year}",
        office["contest"]: f"«Конкурс робототехников», 02.10.{year} (не опубликовано)",
        office["draft"]: f"«Черновик праздника», 01.11.{year} (не опубликовано)",
        office["other"]: f"«Турнир соседей», 09.09.{year} (не опубликовано)",
    }
    assert list(offered) == [link.url for link in links.offered(operator, plan)  # newest first
                             if link.kind == "Мероприятие"] == [
        office["draft"], office["contest"], office["other"], public]
    for url in offered:  # each offered back-office page is one the operator may open
        if url != public:
            event_selectors.event_for(operator, int(url.split("/")[-2]))

    assert set(_urls(staff, plan)) == {public, office["contest"]}
    with pytest.raises(NotFound):
        event_selectors.event_for(staff, held["other"].pk)


def test_an_offered_event_is_saved_and_a_forged_one_refused(operator, authority, held, filled):
    approve(operator, authority, filled)
    item = filled.items.first()
    public = reverse("events:detail", args=[held["festival"].pk])

    evidence = services.add_evidence(operator, item, link=public)

    assert (evidence.href, evidence.note) == (
        public, f"Мероприятие: «Фестиваль «Северное сияние»», 20.05.{held['year']} – 22.05.{held['year']}")
    for forged in (reverse("events:detail", args=[held["district"].pk]),
                   reverse("events:detail", args=[held["next_year"].pk]),
                   reverse("events:detail", args=[held["region"].pk])):
        with pytest.raises(ValidationFailed, match="Выберите документ Опоры из списка"):
            services.add_evidence(operator, item, link=forged)
    assert item.evidence.count() == 1


# --- the portal ---------------------------------------------------------------------------


@pytest.fixture
def pages(operator, other_operator, regional, city, district):
    """The city МОЦ's pages on the portal in and around the plan's year, and others'."""
    tree.ensure_portal()
    year = timezone.localdate().year - 1
    city_page = MunicipalityPage.objects.get(municipality=city)
    district_page = MunicipalityPage.objects.get(municipality=district)

    def add(user, parent, model=NewsPage, title="", publish=True, **fields):
        return portal.add_content(user, parent, model(title=title, lead="Коротко.", **fields),
                                  publish=publish)

    withdrawn = add(operator, city_page, title="Снятая новость", date=dt.date(year, 4, 1))
    portal.archive(operator, withdrawn)
    return {
        "year": year,
        "news": add(operator, city_page, title="Открыт фестиваль", date=dt.date(year, 5, 21)),
        "material": add(operator, city_page, MaterialPage, title="Видео о кружках",
                        date=dt.date(year, 9, 1)),
        "document": add(operator, city_page, DocumentPage, title="План работы МОЦ",
                        date=dt.date(year, 1, 30)),
        "draft": add(operator, city_page, title="Черновик новости", publish=False,
                     date=dt.date(year, 6, 1)),
        "withdrawn": withdrawn,
        "old": add(operator, city_page, title="Прошлогодняя новость", date=dt.date(year - 1, 12, 30)),
        "district": add(other_operator, district_page, title="Новость района", date=dt.date(year, 5, 1)),
        "region": add(regional, RegionPage.objects.get(), title="Новость области",
                      date=dt.date(year, 5, 2)),
    }


def test_the_portal_offers_the_mocs_live_pages_of_the_period(operator, staff, pages, plan):
    """News, materials and documents of the city's part of the portal dated in the plan's
    year, live ones only, to the МОЦ and to a provider alike (they are public); the news
    and the material are publications, the document is not."""
    year = pages["year"]
    offered = {link.url: link for link in links.offered(operator, plan) if "портала" in link.kind}

    assert {url: (link.kind, link.title) for url, link in offered.items()} == {
        pages["news"].url: ("Новость портала", f"«Открыт фестиваль», 21.05.{year}"),
        pages["material"].url: ("Материал портала", f"«Видео о кружках», 01.09.{year}"),
        pages["document"].url: ("Документ портала", f"«План работы МОЦ», 30.01.{year}"),
    }
    assert [(link.url, link.day, link.headline) for link in links.publications(operator, plan)] == [
        (pages["material"].url, dt.date(year, 9, 1), "Видео о кружках"),
        (pages["news"].url, dt.date(year, 5, 21), "Открыт фестиваль"),
    ]
    assert {link.url for link in links.offered(staff, plan) if "портала" in link.kind} == set(offered)


def test_a_news_item_is_picked_as_a_publication(operator, authority, pages):
    """The media plan's item takes the news item's date, title and address on the portal's
    channel, with the reach typed; the same news twice, a draft's or another МОЦ's address
    and a typed link that is not http(s) are refused and add nothing."""
    media = make_plan(operator, code="media_plan")
    add_items(operator, media)
    approve(operator, authority, media)
    item = media.items.first()
    news = pages["news"]

    publication = services.add_publication(operator, item, {"link": news.url, "reach": "350"})

    assert (publication.published_on, publication.channel, publication.title, publication.url,
            publication.reach) == (news.date, Channel.PORTAL, "Открыт фестиваль", news.url, 350)
    draft_url = f"{MunicipalityPage.objects.get(municipality=operator.municipality).url}{pages['draft'].slug}/"
    for data, message in [({"link": news.url}, "уже добавлена"),
                          ({"link": draft_url}, "из списка"),
                          ({"link": pages["district"].url}, "из списка"),
                          ({"link": pages["document"].url}, "из списка"),
                          ({"published_on": dt.date(pages["year"], 5, 1).isoformat(), "channel": "social",
                            "title": "Пост", "url": "javascript:alert(1)"}, "http://")]:
        with pytest.raises(ValidationFailed, match=message):
            services.add_publication(operator, item, data)
    assert item.publications.count() == 1


# --- pages and the report --------------------------------------------------------------------


def test_the_item_page_offers_news_and_events_and_the_report_shows_them(
        client, operator, authority, held, pages, filled):
    approve(operator, authority, filled)
    item = filled.items.get(number="1")
    client.force_login(operator)
    url = reverse("plans:item", args=[item.pk])
    event = reverse("events:detail", args=[held["festival"].pk])
    news = pages["news"].url

    page = client.get(url).content.decode()
    assert '<optgroup label="Мероприятие">' in page and '<optgroup label="Новость портала">' in page
    assert f'value="{event}"' in page and f'value="{news}"' in page
    assert reverse("events:detail", args=[held["district"].pk]) not in page
    assert pages["draft"].title not in page and pages["district"].title not in page

    forged = client.post(url, {"form": "evidence", "link": pages["district"].url})
    assert forged.status_code == 400 and "Выберите корректный вариант" in forged.content.decode()
    for link in (event, news):
        assert client.post(url, {"form": "evidence", "link": link}).status_code == 302
    assert item.evidence.count() == 2

    shown = client.get(url).content.decode()
    assert f'<a href="{event}">Мероприятие: «Фестиваль «Северное сияние»», 20.05.' in shown
    assert f'<a href="{news}">Новость портала: «Открыт фестиваль»' in shown

    report = client.get(reverse("plans:report", args=[filled.pk])).content.decode()
    assert f'href="{event}"' in report and f'href="{news}"' in report
    document = docx.Document(io.BytesIO(b"".join(
        client.get(reverse("plans:report", args=[filled.pk]) + "?format=docx").streaming_content)))
    proofs = document.tables[1].rows[1].cells[6].text
    assert f"http://testserver{event}" in proofs and f"http://testserver{news}" in proofs
    sheet = load_workbook(io.BytesIO(b"".join(
        client.get(reverse("plans:report", args=[filled.pk]) + "?format=xlsx").streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(n for n, row in enumerate(rows) if row[0] == "№ п/п")
    cell = rows[header + 1][10]
    assert f"Новость портала: «Открыт фестиваль», 21.05.{pages['year']}: http://testserver{news}" in cell
    assert f"http://testserver{event}" in cell


def test_the_media_plan_item_page_picks_a_publication_from_the_news(client, operator, authority, pages):
    media = make_plan(operator, code="media_plan")
    add_items(operator, media)
    approve(operator, authority, media)
    item = media.items.first()
    client.force_login(operator)
    url = reverse("plans:item", args=[item.pk])
    news = pages["news"]

    page = client.get(url).content.decode()
    assert 'name="link"' in page and page.count(f'value="{news.url}"') == 2  # evidence and publication

    refused = client.post(url, {"form": "publication", "link": pages["district"].url, "channel": "portal"})
    assert refused.status_code == 400 and item.publications.count() == 0
    assert client.post(url, {"form": "publication", "link": news.url, "channel": "portal",
                             "reach": "80"}).status_code == 302

    publication = item.publications.get()
    assert (publication.title, publication.published_on, publication.reach) == (news.title, news.date, 80)
    sheet = load_workbook(io.BytesIO(b"".join(
        client.get(reverse("plans:report", args=[media.pk]) + "?format=xlsx").streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(n for n, row in enumerate(rows) if row[0] == "№ п/п")
    assert rows[header + 1][10] == (f"{news.date:%d.%m.%Y}, портал: Открыт фестиваль: "
                                    f"http://testserver{news.url} (охват 80)")
