"""«Избранное»: a parent saves programs from the catalog's cards and the program page,
finds them in the cabinet (a program that left the catalog is marked, not lost), and
removes them; nobody else keeps favourites, and only a program the catalog shows can be
saved. The same through the API."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opora.enrollment import favourites
from opora.enrollment.models import Favourite
from opora.errors import NotFound, PermissionDenied, ValidationFailed
from opora.registry.choices import ProgramStatus
from tests import factories as f
from tests.api.conftest import ApiClient

P = ProgramStatus.PUBLISHED


@pytest.fixture
def program(provider):
    return f.program(provider, status=P, title="Ансамбль народного танца")


@pytest.fixture
def draft(provider):
    return f.program(provider, status=ProgramStatus.INITIAL, title="Черновик")


# --- the service ---------------------------------------------------------------------


def test_a_parent_saves_once_and_removes(parent, program):
    favourite, created = favourites.save(parent, program.pk)
    assert created and favourite.program == program
    again, created = favourites.save(parent, str(program.pk))
    assert (again, created) == (favourite, False)
    assert Favourite.objects.count() == 1
    assert favourites.program_ids(parent) == {program.pk}
    assert favourites.remove(parent, program.pk) is True
    assert favourites.remove(parent, program.pk) is False
    assert not Favourite.objects.exists()


@pytest.mark.parametrize("who", ["staff", "operator", "regional", "expert"])
def test_only_a_parent_keeps_favourites(request, who, program):
    user = request.getfixturevalue(who) if who != "expert" else f.user("expert")
    with pytest.raises(PermissionDenied):
        favourites.save(user, program.pk)
    with pytest.raises(PermissionDenied):
        favourites.remove(user, program.pk)
    assert favourites.program_ids(user) == frozenset()
    assert not Favourite.objects.exists()


@pytest.mark.parametrize("bad", ["draft", 10**9, "abc", None, "-1"])
def test_only_a_program_the_catalog_shows_can_be_saved(parent, draft, bad):
    program_id = draft.pk if bad == "draft" else bad
    with pytest.raises(NotFound) as error:
        favourites.save(parent, program_id)
    assert error.value.message == "Программа не найдена в каталоге."
    assert not Favourite.objects.exists()


def test_a_saved_program_that_leaves_the_catalog_stays_marked(parent, program):
    favourites.save(parent, program.pk)
    program.status = ProgramStatus.ARCHIVE
    program.save(update_fields=["status"])
    [favourite] = favourites.of(parent)
    assert favourite.program == program and favourite.listed is False


def test_the_list_has_a_limit(parent, program, provider, monkeypatch):
    monkeypatch.setattr(favourites, "MOST", 1)
    favourites.save(parent, program.pk)
    other = f.program(provider, status=P, title="Шахматы")
    with pytest.raises(ValidationFailed) as error:
        favourites.save(parent, other.pk)
    assert "В избранном уже 1 программ" in error.value.message
    assert favourites.program_ids(parent) == {program.pk}


def test_favourites_are_each_parents_own(parent, program):
    other_parent = f.user("parent")
    favourites.save(other_parent, program.pk)
    assert favourites.program_ids(parent) == frozenset()
    assert list(favourites.of(parent)) == []


# --- pages ---------------------------------------------------------------------------


def test_the_star_on_the_program_page_saves_and_removes(client, parent, program):
    client.force_login(parent)
    page_url = reverse("navigator:program", args=[program.pk])
    page = client.get(page_url).content.decode()
    assert "В избранное" in page and 'aria-pressed="false"' in page
    # The star submits the one form outside every other (a card may sit inside the search form).
    assert page.count('id="favourite-form"') == 1 and 'form="favourite-form"' in page

    response = client.post(reverse("enrollment:favourite", args=[program.pk]), HTTP_REFERER=page_url)
    assert response.status_code == 302 and response["Location"] == page_url
    page = client.get(page_url).content.decode()
    assert "Программа сохранена в избранном." in page and "В избранном" in page
    assert 'name="action" value="remove"' in page

    listing = client.get(reverse("enrollment:favourites")).content.decode()
    assert "Ансамбль народного танца" in listing and f"/programs/{program.pk}/#groups" in listing

    client.post(reverse("enrollment:favourite", args=[program.pk]), {"action": "remove", "next": page_url})
    assert not Favourite.objects.exists()
    assert "В избранном пока ничего нет" in client.get(reverse("enrollment:favourites")).content.decode()


def test_a_refusal_is_shown_and_changes_nothing(client, parent, draft):
    client.force_login(parent)
    response = client.post(reverse("enrollment:favourite", args=[draft.pk]), follow=True)
    assert "Программа не найдена в каталоге." in response.content.decode()
    assert not Favourite.objects.exists()


def test_an_outside_next_is_not_followed(client, parent, program):
    client.force_login(parent)
    response = client.post(reverse("enrollment:favourite", args=[program.pk]),
                           {"next": "https://evil.example/"}, HTTP_REFERER="https://evil.example/x")
    assert response["Location"] == reverse("enrollment:favourites")


def test_no_star_for_anyone_but_a_parent(client, staff, program):
    page_url = reverse("navigator:program", args=[program.pk])
    assert "В избранное" not in client.get(page_url).content.decode()
    client.force_login(staff)
    assert "В избранное" not in client.get(page_url).content.decode()
    assert client.post(reverse("enrollment:favourite", args=[program.pk])).status_code == 403
    assert client.get(reverse("enrollment:favourites")).status_code == 403
    assert not Favourite.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, program):
    response = client.get(reverse("enrollment:favourites"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_list_reads_a_fixed_number_of_queries(client, parent, provider):
    client.force_login(parent)
    programs = [f.program(provider, status=P, title=f"Программа {n}") for n in range(6)]
    favourites.save(parent, programs[0].pk)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("enrollment:favourites"))
    for program in programs[1:]:
        favourites.save(parent, program.pk)
    with CaptureQueriesContext(connection) as six:
        page = client.get(reverse("enrollment:favourites")).content.decode()
    assert page.count("Убрать из избранного") == 6
    assert len(six) == len(one)


# --- API -----------------------------------------------------------------------------


def test_api_saves_lists_and_removes(parent, program, draft):
    api = ApiClient(parent)
    assert api.put(f"/favourites/{program.pk}").status_code == 201
    again = api.put(f"/favourites/{program.pk}")
    assert again.status_code == 200 and again.json()["program"]["title"] == "Ансамбль народного танца"
    [item] = api.get("/favourites").json()
    assert item["program"]["id"] == program.pk and item["listed"] is True
    missing = api.put(f"/favourites/{draft.pk}")
    assert missing.status_code == 404 and missing.json()["detail"] == "Программа не найдена в каталоге."
    assert api.delete(f"/favourites/{program.pk}").status_code == 204
    assert api.delete(f"/favourites/{program.pk}").status_code == 404
    assert api.get("/favourites").json() == []


def test_api_refuses_staff(staff, program):
    api = ApiClient(staff)
    assert api.put(f"/favourites/{program.pk}").status_code == 403
    assert api.get("/favourites").status_code == 403
    assert not Favourite.objects.exists()
