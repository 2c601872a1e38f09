"""The demo shows the quality assessment: a published campaign with its results and an
appeal, a campaign under way where the demo expert has a sheet to fill; parents' ratings."""

from django.db.models import F
from django.urls import reverse

from opora.financing.models import Contract, ContractStatus
from opora.quality.models import (
    Appeal,
    AssignmentStatus,
    Campaign,
    CampaignStatus,
    CommentStatus,
    Decision,
    Entry,
    ProgramRating,
    Rating,
)


def test_demo_has_published_results_an_appeal_and_open_sheets(demo):
    published = Campaign.objects.get(status=CampaignStatus.PUBLISHED)
    decisions = set(Entry.objects.filter(campaign=published).values_list("decision", flat=True))
    assert {Decision.PASSED, Decision.REVISE, Decision.FAILED} <= decisions
    assert Appeal.objects.filter(entry__campaign=published).count() == 1

    running = Campaign.objects.get(status=CampaignStatus.RUNNING)
    mine = running.entries.filter(assignments__expert__email="expert@demo.opora",
                                  assignments__status=AssignmentStatus.ASSIGNED)
    assert mine.exists()


def test_demo_has_parents_ratings_shown_on_some_programs_and_comments_to_moderate(demo):
    assert ProgramRating.objects.filter(shown=True).exists()
    statuses = set(Rating.objects.values_list("comment_status", flat=True))
    assert {CommentStatus.PUBLISHED, CommentStatus.PENDING} <= statuses
    assert not Rating.objects.filter(parent__email="parent@demo.opora").exists()
    assert Rating.objects.filter(program__organization__staff__email="staff@demo.opora").exclude(
        answer="").exists()


def test_demo_has_contracts_ended_early_by_parents_and_a_rating_that_shows_the_penalty(demo, client):
    penalised = ProgramRating.objects.filter(shown=True, early_by_parents__gt=0).select_related("rules").first()
    assert penalised is not None
    assert penalised.score < penalised.weighted
    closed = Contract.objects.filter(module__program_id=penalised.program_id, status=ContractStatus.CLOSED,
                                     application__ended_by_parent=True, terminated_on__lt=F("ends_on"))
    assert closed.count() == penalised.early_by_parents
    page = client.get(reverse("quality:program_rating", args=[penalised.program_id])).content.decode()
    assert "досрочно расторгнутых по заявлению родителей" in page
    assert f"({penalised.early_by_parents} из {penalised.contracts})" in page
