"""The catalog page kept for visitors who are not signed in (``navigator.pagecache``):
served again while the catalog's version, the language and the address stay, never with
another visitor's CSRF token or session, never to a signed-in user, and never past a
change a parent would see (a program published, a group full, enrolment opening)."""

import datetime as dt
import pickle
import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from opora.accounts.models import Role
from opora.navigator import pagecache
from opora.navigator.models import CatalogChange
from opora.registry.choices import Direction, ProgramStatus
from tests import factories as f
from tests.navigator.conftest import add_group

HOME = "/"


@pytest.fixture(autouse=True)
def _kept_a_day(settings):
    settings.OPORA_CATALOG_PAGE_SECONDS = 24 * 3600  # only the catalog's own changes end an entry
    # the version read once an hour: what shows at once below, this process's change shows
    settings.OPORA_CATALOG_VERSION_SECONDS = 3600


def token_of(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def kept_pages():
    """The pages in the (local memory) cache, by key."""
    from django.core.cache import cache

    return {key: pickle.loads(value) for key, value in cache._cache.items() if ":page:" in key}


def kept_answers():
    """The API's catalog answers in the cache, by key."""
    from django.core.cache import cache

    return {key: pickle.loads(value) for key, value in cache._cache.items() if ":api:" in key}


def test_second_anonymous_request_is_answered_from_the_kept_page(client, catalog, settings):
    first = client.get(HOME)
    with CaptureQueriesContext(connection) as queries:
        second = client.get(HOME)
    assert len(queries) == 0  # the version the first request read is recent enough
    html = second.content.decode()
    assert "Танцевальная студия «Ритм»" in html
    assert html.replace(token_of(html), "") == first.content.decode().replace(token_of(first.content.decode()), "")
    settings.OPORA_CATALOG_VERSION_SECONDS = 0
    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME).status_code == 200
    assert len(queries) == 1 and "navigator_catalogchange" in queries[0]["sql"]  # the version only


def test_a_change_made_by_another_process_shows_once_the_version_read_is_old_enough(client, catalog, monkeypatch):
    import time

    assert "Танцевальная студия «Ритм»" in client.get(HOME).content.decode()
    # another worker unpublishes the program: its refresh adds a version this process
    # has not seen (written here without the refresh, which would tell this process)
    CatalogChange.objects.create()
    connection.cursor().execute("DELETE FROM navigator_catalogentry WHERE program_id = %s", [catalog.dance.pk])
    assert "Танцевальная студия «Ритм»" in client.get(HOME).content.decode()  # still the kept page
    started = time.monotonic()
    monkeypatch.setattr(time, "monotonic", lambda: started + 3601)
    assert "Танцевальная студия «Ритм»" not in client.get(HOME).content.decode()
    assert len(kept_pages()) == 2


def test_kept_page_holds_no_token_and_each_visitor_gets_a_working_one_of_their_own(client, catalog):
    from django.test import Client

    first = client.get(HOME).content.decode()
    other = Client(enforce_csrf_checks=True)
    second = other.get(HOME)
    html = second.content.decode()
    (kept,) = kept_pages().values()
    assert pagecache.PLACEHOLDER in kept and "csrfmiddlewaretoken" in kept
    assert token_of(first) not in kept and token_of(html) not in kept
    assert pagecache.PLACEHOLDER not in html
    assert html.count(token_of(html)) == 3  # htmx's header, the accessibility and language forms
    assert "csrftoken" in second.cookies and "sessionid" not in second.cookies
    assert "sessionid" not in kept
    # the language switch of the kept page works for this visitor
    switched = other.post(reverse("set_language"), {"language": "en", "next": HOME,
                                                    "csrfmiddlewaretoken": token_of(html)})
    assert switched.status_code == 302
    assert "<h1>Clubs and classes for children</h1>" in other.get(HOME).content.decode()


def test_the_language_is_part_of_the_key(client, catalog):
    assert "Кружки и секции для детей" in client.get(HOME).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(HOME).content.decode()
    assert '<html lang="en"' in english and "Clubs and classes for children" in english
    client.cookies["django_language"] = "ru"
    assert "Кружки и секции для детей" in client.get(HOME).content.decode()
    assert len(kept_pages()) == 2


