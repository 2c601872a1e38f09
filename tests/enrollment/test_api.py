"""The enrolment API: a parent applies and withdraws, staff decide, children are added
with consent; nobody reaches another family's or organization's rows by guessing ids;
gate refusals, busy seats, tokens and CSRF answer as documented."""

import datetime as dt

import pytest
from django.test import Client
from django.test.utils import override_script_prefix
from django.utils import timezone

from opora import locking
from opora.accounts.models import Role
from opora.api import services as tokens
from opora.enrollment import children, seats, services
from opora.enrollment.models import Application, Channel, Child, ConsentChannel, Guardianship, Submission
from opora.enrollment.models import ApplicationStatus as S
from opora.registry.models import Group
from tests import factories as f
from tests.api.conftest import ApiClient
from tests.enrollment.conftest import add_child, born, child_data, open_group


def token_client(user, **options):
    _token, secret = tokens.issue_token(user, user, "Портал")
    return Client(headers={"Authorization": f"Bearer {secret}"}, **options)


def _apply(client, child, group):
    return client.post("/applications", {"child": child.pk, "group": group.pk})


def _snapshot():
    return sorted(Application.objects.values_list("pk", "status", "queue_number", "reason"))


# --- filing --------------------------------------------------------------------------


def test_parent_applies_and_gets_the_seat(parent, child, group):
    response = _apply(ApiClient(parent), child, group)

    assert response.status_code == 201
    application = Application.objects.get()
    program = group.module.program
    assert response.json() == {
        "id": application.pk, "uuid": str(application.uuid), "status": "new",
        "status_label": "Новая", "position": None,
        "child": {"id": child.pk, "uuid": str(child.uuid), "full_name": "Смирнова Алёна Игоревна"},
        "group": {"id": group.pk, "name": "Роботы-1", "start_date": group.start_date.isoformat(),
                  "end_date": group.end_date.isoformat()},
        "program": {"id": program.pk, "title": "Робототехника",
                    "organization": {"id": program.organization_id,
                                     "short_name": program.organization.short_name}},
        "reason": "", "ended_on": None, "ended_by_parent": False,
        "created_at": application.created_at.isoformat(),
        "status_changed_at": application.status_changed_at.isoformat(),
    }
    assert (application.channel, application.created_by) == (Channel.CABINET, parent)


def test_full_group_answers_the_place_in_line(group, family):
    people = family(4)
    bodies = [_apply(ApiClient(p), c, group).json() for p, c in people]

    assert [(b["status"], b["position"]) for b in bodies] == [
        ("new", None), ("new", None), ("waitlisted", 1), ("waitlisted", 2)]
    assert bodies[2]["status_label"] == "В очереди"


def test_applying_again_returns_the_first_application_with_200(parent, child, group):
    client = ApiClient(parent)
    first = _apply(client, child, group)

    again = client.post("/applications", {"child": str(child.uuid), "group": group.pk})

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Application.objects.count() == 1


def test_application_through_a_token_is_filed_as_coming_from_the_portal(parent, child, group):
    client = token_client(parent, enforce_csrf_checks=True)

    response = client.post("/api/v1/applications", {"child": child.pk, "group": group.pk},
                           content_type="application/json")

    assert response.status_code == 201
    assert Application.objects.get().channel == Channel.API


def test_session_post_without_csrf_token_files_nothing(parent, child, group):
    response = _apply(ApiClient(parent, enforce_csrf_checks=True), child, group)

    assert (response.status_code, response.json()["code"]) == (403, "CsrfFailed")
    assert not Application.objects.exists()


def test_session_post_with_csrf_token_files_the_application(parent, child, group):
    client = ApiClient(parent, enforce_csrf_checks=True)
    client.http.get("/accounts/login/")
    token = client.http.cookies["csrftoken"].value

    response = client.post("/applications", {"child": child.pk, "group": group.pk},
                           headers={"X-CSRFToken": token})

    assert response.status_code == 201


