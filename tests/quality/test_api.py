"""The quality API: the campaigns of the МОЦ, the expert's blind sheet, public results."""

from opora.quality import services
from opora.quality.models import Entry
from tests.api.conftest import ApiClient
from tests.quality.conftest import full_sheet


def started(operator, campaign, published):
    services.include_programs(operator, campaign, [published])
    services.start_campaign(operator, campaign)
    return Entry.objects.get(campaign=campaign)


def test_the_moc_reads_its_campaign_with_programs(operator, other_operator, campaign, published, experts):
    started(operator, campaign, published)

    body = ApiClient(operator).http.get(f"/api/v1/quality/campaigns/{campaign.pk}").json()

    assert body["status"] == "running" and len(body["criteria_set"]["criteria"]) == 6
    assert [(e["program"]["id"], e["experts"], e["submitted"]) for e in body["entries"]] == [(published.pk, 3, 0)]
    assert ApiClient(other_operator).http.get(f"/api/v1/quality/campaigns/{campaign.pk}").status_code == 404
    assert ApiClient(operator).http.get("/api/v1/quality/campaigns").json()["count"] == 1


def test_the_api_sheet_is_blind_until_submitted(operator, campaign, published, experts):
    entry = started(operator, campaign, published)
    first, second, _third = entry.assignments.all()
    services.save_sheet(first.expert, first, full_sheet(first, 1, "Мнение первого"), submit=True)
    client = ApiClient(second.expert)

    before = client.get(f"/quality/assignments/{second.pk}")
    assert before.status_code == 200
    assert "Мнение первого" not in before.content.decode()
    assert all(line["others"] == [] for line in before.json()["lines"])

    answer = client.put(f"/quality/assignments/{second.pk}/sheet", {
        "scores": [{"criterion": c, "value": 2, "comment": ""} for c in full_sheet(second)], "submit": True})

    assert answer.status_code == 200, answer.content.decode()
    assert all(line["others"] == [{"expert": 1, "value": 1, "comment": "Мнение первого"}]
               for line in answer.json()["lines"])


def test_an_expert_reaches_only_their_own_assignments(operator, campaign, published, experts):
    entry = started(operator, campaign, published)
    first, second, _third = entry.assignments.all()
    client = ApiClient(first.expert)

    assert client.get(f"/quality/assignments/{second.pk}").status_code == 404
    assert client.put(f"/quality/assignments/{second.pk}/sheet", {"scores": [], "submit": False}).status_code == 404
    assert [a["id"] for a in client.get("/quality/assignments").json()["items"]] == [first.pk]


def test_a_bad_sheet_is_refused_in_russian(operator, campaign, published, experts):
    entry = started(operator, campaign, published)
    assignment = entry.assignments.first()
    criterion = next(iter(full_sheet(assignment)))

    answer = ApiClient(assignment.expert).put(f"/quality/assignments/{assignment.pk}/sheet", {
        "scores": [{"criterion": criterion, "value": 5}], "submit": False})

    assert answer.status_code == 422
    assert "балл от 0 до 2" in answer.content.decode()
    assert not assignment.scores.exists()


def test_public_results_need_no_sign_in(client, operator, campaign, published, experts):
    entry = started(operator, campaign, published)
    for a in entry.assignments.all():
        services.save_sheet(a.expert, a, full_sheet(a), submit=True)
    assert client.get(f"/api/v1/quality/results/{campaign.pk}").status_code == 404
    services.publish_results(operator, campaign)

    body = client.get(f"/api/v1/quality/results/{campaign.pk}").json()

    assert body["items"] == [{"program": {"id": published.pk, "title": published.title, "direction": "technical",
                                          "organization": published.organization.short_name},
                              "municipality": published.organization.municipality.name,
                              "score": "100.0", "decision": "passed"}]


def test_campaigns_are_not_listed_to_providers_experts_or_parents(staff, parent, regional, operator, published,
                                                                   experts):
    from tests.quality.conftest import campaign_data

    regional_campaign = services.create_campaign(regional, None, campaign_data())
    for user in (staff, parent, experts[0].user):
        client = ApiClient(user)
        assert client.get("/quality/campaigns").json()["count"] == 0
        assert client.get(f"/quality/campaigns/{regional_campaign.pk}").status_code == 404
    assert ApiClient(operator).get("/quality/campaigns").json()["count"] == 1