def test_the_accessibility_settings_and_htmx_are_part_of_the_key(client, catalog):
    plain = client.get(HOME).content.decode()
    client.cookies["accessible"] = "s3-cwb-i1-l0"
    accessible = client.get(HOME).content.decode()
    assert accessible != plain and 'aria-pressed="true"' in accessible
    update = client.get(HOME, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in update and 'hx-swap-oob="true"' in update
    assert len(kept_pages()) == 3


def test_a_published_program_shows_at_once(client, catalog, provider):
    assert "Хор мальчиков" not in client.get(HOME).content.decode()
    add_group(f.program(provider, title="Хор мальчиков", status=ProgramStatus.PUBLISHED, direction=Direction.ARTS))
    assert "Хор мальчиков" in client.get(HOME).content.decode()


def test_a_full_group_shows_at_once(client, db, django_capture_on_commit_callbacks):
    from opora.enrollment import children, services
    from tests.enrollment.conftest import child_data, open_group

    program = f.program(status="published", title="Шахматы")
    group = open_group(program, capacity_max=1)
    url = reverse("navigator:home") + "?free_seats=1"
    assert "свободных мест: 1" in client.get(url).content.decode()
    parent = f.user("parent", municipality=program.organization.municipality)
    child, _ = children.register_child(parent, child_data(program.organization.municipality), consent=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_application(parent, child, group)
    assert "Шахматы" not in client.get(url).content.decode()  # no free seat left: not found


def test_a_kept_page_ends_when_enrolment_opens(client, catalog, provider, monkeypatch):
    now = timezone.now()
    add_group(f.program(provider, title="Хор мальчиков", status=ProgramStatus.PUBLISHED),
              enrolment=(now + dt.timedelta(minutes=10), now + dt.timedelta(days=10)))
    url = reverse("navigator:home") + "?open=1"
    assert "Хор мальчиков" not in client.get(url).content.decode()

    later = now + dt.timedelta(minutes=11)
    shift = (later - now).total_seconds()

    class Clock:
        @staticmethod
        def time():
            import time

            return time.time_ns() / 1e9 + shift

    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    monkeypatch.setattr("django.core.cache.backends.locmem.time", Clock)
    monkeypatch.setattr("django.core.cache.backends.base.time", Clock)
    assert "Хор мальчиков" in client.get(url).content.decode()


def test_a_dictionary_change_shows_at_once(client, catalog, operator):
    from opora.navigator import dictionary

    assert "Танцевальная студия" not in client.get(HOME, {"q": "пляски"}).content.decode()
    before = CatalogChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
    entry = dictionary.save_entry(operator, "пляски, студия")
    assert CatalogChange.objects.filter(id__gt=before).count() == 1
    assert "Танцевальная студия" in client.get(HOME, {"q": "пляски"}).content.decode()
    dictionary.delete_entry(operator, entry)
    assert "Танцевальная студия" not in client.get(HOME, {"q": "пляски"}).content.decode()


def test_signed_in_parent_never_gets_the_kept_page(client, catalog):
    client.get(HOME)
    (kept,) = kept_pages().values()
    parent = f.user(Role.PARENT)
    client.force_login(parent)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(HOME).content.decode()
    assert len(queries) > 2  # rendered: the session, the labels, the search, the cards…
    assert parent.short_name in html and 'id="favourite-form"' in html
    assert html != kept and len(kept_pages()) == 1
    client.logout()
    assert parent.short_name not in client.get(HOME).content.decode()


def test_a_visitor_with_a_message_gets_it_and_it_is_not_kept(client, catalog):
    request = RequestFactory().get(HOME)
    storage = CookieStorage(request)
    storage.add(constants.SUCCESS, "Вопрос № 7 принят.")
    carrier = HttpResponse()
    storage.update(carrier)
    client.cookies["messages"] = carrier.cookies["messages"].value
    assert "Вопрос № 7 принят." in client.get(HOME).content.decode()
    assert not kept_pages()
    assert "Вопрос № 7 принят." not in client.get(HOME).content.decode()
    assert len(kept_pages()) == 1


def test_a_wrong_filter_value_is_rendered_each_time(client, catalog):
    html = client.get(HOME, {"payment": "cash"}).content.decode()
    assert "Неизвестное значение «cash»" in html and not kept_pages()


@pytest.mark.parametrize("address", [HOME, "/api/v1/programs"])
def test_switched_off_it_keeps_nothing(client, catalog, settings, address):
    settings.OPORA_CATALOG_PAGE_SECONDS = 0
    client.get(address)
    with CaptureQueriesContext(connection) as queries:
        client.get(address)
    assert len(queries) > 1 and not kept_pages() and not kept_answers()


# The catalog's API answer: one per address, language and version, for every caller.

API = "/api/v1/programs"


def test_second_api_request_is_answered_from_the_kept_answer(client, catalog):
    first = client.get(API, {"q": "танцы"})
    with CaptureQueriesContext(connection) as queries:
        second = client.get(API, {"q": "танцы"})
    assert len(queries) == 0  # the version the first request read is recent enough
    assert second.content == first.content and second["Content-Type"] == first["Content-Type"]
    assert [p["title"] for p in second.json()["items"]] == ["Танцевальная студия «Ритм»"]
    assert len(kept_answers()) == 1
    assert client.get(API, {"q": "шахматы"}).json()["items"] != second.json()["items"]  # its own address
    assert len(kept_answers()) == 2


def test_a_kept_answer_is_the_same_for_a_signed_in_caller_and_names_nobody(client, catalog):
    anonymous = client.get(API).content
    parent = f.user(Role.PARENT)
    client.force_login(parent)
    assert client.get(API).content == anonymous and len(kept_answers()) == 1
    assert parent.email.encode() not in anonymous and parent.last_name.encode() not in anonymous


def test_a_published_program_is_in_the_next_answer(client, catalog, provider):
    titles = lambda: [p["title"] for p in client.get(API, {"q": "мальчиков"}).json()["items"]]  # noqa: E731
    assert titles() == []
    add_group(f.program(provider, title="Хор мальчиков", status=ProgramStatus.PUBLISHED, direction=Direction.ARTS))
    assert titles() == ["Хор мальчиков"]


def test_the_language_is_part_of_the_answer_key(client, catalog):
    russian = client.get(API).json()["facets"]
    english = client.get(API, headers={"Accept-Language": "en"}).json()["facets"]
    assert russian != english and len(kept_answers()) == 2


def test_a_bad_api_query_is_refused_and_not_kept(client, catalog):
    answer = client.get(API, {"age": "сто"})
    assert answer.status_code == 422 and not kept_answers()