def test_anonymous_caller_files_nothing(child, group):
    response = _apply(ApiClient(), child, group)

    assert (response.status_code, response.json()["code"]) == (401, "NotAuthenticated")
    assert not Application.objects.exists()


@pytest.mark.parametrize(("change", "code", "detail"), [
    ({"enrolment_open": False}, "enrolment_switched_off", "Запись в эту группу закрыта."),
    ({"is_active": False}, "group_inactive", "Группа не набирается."),
    ({"age_min": 14, "age_max": 17}, "age_outside", None),
])
def test_gate_refusal_is_409_with_the_gate_code(parent, child, group, change, code, detail):
    Group.objects.filter(pk=group.pk).update(**change)

    response = _apply(ApiClient(parent), child, group)

    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["field"]) == (code, None)
    if detail:
        assert body["detail"] == detail
    else:
        assert body["detail"].startswith("На ") and "от 14 лет до 17 лет" in body["detail"]
    assert not Application.objects.exists()


def test_enrolment_not_yet_open_names_the_moment(parent, child, group):
    opens = timezone.now() + dt.timedelta(days=2)
    Group.objects.filter(pk=group.pk).update(enrolment_from=opens)

    body = _apply(ApiClient(parent), child, group).json()

    assert body["code"] == "enrolment_not_started"
    assert body["detail"].startswith("Запись в группу откроется ")
    assert not Application.objects.exists()


def test_busy_seats_answer_503_with_retry_after(parent, child, group, monkeypatch):
    def busy(group_id):
        raise locking.Busy()

    monkeypatch.setattr(seats, "hold_seat", busy)

    response = _apply(ApiClient(parent), child, group)

    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.json() == {
        "detail": "Слишком много заявок одновременно. Попробуйте ещё раз через несколько секунд.",
        "field": None, "code": "Busy"}
    assert not Application.objects.exists()


@pytest.mark.parametrize(("body", "field"), [
    ({"child": 0, "group": 1}, "child"),
    ({"child": "1c0b1a9e-8e0d-4c39-9b9a-2a6c9d7a1f00", "group": 1}, "child"),
])
def test_unknown_child_is_404(parent, group, body, field):
    response = ApiClient(parent).post("/applications", {**body, "group": group.pk})

    assert (response.status_code, response.json()["field"]) == (404, field)


def test_unknown_group_is_404(parent, child):
    response = ApiClient(parent).post("/applications", {"child": child.pk, "group": 10 ** 9})

    assert response.json() == {"detail": "Группа не найдена.", "field": "group", "code": "NotFound"}
    assert not Application.objects.exists()


# --- id guessing ---------------------------------------------------------------------


def test_parent_cannot_apply_for_a_guessed_child(other_parent, child, group):
    by_id = _apply(ApiClient(other_parent), child, group)
    by_uuid = ApiClient(other_parent).post("/applications",
                                           {"child": str(child.uuid), "group": group.pk})

    assert by_id.status_code == by_uuid.status_code == 404
    assert by_id.json() == {"detail": "Ребёнок не найден.", "field": "child", "code": "NotFound"}
    assert not Application.objects.exists()


@pytest.fixture
def filed(parent, child, group):
    return services.submit_application(parent, child, group)[0]


@pytest.mark.parametrize("persona", ["other_parent", "other_staff", "other_operator"])
def test_guessed_application_answers_like_a_missing_one(request, filed, persona):
    client = ApiClient(request.getfixturevalue(persona))

    hidden = client.get(f"/applications/{filed.pk}")
    missing = client.get(f"/applications/{filed.pk + 1000}")

    assert hidden.status_code == 404
    assert hidden.json() == missing.json() == {"detail": "Заявка не найдена.",
                                               "field": "application_id", "code": "NotFound"}


