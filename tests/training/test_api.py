"""The staff development API: lists within the caller's view, registration with the same
rules as the pages, a teacher's hours."""

import pytest

from opora.training import services
from tests.training.conftest import event_data, held

pytestmark = pytest.mark.django_db


def test_events_list_and_one_event(client, staff, seminar, operator):
    services.save_event(operator, event_data(title="Черновик"))  # a draft the staff does not see
    client.force_login(staff)
    answer = client.get("/api/v1/training/events").json()
    assert answer["count"] == 1
    assert answer["items"][0]["title"] == "Проектирование модульных программ"
    assert answer["items"][0]["taken"] == 0
    assert client.get(f"/api/v1/training/events/{seminar.pk}").json()["capacity"] == 2


def test_registering_through_the_api(client, staff, seminar, teachers, other_teacher):
    client.force_login(staff)
    url = f"/api/v1/training/events/{seminar.pk}/registrations"

    ok = client.post(url, {"teachers": [teachers[0].pk]}, content_type="application/json")
    foreign = client.post(url, {"teachers": [other_teacher.pk]}, content_type="application/json")
    full = client.post(url, {"teachers": [teachers[1].pk, teachers[2].pk]}, content_type="application/json")

    assert ok.status_code == 200 and ok.json()[0]["status"] == "registered"
    assert foreign.status_code == 404
    assert full.status_code == 409 and "Свободных мест: 1" in full.json()["detail"]
    assert seminar.registrations.count() == 1


def test_another_municipality_does_not_see_the_event(client, other_staff, seminar):
    client.force_login(other_staff)
    assert client.get(f"/api/v1/training/events/{seminar.pk}").status_code == 404


def test_teacher_hours(client, operator, staff, seminar, teachers):
    registration, = services.register(staff, seminar, teachers[:1])
    held(seminar)
    services.mark_attendance(operator, seminar, [registration.pk])
    client.force_login(staff)
    answer = client.get(f"/api/v1/training/teachers/{teachers[0].pk}").json()
    assert answer["hours_three_years"] in ("4.0", 4.0, "4")
    assert answer["events"][0]["certificate_code"] == registration.__class__.objects.get().certificate_code


def test_a_teacher_registers_themselves_through_the_api(client, operator, teachers, seminar):
    from opora.accounts.models import Role
    from tests import factories as f

    account = f.user(Role.TEACHER, teacher=teachers[0])
    for_heads = services.publish(operator, services.save_event(
        operator, event_data(title="Для руководителей", for_teachers=False, for_heads=True)))
    client.force_login(account)

    listed = client.get("/api/v1/training/me/events").json()
    ok = client.post("/api/v1/training/me/registrations", {"event_id": seminar.pk},
                     content_type="application/json")
    foreign = client.post("/api/v1/training/me/registrations", {"event_id": for_heads.pk},
                          content_type="application/json")
    record = client.get("/api/v1/training/me").json()

    assert [event["id"] for event in listed] == [seminar.pk]
    assert ok.status_code == 200 and ok.json()["teacher_id"] == teachers[0].pk
    assert foreign.status_code == 404
    assert record["teacher_id"] == teachers[0].pk and record["events"] == []


def test_the_teacher_endpoints_refuse_other_roles(client, staff):
    client.force_login(staff)
    assert client.get("/api/v1/training/me").status_code == 403
