"""The read API of plans: the list, one plan with its items, «Мой план», scoping."""

from tests.api.conftest import ApiClient
from tests.plans.conftest import approve


def test_the_moc_reads_its_plan_with_items(operator, filled):
    answer = ApiClient(operator).http.get(f"/api/v1/plans/{filled.pk}")

    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "draft" and len(body["items"]) == 10
    nine = body["items"][8]
    assert (nine["number"], nine["recurrence"], nine["responsible"]) == (
        "9", "monthly", ["Заместитель начальника Управления образования Сухорукова И.В."])
    assert ApiClient(operator).http.get("/api/v1/plans").json()["count"] == 1


def test_a_draft_is_hidden_from_others(other_operator, authority, regional, filled):
    for user in (other_operator, authority, regional):
        client = ApiClient(user).http
        assert client.get(f"/api/v1/plans/{filled.pk}").status_code == 404
        assert client.get("/api/v1/plans").json()["count"] == 0


def test_my_plan_through_the_api(operator, authority, staff, filled):
    approve(operator, authority, filled)
    item = filled.items.get(number="3")
    item.responsible_users.add(staff)

    body = ApiClient(staff).http.get("/api/v1/plans/mine").json()

    assert [entry["number"] for entry in body["items"]] == ["3"]
    assert body["items"][0]["overdue"] is True
    assert ApiClient(authority).http.get("/api/v1/plans", {"status": "approved"}).json()["count"] == 1
