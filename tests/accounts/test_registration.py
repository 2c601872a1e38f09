"""A parent registers, confirms the e-mail by the link in the letter (once), and may ask
for the letter again; bad input is refused naming the field and keeps nothing."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from opora import audit
from opora.accounts import services
from opora.accounts.models import Role, User
from opora.errors import NotFound, ValidationFailed
from tests import factories as f

PASSWORD = "Sinij-Traktor-2030"
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


def test_an_e_mail_taken_in_another_case_is_refused(city):
    f.user(Role.PARENT, municipality=city, email="olga.smirnova@example.org")

    with pytest.raises(ValidationFailed) as err:
        services.register_parent(**_data(city, email="OLGA.Smirnova@EXAMPLE.ORG"))

    assert err.value.field == "email"
    assert err.value.message.startswith("Учётная запись с этим e-mail уже есть.")
    assert User.objects.count() == 1 and mail.outbox == []


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


def test_parent_registers_through_the_page_and_is_signed_in(client, city, sent):
    with sent():
        response = client.post(reverse("accounts:register"), _post(city))

    assert response.status_code == 302 and response["Location"] == reverse("accounts:register_done")
    user = User.objects.get(email="olga.smirnova@example.org")
    assert client.session["_auth_user_id"] == str(user.pk)
    page = client.get(response["Location"]).content.decode()
    assert "Мы отправили письмо на <strong>olga.smirnova@example.org</strong>" in page
    assert len(mail.outbox) == 1


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


def test_taken_e_mail_is_shown_on_the_form(client, city):
    f.user(Role.PARENT, municipality=city, email="olga.smirnova@example.org")

    response = client.post(reverse("accounts:register"),
                           _post(city, email="Olga.Smirnova@example.org"))

    assert response.context["form"].errors["email"][0].startswith("Учётная запись с этим e-mail")
    assert User.objects.count() == 1


def test_opening_the_link_confirms_and_opens_the_cabinet(client, city, sent):
    with sent():
        client.post(reverse("accounts:register"), _post(city))

    response = client.get(_link(mail.outbox[0]))

    assert response.status_code == 302 and response["Location"] == reverse("enrollment:cabinet")
    assert User.objects.get().email_confirmed_at is not None
    again = client.get(_link(mail.outbox[0]))
    assert again.status_code == 400
    assert "Ссылка для подтверждения недействительна" in again.content.decode()


def test_link_opened_signed_out_sends_to_login_with_next(client, city, sent):
    with sent():
        client.post(reverse("accounts:register"), _post(city, next="/enrol/7/"))
    client.logout()

    response = client.get(LINK.search(mail.outbox[0].body).group(0).removeprefix("http://testserver"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=%2Fenrol%2F7%2F"
    assert User.objects.get().email_confirmed_at is not None


def test_link_with_a_foreign_next_does_not_redirect_away(client, city, sent):
    with sent():
        client.post(reverse("accounts:register"), _post(city))

    response = client.get(_link(mail.outbox[0]) + "?next=https://evil.example/")

    assert response["Location"] == reverse("enrollment:cabinet")


def test_resend_button_sends_a_new_letter(client, city, sent):
    with sent():
        client.post(reverse("accounts:register"), _post(city))

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

    assert response.status_code == 302 and response["Location"] == reverse("core:dashboard")


def test_login_page_links_to_registration_keeping_next(client, db):
    html = client.get(reverse("accounts:login") + "?next=/enrol/7/").content.decode()

    assert f'<a href="{reverse("accounts:register")}?next=/enrol/7/">Регистрация</a>' in html
