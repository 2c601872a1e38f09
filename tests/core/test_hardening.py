"""Answers outside the happy path: the API's 500 in JSON, the Content-Security-Policy
of every page, and the idle timeout of back-office sessions."""

import re
import time
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from opora.accounts.middleware import BackOfficeIdleTimeoutMiddleware


def _broken(*args, **kwargs):
    raise RuntimeError("a bug")


def test_an_unexpected_error_in_the_api_is_a_json_500(db, monkeypatch):
    monkeypatch.setattr("opora.registry.api.labelled", _broken)
    client = Client(raise_request_exception=False)

    response = client.get("/api/v1/dictionaries")

    assert (response.status_code, response["Content-Type"]) == (500, "application/json")
    assert response.json() == {"detail": "Внутренняя ошибка сервера. Попробуйте позже.", "field": None,
                               "code": "ServerError"}


def test_an_unexpected_error_on_a_page_is_still_the_500_page(monkeypatch, parent):
    monkeypatch.setattr("opora.office.views.redirect", _broken)
    client = Client(raise_request_exception=False)
    client.force_login(parent)

    response = client.get(reverse("office:dashboard"))

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


# ---- Content-Security-Policy


def test_pages_carry_a_policy_that_allows_only_our_own_scripts(client, db):
    response = client.get(reverse("accounts:login"))

    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"


@pytest.mark.parametrize("template", ["base.html", "financing/contracts/print.html"])
def test_templates_have_no_inline_scripts(template):
    from django.template.loader import get_template

    source = Path(get_template(template).origin.name).read_text(encoding="utf-8")

    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", source) == []
    assert re.findall(r"\son[a-z]+=|javascript:", source) == []


# ---- idle timeout of back-office sessions


def _idle_for(client, seconds):
    session = client.session
    session[BackOfficeIdleTimeoutMiddleware.SESSION_KEY] = int(time.time()) - seconds
    session.save()


@pytest.mark.parametrize("persona", ["staff", "operator", "authority", "regional"])
def test_a_back_office_user_idle_too_long_is_signed_out(request, settings, client, persona):
    settings.OPORA_BACKOFFICE_IDLE_MINUTES = 30
    client.force_login(request.getfixturevalue(persona))
    client.get(reverse("office:dashboard"))
    _idle_for(client, 31 * 60)

    response = client.get(reverse("office:dashboard"), follow=True)

    assert "_auth_user_id" not in client.session
    assert response.redirect_chain[0] == (f"{reverse('accounts:login')}?next={reverse('office:dashboard')}", 302)
    assert "Сеанс завершён: вы долго не работали в системе. Войдите снова." in response.content.decode()


def test_a_back_office_user_working_within_the_limit_stays_signed_in(settings, client, operator):
    settings.OPORA_BACKOFFICE_IDLE_MINUTES = 30
    client.force_login(operator)
    client.get(reverse("office:dashboard"))
    _idle_for(client, 29 * 60)

    response = client.get(reverse("office:dashboard"))

    assert response.status_code == 200 and "Рабочий стол" in response.content.decode()
    assert client.session["_auth_user_id"] == str(operator.pk)
    assert client.session[BackOfficeIdleTimeoutMiddleware.SESSION_KEY] >= int(time.time()) - 5


def test_the_api_with_an_expired_back_office_session_is_401(settings, client, operator):
    settings.OPORA_BACKOFFICE_IDLE_MINUTES = 30
    client.force_login(operator)
    client.get(reverse("office:dashboard"))
    _idle_for(client, 31 * 60)

    response = client.get("/api/v1/certificates")

    assert response.status_code == 401


def test_a_parent_keeps_the_session(settings, client, parent):
    settings.OPORA_BACKOFFICE_IDLE_MINUTES = 30
    client.force_login(parent)
    _idle_for(client, 24 * 3600)

    response = client.get(reverse("office:dashboard"))

    assert response.url == reverse("enrollment:cabinet")
    assert client.session["_auth_user_id"] == str(parent.pk)
