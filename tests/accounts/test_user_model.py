"""The account: an e-mail instead of a username, one role, the territory the role needs."""

import pytest
from django.db import IntegrityError, transaction

from opora.accounts.models import Role, User
from tests import factories as f


def test_email_is_stored_in_lower_case(db):
    user = User.objects.create_user("Ivanova.M@Example.ORG", "secret-pass-1")

    assert user.email == "ivanova.m@example.org"
    assert User.objects.get(email="ivanova.m@example.org") == user


def test_the_same_email_in_another_case_is_the_same_account(db):
    User.objects.create_user("ivanova@example.org", "secret-pass-1")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("IVANOVA@example.org", "secret-pass-2")
    assert User.objects.count() == 1


def test_email_is_required(db):
    with pytest.raises(ValueError, match="email is required"):
        User.objects.create_user("", "secret-pass-1")


def test_new_user_is_a_parent_without_admin_rights(db):
    user = User.objects.create_user("parent@example.org", "secret-pass-1")

    assert (user.role, user.is_staff, user.is_superuser, user.is_active) == (
        Role.PARENT, False, False, True)
    assert user.check_password("secret-pass-1")
    assert user.password != "secret-pass-1"
    assert User.USERNAME_FIELD == "email"
    assert not hasattr(user, "username") or user.username is None


def test_superuser_gets_the_regional_role(db):
    root = User.objects.create_superuser("Root@Example.org", "secret-pass-1")

    assert (root.email, root.role, root.is_staff, root.is_superuser) == (
        "root@example.org", Role.REGIONAL_CENTRE, True, True)


def test_names_read_the_russian_way(db):
    user = f.user(last_name="Петрова", first_name="Анна", patronymic="Сергеевна",
                  email="petrova@example.org")
    nameless = f.user(last_name="", first_name="", email="nameless@example.org")

    assert (user.full_name, user.short_name, str(user)) == (
        "Петрова Анна Сергеевна", "Петрова А.С.", "Петрова Анна Сергеевна")
    assert (nameless.short_name, str(nameless)) == ("nameless@example.org", "nameless@example.org")


def test_organization_staff_must_have_an_organization(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("staff@example.org", "secret-pass-1",
                                 role=Role.ORGANIZATION_STAFF)
    assert not User.objects.exists()


@pytest.mark.parametrize("role", [Role.SUPPORT_CENTRE, Role.EDUCATION_AUTHORITY])
def test_municipal_roles_must_have_a_municipality(db, role):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("moc@example.org", "secret-pass-1", role=role)
    assert not User.objects.exists()


def test_regional_centre_needs_no_territory(db):
    user = User.objects.create_user("rmc@example.org", "secret-pass-1", role=Role.REGIONAL_CENTRE)

    assert (user.municipality_id, user.organization_id) == (None, None)
