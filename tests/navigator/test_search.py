"""Search understands Russian: word forms, prefixes of longer words, misspellings."""

import pytest
from django.db import connection

from opora.navigator import index, search
from opora.navigator.catalog import search_catalog
from opora.navigator.filters import Filters


def titles(q, **filters):
    return sorted(p.title for p in search_catalog(Filters(q=q, page_size=100, **filters)).items)


@pytest.mark.parametrize(("typed", "expected"), [
    ("робот", ["Клуб юных роботов", "Робототехника"]),
    ("роботы", ["Клуб юных роботов", "Робототехника"]),
    ("Робототехника", ["Робототехника"]),
    ("танцы", ["Танцевальная студия «Ритм»"]),
    ("танцевальный", ["Танцевальная студия «Ритм»"]),
    ("шахматы", ["Шахматы для начинающих"]),
    ("ЭКОЛОГ", ["Юный эколог"]),
])
def test_word_forms_find_programs_on_every_database(catalog, typed, expected):
    assert titles(typed) == expected


@pytest.mark.parametrize(("typed", "expected"), [
    ("робототехнека", ["Робототехника"]),
    ("шахмматы", ["Шахматы для начинающих"]),
    ("танцевалная", ["Танцевальная студия «Ритм»"]),
])
def test_misspelt_word_still_finds_the_program(catalog, typed, expected):
    page = search_catalog(Filters(q=typed))
    assert sorted(p.title for p in page.items) == expected
    assert list(page.corrections) == [typed]


def test_every_typed_word_must_match(catalog):
    assert titles("робот клуб") == ["Клуб юных роботов"]
    assert titles("робот танцы") == []


def test_unknown_word_finds_nothing(catalog):
    assert titles("абракадабра") == []


def test_stop_words_and_bare_numbers_do_not_narrow_the_search(catalog):
    assert titles("шахматы для 7") == ["Шахматы для начинающих"]
    assert titles("и в на") == titles("")


def test_description_words_are_searched_too(catalog):
    assert titles("конструктора") == ["Робототехника"]


def test_hidden_programs_are_never_found(catalog):
    assert titles("робототехника") == ["Робототехника"]
    assert titles("танцы") == ["Танцевальная студия «Ритм»"]


def test_relevance_puts_title_matches_before_description_matches(catalog, provider):
    from tests import factories as f
    from tests.navigator.conftest import add_group

    in_description = f.program(provider, title="Инженерный кружок", status="published",
                               description="Робототехника для самых маленьких.")
    add_group(in_description)
    page = search_catalog(Filters(q="робототехника", sort="relevance"))
    assert [p.title for p in page.items] == ["Робототехника", "Инженерный кружок"]


def test_yo_is_read_as_e(catalog, provider):
    from tests import factories as f
    from tests.navigator.conftest import add_group

    add_group(f.program(provider, title="Ёлочные игрушки своими руками", status="published",
                        direction="arts"))
    assert titles("елочные") == ["Ёлочные игрушки своими руками"]
    assert titles("ёлочные") == ["Ёлочные игрушки своими руками"]


@pytest.mark.postgres
def test_postgres_reads_misspelling_as_the_closest_stem(catalog):
    assert search_catalog(Filters(q="шахмматы")).corrections == {"шахмматы": "шахмат"}
    assert search_catalog(Filters(q="робототехнека")).corrections == {"робототехнека": "робототехник"}


@pytest.mark.postgres
def test_postgres_query_is_prefix_of_the_stem(catalog):
    query = search.prepare("роботов танцы")
    assert query.tsquery() == "'робот':* & 'танц':*"


def test_fallback_stem_drops_one_ending_and_keeps_four_letters():
    assert search.stem("роботов") == "робот"
    assert search.stem("танцы") == "танц"
    assert search.stem("шахматами") == "шахмат"
    assert search.stem("лего") == "лего"
    assert search.stem("юный") == "юный"


def test_words_are_folded_deduplicated_and_limited():
    assert search.words("Ёжик  ЁЖИК, 3D-моделирование 2025 год") == ["ежик", "3d", "моделирование", "год"]
    assert len(search.words(" ".join(f"слово{n}x" for n in range(20)))) == search.MAX_WORDS


@pytest.mark.postgres
def test_postgres_leaves_out_a_word_most_programs_have_when_others_remain(catalog, provider):
    from tests import factories as f
    from tests.navigator.conftest import add_group

    for n in range(8):
        add_group(f.program(provider, title=f"Студия {n}", status="published", direction="arts",
                            description="Занятия для детей и подростков."))
    index.rebuild()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE navigator_catalogentry")
    page = search_catalog(Filters(q="танцы для детей"))
    assert [p.title for p in page.items] == ["Танцевальная студия «Ритм»"]
    assert page.ignored == ["детей"]
    assert search_catalog(Filters(q="детей", page_size=100)).count == 8