@pytest.mark.parametrize(("persona", "action", "body"), [
    ("other_parent", "withdraw", {}),
    ("other_staff", "confirm", None),
    ("other_staff", "reject", {"reason": "Нет мест"}),
    ("staff", "withdraw", {}),
])
def test_guessed_application_cannot_be_changed(request, filed, persona, action, body):
    before = _snapshot()

    response = ApiClient(request.getfixturevalue(persona)).post(
        f"/applications/{filed.pk}/{action}", body)

    assert response.status_code == 404
    assert _snapshot() == before


def test_operator_sees_but_cannot_decide(operator, filed):
    client = ApiClient(operator)
    before = _snapshot()

    assert client.get(f"/applications/{filed.pk}").status_code == 200
    response = client.post(f"/applications/{filed.pk}/confirm")

    assert (response.status_code, response.json()["code"]) == (403, "PermissionDenied")
    assert _snapshot() == before


@pytest.mark.parametrize("persona", ["other_parent", "other_staff", "staff"])
def test_guessed_child_is_404(request, child, persona):
    response = ApiClient(request.getfixturevalue(persona)).get(f"/children/{child.pk}")

    assert response.json() == {"detail": "Ребёнок не найден.", "field": "child_id",
                               "code": "NotFound"}


# --- lists ---------------------------------------------------------------------------


def test_parent_lists_only_their_own_applications(parent, child, group, family):
    mine = services.submit_application(parent, child, group)[0]
    for p, c in family(2):
        services.submit_application(p, c, group)

    body = ApiClient(parent).get("/applications").json()

    assert body["count"] == 1
    assert [item["id"] for item in body["items"]] == [mine.pk]


def test_staff_list_their_organizations_applications_with_filters(staff, other_staff, group,
                                                                  published, family):
    other_group = open_group(published, name="Роботы-2", capacity_max=5)
    made = [services.submit_application(p, c, group)[0] for p, c in family(3)]
    elsewhere = services.submit_application(*family(1)[0], other_group)[0]
    client = ApiClient(staff)

    everything = client.get("/applications").json()
    waiting = client.get("/applications", status="waitlisted").json()
    in_group = client.get("/applications", group=other_group.pk).json()

    assert sorted(i["id"] for i in everything["items"]) == sorted([a.pk for a in made] + [elsewhere.pk])
    assert [(i["id"], i["position"]) for i in waiting["items"]] == [(made[2].pk, 1)]
    assert [i["id"] for i in in_group["items"]] == [elsewhere.pk]
    assert ApiClient(other_staff).get("/applications").json() == {"count": 0, "items": []}


def test_list_is_paginated(staff, group, family):
    made = [services.submit_application(p, c, group)[0] for p, c in family(5)]

    body = ApiClient(staff).get("/applications", page=2, page_size=2).json()

    assert body["count"] == 5
    assert [i["id"] for i in body["items"]] == [made[2].pk, made[1].pk]


def test_bad_status_filter_is_422(staff):
    response = ApiClient(staff).get("/applications", status="accepted")

    assert (response.status_code, response.json()["field"]) == (422, "status")


@pytest.mark.parametrize("name", ["group", "child"])
def test_filter_id_beyond_what_the_database_holds_is_422_not_a_server_error(staff, name):
    response = ApiClient(staff).get("/applications", **{name: str(2**70)})

    assert (response.status_code, response.json()["detail"]) == (
        422, f"Параметр «{name}»: значение должно быть не больше 9223372036854775807.")


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow_with_rows(staff, published, family,
                                                  django_assert_max_num_queries, rows):
    group = open_group(published, capacity_max=10)
    for p, c in family(rows):
        services.submit_application(p, c, group)
    client = ApiClient(staff)

    # session, user, count, page (positions come in the page's query)
    with django_assert_max_num_queries(4):
        body = client.get("/applications", page_size=100).json()

    assert body["count"] == rows
    assert sum(1 for i in body["items"] if i["position"] is not None) == max(rows - 10, 0)


