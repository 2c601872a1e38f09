"""Personal API tokens: issued and revoked by their owner, shown once, stored as a hash,
refused when revoked, expired or when the account is switched off; a token request
needs no CSRF token, a session request does."""

import datetime as dt
import hashlib
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from opora import audit
from opora.accounts.models import Role
from opora.api import services
from opora.api.models import ApiToken
from opora.errors import InvalidTransition, PermissionDenied, ValidationFailed
from opora.registry.choices import ProgramStatus
from tests import factories as f

SECRET = re.compile(r"^opora_([0-9a-f]{8})_[A-Za-z0-9_-]{43}$")


def bearer(secret, **options):
    """A client that sends only the token: no session, no cookies."""
    return Client(headers={"Authorization": f"Bearer {secret}"}, **options)


@pytest.fixture
def issued(staff):
    return services.issue_token(staff, staff, "Учётная система школы")


# --- issuing and revoking --------------------------------------------------------------


def test_issued_secret_is_shown_once_and_only_its_hash_is_kept(staff, issued):
    token, secret = issued

    match = SECRET.match(secret)
    assert match is not None
    assert token.prefix == match.group(1)
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert (token.user, token.name, token.last_used_at, token.revoked_at) == (
        staff, "Учётная система школы", None, None)
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=365))) < dt.timedelta(minutes=1)


def test_issuing_is_recorded_without_the_secret(staff, issued):
    token, secret = issued

    [event] = audit.timeline(token)
    assert (event.action, event.actor, event.data["user_id"]) == ("api.token.issued", staff, staff.pk)
    assert event.target_repr == f"Учётная система школы (opora_{token.prefix}…)"
    assert secret not in str(event.data) and secret not in event.target_repr


def test_two_tokens_never_share_a_secret(staff):
    secrets = {services.issue_token(staff, staff, f"Ключ {i}")[1] for i in range(20)}

    assert len(secrets) == 20


def test_user_cannot_issue_a_token_for_someone_else(staff, parent):
    with pytest.raises(PermissionDenied) as err:
        services.issue_token(staff, parent, "Чужой ключ")

    assert err.value.message == "Ключ API можно выпустить или отозвать только для своей учётной записи."
    assert not ApiToken.objects.exists()


def test_superuser_issues_a_token_for_another_account(parent):
    admin = f.user(Role.REGIONAL_CENTRE, is_superuser=True)

    token, _secret = services.issue_token(admin, parent, "Портал госуслуг")

    assert token.user == parent
    assert audit.timeline(token).get().actor == admin


@pytest.mark.parametrize(("name", "field"), [("  ", "name"), ("я" * 101, "name")])
def test_token_needs_a_short_name(staff, name, field):
    with pytest.raises(ValidationFailed) as err:
        services.issue_token(staff, staff, name)

    assert err.value.field == field
    assert not ApiToken.objects.exists()


def test_token_cannot_expire_in_the_past(staff):
    with pytest.raises(ValidationFailed) as err:
        services.issue_token(staff, staff, "Ключ", expires_at=timezone.now() - dt.timedelta(hours=1))

    assert err.value.errors == {"expires_at": ["Срок действия ключа должен быть в будущем."]}
    assert not ApiToken.objects.exists()


def test_owner_revokes_and_the_revocation_is_recorded(staff, issued):
    token, _secret = issued

    services.revoke_token(staff, token, "Система выведена из эксплуатации")

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert [(e.action, e.reason) for e in audit.timeline(token)] == [
        ("api.token.issued", ""), ("api.token.revoked", "Система выведена из эксплуатации")]


def test_stranger_cannot_revoke_and_nothing_changes(other_staff, issued):
    token, _secret = issued

    with pytest.raises(PermissionDenied):
        services.revoke_token(other_staff, token)

    token.refresh_from_db()
    assert token.revoked_at is None
    assert audit.timeline(token).count() == 1


def test_revoking_twice_is_refused(staff, issued):
    token, _secret = issued
    services.revoke_token(staff, token)
    first = ApiToken.objects.get(pk=token.pk).revoked_at

    with pytest.raises(InvalidTransition):
        services.revoke_token(staff, token)

    assert ApiToken.objects.get(pk=token.pk).revoked_at == first


# --- using a token ---------------------------------------------------------------------


def test_token_lets_its_user_in_and_marks_the_use(staff, provider, issued):
    token, secret = issued
    f.program(provider, title="Шахматы")

    response = bearer(secret).get("/api/v1/office/programs")

    assert response.status_code == 200
    assert [item["title"] for item in response.json()["items"]] == ["Шахматы"]
    token.refresh_from_db()
    assert timezone.now() - token.last_used_at < dt.timedelta(seconds=10)


def test_last_use_is_written_at_most_once_a_minute(staff, issued, program, django_assert_num_queries):
    token, secret = issued  # ``program``: a list with a page to read (an empty one needs no query)
    recent = timezone.now() - dt.timedelta(seconds=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)
    client = bearer(secret)

    # token with its user, count, page: no UPDATE within the minute
    with django_assert_num_queries(3):
        client.get("/api/v1/office/programs")
    assert ApiToken.objects.get(pk=token.pk).last_used_at == recent

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent - dt.timedelta(minutes=1))
    with django_assert_num_queries(4):
        client.get("/api/v1/office/programs")
    assert ApiToken.objects.get(pk=token.pk).last_used_at > recent


