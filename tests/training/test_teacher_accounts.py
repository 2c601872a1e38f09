"""A teacher's own account: the organization invites by e-mail, the teacher sets a password
through the link, registers themselves for the events open to them, and sees only their own
record and certificates."""

import datetime as dt
import re

import pytest
from django.core import mail

from opora.accounts.models import Role, User
from opora.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from opora.training import invitations, services
from opora.training.models import RegistrationStatus
from tests import factories as f
from tests.training.conftest import event_data, held, today

pytestmark = pytest.mark.django_db

PASSWORD = "Ucitel-2026-pass"


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def teacher_user(teachers):
    return f.user(Role.TEACHER, teacher=teachers[0], email="antonova@example.org")


def _link(letter) -> str:
    return re.search(r"http://testserver(/training/invitation/\S+/)", letter.body)[1]


def test_invited_teacher_sets_a_password_and_sees_their_page(client, staff, teachers, sent):
    # given the organization invites its teacher
    with sent():
        account = invitations.invite(staff, teachers[0], " Antonova@Example.org ", "http://testserver")
    assert (account.role, account.teacher, account.email) == (Role.TEACHER, teachers[0], "antonova@example.org")
    assert not account.has_usable_password() and account.email_confirmed_at is None
    [letter] = mail.outbox
    assert letter.to == ["antonova@example.org"]
    link = _link(letter)

    # when the teacher opens the link and sets a password
    answer = client.post(link, {"password1": PASSWORD, "password2": PASSWORD, "consent": "on"})

    # then the account is open, confirmed, signed in, and the link is spent
    assert answer.status_code == 302 and answer["Location"] == "/office/training/mine/"
    account.refresh_from_db()
    assert account.check_password(PASSWORD) and account.email_confirmed_at is not None
    assert client.get("/office/training/mine/").status_code == 200
    assert client.get(link).status_code == 400
    assert invitations.invitation_state(teachers[0])["state"] == "accepted"


def test_accepting_needs_the_consent_and_a_valid_link(staff, teachers, sent):
    with sent():
        account = invitations.invite(staff, teachers[0], "antonova@example.org", "http://testserver")
    uidb64, token = _link(mail.outbox[0]).strip("/").split("/")[-2:]

    with pytest.raises(ValidationFailed):
        invitations.accept(uidb64, token, password=PASSWORD, consent=False)
    with pytest.raises(NotFound):
        invitations.accept(uidb64, token[:-1] + ("a" if token[-1] != "a" else "b"), password=PASSWORD,
                           consent=True)
    account.refresh_from_db()
    assert account.email_confirmed_at is None and not account.has_usable_password()


def test_invitation_refusals(staff, other_staff, teachers, teacher_user, parent, sent):
    with pytest.raises(PermissionDenied):  # another organization's teacher
        invitations.invite(other_staff, teachers[1], "b@example.org", "http://testserver")
    with pytest.raises(ValidationFailed):  # the address has an account of another role
        invitations.invite(staff, teachers[1], parent.email, "http://testserver")
    with pytest.raises(InvalidTransition):  # the teacher already has an account
        invitations.invite(staff, teachers[0], "new@example.org", "http://testserver")
    assert User.objects.filter(role=Role.TEACHER).count() == 1 and mail.outbox == []


def test_inviting_again_corrects_the_address_and_keeps_one_account(staff, teachers, sent):
    with sent():
        first = invitations.invite(staff, teachers[1], "typo@example.org", "http://testserver")
    with sent():
        again = invitations.invite(staff, teachers[1], "borisova@example.org", "http://testserver")
    assert again.pk == first.pk and again.email == "borisova@example.org"
    assert [letter.to for letter in mail.outbox] == [["typo@example.org"], ["borisova@example.org"]]
    # the first letter's link named the old address: it no longer opens
    with pytest.raises(NotFound):
        invitations.invited_account(*_link(mail.outbox[0]).strip("/").split("/")[-2:])


def test_teacher_registers_themselves_and_withdraws(teacher_user, seminar, teachers):
    registration = services.enrol_self(teacher_user, seminar)
    assert (registration.teacher, registration.status) == (teachers[0], RegistrationStatus.REGISTERED)

    services.cancel_registration(teacher_user, registration)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED


