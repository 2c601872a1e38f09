"""The search on the page and in the API: chips of what the text said, suggestions
while typing; the search dictionary the МОЦ keeps (service and back-office page)."""

import pytest
from django.urls import reverse

from opora.errors import DomainError, PermissionDenied
from opora.navigator import dictionary
from opora.navigator.models import SearchSynonym
from tests.navigator.conftest import add_group

pytestmark = pytest.mark.usefixtures("api_urls")


def test_the_age_in_the_text_shows_as_a_chip_that_removes_it(client, catalog):
    response = client.get(reverse("navigator:home"), {"q": "танцы 8 лет"})
    page = response.content.decode()
    assert response.context["filters"].age == 8
    assert 'value="танцы"' in page
    assert "Возраст (лет): 8" in page
    # the chip's link: the same search without the age (and without the words that set it)
    assert response.context["chips"] == [("Возраст (лет): 8", "q=%D1%82%D0%B0%D0%BD%D1%86%D1%8B")]
    removed = client.get(reverse("navigator:home") + "?" + response.context["chips"][0][1])
    assert removed.context["filters"].age is None and removed.context["chips"] == []


def test_a_municipality_in_the_text_shows_as_a_chip(client, catalog):
    response = client.get(reverse("navigator:home"), {"q": "шахматы тестовский район"})
    assert response.context["filters"].municipality == catalog.district.pk
    assert [label for label, _query in response.context["chips"]] == ["Тестовский район"]
    assert [p.title for p in response.context["cards"]] == ["Шахматы для начинающих"]


def test_the_api_says_what_it_read_from_the_text(client, catalog):
    body = client.get("/api/v1/programs", {"q": "танцы для девочки 8 лет"}).json()
    assert [item["title"] for item in body["items"]] == ["Танцевальная студия «Ритм»"]
    assert body["understood"] == [{"code": "age", "label": "Возраст (лет): 8"}]
    assert body["ignored"] == ["девочки"]


def test_suggestions_give_specialisations_and_titles_for_word_starts(client, catalog):
    body = client.get("/api/v1/suggestions", {"q": "хоре"}).json()
    assert body[0] == {"kind": "specialisation", "label": "Хореография",
                       "url": f"/?specialisation={catalog.dance.specialisation_id}"}
    titles = [item["label"] for item in client.get("/api/v1/suggestions", {"q": "танц"}).json()]
    assert titles == ["Танцевальная студия «Ритм»"]
    assert client.get("/api/v1/suggestions", {"q": "шахм"}).json()[-1]["url"].startswith("/?q=")
    # word starts only: «анцев» is inside «Танцевальная»
    assert client.get("/api/v1/suggestions", {"q": "анцев"}).json() == []
    assert client.get("/api/v1/suggestions", {"q": "т"}).json() == []
    assert client.get("/api/v1/suggestions").json() == []


def test_suggestions_never_show_hidden_programs(client, catalog):
    labels = [item["label"] for item in client.get("/api/v1/suggestions", {"q": "робототехника"}).json()]
    assert "Робототехника" in labels
    assert not any("черновик" in label or "прошлых" in label or "закрытого" in label for label in labels)


def test_the_search_field_is_a_combobox_with_a_live_region(client, catalog):
    page = client.get(reverse("navigator:home")).content.decode()
    assert 'role="combobox"' in page and 'aria-controls="q-suggestions"' in page
    assert 'role="listbox"' in page and 'id="q-suggest-status"' in page and 'aria-live="polite"' in page
    assert "navigator/suggest.js" in page


# --- the dictionary: service ----------------------------------------------------------


def test_the_moc_adds_changes_and_deletes_an_entry(operator, catalog):
    entry = dictionary.save_entry(operator, "  пляски ;  Пляс\nпляска ")
    assert entry.variants == "пляски, Пляс, пляска"
    entry = dictionary.save_entry(operator, "пляски, пляс", entry)
    assert SearchSynonym.objects.get(pk=entry.pk).variants == "пляски, пляс"
    dictionary.delete_entry(operator, entry)
    assert not SearchSynonym.objects.filter(pk=entry.pk).exists()


