"""Each filter, their combinations, sorting, pages, and facet counts that equal what
applying the choice gives."""

import pytest
from django.http import QueryDict

from opora.navigator import filters as F
from opora.navigator.catalog import search_catalog
from opora.navigator.filters import Filters


def titles(**kw):
    return sorted(p.title for p in search_catalog(Filters(page_size=100, **kw), with_facets=False).items)


def parsed(query):
    flt, errors = F.parse(QueryDict(query))
    assert errors == {}
    return flt.but(page_size=100)


def titles_of(query):
    return sorted(p.title for p in search_catalog(parsed(query)).items)


ROBOTICS, CLUB = "Робототехника", "Клуб юных роботов"
DANCE, CHESS = "Танцевальная студия «Ритм»", "Шахматы для начинающих"
ECOLOGY, ENGLISH = "Юный эколог", "Английский язык"


@pytest.mark.parametrize(("query", "expected"), [
    ("", [ENGLISH, CLUB, ROBOTICS, DANCE, ECOLOGY, CHESS]),
    ("direction=technical", [CLUB, ROBOTICS]),
    ("direction=technical&direction=arts", [CLUB, ROBOTICS, DANCE]),
    ("direction=technical,arts", [CLUB, ROBOTICS, DANCE]),
    ("age=6", [DANCE, CHESS]),
    ("age=15", [ENGLISH, CLUB]),
    ("age=18", []),
    ("level=advanced", [ENGLISH, CLUB]),
    ("level=start&level=base", [ENGLISH, ROBOTICS, DANCE, ECOLOGY, CHESS]),
    ("form=distance", [CLUB]),
    ("form=mixed", [ECOLOGY]),
    ("form=network", [ECOLOGY]),
    ("form=correspondence", []),
    ("payment=free", [ROBOTICS, CHESS]),
    ("payment=certificate", [CLUB, ECOLOGY]),
    ("payment=paid", [DANCE, ECOLOGY, CHESS]),
    ("max_price=1000", [ROBOTICS, ECOLOGY, CHESS]),
    ("max_price=0", [ROBOTICS, CHESS]),
    ("ovz=speech", [CHESS]),
    ("ovz=disabled", [ENGLISH]),
    ("ovz=blind", []),
    ("seasonal=summer_school", [CHESS]),
    ("rural=1", [CLUB, CHESS]),
    ("free_seats=true", [CLUB, ROBOTICS, DANCE, ECOLOGY, CHESS]),
    ("open=да", [ROBOTICS, DANCE]),
    ("age=8&payment=free", [ROBOTICS, CHESS]),
    ("direction=technical&rural=1", [CLUB]),
    ("q=робот&age=8", [ROBOTICS]),
    ("q=робот&payment=certificate&open=1", []),
    ("payment=paid&max_price=1000&ovz=speech", [CHESS]),
])
def test_each_filter_and_combination_gives_exactly_its_programs(catalog, query, expected):
    assert titles_of(query) == sorted(expected)


def test_municipality_specialisation_and_organization_filters(catalog):
    assert titles(municipality=catalog.city.pk) == sorted([ROBOTICS, DANCE, ECOLOGY, ENGLISH])
    assert titles(specialisation=catalog.chess.specialisation_id) == [CHESS]
    assert titles(organization=catalog.rural_provider.pk) == sorted([CLUB, CHESS])
    assert titles(organization=catalog.inactive_provider.pk) == []


def test_sort_by_nearest_start_puts_programs_without_groups_last(catalog):
    page = search_catalog(Filters(sort="start"))
    assert [p.title for p in page.items] == [CHESS, ROBOTICS, DANCE, CLUB, ECOLOGY, ENGLISH]


def test_sort_by_title(catalog):
    page = search_catalog(Filters(sort="title"))
    assert [p.title for p in page.items] == sorted([ROBOTICS, CLUB, DANCE, CHESS, ECOLOGY, ENGLISH])


def test_pages_split_the_sorted_results(catalog):
    first = search_catalog(Filters(sort="title", page_size=4))
    second = search_catalog(Filters(sort="title", page_size=4, page=2))
    assert (first.count, first.pages, second.count) == (6, 2, 6)
    assert [p.title for p in first.items + second.items] == sorted([ROBOTICS, CLUB, DANCE, CHESS, ECOLOGY, ENGLISH])
    assert search_catalog(Filters(page=3, page_size=4)).items == []


FACET_STATES = [
    "",
    "q=робот",
    "age=8&payment=free",
    "direction=technical&direction=arts&level=advanced",
    "rural=1&free_seats=1",
    "open=1&form=full_time",
    "ovz=speech&seasonal=summer_school&max_price=1000",
]


@pytest.mark.parametrize("state", FACET_STATES)
def test_each_facet_count_equals_the_count_of_applying_that_choice(catalog, state):
    base = parsed(state)
    page = search_catalog(base)
    checked = 0
    for name, choices in page.facets.items():
        for choice in choices:
            applied = base.but(**{name: F.PARSERS[name]([choice.value])})
            expected = search_catalog(applied, with_facets=False).count
            assert choice.count == expected, (name, choice.value, choice.count, expected)
            checked += 1
    assert checked > 60
    assert page.count == search_catalog(base, with_facets=False).count


def test_facet_counts_of_the_whole_catalog(catalog):
    facets = search_catalog(Filters()).facets
    assert {c.value: c.count for c in facets["payment"]} == {"free": 2, "certificate": 2, "paid": 3}
    assert {c.value: c.count for c in facets["direction"]} == {
        "technical": 2, "natural_science": 1, "arts": 1, "tourism": 0, "social": 1, "sports": 1}
    assert {c.value: c.count for c in facets["age"]}["7"] == 3
    assert [(c.value, c.count) for c in facets["open"]] == [("1", 2)]
    municipalities = {c.label: c.count for c in facets["municipality"]}
    assert municipalities == {catalog.city.name: 4, catalog.district.name: 2}


@pytest.mark.parametrize(("query", "field"), [
    ("age=abc", "age"), ("age=2", "age"), ("age=19", "age"), ("direction=space", "direction"),
    ("level=1", "level"), ("payment=cash", "payment"), ("max_price=-5", "max_price"),
    ("max_price=дорого", "max_price"), ("max_price=NaN", "max_price"), ("rural=maybe", "rural"),
    ("page=0", "page"), ("page=99999999999999999999", "page"), ("page_size=1000", "page_size"),
    ("sort=price", "sort"), ("municipality=-1", "municipality"), ("organization=x", "organization"),
    ("q=" + "я" * 201, "q"),
])
def test_bad_value_is_dropped_with_a_russian_message_naming_nothing_else(query, field):
    flt, errors = F.parse(QueryDict(query))
    assert list(errors) == [field]
    assert any(ch in errors[field] for ch in "абвгдеёжзийклмнопрстуфхцчшщыэюя")
    assert flt == Filters()


def test_filters_round_trip_through_the_url():
    flt, errors = F.parse(QueryDict(
        "q=танцы&age=7&direction=arts&direction=sports&payment=free&max_price=1500&open=1&sort=title&page=2"))
    assert errors == {}
    query = QueryDict(mutable=True)
    for name, values in F.to_query(flt).items():
        query.setlist(name, values)
    assert F.parse(query) == (flt, {})
