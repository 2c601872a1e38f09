"""Mailings: who receives them, batches and progress, a failing address, unsubscribing,
the parent's consent, permissions and bad input."""

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from opora.errors import PermissionDenied, ValidationFailed
from opora.mailing import links, services
from opora.mailing.models import Delivery, DeliveryStatus, Mailing, MailingStatus, NewsConsent, OptOut

pytestmark = pytest.mark.django_db


def send(operator, **choice):
    data = {"subject": "Открыта запись на новый учебный год",
            "body": "Уважаемые коллеги! С 1 сентября открыта запись в навигаторе."}
    data.update(choice)
    return services.send_mailing(operator, data, "https://opora.example")


def test_all_providers_of_the_municipality_and_only_them(operator, city_providers):
    mailing = send(operator, to_providers=True)
    assert sorted(m.to[0] for m in mail.outbox) == ["centre@example.org", "school@example.org"]
    mailing.refresh_from_db()
    assert mailing.recipients_count == 2 and mailing.delivered_count == 2
    assert mailing.status == MailingStatus.SENT and mailing.finished_at is not None


def test_providers_by_kind_and_by_direction_with_their_staff(operator, city, city_providers, staff):
    assert services.recipients(city, {"to_providers": True, "provider_kinds": ["general"]}) == [
        "school@example.org"]
    assert services.recipients(city, {"to_staff": True, "directions": ["technical"]}) == [
        staff.email.lower()]
    assert services.recipients(city, {"to_providers": True, "to_staff": True,
                                      "directions": ["arts"]}) == [
        "school@example.org", "teacher@school.example"]


def test_parents_only_with_consent_and_a_confirmed_address(operator, city, parent, news_parent):
    from opora.accounts.models import Role
    from tests import factories as f
    unconfirmed = f.user(Role.PARENT, municipality=city, email_confirmed_at=None)
    services.set_consent(unconfirmed, True)
    assert services.recipients(city, {"to_parents": True}) == ["news.parent@example.org"]


def test_every_letter_carries_its_own_unsubscribe_link(operator, city_providers):
    send(operator, to_providers=True)
    letter = next(m for m in mail.outbox if m.to == ["school@example.org"])
    url = links.unsubscribe_url("school@example.org", "https://opora.example")
    assert url in letter.body
    assert letter.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert letter.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_unsubscribe_link_is_honoured_at_once(client, operator, city, city_providers, news_parent):
    token = links.token_of("news.parent@example.org")
    response = client.get(f"/mailing/unsubscribe/{token}/")
    assert response.status_code == 200 and "Вы отписались" in response.content.decode()
    assert OptOut.objects.filter(email="news.parent@example.org").exists()
    assert not NewsConsent.objects.filter(user=news_parent).exists()
    assert services.recipients(city, {"to_parents": True}) == []
    # a mail client's one-click POST (RFC 8058) works without our CSRF token
    other = links.token_of("school@example.org")
    assert client.post(f"/mailing/unsubscribe/{other}/").status_code == 200
    assert services.recipients(city, {"to_providers": True}) == ["centre@example.org"]


def test_a_forged_unsubscribe_link_changes_nothing(client, news_parent):
    token = links.token_of("news.parent@example.org")
    assert client.get(f"/mailing/unsubscribe/{token[:-3]}abc/").status_code == 400
    assert not OptOut.objects.exists()


def test_an_address_unsubscribed_while_sending_is_skipped(operator, city_providers, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 1)
    real = services._letter

    def letter(mailing, address):
        if address == "centre@example.org":  # the school follows the link meanwhile
            services.unsubscribe("school@example.org")
        return real(mailing, address)

    monkeypatch.setattr(services, "_letter", letter)
    mailing = send(operator, to_providers=True)
    assert [m.to for m in mail.outbox] == [["centre@example.org"]]
    assert Delivery.objects.get(mailing=mailing, email="school@example.org").status == DeliveryStatus.SKIPPED
    mailing.refresh_from_db()
    assert mailing.status == MailingStatus.SENT and mailing.delivered_count == 1


class FailingFor(EmailBackend):
    """The locmem backend, refusing one address as a mail server would."""

    def send_messages(self, messages):
        for message in messages:
            if "school@example.org" in message.to:
                raise OSError("550 mailbox unavailable")
        return super().send_messages(messages)


def test_a_failing_address_does_not_stop_the_rest(operator, city_providers, staff, settings):
    settings.EMAIL_BACKEND = "tests.mailing.test_services.FailingFor"
    mailing = send(operator, to_providers=True, to_staff=True)
    mailing.refresh_from_db()
    assert mailing.recipients_count == 4
    assert mailing.delivered_count == 3 and mailing.failed_count == 1
    assert mailing.status == MailingStatus.SENT
    failed = Delivery.objects.get(mailing=mailing, status=DeliveryStatus.FAILED)
    assert failed.email == "school@example.org" and "550" in failed.error
    assert len(mail.outbox) == 3


def test_batches_report_progress_until_the_mailing_is_sent(operator, city, city_providers, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 1)
    seen = []
    real = services._queue_batch

    def spy(mailing_id):  # the state the page shows between two batches
        seen.append(Mailing.objects.values_list("delivered_count", "status").get(pk=mailing_id))
        real(mailing_id)

    monkeypatch.setattr(services, "_queue_batch", spy)
    mailing = send(operator, to_providers=True)
    assert seen == [(0, MailingStatus.SENDING), (1, MailingStatus.SENDING)]
    mailing.refresh_from_db()
    assert (mailing.delivered_count, mailing.status, mailing.progress) == (2, MailingStatus.SENT, 100)


@pytest.mark.parametrize("data, field", [
    ({"subject": "", "to_providers": True}, "subject"),
    ({"subject": "Две\nстроки", "to_providers": True}, "subject"),
    ({"body": "", "to_providers": True}, "body"),
    ({}, "to_providers"),
])
def test_bad_mailing_is_refused_and_nothing_is_sent(operator, city_providers, data, field):
    base = {"subject": "Тема", "body": "Текст"}
    with pytest.raises(ValidationFailed) as refused:
        services.send_mailing(operator, {**base, **data})
    assert field in refused.value.errors
    assert not Mailing.objects.exists() and not mail.outbox


def test_nobody_to_send_to_is_refused(operator, city):
    with pytest.raises(ValidationFailed):
        send(operator, to_parents=True)
    assert not Mailing.objects.exists()


@pytest.mark.parametrize("persona", ["parent", "staff", "authority", "regional"])
def test_only_the_moc_sends_mailings(request, persona, city_providers):
    with pytest.raises(PermissionDenied):
        send(request.getfixturevalue(persona), to_providers=True)
    assert not Mailing.objects.exists()


def test_consent_is_the_parents_own_and_revives_an_unsubscribed_address(parent, staff):
    services.unsubscribe(parent.email)
    services.set_consent(parent, True)
    assert NewsConsent.objects.filter(user=parent).exists()
    assert not OptOut.objects.filter(email=parent.email.lower()).exists()
    services.set_consent(parent, False)
    assert not NewsConsent.objects.filter(user=parent).exists()
    with pytest.raises(PermissionDenied):
        services.set_consent(staff, True)
