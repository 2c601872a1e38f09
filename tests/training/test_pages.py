"""The pages of staff development: the calendar, an event with registration and
attendance, the teachers' records and the gap list with its export, the certificate and
its public check, the plan; each within the user's territory."""

import datetime as dt
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from opora.core import pdf
from opora.plans.models import Item, Plan, PlanKind
from opora.training import services
from opora.training.kinds import PLAN_KIND
from opora.training.models import Registration, RegistrationStatus, TrainingEvent
from tests import factories as f
from tests.training.conftest import event_data, held, today

pytestmark = pytest.mark.django_db


def test_operator_creates_an_event_through_the_form(client, operator):
    client.force_login(operator)
    start = today() + dt.timedelta(days=5)
    response = client.post(reverse("training:event_create"), {
        "kind": event_data()["kind"].pk, "title": "Работа в навигаторе", "organizer": "moc",
        "starts_on": start.isoformat(), "hours": "1,5", "format": "online",
        "online_link": "https://meet.example.org/navigator", "for_teachers": "on", "capacity": "100"})
    event = TrainingEvent.objects.get()
    assert response.status_code == 302 and str(event.hours) == "1.5"
    assert event.ends_on == start


def test_bad_form_input_is_shown_next_to_the_field(client, operator):
    client.force_login(operator)
    response = client.post(reverse("training:event_create"), {
        "kind": event_data()["kind"].pk, "title": "Семинар", "organizer": "moc",
        "starts_on": today().isoformat(), "hours": "0", "format": "in_person", "place": "МОЦ",
        "for_teachers": "on", "capacity": "10"})
    assert response.status_code == 400
    assert "Часов — больше нуля" in response.content.decode()
    assert not TrainingEvent.objects.exists()


def test_staff_registers_two_teachers_on_the_event_page(client, staff, seminar, teachers):
    client.force_login(staff)
    page = client.get(reverse("training:event", args=[seminar.pk])).content.decode()
    assert "Антонова" in page and "Свободных мест: 2." in page

    response = client.post(reverse("training:event", args=[seminar.pk]), {
        "form": "register", "teachers": [teachers[0].pk, teachers[1].pk]})

    assert response.status_code == 302
    assert seminar.registrations.count() == 2


def test_staff_cannot_register_another_organizations_teacher_by_hand(client, staff, seminar, other_teacher):
    client.force_login(staff)
    client.post(reverse("training:event", args=[seminar.pk]), {"form": "register", "teachers": [other_teacher.pk]})
    assert not Registration.objects.exists()


def test_attendance_certificate_and_public_check(client, operator, staff, seminar, teachers):
    present, _absent = services.register(staff, seminar, teachers[:2])
    held(seminar)
    client.force_login(operator)

    client.post(reverse("training:event", args=[seminar.pk]), {"form": "attendance", "present": [present.pk]})

    present.refresh_from_db()
    assert present.status == RegistrationStatus.ATTENDED
    client.force_login(staff)
    certificate = client.get(reverse("training:certificate", args=[present.pk])).content.decode()
    assert present.certificate_code in certificate and "Антонова Мария Петровна" in certificate
    assert "в объёме 4 ч." in certificate
    client.logout()
    check = client.get(reverse("training:verify"), {"code": present.certificate_code.lower()}).content.decode()
    assert "Сертификат действителен." in check and "Проектирование модульных программ" in check
    assert "Сертификата с таким кодом нет" in client.get(reverse("training:verify"), {"code": "AAAA-BBBB-CCCC"}
                                                          ).content.decode()


def test_another_organization_cannot_open_the_certificate(client, operator, staff, other_staff, seminar, teachers):
    registration, = services.register(staff, seminar, teachers[:1])
    held(seminar)
    services.mark_attendance(operator, seminar, [registration.pk])
    client.force_login(other_staff)
    assert client.get(reverse("training:certificate", args=[registration.pk])).status_code == 404


