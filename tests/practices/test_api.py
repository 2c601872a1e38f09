"""The bank in the API: the public list with filters and search, a practice, the submission."""

from opora.practices import services
from opora.practices.models import Practice, PracticeStatus
from tests.api.conftest import ApiClient
from tests.practices.conftest import practice_data, score_all


def test_the_public_list_and_detail_show_published_practices_only(operator, in_review, draft, staff):
    practice = services.publish(operator, score_all(in_review))
    hidden = services.save_practice(staff, practice_data(title="Черновик о театре"))
    anonymous = ApiClient()

    body = anonymous.get("/practices").json()
    assert [item["id"] for item in body["items"]] == [practice.pk] and body["count"] == 1
    assert body["items"][0]["organization"]["short_name"] == practice.organization.short_name
    assert anonymous.get("/practices", q="инженерного").json()["count"] == 1
    assert anonymous.get("/practices", kind="event").json()["count"] == 0
    assert anonymous.get("/practices", kind="cooking").status_code == 422

    detail = anonymous.get(f"/practices/{practice.pk}").json()
    assert detail["links"] == practice.links
    assert [p["title"] for p in detail["programs"]] == [practice.programs.get().title]
    assert anonymous.get(f"/practices/{hidden.pk}").status_code == 404


def test_a_provider_submits_through_the_api(staff, other_staff, draft):
    assert ApiClient(other_staff).post(f"/practices/{draft.pk}/submit").status_code == 404

    answer = ApiClient(staff).post(f"/practices/{draft.pk}/submit")

    assert answer.status_code == 200, answer.content.decode()
    assert answer.json()["status"] == "submitted"
    assert ApiClient(staff).post(f"/practices/{draft.pk}/submit").status_code == 409
    assert Practice.objects.get(pk=draft.pk).status == PracticeStatus.SUBMITTED


def test_submitting_without_results_is_a_400(staff):
    practice = services.save_practice(staff, practice_data(results=""))

    answer = ApiClient(staff).post(f"/practices/{practice.pk}/submit")

    assert answer.status_code in (400, 422) and "результаты" in answer.content.decode()
