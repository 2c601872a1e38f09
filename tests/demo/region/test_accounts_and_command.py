"""The demo accounts log in with the printed password; the command is idempotent."""


import pytest
from django.urls import reverse

from opora.accounts import scope
from opora.accounts.models import Role, User
from opora.audit.models import AuditEvent
from opora.demo import accounts
from opora.demo.generator import build_demo
from opora.practices.models import Assignment as PracticeAssignment
from opora.quality.models import Assignment, Expert
from opora.registry.choices import ProgramStatus
from opora.registry.models import (
    Group,
    GroupFunding,
    Organization,
    Program,
    Region,
    ScheduleLine,
    Teacher,
)

SMALL = "0.05"


def _all_counts():
    return {model.__name__: model.objects.count()
            for model in (Region, Organization, Teacher, Program, Group, ScheduleLine,
                          GroupFunding, User, AuditEvent, Program.history.model)}


@pytest.mark.parametrize("account", accounts.ACCOUNTS, ids=lambda a: a.email)
def test_every_demo_account_logs_in_with_the_printed_password(demo, client, account):
    response = client.post(reverse("accounts:login"),
                           {"username": account.email, "password": accounts.PASSWORD})

    assert response.status_code == 302
    user = User.objects.get(email=account.email)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert (user.role, user.is_superuser) == (
        (Role.REGIONAL_CENTRE, True) if account.role == accounts.ADMIN else (account.role, False))


def test_every_role_has_a_demo_account():
    assert {a.role for a in accounts.ACCOUNTS} == set(Role.values) | {accounts.ADMIN}


def test_staff_account_keeps_programs_in_every_status(demo):
    staff = User.objects.get(email="staff@demo.opora")
    statuses = set(Program.objects.filter(organization=staff.organization)
                   .values_list("status", flat=True))
    assert statuses == set(ProgramStatus.values)
    assert scope.actionable(staff, "registry.edit", Program.objects.all()).count() == \
        Program.objects.filter(organization=staff.organization).count()


def test_city_operator_has_a_moderation_queue_of_own_municipality_only(demo):
    operator = User.objects.get(email="moc@demo.opora")
    queue = scope.actionable(operator, "registry.moderate",
                             Program.objects.filter(status=ProgramStatus.MODERATING))
    assert queue.exists()
    assert set(queue.values_list("organization__municipality", flat=True)) == {
        operator.municipality_id}
    assert operator.organization.is_support_centre


def test_second_run_creates_nothing_and_reports_the_existing_region(demo):
    before = _all_counts()

    again = build_demo(scale=float(SMALL))

    assert again.created is False
    assert again.region == demo.region
    assert _all_counts() == before


def test_second_run_restores_a_changed_password_and_a_deactivated_account(demo):
    operator = User.objects.get(email="moc@demo.opora")
    operator.set_password("something-else-1")
    operator.is_active = False
    operator.save()

    build_demo(scale=float(SMALL))

    operator.refresh_from_db()
    assert operator.is_active and operator.check_password(accounts.PASSWORD)


def test_second_run_recreates_a_deleted_account(demo):
    # the expert's sheets and profile protect the account: they go first
    Assignment.objects.filter(expert__email="expert@demo.opora").delete()
    PracticeAssignment.objects.filter(expert__email="expert@demo.opora").delete()
    Expert.objects.filter(user__email="expert@demo.opora").delete()
    User.objects.filter(email="expert@demo.opora").delete()

    build_demo(scale=float(SMALL))

    expert = User.objects.get(email="expert@demo.opora")
    assert expert.role == Role.EXPERT and expert.check_password(accounts.PASSWORD)


def test_reset_rebuilds_the_same_region_without_leftovers(demo):
    before = _all_counts()
    titles = list(Program.objects.order_by("uuid").values_list("uuid", "title"))
    first_ids = set(Program.objects.values_list("pk", flat=True))

    rebuilt = build_demo(scale=float(SMALL), reset_first=True)

    assert rebuilt.created is True
    assert _all_counts() == before
    assert list(Program.objects.order_by("uuid").values_list("uuid", "title")) == titles
    assert not set(Program.objects.values_list("pk", flat=True)) & first_ids
    assert not AuditEvent.objects.filter(target_type="registry.program",
                                         target_id__in=[str(pk) for pk in first_ids]).exists()
    assert not Program.history.model.objects.filter(id__in=first_ids).exists()
