"""Pages of mailings: the МОЦ writes and sends, sees the progress; the parent's consent."""

import pytest
from django.urls import reverse

from opora.mailing.models import Mailing, NewsConsent

pytestmark = pytest.mark.django_db


def test_operator_counts_recipients_then_sends_and_sees_the_progress(client, operator, city_providers):
    client.force_login(operator)
    data = {"subject": "Семинар для педагогов", "body": "Приглашаем 15 октября.",
            "to_providers": "on"}
    counted = client.post(reverse("mailing:create"), {**data, "count": "1"})
    assert "Получателей рассылки: 2." in counted.content.decode()
    assert not Mailing.objects.exists()
    response = client.post(reverse("mailing:create"), {**data, "send": "1"})
    mailing = Mailing.objects.get()
    assert response["Location"] == reverse("mailing:detail", args=[mailing.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Доставлено 2 из 2" in page
    assert "Семинар для педагогов" in client.get(reverse("mailing:list")).content.decode()


def test_mailing_of_another_municipality_is_not_shown(client, operator, other_operator, city_providers):
    from opora.mailing import services
    mailing = services.send_mailing(operator, {"subject": "Тема", "body": "Текст", "to_providers": True})
    client.force_login(other_operator)
    assert client.get(reverse("mailing:detail", args=[mailing.pk])).status_code == 404


def test_parent_agrees_to_news_in_the_cabinet(client, parent):
    client.force_login(parent)
    assert client.get(reverse("mailing:consent")).status_code == 200
    client.post(reverse("mailing:consent"), {"agree": "on"})
    assert NewsConsent.objects.filter(user=parent).exists()
    client.post(reverse("mailing:consent"), {})
    assert not NewsConsent.objects.filter(user=parent).exists()
