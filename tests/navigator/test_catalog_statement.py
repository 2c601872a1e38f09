"""One statement per search, and the facet counts of broad searches kept until the
catalog changes or enrolment opens or closes somewhere (``catalog.search_catalog``)."""

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from opora.navigator import catalog as catalog_module
from opora.navigator.api import ProgramList
from opora.navigator.catalog import catalog_facts, facet_labels, search_catalog
from opora.navigator.filters import Filters
from opora.registry.choices import Direction
from opora.registry.models import Group
from tests import factories as f
from tests.navigator.conftest import P, add_group


def searched(filters, **kwargs):
    """The page and the statements of the search that read the catalog's programs (not
    its size, counted once per version, nor the cards' programs)."""
    with CaptureQueriesContext(connection) as queries:
        page = search_catalog(filters, **kwargs)
    statements = [q["sql"] for q in queries.captured_queries if "navigator_catalogentry" in q["sql"]
                  and "registry_program" not in q["sql"] and "MIN(" not in q["sql"]]
    return page, statements


def counted(statements):
    """Did the search count its facets (or only read its page)?"""
    return any("'set0'" in sql for sql in statements)


def test_facets_total_and_page_come_from_one_statement_reading_the_matched_set_once(catalog):
    page, statements = searched(Filters(q="робот"))
    assert len(statements) == 1
    (sql,) = statements
    # the documents are read in the matched set alone; the counts and the page read it
    assert sql.count("AS MATERIALIZED") == 1 and sql.rindex("navigator_searchdoc") < sql.index("rows AS")
    assert "'set0'" in sql and "'page'" in sql
    assert page.count == 2 and {p.title for p in page.items} == {"Робототехника", "Клуб юных роботов"}
    assert {c.value: c.count for c in page.facets["direction"]}["technical"] == 2


def test_a_search_without_facets_reads_the_total_and_the_page_in_one_statement(catalog):
    page, statements = searched(Filters(q="робот", sort="title"), with_facets=False)
    assert len(statements) == 1 and "'total'" in statements[0]
    assert page.count == 2 and [p.title for p in page.items] == ["Клуб юных роботов", "Робототехника"]


def test_broad_search_counts_its_facets_once_until_the_catalog_changes(catalog, provider):
    first, statements = searched(Filters())
    assert counted(statements)
    again, statements = searched(Filters(page_size=2))
    assert not counted(statements)  # only the page was read
    assert again.count == first.count == 6 and len(again.items) == 2
    assert [(c.value, c.count) for c in again.facets["direction"]] == [
        (c.value, c.count) for c in first.facets["direction"]]

    add_group(f.program(provider, title="Хор", status=P, direction=Direction.ARTS))
    changed, statements = searched(Filters())
    assert counted(statements)
    assert changed.count == 7
    arts = {c.value: c.count for c in changed.facets["direction"]}["arts"]
    assert arts == {c.value: c.count for c in first.facets["direction"]}["arts"] + 1


def test_a_deleted_program_leaves_the_cached_counts_too(catalog):
    search_catalog(Filters())
    catalog.english.delete()
    page, statements = searched(Filters())
    assert counted(statements) and page.count == 5


def test_words_found_in_a_quarter_of_the_catalog_are_broad_rarer_ones_are_not(catalog):
    search_catalog(Filters(q="танцы"))  # 1 of 6 programs
    _page, statements = searched(Filters(q="танцы"))
    assert counted(statements)
    search_catalog(Filters(q="робот"))  # 2 of 6
    page, statements = searched(Filters(q="робот", page=1))
    assert not counted(statements) and page.count == 2
    assert {c.value: c.count for c in page.facets["direction"]}["technical"] == 2


def test_filters_and_words_have_counts_of_their_own(catalog):
    search_catalog(Filters())
    page, statements = searched(Filters(direction=1))
    assert counted(statements) and page.count == 2  # technical: its own key


def test_an_explicit_moment_is_never_cached(catalog):
    later = timezone.now() + dt.timedelta(days=6)  # the robot club's enrolment has opened
    search_catalog(Filters(), now=later)
    page, statements = searched(Filters(open=True), now=later)
    assert counted(statements)
    assert {p.title for p in page.items} >= {"Робототехника", "Клуб юных роботов"}


def test_counts_hold_until_enrolment_next_opens_or_closes(catalog):
    now = timezone.now()
    version = facet_labels()["version"][0][0]
    size, change = catalog_facts(version, now)
    assert size == 6
    # the robot club's window opens in 5 days, before the robotics window closes (10)
    opens = Group.objects.get(module__program=catalog.robot_club).enrolment_from
    assert abs((change - opens).total_seconds()) < 1
    seconds = catalog_module.seconds_until(now, change)
    tomorrow = dt.datetime.combine(timezone.localdate(now) + dt.timedelta(days=1), dt.time(),
                                   tzinfo=timezone.get_current_timezone())
    assert 0 < seconds <= (tomorrow - now).total_seconds()
    soon = now + dt.timedelta(minutes=30)
    expected = min(1800, int((tomorrow - now).total_seconds()))  # late in the evening midnight comes first
    assert catalog_module.seconds_until(now, soon) in (expected - 1, expected)


def test_catalog_page_keeps_the_filter_block_of_a_broad_search_until_the_catalog_changes(client, catalog,
                                                                                        provider):
    def arts_count():
        html = client.get(reverse("navigator:home")).content.decode()
        return int(re.search(r'id="f-direction-arts"[^>]*>[^<]*<span class="count">\((\d+)\)', html).group(1))

    assert arts_count() == arts_count() == 1
    add_group(f.program(provider, title="Хор", status=P, direction=Direction.ARTS))
    assert arts_count() == 2


def test_htmx_answer_swaps_the_filter_block_out_of_band(client, catalog):
    client.get(reverse("navigator:home"))  # the full page's block is cached
    html = client.get(reverse("navigator:home"), headers={"HX-Request": "true"}).content.decode()
    assert '<div id="filter-fields" hx-swap-oob="true">' in html
    assert '<div id="filter-fields">' in client.get(reverse("navigator:home")).content.decode()


@pytest.mark.usefixtures("api_urls")
def test_programs_answer_is_what_its_schema_gives(client, catalog):
    body = client.get("/api/v1/programs", {"q": "шахматы"}).json()
    assert body["items"] and body["items"][0]["badges"][1]["monthly_price"] == "900.00"
    assert json.loads(ProgramList.model_validate(body).model_dump_json()) == body
