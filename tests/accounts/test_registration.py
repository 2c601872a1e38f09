"""A parent registers, confirms the e-mail by the link in the letter (once), and may ask
for the letter again; bad input is refused naming the field and keeps nothing."""

import re

import pytest
from django.contrib.auth import base_user
from django.core import mail
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from opora import audit
from opora.accounts import services
from opora.accounts.models import Role, User
from opora.errors import NotFound, ValidationFailed
from tests import factories as f

PASSWORD = "Sinij-Traktor-2030"
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')
LINK = re.compile(r"http://testserver(/accounts/confirm/[\w-]+/[\w-]+/)(\?next=\S+)?")


def _data(place, **overrides):
    data = {"email": "Olga.Smirnova@Example.org", "password": PASSWORD,
            "last_name": " Смирнова ", "first_name": "Ольга", "patronymic": "Игоревна",
            "phone": "+7 (900) 123-45-67", "municipality": place, "consent": True,
            "origin": "http://testserver"}
    data.update(overrides)
    return data


def _post(municipality, **overrides):
    data = {"municipality": str(municipality.pk), "last_name": "Смирнова", "first_name": "Ольга",
            "patronymic": "Игоревна", "phone": "+7 900 123-45-67",
            "email": "olga.smirnova@example.org", "password1": PASSWORD, "password2": PASSWORD,
            "consent": "on"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run what a request queued for after commit (the letter), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _link(message) -> str:
    return LINK.search(message.body).group(1)


# --- the service ---------------------------------------------------------------------


def test_parent_registers_unconfirmed_and_gets_the_link(city, sent):
    with sent():
        user = services.register_parent(**_data(city))

    user.refresh_from_db()
    assert (user.email, user.last_name, user.first_name, user.patronymic, user.phone) == (
        "olga.smirnova@example.org", "Смирнова", "Ольга", "Игоревна", "+7 (900) 123-45-67")
    assert (user.role, user.municipality, user.is_active) == (Role.PARENT, city, True)
    assert user.email_confirmed_at is None and user.personal_data_consent_at is not None
    assert user.check_password(PASSWORD)
    assert services.may_enrol(user) is False
    assert [e.action for e in audit.timeline(user)] == ["accounts.parent.registered"]
    [letter] = mail.outbox
    assert letter.to == ["olga.smirnova@example.org"]
    assert letter.subject == "Подтвердите e-mail в системе «Опора»"
    assert _link(letter).startswith("/accounts/confirm/")


def test_the_link_confirms_once(city, sent):
    with sent():
        user = services.register_parent(**_data(city))
    uid, token = _link(mail.outbox[0]).strip("/").split("/")[-2:]

    confirmed = services.confirm_email(uid, token)

    assert confirmed.pk == user.pk and confirmed.email_confirmed_at is not None
    assert services.may_enrol(confirmed) is True
    moment = confirmed.email_confirmed_at
    with pytest.raises(NotFound):
        services.confirm_email(uid, token)
    user.refresh_from_db()
    assert user.email_confirmed_at == moment
    assert [e.action for e in audit.timeline(user)] == ["accounts.parent.registered",
                                                        "accounts.email.confirmed"]


@pytest.mark.parametrize("tamper", ["token", "uid", "garbage"])
def test_a_tampered_link_is_refused(city, sent, tamper):
    with sent():
        user = services.register_parent(**_data(city))
    other = f.user(Role.PARENT, municipality=city)
    uid, token = _link(mail.outbox[0]).strip("/").split("/")[-2:]
    if tamper == "token":
        token = token[:-1] + ("a" if token[-1] != "a" else "b")
    elif tamper == "uid":
        uid = urlsafe_base64_encode(force_bytes(other.pk))
    else:
        uid = "!!!"

    with pytest.raises(NotFound) as err:
        services.confirm_email(uid, token)

    assert err.value.message == ("Ссылка для подтверждения недействительна: возможно, она "
                                 "устарела или уже использована.")
    user.refresh_from_db()
    assert user.email_confirmed_at is None


OWNER_FIELDS = ("email", "password", "role", "last_name", "first_name", "patronymic", "phone",
                "municipality_id", "is_active", "email_confirmed_at", "personal_data_consent_at",
                "last_login", "date_joined")


def _state(user):
    user.refresh_from_db()
    return {name: getattr(user, name) for name in OWNER_FIELDS}


@pytest.fixture
def owner(city, district):
    """The account that already holds the address: another municipality, other names."""
    return f.user(Role.PARENT, municipality=district, email="olga.smirnova@example.org",
                  last_name="Смирнова", first_name="Ольга Петровна", phone="+7 900 000-00-00")


def test_a_taken_e_mail_creates_nothing_and_tells_the_owner(city, owner, sent):
    before = _state(owner)

    with sent():
        result = services.register_parent(**_data(city, email="OLGA.Smirnova@EXAMPLE.ORG"))

    assert result is None
    assert list(User.objects.values_list("pk", flat=True)) == [owner.pk]
    assert _state(owner) == before
    assert [e.action for e in audit.timeline(owner)] == ["accounts.registration.email_taken"]
    [letter] = mail.outbox
    assert letter.to == ["olga.smirnova@example.org"]
    assert letter.subject == "Попытка регистрации в системе «Опора» с вашим e-mail"
    assert letter.body.startswith("Здравствуйте, Ольга Петровна!\n\nКто-то, возможно вы, пытался "
                                  "зарегистрироваться в системе «Опора» с адресом "
                                  "olga.smirnova@example.org.")
    assert "Учётная запись с этим адресом уже есть" in letter.body
    assert "Войти: http://testserver/accounts/login/\n" in letter.body
    assert "Задать новый пароль: http://testserver/accounts/password/reset/\n" in letter.body
    assert LINK.search(letter.body) is None


def test_an_unconfirmed_owner_gets_the_confirmation_link_again(city, owner, sent):
    User.objects.filter(pk=owner.pk).update(email_confirmed_at=None)
    before = _state(owner)

    with sent():
        services.register_parent(**_data(city, next_url="/enrol/7/"))

    [letter] = mail.outbox
    assert "Адрес ещё не подтверждён" in letter.body
    assert "Войти: http://testserver/accounts/login/?next=%2Fenrol%2F7%2F\n" in letter.body
    assert LINK.search(letter.body).group(2) == "?next=%2Fenrol%2F7%2F"
    assert _state(owner) == before
    uid, token = _link(letter).strip("/").split("/")[-2:]
    assert services.confirm_email(uid, token).pk == owner.pk


def test_an_address_taken_by_a_registration_at_the_same_moment_tells_its_owner(
        city, owner, sent, monkeypatch):
    # the first look-up misses the owner, as when the other registration commits just after it
    real_first, looked = QuerySet.first, []

    def first(queryset):
        looked.append(queryset)
        return None if len(looked) == 1 else real_first(queryset)

    monkeypatch.setattr(QuerySet, "first", first)
    before = _state(owner)

    with sent():
        assert services.register_parent(**_data(city)) is None

    assert User.objects.count() == 1 and _state(owner) == before
    assert [m.subject for m in mail.outbox] == ["Попытка регистрации в системе «Опора» с вашим e-mail"]


def test_a_blocked_owner_gets_no_letter(city, owner, sent):
    User.objects.filter(pk=owner.pk).update(is_active=False)

    with sent():
        assert services.register_parent(**_data(city)) is None

    assert User.objects.count() == 1 and mail.outbox == []


def test_a_weak_password_is_refused_whether_the_e_mail_is_taken_or_not(city, owner):
    with pytest.raises(ValidationFailed) as err:
        services.register_parent(**_data(city, password="12345678"))

    assert "Введённый пароль состоит только из цифр." in err.value.errors["password"]
    assert User.objects.count() == 1 and mail.outbox == []


@pytest.mark.parametrize("taken", [False, True])
def test_the_password_is_hashed_whether_the_e_mail_is_taken_or_not(city, district, monkeypatch, taken):
    # the answer takes as long for a taken address: the costly hashing is never skipped
    if taken:
        f.user(Role.PARENT, municipality=district, email="olga.smirnova@example.org")
    hashed = []
    real = base_user.make_password
    monkeypatch.setattr(base_user, "make_password", lambda raw, *a, **kw: hashed.append(raw) or real(raw, *a, **kw))

    services.register_parent(**_data(city))

    assert hashed == [PASSWORD]


@pytest.mark.parametrize(("password", "message"), [
    ("12345678", "Введённый пароль состоит только из цифр."),
    ("qwerty", "Введённый пароль слишком короткий. Он должен состоять из как минимум 8 символов."),
    ("password123", "Введённый пароль слишком широко распространён."),
])
def test_a_weak_password_is_refused(city, password, message):
    with pytest.raises(ValidationFailed) as err:
        services.register_parent(**_data(city, password=password))

    assert err.value.field == "password"
    assert message in err.value.errors["password"]
    assert User.objects.count() == 0


def test_registration_needs_the_consent(city):
    with pytest.raises(ValidationFailed) as err:
        services.register_parent(**_data(city, consent=False))

    assert (err.value.field, err.value.message) == (
        "consent", "Без согласия на обработку персональных данных зарегистрироваться нельзя.")
    assert User.objects.count() == 0 and mail.outbox == []


@pytest.mark.parametrize(("field", "value", "message"), [
    ("email", "olga@", "Укажите правильный адрес электронной почты."),
    ("last_name", "   ", "Укажите фамилию."),
    ("first_name", "", "Укажите имя."),
    ("phone", "12-34", "Телефон — от 10 до 15 цифр, например +7 900 123-45-67."),
    ("phone", "+7 900 CALL-ME", "Телефон — от 10 до 15 цифр, например +7 900 123-45-67."),
    ("municipality", None, "Выберите муниципалитет."),
])
def test_bad_input_is_refused_naming_the_field(city, field, value, message):
    with pytest.raises(ValidationFailed) as err:
        services.register_parent(**_data(city, **{field: value}))

    assert (err.value.field, err.value.message) == (field, message)
    assert User.objects.count() == 0


def test_accounts_made_by_others_count_as_confirmed(city):
    # the admin, the demo and a provider's walk-in make accounts without the letter
    assert services.may_enrol(f.user(Role.PARENT, municipality=city)) is True
    assert services.may_enrol(f.user(Role.SUPPORT_CENTRE, municipality=city)) is False


# --- the pages -----------------------------------------------------------------------


def test_register_page_has_labelled_fields_and_the_consent(client, city):
    html = client.get(reverse("accounts:register")).content.decode()

    for name, label in [("municipality", "Муниципалитет, где вы живёте"), ("phone", "Телефон"),
                        ("password2", "Пароль ещё раз")]:
        assert f'<label for="id_{name}">{label}:</label>' in html
    assert 'type="checkbox" name="consent"' in html
    assert "152-ФЗ" in html


def test_parent_registers_through_the_page_and_is_asked_to_confirm(client, city, sent):
    with sent():
        response = client.post(reverse("accounts:register"), _post(city))

    assert response.status_code == 302 and response["Location"] == reverse("accounts:register_done")
    assert User.objects.filter(email="olga.smirnova@example.org").exists()
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "Мы отправили письмо на <strong>olga.smirnova@example.org</strong>" in page
    assert len(mail.outbox) == 1


def _answers(client, municipality, email):
    """What a browser sees when it registers ``email``: the answer to the form and the
    page it is sent to, with the address itself taken out."""
    response = client.post(reverse("accounts:register"), _post(municipality, email=email))
    page = client.get(response["Location"])
    return {
        "status": response.status_code, "location": response["Location"],
        "headers": sorted(response.headers), "cookies": sorted(response.cookies),
        "page_status": page.status_code, "templates": [t.name for t in page.templates],
        "page": CSRF.sub(r"\1TOKEN", page.content.decode().replace(email, "ADDRESS")),
        "signed_in": "_auth_user_id" in client.session,
    }


def test_registering_a_taken_e_mail_answers_as_for_a_new_one(city, owner, sent):
    before = _state(owner)
    with sent():
        new = _answers(Client(), city, "anna.orlova@example.org")
    with sent():
        taken = _answers(Client(), city, "olga.smirnova@example.org")

    assert taken == new
    assert new["location"] == reverse("accounts:register_done") and new["signed_in"] is False
    assert "Мы отправили письмо на <strong>ADDRESS</strong>" in new["page"]
    assert "уже есть" not in taken["page"]
    assert sorted(User.objects.values_list("email", flat=True)) == [
        "anna.orlova@example.org", "olga.smirnova@example.org"]
    assert _state(owner) == before
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["anna.orlova@example.org"], "Подтвердите e-mail в системе «Опора»"),
        (["olga.smirnova@example.org"], "Попытка регистрации в системе «Опора» с вашим e-mail")]


