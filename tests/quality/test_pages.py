"""The pages of the assessment: the МОЦ's campaign, the expert's blind sheet, the provider's
result and appeal, the public results and the badge, the program's card, the export."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from opora.quality import services
from opora.quality.models import AssignmentStatus, CampaignStatus, Decision, Entry, EntryStatus
from tests import factories as f
from tests.quality.conftest import full_sheet


@pytest.fixture
def running(operator, campaign, published, experts):
    services.include_programs(operator, campaign, [published])
    services.start_campaign(operator, campaign)
    return Entry.objects.get(campaign=campaign)


def score(entry, value=2, comment="Всё на месте"):
    for a in entry.assignments.filter(status=AssignmentStatus.ASSIGNED):
        services.save_sheet(a.expert, a, full_sheet(a, value, comment), submit=True)
    entry.refresh_from_db()
    return entry


def test_the_moc_creates_a_campaign_includes_and_starts_it(client, operator, default_set, published, experts):
    client.force_login(operator)
    response = client.post(reverse("quality:campaign_create"), {
        "title": "НОК 2026", "starts_on": "2026-01-10", "ends_on": "2026-12-20",
        "scoring_deadline": "2026-12-10", "criteria_set": default_set.pk, "experts_per_program": 3,
        "spread_limit": "1", "appeal_days": 10, "applications_open": "on"})
    campaign = operator.municipality.quality_campaigns.get()
    assert response.status_code == 302

    client.post(reverse("quality:campaign_action", args=[campaign.pk, "include"]), {"programs": [published.pk]})
    client.post(reverse("quality:campaign_action", args=[campaign.pk, "start"]))

    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.RUNNING
    page = client.get(reverse("quality:campaign", args=[campaign.pk])).content.decode()
    assert published.title in page and "на экспертизе" in page


def test_campaign_form_shows_errors_and_keeps_nothing(client, operator, default_set):
    client.force_login(operator)
    response = client.post(reverse("quality:campaign_create"), {
        "title": "НОК", "starts_on": "2026-05-10", "ends_on": "2026-01-01", "scoring_deadline": "2026-03-01",
        "criteria_set": default_set.pk, "experts_per_program": 3, "spread_limit": "1", "appeal_days": 10})
    assert response.status_code == 400
    assert "Окончание не может быть раньше начала." in response.content.decode()
    assert not operator.municipality.quality_campaigns.exists()


def test_the_expert_page_is_blind_until_the_sheet_is_submitted(client, running):
    first, second, _third = running.assignments.all()
    services.save_sheet(first.expert, first, full_sheet(first, 1, "Тайное мнение первого"), submit=True)
    client.force_login(second.expert)

    before = client.get(reverse("quality:assignment", args=[second.pk])).content.decode()
    response = client.post(reverse("quality:assignment", args=[second.pk]), {
        "action": "submit", **{f"score-{c}": v for c, (v, _c) in full_sheet(second).items()}})
    after = client.get(reverse("quality:assignment", args=[second.pk])).content.decode()

    assert "Тайное мнение первого" not in before
    assert response.status_code == 302
    assert "Тайное мнение первого" in after


def test_the_expert_sees_a_refusal_next_to_the_criterion(client, running):
    assignment = running.assignments.first()
    client.force_login(assignment.expert)
    data = {"action": "submit", **{f"score-{c}": 1 for c in full_sheet(assignment)}}

    response = client.post(reverse("quality:assignment", args=[assignment.pk]), data)

    assert response.status_code == 400
    assert "объясните, почему балл ниже наибольшего" in response.content.decode()
    assert not assignment.scores.exists()


def test_another_expert_cannot_open_the_sheet(client, running, experts):
    assignment = running.assignments.first()
    outsider = next(e for e in experts if e.user_id not in set(running.assignments.values_list("expert", flat=True)))
    client.force_login(outsider.user)
    assert client.get(reverse("quality:assignment", args=[assignment.pk])).status_code == 404


def test_published_result_shows_a_badge_on_the_public_program_page(client, operator, campaign, running, published):
    score(running)
    assert client.get(reverse("navigator:program", args=[published.pk])).content.decode().count(
        "Прошла независимую оценку качества") == 0
    services.publish_results(operator, campaign)

    page = client.get(reverse("navigator:program", args=[published.pk])).content.decode()
    results = client.get(reverse("quality:public_campaign", args=[campaign.pk])).content.decode()

    assert "Прошла независимую оценку качества" in page
    assert published.title in results and "соответствует" in results


def test_unpublished_results_are_not_public(client, campaign, running):
    score(running)
    assert client.get(reverse("quality:public_campaign", args=[campaign.pk])).status_code == 404


def test_the_program_card_in_the_back_office_shows_the_result(client, operator, staff, campaign, running, published):
    score(running)
    services.publish_results(operator, campaign)
    client.force_login(staff)
    page = client.get(reverse("registry:program_detail", args=[published.pk])).content.decode()
    assert "Независимая оценка качества" in page and "100.0 %" in page.replace(",", ".")


def test_the_provider_appeals_from_its_page(client, operator, staff, campaign, running):
    score(running, value=1, comment="Нет оценочных материалов")
    services.publish_results(operator, campaign)
    client.force_login(staff)

    page = client.get(reverse("quality:provider_entry", args=[running.pk])).content.decode()
    response = client.post(reverse("quality:provider_entry", args=[running.pk]),
                           {"reason": "Оценочные материалы в приложении 3."})

    assert "Нет оценочных материалов" in page and "Подать апелляцию" in page
    assert response.status_code == 302
    assert running.appeal.reason == "Оценочные материалы в приложении 3."


def test_the_provider_applies_for_an_open_campaign(client, staff, campaign, published):
    client.force_login(staff)
    client.post(reverse("quality:provider_apply"), {"campaign": campaign.pk, "program": published.pk})
    assert Entry.objects.get(campaign=campaign, program=published).status == EntryStatus.APPLIED


def test_the_export_has_every_score(client, operator, campaign, running):
    score(running)
    client.force_login(operator)

    response = client.get(reverse("quality:campaign_export", args=[campaign.pk]))

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][0] == "Программа" and rows[0][11] == "Балл"
    assert len(rows) == 1 + 3 * 6
    assert {row[14] for row in rows[1:]} == {str(Decision.PASSED.label)}


def test_another_municipality_cannot_open_the_campaign(client, other_operator, campaign):
    client.force_login(other_operator)
    assert client.get(reverse("quality:campaign", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("quality:campaign_export", args=[campaign.pk])).status_code == 404


def test_the_authority_reads_but_does_not_start(client, authority, campaign, published, operator, experts):
    services.include_programs(operator, campaign, [published])
    client.force_login(authority)
    assert client.get(reverse("quality:campaign", args=[campaign.pk])).status_code == 200
    client.post(reverse("quality:campaign_action", args=[campaign.pk, "start"]))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_the_campaign_page_query_count_does_not_grow(client, operator, campaign, provider, experts,
                                                      django_assert_max_num_queries):
    programs = [f.program(provider, status="published") for _ in range(6)]
    services.include_programs(operator, campaign, programs)
    services.start_campaign(operator, campaign)
    client.force_login(operator)
    with django_assert_max_num_queries(30):
        assert client.get(reverse("quality:campaign", args=[campaign.pk])).status_code == 200


def test_criteria_new_version_page(client, operator, default_set):
    client.force_login(operator)
    data = {"title": default_set.title, "pass_threshold": "75", "revise_threshold": "55",
            "criteria-TOTAL_FORMS": "2", "criteria-INITIAL_FORMS": "0",
            "criteria-0-title": "Актуальность", "criteria-0-scale_max": "10", "criteria-0-weight": "2",
            "criteria-1-title": "", "criteria-1-scale_max": "2", "criteria-1-weight": "1"}
    response = client.post(reverse("quality:criteria_new", args=[default_set.pk]), data)
    assert response.status_code == 302
    created = services.current_set(operator.municipality)
    assert (created.version, created.criteria.get().scale_max) == (2, 10)


def test_settings_page_switches_the_certification_rule(client, operator):
    client.force_login(operator)
    client.post(reverse("quality:settings"), {"passed_required_for_certification": "on"})
    assert services.settings_of(operator.municipality).passed_required_for_certification is True


def test_monitoring_shows_the_share_of_programs_assessed(client, operator, campaign, running):
    score(running)
    services.publish_results(operator, campaign)
    client.force_login(operator)

    response = client.get(reverse("monitoring:index"))

    assert response.context["quality"]["passed"] == 1
    assert "Прошли оценку с результатом «соответствует»" in response.content.decode()