@pytest.mark.parametrize("rows", [3, 30])
def test_children_list_query_count_does_not_grow_with_rows(parent, city, rows, settings,
                                                           django_assert_max_num_queries):
    for i in range(rows):
        add_child(parent, first_name=f"Ребёнок{i}", last_name=f"Фамилия{i}")
    client = ApiClient(parent)

    with django_assert_max_num_queries(4):
        body = client.get("/children", page_size=100).json()

    assert body["count"] == rows


# --- decisions -----------------------------------------------------------------------


@pytest.fixture
def full(group, family):
    """Two seats taken and two children in line."""
    people = family(4)
    return people, [services.submit_application(p, c, group)[0] for p, c in people]


def test_parent_withdraws_and_the_first_in_line_takes_the_seat(full):
    people, made = full

    response = ApiClient(people[0][0]).post(f"/applications/{made[0].pk}/withdraw",
                                            {"reason": "Переехали"})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reason"]) == ("withdrawn", "Переехали")
    assert [Application.objects.get(pk=a.pk).status for a in made] == [
        S.WITHDRAWN, S.NEW, S.NEW, S.WAITLISTED]


def test_withdraw_needs_no_body(full):
    people, made = full

    # a bare ``curl -X POST``: no body, no content type
    response = ApiClient(people[3][0]).http.generic("POST",
                                                    f"/api/v1/applications/{made[3].pk}/withdraw")

    assert (response.status_code, response.json()["status"]) == (200, "withdrawn")


def test_staff_confirm_reject_expel_and_complete(staff, full):
    _people, made = full
    client = ApiClient(staff)

    confirmed = client.post(f"/applications/{made[0].pk}/confirm").json()
    rejected = client.post(f"/applications/{made[1].pk}/reject", {"reason": "Нет справки"}).json()
    expelled = client.post(f"/applications/{made[0].pk}/expel",
                           {"reason": "Переезд", "date": timezone.localdate().isoformat()}).json()
    client.post(f"/applications/{made[2].pk}/confirm")
    completed = client.post(f"/applications/{made[2].pk}/complete", {}).json()

    assert (confirmed["status"], confirmed["status_label"]) == ("enrolled", "Обучается")
    assert (rejected["status"], rejected["reason"]) == ("rejected", "Нет справки")
    assert (expelled["status"], expelled["ended_on"]) == ("expelled", timezone.localdate().isoformat())
    assert completed["status"] == "completed"
    # the two released seats went to the first in line, in order
    assert [Application.objects.get(pk=a.pk).status for a in made] == [
        S.EXPELLED, S.REJECTED, S.COMPLETED, S.NEW]


def test_reject_without_reason_is_422_and_changes_nothing(staff, full):
    _people, made = full
    before = _snapshot()

    blank = ApiClient(staff).post(f"/applications/{made[0].pk}/reject", {"reason": " "})
    missing = ApiClient(staff).post(f"/applications/{made[0].pk}/reject", {})

    assert (blank.status_code, blank.json()["errors"]) == (422, {"reason": ["Укажите причину."]})
    assert (missing.status_code, missing.json()["field"]) == (422, "reason")
    assert _snapshot() == before


def test_confirming_a_waitlisted_application_is_409(staff, full):
    _people, made = full
    before = _snapshot()

    response = ApiClient(staff).post(f"/applications/{made[2].pk}/confirm")

    assert response.json() == {"detail": "Заявку в статусе «В очереди» нельзя подтвердить.",
                               "field": None, "code": "InvalidTransition"}
    assert response.status_code == 409
    assert _snapshot() == before


def test_expel_in_the_future_is_refused(staff, full):
    _people, made = full
    services.confirm_application(staff, made[0])
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    response = ApiClient(staff).post(f"/applications/{made[0].pk}/expel",
                                     {"reason": "Переезд", "date": tomorrow.isoformat()})

    assert (response.status_code, response.json()["field"]) == (422, "on_date")
    assert Application.objects.get(pk=made[0].pk).status == S.ENROLLED


# --- children ------------------------------------------------------------------------