def test_self_registration_keeps_the_seats_window_and_audience(operator, staff, teacher_user, teachers, seminar):
    # the seats: the organization took both
    services.register(staff, seminar, teachers[1:])
    with pytest.raises(InvalidTransition, match="Свободных мест: 0"):
        services.enrol_self(teacher_user, seminar)
    # the audience: an event for heads only
    for_heads = services.publish(operator, services.save_event(
        operator, event_data(for_teachers=False, for_heads=True, capacity=10)))
    with pytest.raises(InvalidTransition, match="категории"):
        services.enrol_self(teacher_user, for_heads)
    # the window: the event has started
    open_one = services.publish(operator, services.save_event(operator, event_data(capacity=10)))
    held(open_one, on=today() - dt.timedelta(days=1))
    with pytest.raises(InvalidTransition, match="началось"):
        services.enrol_self(teacher_user, open_one)
    assert teacher_user.teacher.training_registrations.count() == 0


def test_a_head_sees_the_events_for_heads(operator, provider):
    head = f.teacher(provider, last_name="Директорова", position="Директор")
    account = f.user(Role.TEACHER, teacher=head)
    for_heads = services.publish(operator, services.save_event(
        operator, event_data(for_teachers=False, for_heads=True, capacity=10)))
    assert services.enrol_self(account, for_heads).teacher == head


def test_teacher_cannot_register_another_teacher(client, teacher_user, teachers, seminar):
    with pytest.raises(PermissionDenied):
        services.register(teacher_user, seminar, [teachers[1]])
    client.force_login(teacher_user)
    page = client.post(f"/office/training/{seminar.pk}/",
                       {"form": "register", "teachers": [teachers[1].pk]})
    assert page.status_code == 403
    assert seminar.registrations.count() == 0


def test_teacher_sees_only_their_own_record(client, operator, staff, teacher_user, teachers, seminar):
    # given both teachers attended, each with a certificate
    own, colleague = services.register(staff, seminar, teachers[:2])
    held(seminar)
    services.mark_attendance(operator, seminar, [own.pk, colleague.pk])
    client.force_login(teacher_user)

    page = client.get("/office/training/mine/")

    assert page.status_code == 200
    assert page.context["teacher"] == teachers[0]
    assert [r.pk for r in page.context["record"]["attended"]] == [own.pk]
    assert page.context["record"]["hours"] == 4
    assert client.get(f"/office/training/certificates/{own.pk}/").status_code == 200
    assert client.get(f"/office/training/certificates/{colleague.pk}/").status_code == 404
    assert client.get(f"/office/training/teachers/{teachers[1].pk}/").status_code == 403
    assert client.get("/office/training/teachers/").status_code == 403
    assert client.post("/office/training/mine/", {"form": "withdraw", "registration": colleague.pk}
                       ).status_code == 404


def test_teacher_registers_on_the_page(client, teacher_user, seminar, operator):
    for_heads = services.publish(operator, services.save_event(
        operator, event_data(title="Только для руководителей", for_teachers=False, for_heads=True)))
    client.force_login(teacher_user)

    listed = client.get("/office/training/mine/").context["events"]
    answer = client.post("/office/training/mine/", {"form": "enrol", "event": seminar.pk})
    foreign = client.post("/office/training/mine/", {"form": "enrol", "event": for_heads.pk})

    assert [event.pk for event in listed] == [seminar.pk]
    assert answer.status_code == 302
    assert seminar.registrations.get().teacher == teacher_user.teacher
    assert foreign.status_code == 404 and for_heads.registrations.count() == 0


def test_staff_invites_on_the_teacher_page(client, staff, teachers, sent):
    client.force_login(staff)
    with sent():
        answer = client.post(f"/office/training/teachers/{teachers[0].pk}/",
                             {"form": "invite", "email": "antonova@example.org"})
    assert answer.status_code == 302
    assert User.objects.get(teacher=teachers[0]).email == "antonova@example.org"
    page = client.get(f"/office/training/teachers/{teachers[0].pk}/")
    assert page.context["invitation"]["state"] == "sent"
