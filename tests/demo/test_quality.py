"""The demo shows the quality assessment: a published campaign with its results and an
appeal, a campaign under way where the demo expert has a sheet to fill; parents' ratings."""

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