def _child_body(municipality, **kw):
    data = child_data(municipality, **kw)
    data.update(birth_date=data["birth_date"].isoformat(), municipality=municipality.pk,
                consent=True)
    return data


def test_parent_adds_a_child_with_consent(parent, city):
    response = ApiClient(parent).post("/children", _child_body(city, snils="112-233-445 95"))

    assert response.status_code == 201
    child = Child.objects.get()
    assert response.json() == {
        "id": child.pk, "uuid": str(child.uuid), "last_name": "Смирнова", "first_name": "Алёна",
        "patronymic": "Игоревна", "full_name": "Смирнова Алёна Игоревна",
        "birth_date": born(10).isoformat(), "sex": "female", "sex_label": "Женский",
        "municipality": {"id": city.pk, "name": "Город Тестов"}, "is_rural": False,
        "has_ovz": False, "is_disabled": False, "difficult_situation": False,
        "snils": "11223344595",
    }
    assert Guardianship.objects.get().consent_channel == ConsentChannel.PARENT


@pytest.mark.parametrize("consent", [False, None])
def test_child_without_consent_is_not_kept(parent, city, consent):
    body = _child_body(city)
    if consent is None:
        del body["consent"]
    else:
        body["consent"] = consent

    response = ApiClient(parent).post("/children", body)

    assert (response.status_code, response.json()["field"]) == (422, "consent")
    assert not Child.objects.exists() and not Guardianship.objects.exists()


def test_child_someone_else_registered_waits_for_the_support_centre(parent, other_parent,
                                                                    operator, city):
    first = ApiClient(parent).post("/children", _child_body(city, has_ovz=True)).json()
    client = token_client(other_parent)

    response = client.post("/api/v1/children", _child_body(city), content_type="application/json")

    # no second record, and nothing of the first family's record is told
    assert response.status_code == 202
    assert response.json() == {
        "detail": "Ребёнок с такими данными уже есть в системе. Муниципальный опорный центр "
                  "проверит документы и подтвердит, что вы его законный представитель; до этого "
                  "ребёнок не появится в вашем списке.",
        "code": "GuardianshipPending"}
    assert Child.objects.count() == 1
    assert Guardianship.objects.get(parent=other_parent).consent_channel == ConsentChannel.API
    assert client.get(f"/api/v1/children/{first['id']}").status_code == 404

    children.confirm_guardianship(operator, Guardianship.objects.get(parent=other_parent))

    opened = client.get(f"/api/v1/children/{first['id']}")
    assert (opened.status_code, opened.json()["has_ovz"]) == (200, True)


def test_registering_ones_own_child_again_answers_200(parent, child, city):
    response = ApiClient(parent).post("/children", _child_body(city))

    assert (response.status_code, response.json()["id"]) == (200, child.pk)
    assert Child.objects.count() == 1


def test_staff_cannot_add_children_through_the_parents_endpoint(staff, city):
    response = ApiClient(staff).post("/children", _child_body(city))

    assert (response.status_code, response.json()["code"]) == (403, "PermissionDenied")
    assert not Child.objects.exists()


def test_unknown_municipality_and_bad_snils_are_422(parent, city):
    client = ApiClient(parent)

    unknown = client.post("/children", {**_child_body(city), "municipality": 10 ** 9})
    bad_snils = client.post("/children", _child_body(city, snils="123-456-789 00"))

    assert unknown.json()["errors"] == {"municipality": ["Муниципалитет не найден."]}
    assert (bad_snils.status_code, bad_snils.json()["field"]) == (422, "snils")
    assert not Child.objects.exists()


def test_parent_lists_and_opens_their_children_only(parent, other_parent, child):
    add_child(other_parent, last_name="Чужая", first_name="Дочь")
    client = ApiClient(parent)

    listed = client.get("/children").json()
    opened = client.get(f"/children/{child.pk}").json()

    assert [i["id"] for i in listed["items"]] == [child.pk] and listed["count"] == 1
    assert opened["full_name"] == "Смирнова Алёна Игоревна"