def test_any_moc_of_the_region_keeps_the_dictionary(other_operator, db):
    assert dictionary.save_entry(other_operator, "футбол, football").pk


@pytest.mark.parametrize("who", ["staff", "authority", "regional", "parent"])
def test_others_may_not_change_the_dictionary(request, who, db):
    user = request.getfixturevalue(who)
    entry = SearchSynonym.objects.get(variants__startswith="Python")
    with pytest.raises(PermissionDenied):
        dictionary.save_entry(user, "футбол, football")
    with pytest.raises(PermissionDenied):
        dictionary.save_entry(user, "Python, питон, змея", entry)
    with pytest.raises(PermissionDenied):
        dictionary.delete_entry(user, entry)
    assert SearchSynonym.objects.get(pk=entry.pk).variants == "Python, питон, пайтон"


@pytest.mark.parametrize(("typed", "message"), [
    ("", "хотя бы два"),
    ("танцы", "хотя бы два"),
    ("танцы, ТАНЦЫ, танцы", "хотя бы два"),
    ("танцы, ***", "ни букв, ни цифр"),
    ("танцы, " + "а" * 61, "длиннее 60"),
    (", ".join(f"слово{n}" for n in range(21)), "Не больше 20"),
    ("змея, питон", "«питон» уже есть в записи «Python, питон, пайтон»"),
])
def test_a_bad_entry_is_refused_and_changes_nothing(operator, typed, message):
    before = list(SearchSynonym.objects.values_list("pk", "variants"))
    with pytest.raises(DomainError) as refused:
        dictionary.save_entry(operator, typed)
    assert message in str(refused.value.message)
    assert list(SearchSynonym.objects.values_list("pk", "variants")) == before


def test_an_entry_may_keep_its_own_variants(operator):
    entry = SearchSynonym.objects.get(variants__startswith="Python")
    assert dictionary.save_entry(operator, "Python, питон", entry).variants == "Python, питон"


# --- the dictionary: page -------------------------------------------------------------


def test_the_dictionary_page_lists_adds_edits_and_deletes(client, operator, catalog):
    client.force_login(operator)
    url = reverse("navigator:dictionary")
    page = client.get(url)
    assert page.status_code == 200 and "Python, питон, пайтон" in page.content.decode()
    assert client.post(url, {"variants": "пляски, сценическое движение"}).status_code == 302
    entry = SearchSynonym.objects.get(variants="пляски, сценическое движение")
    assert "Танцевальная студия «Ритм»" in [p.title for p in client.get(
        reverse("navigator:home"), {"q": "пляски"}).context["cards"]]
    refused = client.post(url, {"variants": "пляски"})
    assert refused.status_code == 400 and "хотя бы два" in refused.content.decode()
    edit = reverse("navigator:dictionary_edit", args=[entry.pk])
    assert client.get(edit).status_code == 200
    assert client.post(edit, {"variants": "пляски, пляс, сценическое движение"}).status_code == 302
    entry.refresh_from_db()
    assert entry.variants == "пляски, пляс, сценическое движение"
    assert client.post(edit, {"delete": "1"}).status_code == 302
    assert not SearchSynonym.objects.filter(pk=entry.pk).exists()


def test_the_dictionary_page_is_the_moc_s_only(client, staff, authority, db):
    for user in (staff, authority):
        client.force_login(user)
        assert client.get(reverse("navigator:dictionary")).status_code == 403
    client.logout()
    assert client.get(reverse("navigator:dictionary")).status_code == 302


def test_a_group_start_changes_nothing_in_suggestions(client, catalog):
    add_group(catalog.english)
    labels = [item["label"] for item in client.get("/api/v1/suggestions", {"q": "англ"}).json()]
    assert labels == ["Английский язык"]
