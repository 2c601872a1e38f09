"""The appeal of a published quality result through the API: the provider files it, the МОЦ
gives it to a new expert and decides it; who reaches it, bad input, and the new expert's
blind sheet."""

import pytest

from opora.quality import services
from opora.quality.models import Appeal, AppealStatus, AssignmentKind, AssignmentStatus, Entry
from tests.api.conftest import ApiClient
from tests.quality.conftest import full_sheet

REASON = "Учебный план приложен в разделе 2, эксперты его не учли."


def scored(operator, campaign, published, value=1, comment="Цели не конкретны"):
    """The program scored by its three experts (1 of 2 everywhere: 50 % — revise)."""
    services.include_programs(operator, campaign, [published])
    services.start_campaign(operator, campaign)
    entry = Entry.objects.get(campaign=campaign)
    for assignment in entry.assignments.filter(status=AssignmentStatus.ASSIGNED):
        services.save_sheet(assignment.expert, assignment, full_sheet(assignment, value, comment), submit=True)
    return entry


@pytest.fixture
def entry(operator, campaign, published, experts):
    found = scored(operator, campaign, published)
    services.publish_results(operator, campaign)
    return found


def url(entry):
    return f"/quality/entries/{entry.pk}/appeal"


def test_the_appeal_through_the_api(staff, operator, entry):
    assert ApiClient(staff).get(url(entry)).status_code == 404  # nothing filed yet

    filed = ApiClient(staff).post(url(entry), {"reason": REASON})

    assert filed.status_code == 201, filed.content.decode()
    body = filed.json()
    assert (body["status"], body["decision_before"], body["score_before"]) == ("filed", "revise", "50.0")
    assert body["expert_assigned"] is False and body["entry"]["id"] == entry.pk
    assert body["entry"]["appeal_deadline"] is not None
    assert ApiClient(staff).get(url(entry)).json()["reason"] == REASON
    assert ApiClient(staff).post(url(entry), {"reason": "Снова."}).status_code == 409  # once

    assert ApiClient(operator).post(url(entry) + "/decide", {"upheld": True, "answer": "Рано."}).status_code == 409
    assigned = ApiClient(operator).post(url(entry) + "/expert", {})
    assert assigned.status_code == 200, assigned.content.decode()
    assert assigned.json()["expert_assigned"] is True and assigned.json()["expert_submitted"] is False
    assert ApiClient(operator).post(url(entry) + "/expert", {}).status_code == 409  # already has one

    assignment = entry.assignments.get(kind=AssignmentKind.APPEAL)
    services.save_sheet(assignment.expert, assignment, full_sheet(assignment, 2), submit=True)
    decided = ApiClient(operator).post(url(entry) + "/decide", {"upheld": True, "answer": "Балл пересчитан."})

    assert decided.status_code == 200, decided.content.decode()
    body = decided.json()
    # 1, 1, 1, 2 on every criterion: 62.5 %, still «revise» but a higher score
    assert (body["status"], body["answer"], body["expert_submitted"]) == ("upheld", "Балл пересчитан.", True)
    assert (body["entry"]["score"], body["entry"]["decision"]) == ("62.5", "revise")
    assert ApiClient(staff).get(url(entry)).json()["status"] == "upheld"
    assert ApiClient(operator).post(url(entry) + "/decide", {"upheld": False, "answer": "Ещё."}).status_code == 409


def test_a_rejected_appeal_keeps_the_result(staff, operator, entry):
    ApiClient(staff).post(url(entry), {"reason": REASON})
    assignment = services.assign_appeal_expert(operator, Appeal.objects.get(entry=entry))
    services.save_sheet(assignment.expert, assignment, full_sheet(assignment, 2), submit=True)

    body = ApiClient(operator).post(url(entry) + "/decide", {"upheld": False, "answer": "Доводы не подтвердились."})

    assert body.status_code == 200 and body.json()["status"] == "rejected"
    assert (body.json()["entry"]["score"], body.json()["entry"]["decision"]) == ("50.0", "revise")


def test_only_the_caller_s_own_entries_are_reached(staff, other_staff, operator, other_operator, authority,
                                                   entry):
    # another organization's staff, another municipality's МОЦ: as if it did not exist
    assert ApiClient(other_staff).post(url(entry), {"reason": REASON}).status_code == 404
    assert ApiClient().post(url(entry), {"reason": REASON}).status_code in (401, 403)
    ApiClient(staff).post(url(entry), {"reason": REASON})
    assert ApiClient(other_staff).get(url(entry)).status_code == 404
    assert ApiClient(other_operator).get(url(entry)).status_code == 404
    assert ApiClient(other_operator).post(url(entry) + "/expert", {}).status_code == 404
    assert ApiClient(other_operator).post(url(entry) + "/decide", {"upheld": True, "answer": "Да."}).status_code == 404

    # the МОЦ and the education authority of the municipality read it; only the МОЦ acts
    assert ApiClient(operator).get(url(entry)).status_code == 200
    assert ApiClient(authority).get(url(entry)).status_code == 200
    assert ApiClient(authority).post(url(entry) + "/expert", {}).status_code == 403
    assert ApiClient(staff).post(url(entry) + "/expert", {}).status_code == 403
    assert not entry.assignments.filter(kind=AssignmentKind.APPEAL).exists()
    # the operator files nothing for the provider
    assert ApiClient(operator).post(url(entry), {"reason": REASON}).status_code in (403, 409)
    assert Appeal.objects.get(entry=entry).reason == REASON


