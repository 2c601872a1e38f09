import datetime as dt
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from opora.core import pdf
from opora.events import services
from opora.events.models import Event, EventKind, EventStatus, Registration, Result
from opora.events.models import RegistrationStatus as R
from tests.events.conftest import make_event

pytestmark = pytest.mark.django_db


def _png(width=2400, height=1600):
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return SimpleUploadedFile("афиша.png", out.getvalue(), content_type="image/png")


def _form(**kw):
    now = timezone.localtime()
    data = {
        "title": "Мастер-класс по гончарному делу", "kind": EventKind.objects.get(code="master_class").pk,
        "level": "municipal", "direction": "arts", "age_from": 7, "age_to": 14, "capacity": 12,
        "is_free": "on", "registration_from": (now - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "registration_to": (now + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        "description": "Лепим кружку на гончарном круге.", "nominations": "",
        "age_categories": "Младшие; 7; 10\nСтаршие; 11; 14",
        "sessions-TOTAL_FORMS": "2", "sessions-INITIAL_FORMS": "0",
        "sessions-0-starts_at": (now + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "sessions-0-ends_at": (now + dt.timedelta(days=7, hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "sessions-0-place": "ДДТ «Радуга», каб. 12",
    }
    data.update(kw)
    return data


def test_a_provider_creates_an_event_with_a_resized_poster(client, staff):
    client.force_login(staff)
    response = client.post(reverse("events:create"), _form(poster=_png()))
    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("events:manage", args=[event.pk])
    from PIL import Image

    with Image.open(event.poster.path) as image:
        assert max(image.size) == 1200 and image.format == "JPEG"
    assert [c.title for c in event.age_categories.all()] == ["Младшие", "Старшие"]
    assert event.sessions.get().place == "ДДТ «Радуга», каб. 12"


def test_a_bad_form_says_what_is_wrong_and_saves_nothing(client, staff):
    client.force_login(staff)
    response = client.post(reverse("events:create"), _form(**{"sessions-0-place": "",
                                                               "age_categories": "Младшие 7 10"}))
    assert response.status_code == 400
    assert "название; от; до" in response.content.decode()
    assert not Event.objects.exists()


def test_the_public_list_filters_and_searches(client, staff, operator):
    make_event(staff, operator)
    make_event(staff, operator, title="Шахматный турнир «Белая ладья»",
               kind=EventKind.objects.get(code="tournament"), direction="sports")
    make_event(staff, title="Черновик")  # not published
    page = client.get(reverse("events:list")).content.decode()
    assert "робототехников" in page and "Белая ладья" in page and "Черновик" not in page
    page = client.get(reverse("events:list"), {"q": "ЛАДЬЯ"}).content.decode()
    assert "Белая ладья" in page and "робототехников" not in page
    page = client.get(reverse("events:list"), {"kind": "contest", "age": "12"}).content.decode()
    assert "робототехников" in page and "Белая ладья" not in page
    assert "робототехников" not in client.get(reverse("events:list"), {"age": "5"}).content.decode()


def test_the_list_does_not_grow_in_queries(client, staff, operator, django_assert_max_num_queries):
    for i in range(8):
        make_event(staff, operator, title=f"Конкурс {i}")
    with django_assert_max_num_queries(8):
        client.get(reverse("events:list"))


def test_an_event_page_an_ics_and_a_registration(client, contest, parent, child):
    page = client.get(reverse("events:detail", args=[contest.pk])).content.decode()
    assert "войдите в личный кабинет" in page
    session = contest.sessions.get()
    ics = client.get(reverse("events:ics", args=[session.pk]))
    body = ics.content.decode().replace("\r\n ", "")  # unfold (RFC 5545 §3.1)
    assert all(len(line.encode()) <= 75 for line in ics.content.decode().split("\r\n"))
    assert ics["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in body and "SUMMARY:Городской конкурс юных робототехников" in body
    assert f"DTSTART:{session.starts_at.astimezone(dt.UTC):%Y%m%dT%H%M%S}Z" in body
    client.force_login(parent)
    page = client.get(reverse("events:detail", args=[contest.pk])).content.decode()
    assert child.full_name in page
    response = client.post(reverse("events:register", args=[contest.pk]), {
        "child": child.pk, "nomination": contest.nominations.get().pk})
    assert response["Location"] == reverse("events:cabinet")
    assert Registration.objects.get().status == R.NEW
    assert "Городской конкурс" in client.get(reverse("events:cabinet")).content.decode()


def test_a_draft_has_no_public_page_nor_calendar(client, staff):
    event = make_event(staff)
    assert client.get(reverse("events:detail", args=[event.pk])).status_code == 404
    assert client.get(reverse("events:ics", args=[event.sessions.get().pk])).status_code == 404


def test_the_moc_approves_from_the_moderation_queue(client, staff, operator, other_operator):
    event = make_event(staff)
    services.submit_event(staff, event)
    client.force_login(other_operator)
    assert "робототехников" not in client.get(reverse("events:moderation")).content.decode()
    assert client.get(reverse("events:manage", args=[event.pk])).status_code == 404
    client.force_login(operator)
    assert "робототехников" in client.get(reverse("events:moderation")).content.decode()
    client.post(reverse("events:action", args=[event.pk, "publish"]))
    assert Event.objects.get().status == EventStatus.PUBLISHED


def _winner(contest, staff, parent, child):
    registration, _ = services.register_child(parent, contest, child)
    services.confirm_registration(staff, registration, "")
    services.mark_attendance(staff, registration)
    return services.set_result(staff, registration, Result.WINNER)


def test_the_diploma_opens_for_the_parent_and_the_code_checks_publicly(client, contest, staff, parent,
                                                                       child, other_staff):
    registration = _winner(contest, staff, parent, child)
    client.force_login(other_staff)
    assert client.get(reverse("events:diploma", args=[registration.pk])).status_code == 404
    client.force_login(parent)
    page = client.get(reverse("events:diploma", args=[registration.pk])).content.decode()
    assert child.full_name in page and registration.diploma_code in page and "победителя" in page
    client.logout()
    page = client.get(reverse("events:verify"), {"code": registration.diploma_code.lower()}).content.decode()
    assert "Документ подлинный" in page and contest.title in page
    assert child.last_name not in page  # initials only on the public page
    page = client.get(reverse("events:verify"), {"code": "AAAA-BBBB-CCCC-DDDD"}).content.decode()
    assert "Документа с таким кодом нет" in page


def test_the_organizer_processes_registrations_on_the_event_page(client, contest, staff, parent, child):
    registration, _ = services.register_child(parent, contest, child)
    client.force_login(staff)
    page = client.get(reverse("events:manage", args=[contest.pk])).content.decode()
    assert child.full_name in page
    url = lambda action: reverse("events:registration_action", args=[registration.pk, action])  # noqa: E731
    client.post(url("confirm"), {"comment": "Приходите к 9:30"})
    client.post(url("attend"))
    client.post(url("result"), {"result": "prize_2"})
    registration.refresh_from_db()
    assert (registration.status, registration.result, registration.comment) == (
        R.PARTICIPANT, Result.PRIZE_2, "Приходите к 9:30")


@pytest.mark.skipif(not pdf.available(), reason="DejaVu fonts (fonts-dejavu-core) are not installed")
def test_the_diploma_downloads_as_a_pdf_with_the_name_and_the_code_for_its_readers_only(
        client, contest, staff, parent, child, other_staff):
    registration = _winner(contest, staff, parent, child)
    url = reverse("events:diploma_pdf", args=[registration.pk])
    client.force_login(other_staff)
    assert client.get(url).status_code == 404
    client.force_login(parent)
    assert url in client.get(reverse("events:diploma", args=[registration.pk])).content.decode()
    response = client.get(url)

    assert response["Content-Type"] == "application/pdf"
    document = PdfReader(BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in document.pages)
    assert len(document.pages) == 1
    assert "ДИПЛОМ" in text and "победителя" in text and child.full_name in text
    assert registration.diploma_code in text and contest.title in text
