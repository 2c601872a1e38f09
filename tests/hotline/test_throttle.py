"""The hourly limit of questions from one client address (``OPORA_HOTLINE_QUESTIONS_PER_HOUR``):
the service refuses and saves nothing, the form says so in Russian, the API answers 429,
another address is not affected, the address is read the project's one way
(``accounts.middleware.client_ip``), and on PostgreSQL the limit holds under a rush."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from opora.audit.models import AuditEvent
from opora.errors import Throttled
from opora.hotline import services
from opora.hotline.models import Question
from tests.api.conftest import ApiClient
from tests.concurrency import RACES, run_parallel, slow_after_reading

MESSAGE = ("С вашего адреса за последний час отправлено слишком много вопросов. Попробуйте "
           "через час или позвоните на горячую линию МОЦ.")


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.OPORA_HOTLINE_QUESTIONS_PER_HOUR = 2


def _data(place, text="Как получить сертификат?"):
    return {"name": "Анна Смирнова", "email": "anna@example.org", "municipality": place.pk,
            "topic": "certificate", "text": text}


def _form(place, text="Как получить сертификат?", **extra):
    return {**_data(place, text), "consent": "on", **extra}


# --- the service ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_address_over_the_hours_limit_is_refused_and_nothing_is_saved(city, time_machine):
    services.ask(None, _data(city, "Первый"), client="203.0.113.5")
    services.ask(None, _data(city, "Второй"), client="203.0.113.5")
    events = AuditEvent.objects.count()

    with pytest.raises(Throttled) as refused:
        services.ask(None, _data(city, "Третий"), client="203.0.113.5")

    assert refused.value.message == MESSAGE
    assert Question.objects.count() == 2 and AuditEvent.objects.count() == events
    services.ask(None, _data(city, "С другого адреса"), client="198.51.100.7")
    time_machine.move_to(timezone.now() + dt.timedelta(hours=1, minutes=1))
    services.ask(None, _data(city, "Через час"), client="203.0.113.5")
    assert Question.objects.count() == 4


@pytest.mark.django_db
def test_signed_in_askers_count_against_their_address_too(city, parent):
    services.ask(parent, {"topic": "other", "text": "Из кабинета"}, client="203.0.113.5")
    services.ask(None, _data(city), client="203.0.113.5")

    with pytest.raises(Throttled):
        services.ask(parent, {"topic": "other", "text": "Ещё из кабинета"}, client="203.0.113.5")


@pytest.mark.django_db
def test_the_trail_keeps_a_digest_of_the_address_not_the_address(city):
    question = services.ask(None, _data(city), client="203.0.113.5")

    recorded = AuditEvent.objects.get(action="hotline.question.received", target_id=str(question.pk))
    assert recorded.data["client"] == services.client_key("203.0.113.5")
    assert "203.0.113.5" not in str(recorded.data)


@pytest.mark.django_db
def test_the_mocs_phone_register_is_not_limited(operator):
    for n in range(3):
        services.register_call(operator, {"name": "Звонок", "phone": "+7 900 000-00-00",
                                          "topic": "other", "text": f"Звонок {n}"})
    assert Question.objects.count() == 3


# --- the form -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_form_over_the_limit_says_so_and_keeps_nothing_not_even_the_file(client, city, settings):
    for n in range(2):
        assert client.post(reverse("hotline:ask"), _form(city, f"Вопрос {n}"),
                           REMOTE_ADDR="203.0.113.5").status_code == 302
    pdf = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")

    response = client.post(reverse("hotline:ask"), _form(city, "Третий вопрос", attachment=pdf),
                           REMOTE_ADDR="203.0.113.5")

    assert response.status_code == 429
    html = response.content.decode()
    assert MESSAGE in html and 'role="alert"' in html
    assert "Третий вопрос" in html  # the text typed is kept in the form
    assert Question.objects.count() == 2
    assert not list(Path(settings.MEDIA_ROOT).glob("hotline/**/*.pdf"))
    other = client.post(reverse("hotline:ask"), _form(city, "С другого адреса"), REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 302 and Question.objects.count() == 3


@pytest.mark.django_db
def test_behind_the_proxy_each_client_is_counted_by_its_own_address(client, city, settings):
    settings.OPORA_CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.OPORA_TRUSTED_PROXIES = 1
    for n in range(2):
        client.post(reverse("hotline:ask"), _form(city, f"Вопрос {n}"), REMOTE_ADDR="10.0.0.2",
                    headers={"x-forwarded-for": "203.0.113.5"})

    refused = client.post(reverse("hotline:ask"), _form(city), REMOTE_ADDR="10.0.0.2",
                          headers={"x-forwarded-for": "203.0.113.5"})
    another = client.post(reverse("hotline:ask"), _form(city), REMOTE_ADDR="10.0.0.2",
                          headers={"x-forwarded-for": "198.51.100.7"})

    assert (refused.status_code, another.status_code) == (429, 302)


# --- the API --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_answers_429_over_the_limit(parent, other_parent_api, city):
    mine = ApiClient(parent, REMOTE_ADDR="203.0.113.5")
    for n in range(2):
        assert mine.post("/hotline/questions", {"topic": "other", "text": f"Вопрос {n}"}).status_code == 201

    refused = mine.post("/hotline/questions", {"topic": "other", "text": "Третий"})

    assert refused.status_code == 429 and refused.json()["code"] == "Throttled"
    assert Question.objects.filter(asker=parent).count() == 2
    assert other_parent_api.post("/hotline/questions", {"topic": "other", "text": "Мой"}).status_code == 201


@pytest.fixture
def other_parent_api(other_parent):
    return ApiClient(other_parent, REMOTE_ADDR="198.51.100.7")


# --- a rush from one address (PostgreSQL) ---------------------------------------------------


def _rush(city, n=10):
    return run_parallel([lambda i=i: services.ask(None, _data(city, f"Вопрос {i}"), client="203.0.113.5")
                         for i in range(n)], workers=n)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@RACES
def test_a_rush_from_one_address_saves_no_more_than_the_limit(city):
    results, errors = _rush(city)
    assert len(results) == 2 and all(isinstance(e, Throttled) for e in errors)
    assert Question.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@RACES
def test_without_the_lock_a_rush_passes_the_limit(city, unguarded, monkeypatch):
    unguarded("hotline-asks")
    slow_after_reading(monkeypatch, services.audit, "count")  # once passed only 2 of 10
    results, _errors = _rush(city)
    assert len(results) > 2
