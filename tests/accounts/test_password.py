"""Self-service password change and reset by e-mail (Django's own views)."""

import re

from django.core import mail
from django.urls import reverse

from tests import factories as f


def test_user_changes_own_password(client, db):
    user = f.user(email="olga@example.org", password="old-pass-123")
    client.force_login(user)

    response = client.post(reverse("accounts:password_change"), {
        "old_password": "old-pass-123", "new_password1": "Nov-parol-2026",
        "new_password2": "Nov-parol-2026"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Nov-parol-2026")


def test_wrong_old_password_changes_nothing(client, db):
    user = f.user(email="olga@example.org", password="old-pass-123")
    client.force_login(user)

    response = client.post(reverse("accounts:password_change"), {
        "old_password": "wrong", "new_password1": "Nov-parol-2026",
        "new_password2": "Nov-parol-2026"})

    assert response.status_code == 200
    assert "Ваш старый пароль введен неправильно" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("old-pass-123")


def test_password_reset_by_e_mail_link(client, db):
    user = f.user(email="olga@example.org", password="old-pass-123")

    client.post(reverse("accounts:password_reset"), {"email": "olga@example.org"})

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Восстановление пароля в системе «Опора»"
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body)[1]
    form_page = client.get(link, follow=True)
    client.post(form_page.redirect_chain[-1][0], {
        "new_password1": "Nov-parol-2026", "new_password2": "Nov-parol-2026"})
    user.refresh_from_db()
    assert user.check_password("Nov-parol-2026")


def test_reset_for_unknown_address_sends_nothing_and_reveals_nothing(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"},
                           follow=True)

    assert mail.outbox == []
    assert "Если такой адрес зарегистрирован" in response.content.decode()
