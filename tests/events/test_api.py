import datetime as dt

import pytest

from opora.events import services
from opora.events.models import GiftedRecord, Registration, Result
from opora.events.models import RegistrationStatus as R
from tests.api.conftest import ApiClient
from tests.events.conftest import make_event

pytestmark = pytest.mark.django_db


def test_the_public_list_and_an_event_carry_no_child(contest, staff, operator, parent, child):
    services.register_child(parent, contest, child)
    body = ApiClient().get("/events", q="робототехн").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["kind"] == "contest" and item["sessions"][0]["ics_url"].endswith(".ics")
    assert child.last_name not in str(body)
    assert ApiClient().get(f"/events/{contest.pk}").json()["nominations"][0]["title"] == "Робототехника"
    draft = make_event(staff, title="Черновик")
    assert ApiClient().get(f"/events/{draft.pk}").status_code == 404


def test_a_parent_registers_and_the_organizer_decides(contest, staff, parent, child, other_staff):
    api = ApiClient(parent)
    response = api.post(f"/events/{contest.pk}/registrations", {"child": str(child.uuid)})
    assert response.status_code == 201 and response.json()["status"] == "new"
    again = api.post(f"/events/{contest.pk}/registrations", {"child": str(child.uuid)})
    assert again.status_code == 200 and again.json()["id"] == response.json()["id"]
    rid = response.json()["id"]
    assert ApiClient(other_staff).post(f"/events/registrations/{rid}/confirm").status_code == 404
    organizer = ApiClient(staff)
    assert organizer.post(f"/events/registrations/{rid}/result", {"result": "winner"}).status_code == 409
    organizer.post(f"/events/registrations/{rid}/confirm", {"comment": "Ждём"})
    organizer.post(f"/events/registrations/{rid}/attend")
    body = organizer.post(f"/events/registrations/{rid}/result", {"result": "winner"}).json()
    assert (body["status"], body["result"], body["comment"]) == ("participant", "winner", "Ждём")
    mine = api.get("/events/registrations/mine").json()
    assert mine["items"][0]["diploma_url"] == f"/events/diplomas/{rid}/"
    code = Registration.objects.get(pk=rid).diploma_code
    check = ApiClient().get("/events/diplomas/check", code=code.replace("-", "").lower()).json()
    assert check["valid"] and check["result"] == "winner" and check["initials"] == "А. С."
    # a result given at 01:30 in Moscow (22:30 UTC the day before) is dated by the region's day
    Registration.objects.filter(pk=rid).update(
        result_at=dt.datetime(2026, 3, 9, 22, 30, tzinfo=dt.UTC))
    check = ApiClient().get("/events/diplomas/check", code=code).json()
    assert check["issued_on"] == "2026-03-10"
    assert ApiClient().get("/events/diplomas/check", code="2222-3333-4444-5555").json() == {
        "valid": False, "event": None, "level": None, "result": None, "nomination": None,
        "initials": None, "issued_on": None}


def test_a_stranger_cannot_register_a_child(contest, child, other_staff):
    from opora.accounts.models import Role
    from tests import factories as f

    stranger = f.user(Role.PARENT, municipality=child.municipality)
    response = ApiClient(stranger).post(f"/events/{contest.pk}/registrations", {"child": str(child.uuid)})
    assert response.status_code == 404
    assert not Registration.objects.exists()
    assert ApiClient().post(f"/events/{contest.pk}/registrations", {"child": str(child.uuid)}).status_code == 401


def test_the_gifted_register_over_the_api(contest, staff, operator, parent, child, other_operator):
    registration, _ = services.register_child(parent, contest, child)
    services.confirm_registration(staff, registration)
    services.mark_attendance(staff, registration)
    services.set_result(staff, registration, Result.PRIZE_2)
    record = GiftedRecord.objects.get()
    assert ApiClient(other_operator).get("/gifted").json()["count"] == 0
    assert ApiClient(other_operator).post(f"/gifted/{record.pk}/confirm").status_code == 404
    body = ApiClient(operator).post(f"/gifted/{record.pk}/confirm").json()
    assert body["status"] == "confirmed" and body["achievements"][0]["result"] == "prize_2"
    assert ApiClient(parent).get("/gifted").json()["count"] == 1
    assert ApiClient().get("/gifted").status_code == 401
    assert Registration.objects.get().status == R.PARTICIPANT