def test_the_sent_page_without_a_registration_goes_to_the_form(client, db):
    response = client.get(reverse("accounts:register_done"))

    assert response.status_code == 302 and response["Location"] == reverse("accounts:register")


def test_registration_keeps_where_the_parent_was_going(client, city, sent):
    with sent():
        client.post(reverse("accounts:register") + "?next=/enrol/7/", _post(city, next="/enrol/7/"))

    match = LINK.search(mail.outbox[0].body)
    assert match.group(2) == "?next=%2Fenrol%2F7%2F"


def test_mismatched_passwords_are_shown_next_to_the_second(client, city):
    response = client.post(reverse("accounts:register"), _post(city, password2="Drugoj-2030"))

    assert response.status_code == 200
    assert response.context["form"].errors == {"password2": ["Пароли не совпадают."]}
    assert User.objects.count() == 0


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"consent": None}, "consent",
     "Без согласия на обработку персональных данных зарегистрироваться нельзя."),
    ({"password1": "12345678", "password2": "12345678"}, "password1",
     "Введённый пароль состоит только из цифр."),
])
def test_service_refusals_are_shown_next_to_their_fields(client, city, overrides, field, message):
    response = client.post(reverse("accounts:register"), _post(city, **overrides))

    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert 'aria-invalid="true"' in response.content.decode()
    assert User.objects.count() == 0 and mail.outbox == []


