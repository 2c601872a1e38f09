"""The blocks of events and of quality results on a centre's page: shown with content and
absent without, scoped to the centre's territory, only what the events and quality apps
call public, and a fixed number of queries however many items they hold."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from opora.events import services as events
from opora.events.models import EventSession
from opora.portal import blocks
from opora.quality import services as quality
from opora.quality.models import AssignmentStatus
from opora.registry.choices import ProgramStatus
from tests import factories as f
from tests.events.conftest import make_event, sessions
from tests.quality.conftest import campaign_data, full_sheet, make_expert

pytestmark = pytest.mark.django_db

EVENTS_HEADING = "Мероприятия и конкурсы"
QUALITY_HEADING = "Независимая оценка качества программ"


def html_of(client, page) -> str:
    response = client.get(page.url)
    assert response.status_code == 200
    return response.content.decode()


def event(actor, moderator, title, days=14, **kw):
    """A published event whose one session is ``days`` ahead (``moderator`` None: a draft)."""
    return make_event(actor, moderator, title=title, sessions_=sessions(days), **kw)


@pytest.fixture
def regional_experts(db):
    return [make_expert(None, last_name=f"Эксперт{i}") for i in range(3)]


def published_campaign(actor, municipality, programs, title, passing=(True,)):
    """A campaign run through the quality services up to its published results; the
    programs pass or fail as ``passing`` says, in order."""
    campaign = quality.create_campaign(actor, municipality, campaign_data(title=title))
    quality.include_programs(actor, campaign, programs)
    quality.start_campaign(actor, campaign)
    for program, passes in zip(programs, passing, strict=True):
        entry = campaign.entries.get(program=program)
        for assignment in entry.assignments.filter(status=AssignmentStatus.ASSIGNED):
            quality.save_sheet(assignment.expert, assignment,
                               full_sheet(assignment, 2 if passes else 0, "Нет целей и задач."),
                               submit=True)
    quality.publish_results(actor, campaign)
    return campaign


# --- events ---------------------------------------------------------------------------------


def test_a_municipality_page_lists_its_upcoming_published_events_nearest_first(
        client, staff, operator, city, city_page):
    later = event(staff, operator, "Турнир по робототехнике", days=20)
    sooner = event(operator, operator, "Онлайн-олимпиада по математике", days=5, is_free=False,
                   price=Decimal("4500"), age_from=10, age_to=14)
    EventSession.objects.filter(event=sooner).update(place="", online_url="https://olymp.example.ru/")

    html = html_of(client, city_page)

    assert EVENTS_HEADING in html
    assert html.index(sooner.title) < html.index(later.title)
    block = html.split(EVENTS_HEADING, 1)[1].split("</section>", 1)[0]
    assert f'href="{reverse("events:detail", args=[sooner.pk])}"' in block
    assert f'href="{reverse("events:detail", args=[later.pk])}"' in block
    assert "Конкурс" in block  # the kind
    assert "10–14 лет" in block and "7–17 лет" in block
    assert "4\xa0500 ₽" in block and "бесплатно" in block
    assert "онлайн" in block and "Дом творчества, ул. Мира, 5" in block
    assert f'href="{reverse("events:list")}?municipality={city.pk}"' in block


def test_the_link_leads_to_the_navigators_list_filtered_to_the_municipality(
        client, staff, operator, other_staff, other_operator, city):
    own = event(staff, operator, "Городской турнир")
    foreign = event(other_staff, other_operator, "Районный турнир")

    html = client.get(reverse("events:list"), {"municipality": city.pk}).content.decode()

    assert own.title in html and foreign.title not in html


def test_events_not_public_or_of_another_territory_never_reach_the_page(
        client, staff, operator, other_staff, other_operator, regional, city_page, district_page):
    shown = event(staff, operator, "Опубликованный мастер-класс")
    draft = event(staff, None, "Черновик мастер-класса")
    moderating = event(staff, None, "Мастер-класс на модерации")
    events.submit_event(staff, moderating)
    archived = event(staff, operator, "Мастер-класс в архиве")
    events.archive_event(operator, archived)
    past = event(staff, operator, "Прошедший мастер-класс")
    EventSession.objects.filter(event=past).update(starts_at=timezone.now() - dt.timedelta(days=3),
                                                   ends_at=timezone.now() - dt.timedelta(days=3, hours=-2))
    foreign = event(other_staff, other_operator, "Мастер-класс другого района")
    regional_event = event(regional, regional, "Областной конкурс", level="regional")

    html = html_of(client, city_page)

    assert shown.title in html
    for hidden in (draft, moderating, archived, past, foreign, regional_event):
        assert hidden.title not in html
    assert foreign.title in html_of(client, district_page)
    assert shown.title not in html_of(client, district_page)


def test_the_region_page_lists_the_regional_events_and_a_municipal_stage_stays_with_its_municipality(
        client, staff, operator, regional, region_page, city_page):
    contest = event(regional, regional, "Областной конкурс «Шаг в науку»", days=30, level="regional")
    stage = events.create_stage(operator, contest)
    EventSession.objects.filter(event=stage).update(starts_at=timezone.now() + dt.timedelta(days=10),
                                                    ends_at=timezone.now() + dt.timedelta(days=10, hours=3))
    events.submit_event(operator, stage)
    events.publish_event(operator, stage)
    municipal = event(staff, operator, "Городской мастер-класс")

    region = html_of(client, region_page)
    city = html_of(client, city_page)

    assert contest.title in region and municipal.title not in region
    assert f'href="{reverse("events:detail", args=[stage.pk])}"' not in region
    assert f'href="{reverse("events:detail", args=[stage.pk])}"' in city and municipal.title in city
    assert f'href="{reverse("events:detail", args=[contest.pk])}"' not in city
    assert f'href="{reverse("events:list")}"' in region.split(EVENTS_HEADING, 1)[1]


def test_the_portal_home_lists_the_whole_regions_events_nearest_first(
        client, staff, other_staff, operator, other_operator, regional, portal):
    contest = event(regional, regional, "Областной конкурс «Шаг в науку»", days=30, level="regional")
    city = event(staff, operator, "Городской мастер-класс", days=5)
    district = event(other_staff, other_operator, "Районный турнир", days=10)
    event(staff, None, "Черновик мероприятия")

    home = html_of(client, portal)

    block = home.split(EVENTS_HEADING, 1)[1].split("</section>", 1)[0]
    assert [title in block for title in (city.title, district.title, contest.title)] == [True] * 3
    assert block.index(city.title) < block.index(district.title) < block.index(contest.title.split("«")[0])
    assert "Черновик" not in block and f'href="{reverse("events:list")}"' in block


def test_an_event_of_several_days_shows_its_first_and_last_day(staff, operator, city_page):
    start = (timezone.localtime() + dt.timedelta(days=3)).replace(hour=10, minute=0)
    two_days = [{"starts_at": start, "ends_at": start + dt.timedelta(hours=4), "place": "Стадион",
                 "online_url": ""},
                {"starts_at": start + dt.timedelta(days=2), "ends_at": start + dt.timedelta(days=2, hours=4),
                 "place": "", "online_url": "https://stream.example.ru/"}]
    make_event(staff, operator, title="Двухдневные сборы", sessions_=two_days)

    block = blocks.events_block(city_page)

    [item] = block.items
    assert item.several_days and item.place == "Стадион" and item.online
    assert timezone.localdate(item.ends_at) == timezone.localdate(start + dt.timedelta(days=2))


# --- quality --------------------------------------------------------------------------------


def test_a_municipality_page_shows_its_published_quality_results(
        client, operator, provider, city_page, district_page, region_page, regional_experts):
    programs = [f.program(provider, status=ProgramStatus.PUBLISHED) for _ in range(3)]
    done = published_campaign(operator, city_page.municipality, programs, "Оценка качества, весна",
                              passing=(True, True, False))
    running = quality.create_campaign(operator, city_page.municipality,
                                      campaign_data(title="Оценка качества, осень"))

    html = html_of(client, city_page)

    assert QUALITY_HEADING in html
    block = html.split(QUALITY_HEADING, 1)[1].split("</section>", 1)[0]
    assert done.title in block and running.title not in html
    assert f'href="{reverse("quality:public_campaign", args=[done.pk])}"' in block
    assert "оценено программ: 3" in block and "соответствуют требованиям: 2" in block
    assert f"{done.starts_on:%d.%m.%Y} – {done.ends_on:%d.%m.%Y}" in block
    assert QUALITY_HEADING not in html_of(client, district_page)
    assert QUALITY_HEADING not in html_of(client, region_page)


def test_the_region_page_shows_the_region_wide_campaigns_only(
        client, operator, regional, provider, city_page, region_page, regional_experts):
    municipal = published_campaign(operator, city_page.municipality,
                                   [f.program(provider, status=ProgramStatus.PUBLISHED)], "Оценка МОЦ")
    regional_one = published_campaign(regional, None, [f.program(provider, status=ProgramStatus.PUBLISHED)],
                                      "Региональная оценка качества")

    region = html_of(client, region_page)
    city = html_of(client, city_page)

    assert regional_one.title in region and municipal.title not in region
    assert municipal.title in city and regional_one.title not in city
    home = html_of(client, region_page.get_parent().specific)
    block = home.split(QUALITY_HEADING, 1)[1].split("</section>", 1)[0]
    assert regional_one.title in block and municipal.title in block


# --- nothing to show ------------------------------------------------------------------------


def test_without_content_neither_block_nor_its_heading_is_shown(
        client, staff, operator, city_page, region_page):
    event(staff, None, "Черновик мероприятия")
    quality.create_campaign(operator, city_page.municipality, campaign_data(title="Кампания идёт"))

    for page in (city_page, region_page, region_page.get_parent().specific):
        html = html_of(client, page)
        assert EVENTS_HEADING not in html and QUALITY_HEADING not in html
        assert 'id="events"' not in html and 'id="quality"' not in html
    assert blocks.events_block(city_page) is None and blocks.quality_block(city_page) is None


# --- a fixed number of queries --------------------------------------------------------------


def _queries(client, page) -> int:
    client.get(page.url)
    with CaptureQueriesContext(connection) as done:
        assert client.get(page.url).status_code == 200
    return len(done.captured_queries)


def test_the_blocks_cost_the_same_queries_for_one_item_and_for_many(
        client, staff, operator, provider, city_page, regional_experts, django_assert_max_num_queries):
    event(staff, operator, "Мероприятие 0")
    published_campaign(operator, city_page.municipality,
                       [f.program(provider, status=ProgramStatus.PUBLISHED)], "Кампания 0")
    few = _queries(client, city_page)
    for n in range(1, blocks.EVENTS_SHOWN + 2):
        start = timezone.now() + dt.timedelta(days=n)
        make_event(staff, operator, title=f"Мероприятие {n}", sessions_=[
            {"starts_at": start + dt.timedelta(days=day), "ends_at": start + dt.timedelta(days=day, hours=2),
             "place": "Дом творчества", "online_url": ""} for day in range(3)])
    for n in range(1, 4):
        published_campaign(operator, city_page.municipality,
                           [f.program(provider, status=ProgramStatus.PUBLISHED)], f"Кампания {n}")

    html = html_of(client, city_page)
    events_html = html.split(EVENTS_HEADING, 1)[1].split("</section>", 1)[0]
    quality_html = html.split(QUALITY_HEADING, 1)[1].split("</section>", 1)[0]
    assert events_html.count("<li>") == blocks.EVENTS_SHOWN
    assert quality_html.count("<li>") == 4
    assert _queries(client, city_page) == few
    with django_assert_max_num_queries(few):
        client.get(city_page.url)