def test_staff_see_the_children_who_applied_to_them(staff, other_staff, filed, child):
    assert [i["id"] for i in ApiClient(staff).get("/children").json()["items"]] == [child.pk]
    assert ApiClient(other_staff).get("/children").json() == {"count": 0, "items": []}


def test_expert_sees_no_children_or_applications(filed):
    expert = f.user(Role.EXPERT)
    client = ApiClient(expert)

    assert client.get("/children").json()["count"] == 0
    assert client.get("/applications").json()["count"] == 0


# --- the published description -------------------------------------------------------


def test_openapi_document_stays_valid_and_lists_the_enrolment_endpoints(db):
    from openapi_spec_validator import validate

    document = Client().get("/api/v1/openapi.json").json()

    validate(document)
    paths = {path: sorted(methods) for path, methods in document["paths"].items()
             if path.startswith(("/api/v1/applications", "/api/v1/children"))}
    assert paths == {
        "/api/v1/applications": ["get", "post"],
        "/api/v1/applications/{application_id}": ["get"],
        "/api/v1/applications/{application_id}/withdraw": ["post"],
        "/api/v1/applications/{application_id}/confirm": ["post"],
        "/api/v1/applications/{application_id}/reject": ["post"],
        "/api/v1/applications/{application_id}/expel": ["post"],
        "/api/v1/applications/{application_id}/complete": ["post"],
        "/api/v1/children": ["get", "post"],
        "/api/v1/children/{child_id}": ["get"],
    }
    assert sorted(document["paths"]["/api/v1/submissions/{key}"]) == ["get"]
    submit = document["paths"]["/api/v1/applications"]["post"]
    assert sorted(submit["responses"]) == ["200", "201", "202", "400", "401", "403", "404", "409",
                                           "422", "503"]
    assert [(p["in"], p["name"]) for p in submit["parameters"]] == [("header", "Prefer")]
    assert sorted(submit["responses"]["202"]["headers"]) == ["Location", "Preference-Applied"]
    assert submit["responses"]["202"]["content"]["application/json"]["schema"]
    assert submit["security"] == [{"TokenAuth": []}, {"SessionAuth": []}]


# --- the outbox: Prefer: respond-async -----------------------------------------------

ASYNC = {"Prefer": "respond-async"}


def _apply_async(client, child, group, prefer="respond-async"):
    return client.post("/applications", {"child": child.pk, "group": group.pk},
                       headers={"Prefer": prefer})


def test_an_async_submission_is_accepted_then_followed_to_its_application(parent, child, group):
    client = ApiClient(parent)
    response = _apply_async(client, child, group)

    assert response.status_code == 202
    body = response.json()
    assert (body["state"], body["application"], body["refusal"], body["settled_at"]) == (
        "accepted", None, None, None)
    assert response["Location"] == f"/api/v1/submissions/{body['key']}"
    assert response["Preference-Applied"] == "respond-async"
    assert Application.objects.count() == 0

    followed = client.get(f"/submissions/{body['key']}")  # no settler ran: the read settles

    assert followed.status_code == 200
    result = followed.json()
    application = Application.objects.get()
    assert (result["state"], result["filed"], result["refusal"]) == ("filed", True, None)
    assert (result["application"]["id"], result["application"]["status"],
            result["application"]["program"]["title"]) == (application.pk, "new", "Робототехника")
    assert application.channel == Channel.CABINET


def test_the_location_keeps_the_address_the_site_is_served_under(parent, child, group, family):
    with override_script_prefix("/opora/"):  # as the WSGI handler sets it from SCRIPT_NAME
        served_under = _apply_async(ApiClient(parent), child, group)
    other_parent, other_child = family(1)[0]
    at_the_root = _apply_async(ApiClient(other_parent), other_child, group)

    assert served_under["Location"] == f"/opora/api/v1/submissions/{served_under.json()['key']}"
    assert at_the_root["Location"] == f"/api/v1/submissions/{at_the_root.json()['key']}"