def test_opening_the_link_confirms_and_signs_in_the_browser_that_registered(client, city, sent):
    with sent():
        client.post(reverse("accounts:register"), _post(city))

    response = client.get(_link(mail.outbox[0]))

    assert response.status_code == 302 and response["Location"] == reverse("enrollment:cabinet")
    user = User.objects.get()
    assert user.email_confirmed_at is not None
    assert client.session["_auth_user_id"] == str(user.pk)
    again = client.get(_link(mail.outbox[0]))
    assert again.status_code == 400
    assert "Ссылка для подтверждения недействительна" in again.content.decode()


def test_link_opened_in_another_browser_sends_to_login_with_next(client, city, sent):
    with sent():
        client.post(reverse("accounts:register"), _post(city, next="/enrol/7/"))
    other = Client()

    response = other.get(LINK.search(mail.outbox[0].body).group(0).removeprefix("http://testserver"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=%2Fenrol%2F7%2F"
    assert User.objects.get().email_confirmed_at is not None
    assert "_auth_user_id" not in other.session


def test_the_owners_link_does_not_sign_in_the_browser_that_tried(client, city, owner, sent):
    User.objects.filter(pk=owner.pk).update(email_confirmed_at=None)
    with sent():
        client.post(reverse("accounts:register"), _post(city))

    response = client.get(_link(mail.outbox[0]))

    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_link_with_a_foreign_next_does_not_redirect_away(client, city, sent):
    with sent():
        client.post(reverse("accounts:register"), _post(city))

    response = client.get(_link(mail.outbox[0]) + "?next=https://evil.example/")

    assert response["Location"] == reverse("enrollment:cabinet")


def test_resend_button_sends_a_new_letter(client, city, sent):
    with sent():
        client.post(reverse("accounts:register"), _post(city))
    client.force_login(User.objects.get())

    with sent():
        response = client.post(reverse("accounts:resend_confirmation"), {"next": "/cabinet/"})

    assert response.status_code == 302 and response["Location"] == "/cabinet/"
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["olga.smirnova@example.org"]


def test_resend_for_a_confirmed_address_sends_nothing(client, parent):
    client.force_login(parent)

    response = client.post(reverse("accounts:resend_confirmation"), follow=True)

    assert "Адрес электронной почты уже подтверждён." in response.content.decode()
    assert mail.outbox == []


def test_signed_in_user_is_not_offered_registration(client, parent):
    client.force_login(parent)

    response = client.get(reverse("accounts:register"))

    assert response.status_code == 302 and response["Location"] == reverse("office:dashboard")


def test_login_page_links_to_registration_keeping_next(client, db):
    html = client.get(reverse("accounts:login") + "?next=/enrol/7/").content.decode()

    assert f'<a href="{reverse("accounts:register")}?next=/enrol/7/">Регистрация</a>' in html
