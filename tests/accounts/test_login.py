"""Signing in with an e-mail, and the lock after repeated wrong passwords (django-axes)."""

import pytest
from django.urls import reverse

from opora.accounts.models import Role
from tests import factories as f

PASSWORD = "test-pass-123"


@pytest.fixture
def member(city):
    return f.user(Role.SUPPORT_CENTRE, municipality=city, email="operator@example.org")


def _login(client, email, password):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def _signed_in(client):
    return "_auth_user_id" in client.session


def test_login_page_opens(client):
    response = client.get(reverse("accounts:login"))

    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


def test_login_with_email_and_password_opens_the_cabinet(client, member):
    response = _login(client, "operator@example.org", PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("office:dashboard")
    assert client.session["_auth_user_id"] == str(member.pk)


def test_wrong_password_is_refused_with_a_message(client, member):
    response = _login(client, "operator@example.org", "not-the-password")

    assert response.status_code == 200
    assert not _signed_in(client)
    assert response.context["form"].non_field_errors()


def test_an_empty_form_says_what_is_missing_next_to_each_field(client, member):
    response = _login(client, "", "")

    page = response.content.decode()
    assert response.status_code == 200 and not _signed_in(client)
    assert '<p class="errorlist" id="id_username_error">Требуется заполнить это поле.</p>' in page
    assert '<p class="errorlist" id="id_password_error">Требуется заполнить это поле.</p>' in page


def test_login_ignores_the_case_of_the_email(client, member):
    # the manager stores e-mails in lower case, so the login must not depend on how it is typed
    response = _login(client, "Operator@Example.ORG", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_inactive_account_cannot_sign_in(client, member):
    member.is_active = False
    member.save()

    response = _login(client, "operator@example.org", PASSWORD)

    assert response.status_code == 200
    assert not _signed_in(client)


def test_five_failed_logins_lock_the_account(client, member):
    for _ in range(4):
        assert _login(client, "operator@example.org", "wrong-password").status_code == 200
    # the fifth failure is the one that locks
    assert _login(client, "operator@example.org", "wrong-password").status_code == 429

    response = _login(client, "operator@example.org", PASSWORD)

    assert response.status_code == 429
    assert "Вход временно заблокирован" in response.content.decode()
    assert not _signed_in(client)


def test_four_failed_logins_do_not_lock(client, member):
    for _ in range(4):
        _login(client, "operator@example.org", "wrong-password")

    response = _login(client, "operator@example.org", PASSWORD)

    assert response.status_code == 302
    assert _signed_in(client)


def test_lock_holds_one_account_not_the_others_from_the_same_address(client, member, city):
    colleague = f.user(Role.SUPPORT_CENTRE, municipality=city, email="colleague@example.org")
    for _ in range(5):
        _login(client, "operator@example.org", "wrong-password")

    response = _login(client, "colleague@example.org", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(colleague.pk)