@pytest.mark.skipif(not pdf.available(), reason="DejaVu fonts (fonts-dejavu-core) are not installed")
def test_the_certificate_downloads_as_a_pdf_for_its_readers_only(client, operator, staff, other_staff, seminar,
                                                                 teachers):
    registration, = services.register(staff, seminar, teachers[:1])
    held(seminar)
    services.mark_attendance(operator, seminar, [registration.pk])
    registration.refresh_from_db()
    url = reverse("training:certificate_pdf", args=[registration.pk])
    client.force_login(other_staff)
    assert client.get(url).status_code == 404
    client.force_login(staff)
    assert url in client.get(reverse("training:certificate", args=[registration.pk])).content.decode()
    response = client.get(url)

    assert response["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(response.content)).pages)
    assert "СЕРТИФИКАТ" in text and registration.teacher.full_name in text and "в объёме 4 ч." in text
    assert registration.certificate_code in text


def test_teacher_record_shows_hours_and_records_a_course_elsewhere(client, staff, teachers):
    client.force_login(staff)
    url = reverse("training:teacher", args=[teachers[0].pk])
    response = client.post(url, {"title": "Цифровая образовательная среда", "provider_name": "ИРО",
                                 "finished_on": (today() - dt.timedelta(days=3)).isoformat(),
                                 "hours": "36", "document": "Удостоверение № 77"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Цифровая образовательная среда" in page and 'data-testid="hours">36<' in page


def test_another_organizations_teacher_record_is_not_found(client, other_staff, teachers):
    client.force_login(other_staff)
    assert client.get(reverse("training:teacher", args=[teachers[0].pk])).status_code == 404


def test_gap_list_and_its_export(client, operator, staff, teachers):
    registration, = services.register(staff, services.publish(operator, services.save_event(
        operator, event_data())), teachers[:1])
    held(registration.event)
    services.mark_attendance(operator, registration.event, [registration.pk])
    client.force_login(operator)

    page = client.get(reverse("training:teachers"), {"gap": "1"}).content.decode()
    export = client.get(reverse("training:teachers"), {"gap": "1", "format": "csv"})
    rows = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()

    assert "Борисова" in page and "Волкова" in page and "Антонова" not in page
    assert rows[0].startswith("Организация;Педагог") or rows[0].startswith("Организация,Педагог")
    assert len(rows) == 3 and not any("Антонова" in row for row in rows)


def test_teachers_page_query_count_does_not_grow(client, operator, provider, django_assert_max_num_queries):
    for i in range(30):
        f.teacher(provider, last_name=f"Педагог{i}")
    client.force_login(operator)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("training:teachers")).status_code == 200


def test_calendar_query_count_does_not_grow(client, operator, django_assert_max_num_queries):
    for i in range(20):
        services.save_event(operator, event_data(title=f"Семинар {i}"))
    client.force_login(operator)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("training:events")).content.decode()
    assert page.count('data-testid="event-row"') == 20


def test_plan_of_professional_development_is_a_plan_kind_linked_to_events(client, operator, city):
    kind = PlanKind.objects.get(code=PLAN_KIND[0])
    plan = Plan.objects.create(municipality=city, kind=kind, year=today().year, title=kind.title)
    item = Item.objects.create(plan=plan, number="1", title="Семинары для педагогов по навигатору",
                               deadline_text="в течение года", responsible_names="Методист МОЦ Соколова А.В.")
    services.save_event(operator, event_data(plan_item=item.pk))
    client.force_login(operator)

    page = client.get(reverse("training:plan")).content.decode()

    assert "Семинары для педагогов по навигатору" in page and "Соколова А.В." in page
    assert item.training_events.count() == 1


def test_plan_item_of_another_kind_cannot_be_linked(operator, city):
    plan = Plan.objects.create(municipality=city, kind=PlanKind.objects.get(code="work_plan"), year=2026,
                               title="План работы")
    item = Item.objects.create(plan=plan, number="1", title="Что-то")
    with pytest.raises(Exception, match="плана повышения квалификации"):
        services.save_event(operator, event_data(plan_item=item.pk))


def test_event_page_query_count_does_not_grow(client, operator, provider, django_assert_max_num_queries):
    event = services.publish(operator, services.save_event(operator, event_data(capacity=40)))
    services.register(operator, event, [f.teacher(provider, last_name=f"Педагог{i}") for i in range(25)])
    client.force_login(operator)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("training:event", args=[event.pk])).content.decode()
    assert page.count('data-testid="registration-row"') == 25
