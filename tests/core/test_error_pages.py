"""Errors speak Russian in the site's layout: 404, 403 and 400 inside the usual page, 500
and the refused form (CSRF) as a page that needs neither the database nor a session."""

import pytest
from django.test import Client, RequestFactory

from opora.urls import server_error


@pytest.mark.django_db
def test_missing_page_is_russian_in_the_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Страница не найдена" in page
    assert 'class="skip-link"' in page  # the site's layout, not Django's bare page
    assert "Not Found" not in page


@pytest.mark.django_db
def test_forbidden_page_tells_a_signed_in_user_whom_to_ask(client, parent):
    client.force_login(parent)
    response = client.get("/office/registry/programs/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Доступ закрыт" in page and "обратитесь к оператору МОЦ" in page
    assert "403 Forbidden" not in page


def test_server_error_page_needs_no_database():
    # No django_db mark: a query while rendering would fail the test.
    response = server_error(RequestFactory().get("/catalog/"))
    assert response.status_code == 500
    assert "Ошибка на сервере" in response.content.decode()


def test_api_server_error_stays_json():
    response = server_error(RequestFactory().get("/api/v1/programs"))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_refused_form_explains_itself_in_russian():
    response = Client(enforce_csrf_checks=True).post("/accessible/", {"toggle": "1"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Форма устарела" in page and "ничего не изменилось" in page
    assert "accessible" not in response.cookies


@pytest.mark.django_db
def test_favicon(client):
    page = client.get("/").content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("opora/favicon.svg")