def test_a_use_is_written_after_the_response_at_most_once_per_interval(
        staff, issued, program, settings, django_assert_num_queries):
    from opora.api import auth

    token, secret = issued
    settings.OPORA_TOKEN_USE_FLUSH_SECONDS = 60
    auth.flush_uses(force=True)  # a clean slate for this process
    client = bearer(secret)

    # token with its user, count, page: the request writes nothing
    with django_assert_num_queries(3):
        assert client.get("/api/v1/office/programs").status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at is None

    # the process writes its recorded uses in one statement once the interval is over
    assert auth.flush_uses() == 0
    assert auth.flush_uses(force=True) == 1
    assert timezone.now() - ApiToken.objects.get(pk=token.pk).last_used_at < dt.timedelta(seconds=10)


def _refused(response, code, detail):
    assert response.status_code == 401
    assert response.json() == {"detail": detail, "field": None, "code": code}
    assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_revoked_token_is_refused(staff, issued):
    token, secret = issued
    services.revoke_token(staff, token)

    _refused(bearer(secret).get("/api/v1/office/programs"), "TokenRevoked",
             "Ключ API отозван. Выпустите новый ключ.")
    assert ApiToken.objects.get(pk=token.pk).last_used_at is None


def test_expired_token_is_refused(issued):
    token, secret = issued
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    _refused(bearer(secret).get("/api/v1/office/programs"), "TokenExpired",
             "Срок действия ключа API истёк. Выпустите новый ключ.")


def test_token_of_a_switched_off_account_is_refused(staff, issued):
    _token, secret = issued
    staff.is_active = False
    staff.save(update_fields=["is_active"])

    _refused(bearer(secret).get("/api/v1/office/programs"), "AccountInactive",
             "Учётная запись владельца ключа отключена.")


@pytest.mark.parametrize("wrong", ["tail", "opora_00000000_" + "A" * 43, "", "Токен"])
def test_wrong_token_is_refused(issued, wrong):
    _token, secret = issued
    if wrong == "tail":
        wrong = secret[:-1] + ("B" if secret[-1] != "B" else "C")

    _refused(bearer(wrong).get("/api/v1/office/programs"), "InvalidToken",
             "Ключ API не распознан: проверьте, что он скопирован целиком.")


def test_wrong_token_is_refused_even_with_a_valid_session(staff):
    # a client that sends a token means the token; it must learn that it is wrong
    client = Client(headers={"Authorization": "Bearer opora_deadbeef_wrong"})
    client.force_login(staff)

    assert client.get("/api/v1/office/programs").json()["code"] == "InvalidToken"


def test_other_authorization_schemes_fall_back_to_the_session(staff):
    client = Client(headers={"Authorization": "Basic c3RhZmY6cGFzcw=="})
    client.force_login(staff)

    assert client.get("/api/v1/office/programs").status_code == 200


def test_post_with_a_token_needs_no_csrf_token(provider, issued):
    _token, secret = issued
    program = f.program(provider)

    response = bearer(secret, enforce_csrf_checks=True).post(
        f"/api/v1/office/programs/{program.pk}/submit")

    assert response.status_code == 200
    program.refresh_from_db()
    assert program.status == ProgramStatus.MODERATING


def test_post_with_a_session_still_needs_the_csrf_token(staff, provider):
    program = f.program(provider)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)

    response = client.post(f"/api/v1/office/programs/{program.pk}/submit")

    assert (response.status_code, response.json()["code"]) == (403, "CsrfFailed")
    program.refresh_from_db()
    assert program.status == ProgramStatus.INITIAL


def test_openapi_document_offers_the_token_and_the_session(db):
    document = Client().get("/api/v1/openapi.json").json()

    assert document["components"]["securitySchemes"]["TokenAuth"] == {"type": "http",
                                                                     "scheme": "bearer"}
    assert document["paths"]["/api/v1/office/programs"]["get"]["security"] == [
        {"TokenAuth": []}, {"SessionAuth": []}]


# --- the console command ---------------------------------------------------------------


def test_issue_token_command_prints_a_working_secret(staff):
    out, err = io.StringIO(), io.StringIO()

    call_command("issue_token", staff.email.upper(), "--name", "Выгрузка", "--days", "30",
                 stdout=out, stderr=err)

    secret = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert SECRET.match(secret) and token.name == "Выгрузка"
    assert dt.timedelta(days=29) < token.expires_at - timezone.now() <= dt.timedelta(days=30)
    assert audit.timeline(token).get().actor is None
    assert "shown once" in err.getvalue() and secret not in err.getvalue()
    assert bearer(secret).get("/api/v1/office/programs").status_code == 200


def test_issue_token_command_refuses_an_unknown_account(db):
    with pytest.raises(CommandError, match="No account"):
        call_command("issue_token", "nobody@example.org", stdout=io.StringIO())

    assert not ApiToken.objects.exists()
