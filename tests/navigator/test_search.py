"""Search understands Russian: word forms, prefixes of longer words, misspellings; a word
never matches inside another one; ranking, several words, parent's words, the age and
the municipality in the text, the dictionary. Every test runs on SQLite and PostgreSQL
unless marked."""

import pytest

from opora.navigator import search
from opora.navigator.catalog import search_catalog
from opora.navigator.filters import Filters


def titles(q, **filters):
    return sorted(p.title for p in search_catalog(Filters(q=q, page_size=100, **filters)).items)


def ranked(q, **filters):
    return [p.title for p in search_catalog(Filters(q=q, page_size=100, **filters)).items]


@pytest.mark.parametrize(("typed", "expected"), [
    ("робот", ["Клуб юных роботов", "Робототехника"]),
    ("роботы", ["Клуб юных роботов", "Робототехника"]),
    ("Робототехника", ["Клуб юных роботов", "Робототехника"]),  # the dictionary: роботы
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


def test_programs_matching_all_words_come_before_those_matching_most(catalog):
    assert ranked("робот клуб") == ["Клуб юных роботов", "Робототехника"]
    assert sorted(ranked("робот танцы")) == ["Клуб юных роботов", "Робототехника", "Танцевальная студия «Ритм»"]


def test_unknown_word_finds_nothing(catalog):
    assert titles("абракадабра") == []


def test_stop_words_and_bare_numbers_do_not_narrow_the_search(catalog):
    assert titles("шахматы для 7") == ["Шахматы для начинающих"]
    assert titles("и в на") == titles("")


def test_description_words_are_searched_too(catalog):
    assert titles("конструктора") == ["Робототехника"]


def test_hidden_programs_are_never_found(catalog):
    assert titles("робототехника") == ["Клуб юных роботов", "Робототехника"]
    assert titles("танцы") == ["Танцевальная студия «Ритм»"]


def test_relevance_puts_title_matches_before_description_matches(catalog, provider):
    from tests import factories as f
    from tests.navigator.conftest import add_group

    in_description = f.program(provider, title="Инженерный кружок", status="published",
                               description="Робототехника для самых маленьких.")
    add_group(in_description)
    page = search_catalog(Filters(q="робототехника", sort="relevance"))
    # «Клуб юных роботов» through the dictionary (робототехника, роботы), in its title
    assert [p.title for p in page.items] == ["Робототехника", "Клуб юных роботов", "Инженерный кружок"]


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
    assert query.tsquery() == "(('робот':*)) | (('танц':*))"
    assert query.terms[0].tsquery("A") == "(('робот':*A))"


def test_stem_drops_one_ending_and_keeps_four_letters():
    assert search.stem("танец") == search.stem("танца") == "танц"
    assert search.stem("хореография") == "хореограф"
    assert search.stem("дистанционно") == "дистанционн"
    assert search.stem("роботов") == "робот"
    assert search.stem("танцы") == "танц"
    assert search.stem("шахматами") == "шахмат"
    assert search.stem("лего") == "лего"
    assert search.stem("юный") == "юный"


def test_words_are_folded_deduplicated_and_limited():
    assert search.words("Ёжик  ЁЖИК, 3D-моделирование 2025 год") == ["ежик", "3d", "моделирование", "год"]
    assert len(search.words(" ".join(f"слово{n}x" for n in range(20)))) == search.MAX_WORDS




# --- a word matches words of the program from their start -----------------------------


@pytest.fixture
def distance_programs(provider):
    from tests import factories as f
    from tests.navigator.conftest import add_group

    made = []
    for title, direction, description in [
        ("Биатлон", "sports", "Занятия проходят очно и дистанционно."),
        ("Дизайн одежды", "arts", "Часть занятий дистанционно, в удобное время."),
        ("Китайский язык (дистанционно)", "social", "Иероглифы и разговорная речь."),
    ]:
        program = f.program(provider, title=title, status="published", direction=direction,
                            description=description)
        add_group(program)
        made.append(program)
    return made


def test_dance_finds_only_dance_programs_never_inside_another_word(catalog, distance_programs):
    assert titles("танцы") == ["Танцевальная студия «Ритм»"]
    assert titles("танц") == ["Танцевальная студия «Ритм»"]
    # the word itself is found, from its start
    assert titles("дистанционно") == ["Биатлон", "Дизайн одежды", "Китайский язык (дистанционно)"]
    assert search_catalog(Filters(q="танцы")).corrections == {}


def test_specialisation_and_organization_names_are_searched(catalog, provider):
    from tests import factories as f
    from tests.navigator.conftest import add_group, specialisation

    ensemble = f.program(provider, title="Ансамбль народного танца", status="published", direction="arts",
                         specialisation=specialisation("Хореография"), description="Русские народные пляски.")
    add_group(ensemble)
    assert "Ансамбль народного танца" in titles("хореография")
    assert titles("народный танец") == ["Ансамбль народного танца", "Танцевальная студия «Ритм»"]
    assert ranked("народный танец")[0] == "Ансамбль народного танца"
    # the organization's name: «Сельская школа» runs the chess and robot club programs
    assert titles("сельская школа") == ["Клуб юных роботов", "Шахматы для начинающих"]


def test_title_match_ranks_above_specialisation_and_description(catalog, provider):
    from tests import factories as f
    from tests.navigator.conftest import add_group, specialisation

    in_description = f.program(provider, title="Гимнастика", status="published", direction="sports",
                               description="Шахматы для разминки ума.")
    in_specialisation = f.program(provider, title="Белая ладья", status="published", direction="sports",
                                  specialisation=specialisation("Шахматы"), description="Турниры.")
    # both start sooner and have more seats than the program with the word in its title
    add_group(in_description, start_in_days=1)
    add_group(in_specialisation, start_in_days=1)
    assert ranked("шахматы") == ["Шахматы для начинающих", "Белая ладья", "Гимнастика"]


def test_among_equals_free_seats_then_the_nearest_start_never_the_alphabet(provider):
    from tests import factories as f
    from tests.navigator.conftest import add_group

    def football(title, start=None):
        program = f.program(provider, title=title, status="published", direction="sports")
        if start is not None:
            add_group(program, start_in_days=start)
        return program

    football("Аист: футбол")  # no group: no free seats, no start
    football("Барс: футбол", start=60)
    football("Юнга: футбол", start=5)
    football("Волна: футбол", start=20)
    assert ranked("футбол") == ["Юнга: футбол", "Волна: футбол", "Барс: футбол", "Аист: футбол"]


# --- several words, the parent's words, the age and the place in the text -----------


def test_a_longer_query_keeps_what_its_main_words_find(catalog):
    assert ranked("шахматы с нуля по выходным") == ["Шахматы для начинающих"]
    page = search_catalog(Filters(q="шахматы с нуля по выходным"))
    assert set(page.ignored) == {"нуля", "выходным"}
    # a query of unknown words alone still finds nothing
    assert titles("абракадабра фывапролдж") == []


def test_words_about_the_child_do_not_narrow(catalog):
    assert titles("танцы для девочки") == titles("танцы") == ["Танцевальная студия «Ритм»"]
    assert titles("кружок робототехники для мальчика") == ["Клуб юных роботов", "Робототехника"]
    assert titles("секция шахмат для ребёнка") == ["Шахматы для начинающих"]
    assert search_catalog(Filters(q="танцы для девочки")).ignored == ["девочки"]


def test_words_about_the_child_alone_are_searched(catalog, provider):
    from tests import factories as f
    from tests.navigator.conftest import add_group

    add_group(f.program(provider, title="Инженерный кружок", status="published"))
    assert titles("кружок") == ["Инженерный кружок"]


@pytest.mark.parametrize(("typed", "age", "rest"), [
    ("танцы 10 лет", 10, "танцы"),
    ("9 лет шахматы", 9, "шахматы"),
    ("робототехника для 7-летнего", 7, "робототехника для"),
    ("шахматы 7 летней девочке", 7, "шахматы девочке"),
    ("танцы 3 года", 3, "танцы"),
])
def test_the_age_in_the_text_sets_the_age_filter(catalog, typed, age, rest):
    page = search_catalog(Filters(q=typed))
    assert (page.filters.age, page.filters.q) == (age, rest)
    assert [name for name, _label in page.understood] == ["age"]
    assert all(p.age_min <= age <= p.age_max for p in page.items)


def test_the_age_in_the_text_narrows_to_programs_for_that_age(catalog):
    assert titles("робот 8 лет") == ["Робототехника"]  # the club takes 10–16
    assert titles("робот 12 лет") == ["Клуб юных роботов", "Робототехника"]
    assert titles("робот 30 лет") == ["Клуб юных роботов", "Робототехника"]  # not an age we know


def test_an_explicit_age_wins_over_the_text(catalog):
    page = search_catalog(Filters(q="танцы 10 лет", age=6))
    assert (page.filters.age, page.filters.q, page.understood) == (6, "танцы", [])


def test_a_municipality_name_in_the_text_sets_the_municipality_filter(catalog):
    page = search_catalog(Filters(q="шахматы тестовский район"))
    assert (page.filters.municipality, page.filters.q) == (catalog.district.pk, "шахматы")
    assert page.understood == [("municipality", "Тестовский район")]
    assert [p.title for p in page.items] == ["Шахматы для начинающих"]
    assert titles("танцы тестовский район") == []
    page = search_catalog(Filters(q="танцы город тестов 8 лет"))
    assert (page.filters.municipality, page.filters.age, page.filters.q) == (catalog.city.pk, 8, "танцы")
    assert [p.title for p in page.items] == ["Танцевальная студия «Ритм»"]


# --- the dictionary ------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "title"), [
    ("питон", "Программирование на Python"),
    ("python", "Программирование на Python"),
    ("ИЗО", "Изобразительное искусство"),
    ("юид", "Юные инспекторы движения"),
    ("офп", "Общая физическая подготовка"),
    ("общая физическая подготовка", "ОФП для младших"),
    ("гто", "Готов к труду и обороне"),
    ("lego", "Лего-конструирование"),
])
def test_the_default_dictionary_finds_synonyms_and_abbreviations(provider, typed, title):
    from tests import factories as f
    from tests.navigator.conftest import add_group

    for name in ["Программирование на Python", "Изобразительное искусство", "Юные инспекторы движения",
                 "Общая физическая подготовка", "ОФП для младших", "Готов к труду и обороне",
                 "Лего-конструирование", "Вокальная студия"]:
        add_group(f.program(provider, title=name, status="published", direction="arts"))
    assert title in titles(typed)
    assert "Вокальная студия" not in titles(typed)


def test_an_entry_the_moc_adds_is_used_at_once(catalog):
    from opora.navigator.models import SearchSynonym

    assert titles("пляски") == []
    SearchSynonym.objects.create(variants="пляски, пляс, танцевальный")
    assert titles("пляски") == ["Танцевальная студия «Ритм»"]


def test_variants_are_read_from_commas_semicolons_and_lines():
    assert search.variants_of(" Python ;питон\nПайтон, , питон") == ["python", "питон", "пайтон"]
