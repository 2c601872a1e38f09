"""The Django admin is a tool for superusers only; everyone else works in the back office."""

import pytest

from opora.accounts.models import Role, User
from tests import factories as f


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root@example.org", "root-pass-123")


def test_superuser_opens_the_admin(client, root):
    client.force_login(root)

    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/registry/program/").status_code == 200


@pytest.mark.parametrize("path", ["/admin/", "/admin/registry/program/", "/admin/accounts/user/"])
def test_staff_flag_without_superuser_does_not_open_the_admin(client, city, path):
    operator = f.user(Role.SUPPORT_CENTRE, municipality=city, is_staff=True)
    client.force_login(operator)

    response = client.get(path)

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_anonymous_is_sent_to_the_admin_login(client):
    response = client.get("/admin/")

    assert (response.status_code, response.url) == (302, "/admin/login/?next=/admin/")


def test_signing_in_through_the_admin_form_still_does_not_open_it(client, city):
    f.user(Role.SUPPORT_CENTRE, municipality=city, is_staff=True, email="moc@example.org")
    client.post("/admin/login/?next=/admin/",
                {"username": "moc@example.org", "password": "test-pass-123"})

    response = client.get("/admin/")

    assert (response.status_code, response.url) == (302, "/admin/login/?next=/admin/")