def test_an_async_submission_through_a_token_comes_from_the_portal(parent, child, group):
    client = token_client(parent)
    response = client.post("/api/v1/applications", {"child": str(child.uuid), "group": group.pk},
                           content_type="application/json", headers=ASYNC)
    assert response.status_code == 202
    client.get(response["Location"])

    assert Application.objects.get().channel == Channel.API


def test_an_async_waitlisted_submission_shows_its_place(group, family):
    people = family(3)
    keys = [_apply_async(ApiClient(p), c, group).json()["key"] for p, c in people]

    last = ApiClient(people[2][0]).get(f"/submissions/{keys[2]}").json()

    assert (last["application"]["status"], last["application"]["position"]) == ("waitlisted", 1)


def test_an_async_refusal_names_the_gate_and_files_nothing(parent, child, published):
    closed = open_group(published, enrolment_open=False)
    client = ApiClient(parent)
    key = _apply_async(client, child, closed).json()["key"]

    result = client.get(f"/submissions/{key}").json()

    assert (result["state"], result["application"], result["filed"]) == ("refused", None, None)
    assert result["refusal"] == {"code": "enrolment_switched_off",
                                 "message": "Запись в эту группу закрыта."}
    assert Application.objects.count() == 0


def test_an_async_repeat_points_to_the_first_application(parent, child, group):
    client = ApiClient(parent)
    first = _apply(client, child, group).json()
    key = _apply_async(client, child, group).json()["key"]

    result = client.get(f"/submissions/{key}").json()

    assert (result["state"], result["filed"], result["application"]["id"]) == (
        "filed", False, first["id"])


@pytest.mark.parametrize("prefer", ["respond-async, wait=5", "return=minimal, respond-async",
                                    "RESPOND-ASYNC", "respond-async; foo=bar"])
def test_the_prefer_header_is_read_as_rfc_7240_writes_it(parent, child, group, prefer):
    assert _apply_async(ApiClient(parent), child, group, prefer=prefer).status_code == 202


@pytest.mark.parametrize("prefer", ["return=representation", "respond-asynchronously", "",
                                    "return=minimal; respond-async", "x" * 5000])
def test_other_preferences_keep_the_synchronous_answer(parent, child, group, prefer):
    assert _apply_async(ApiClient(parent), child, group, prefer=prefer).status_code == 201


def test_a_submission_is_shown_to_its_sender_only(parent, other_parent, staff, child, group):
    key = _apply_async(ApiClient(parent), child, group).json()["key"]

    for user in (other_parent, staff):
        response = ApiClient(user).get(f"/submissions/{key}")
        assert response.status_code == 404
        assert response.json()["detail"] == "Заявка не найдена."
    assert Application.objects.count() == 0  # nobody else's read settled it


def test_an_anonymous_async_submission_is_refused(child, group):
    response = _apply_async(ApiClient(), child, group)
    assert response.status_code == 401
    assert Submission.objects.count() == 0


@pytest.mark.parametrize("persona", ["staff", "operator"])
def test_back_office_async_submission_is_404_and_writes_nothing(request, persona, child, group):
    response = _apply_async(ApiClient(request.getfixturevalue(persona)), child, group)
    assert response.status_code == 404
    assert Submission.objects.count() == 0


@pytest.mark.parametrize("body", [{"child": "abc", "group": 1}, {"child": 1}, {"group": 1},
                                  {"child": 1, "group": -1}, {"child": 1, "group": "x"}])
def test_bad_async_bodies_are_422_and_write_nothing(parent, body):
    response = ApiClient(parent).post("/applications", body, headers=ASYNC)
    assert response.status_code == 422
    assert Submission.objects.count() == 0


def test_a_malformed_submission_key_is_422(parent):
    assert ApiClient(parent).get("/submissions/not-a-key").status_code == 422
