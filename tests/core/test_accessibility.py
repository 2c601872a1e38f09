"""The version for the visually impaired (ГОСТ Р 52872-2019): switched on and off, its four
settings changed one at a time, remembered across pages in one cookie; bad values and a
damaged cookie change nothing."""

import pytest

from opora.core.accessibility import Accessibility


def _body_classes(response) -> set[str]:
    page = response.content.decode()
    start = page.index("<body")
    tag = page[start:page.index(">", start)]
    return set(tag.split('class="')[1].split('"')[0].split())


def _choose(client, **data):
    return client.post("/accessible/", {"next": "/", **data})


@pytest.mark.django_db
def test_switched_on_with_defaults_and_off_again(client):
    assert "accessible" not in _body_classes(client.get("/"))
    _choose(client, toggle="1")
    classes = _body_classes(client.get("/"))
    assert {"accessible", "a11y-size-2", "a11y-bw"} <= classes
    page = client.get("/").content.decode()
    assert "Настройки версии для слабовидящих" in page and "Обычная версия" in page
    _choose(client, toggle="1")
    assert "accessible" not in _body_classes(client.get("/"))
    assert "Настройки версии для слабовидящих" not in client.get("/").content.decode()


@pytest.mark.django_db
def test_each_setting_is_changed_and_remembered_across_pages(client):
    _choose(client, toggle="1")
    _choose(client, size="3")
    _choose(client, scheme="wb")
    _choose(client, images="off")
    _choose(client, spacing="wide")
    for url in ("/", "/directions/", "/accounts/login/"):
        assert {"accessible", "a11y-size-3", "a11y-wb", "a11y-no-images", "a11y-wide"} <= _body_classes(
            client.get(url)), url
    _choose(client, scheme="blue")
    _choose(client, images="on")
    classes = _body_classes(client.get("/"))
    assert {"a11y-blue", "a11y-size-3", "a11y-wide"} <= classes
    assert not {"a11y-wb", "a11y-no-images"} & classes


@pytest.mark.django_db
def test_the_panel_marks_the_current_choices(client):
    _choose(client, size="1")  # a choice without the switch turns the version on as well
    page = client.get("/").content.decode()
    assert 'name="size" value="1" class="a11y-size-choice-1" aria-pressed="true"' in page
    assert 'name="size" value="2" class="a11y-size-choice-2" aria-pressed="false"' in page


@pytest.mark.django_db
@pytest.mark.parametrize("data", [{"size": "9"}, {"size": "-1"}, {"scheme": "red"},
                                  {"images": "maybe"}, {"spacing": "huge"}, {}])
def test_a_value_outside_the_lists_changes_nothing(client, data):
    _choose(client, toggle="1")
    _choose(client, size="3")
    before = client.cookies["accessible"].value
    _choose(client, **data)
    assert client.cookies["accessible"].value == before


@pytest.mark.django_db
def test_next_outside_the_site_is_refused(client):
    response = client.post("/accessible/", {"toggle": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.parametrize("cookie, expected", [
    ("", None),
    ("1", Accessibility()),  # the value earlier releases set
    ("s3-cwb-i0-l1", Accessibility(size=3, scheme="wb", images=False, wide_spacing=True)),
    ("s7-cpink-ix-l1", Accessibility(wide_spacing=True)),  # damaged parts take the defaults
    ("garbage", Accessibility()),
])
def test_cookie_round_trip(cookie, expected):
    settings = Accessibility.from_cookie(cookie)
    assert settings == expected
    if settings:
        assert Accessibility.from_cookie(settings.cookie()) == settings