def test_bad_input_is_refused_and_changes_nothing(staff, operator, entry):
    for body in ({"reason": "  "}, {}, {"reason": "x" * 8001}, {"reason": 5}):
        answer = ApiClient(staff).post(url(entry), body)
        assert answer.status_code == 422, (body, answer.content.decode())
    assert "Изложите доводы апелляции." in ApiClient(staff).post(url(entry), {"reason": " "}).content.decode()
    assert not Appeal.objects.filter(entry=entry).exists()

    ApiClient(staff).post(url(entry), {"reason": REASON})
    earlier = entry.assignments.filter(kind=AssignmentKind.REGULAR).first()
    for body in ({"expert": 0}, {"expert": "кто-то"}, {"expert": earlier.expert_id}, {"expert": staff.pk}):
        answer = ApiClient(operator).post(url(entry) + "/expert", body)
        assert answer.status_code == 422, (body, answer.content.decode())
    assert "Апелляцию рассматривает новый эксперт." in ApiClient(operator).post(
        url(entry) + "/expert", {"expert": earlier.expert_id}).content.decode()
    assert not entry.assignments.filter(kind=AssignmentKind.APPEAL).exists()

    assignment = services.assign_appeal_expert(operator, Appeal.objects.get(entry=entry))
    services.save_sheet(assignment.expert, assignment, full_sheet(assignment, 2), submit=True)
    for body in ({"upheld": True, "answer": " "}, {"upheld": True}, {"answer": "Да."}, {"upheld": "может"}):
        answer = ApiClient(operator).post(url(entry) + "/decide", body)
        assert answer.status_code == 422, (body, answer.content.decode())
    assert Appeal.objects.get(entry=entry).status == AppealStatus.FILED


def test_no_appeal_before_publication_or_of_a_passed_result(staff, operator, campaign, published, experts):
    entry = scored(operator, campaign, published)
    assert ApiClient(staff).post(url(entry), {"reason": REASON}).status_code == 409  # not published yet
    assert ApiClient(staff).get(f"/quality/entries/{entry.pk}/appeal").status_code == 404
    assert not Appeal.objects.filter(entry=entry).exists()


def test_a_passed_result_is_not_appealed(staff, operator, campaign, published, experts):
    entry = scored(operator, campaign, published, value=2, comment="")
    services.publish_results(operator, campaign)
    answer = ApiClient(staff).post(url(entry), {"reason": REASON})
    assert answer.status_code == 409 and "обжаловать нечего" in answer.content.decode()


def test_the_appeal_expert_sees_the_others_only_after_submitting(staff, operator, entry):
    ApiClient(staff).post(url(entry), {"reason": REASON})
    ApiClient(operator).post(url(entry) + "/expert", {})
    assignment = entry.assignments.get(kind=AssignmentKind.APPEAL)
    client = ApiClient(assignment.expert)

    before = client.get(f"/quality/assignments/{assignment.pk}")
    assert before.status_code == 200 and before.json()["kind"] == "appeal"
    assert "Цели не конкретны" not in before.content.decode()
    assert all(line["others"] == [] for line in before.json()["lines"])
    # nor through the appeal, the campaign or the published result's entry
    assert client.get(url(entry)).status_code == 404
    assert client.get(f"/quality/campaigns/{entry.campaign_id}").status_code == 404
    assert client.post(url(entry) + "/decide", {"upheld": True, "answer": "Сам себе."}).status_code in (403, 404)

    answer = client.put(f"/quality/assignments/{assignment.pk}/sheet", {
        "scores": [{"criterion": c, "value": 2, "comment": ""} for c in full_sheet(assignment)], "submit": True})

    assert answer.status_code == 200, answer.content.decode()
    assert all(sorted(o["value"] for o in line["others"]) == [1, 1, 1] for line in answer.json()["lines"])
    assert "Цели не конкретны" in answer.content.decode()
    assert ApiClient(operator).get(url(entry)).json()["expert_submitted"] is True


def test_the_provider_finds_its_entries_and_sees_results_only_once_published(
        staff, other_staff, operator, campaign, published, experts):
    entry = scored(operator, campaign, published)

    listed = ApiClient(staff).get("/quality/entries").json()
    assert [row["id"] for row in listed["items"]] == [entry.pk] and listed["count"] == 1
    row = listed["items"][0]
    assert (row["score"], row["decision"], row["appeal_deadline"]) == (None, None, None)  # not published yet
    assert ApiClient(other_staff).get("/quality/entries").json() == {"count": 0, "items": []}

    services.publish_results(operator, campaign)

    row = ApiClient(staff).get("/quality/entries").json()["items"][0]
    assert (row["score"], row["decision"]) == ("50.0", "revise") and row["appeal_deadline"] is not None
    assert ApiClient(staff).get("/quality/entries", page_size=0).status_code == 422
