"""Reads of the quality assessment shared by the pages, the API, the hooks and the export.

Blindness (docs/domain.md §12): ``sheet`` gives an expert their own scores and, only once
they have submitted their sheet, the submitted sheets of the others on the same program.
"""

from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils.translation import gettext as _

from opora.accounts import scope
from opora.errors import NotFound
from opora.quality import review
from opora.quality.models import (
    Appeal,
    Assignment,
    AssignmentStatus,
    Campaign,
    CampaignStatus,
    Decision,
    Entry,
    EntryStatus,
    Expert,
    QualitySettings,
    Score,
)
from opora.registry.choices import ProgramStatus
from opora.registry.models import Program

ACTIVE = (AssignmentStatus.ASSIGNED, AssignmentStatus.SUBMITTED)


def passed_required(municipality_id) -> bool:
    return QualitySettings.objects.filter(municipality_id=municipality_id,
                                          passed_required_for_certification=True).exists()


def _public_entries():
    return Entry.objects.filter(Entry.public_q())


def latest_result(program) -> Entry | None:
    """The program's latest published result."""
    return (_public_entries().filter(program=program).select_related("campaign")
            .order_by("-campaign__published_at", "-pk").first())


def entries_of_program(program) -> list[Entry]:
    return list(Entry.objects.filter(program=program).exclude(status=EntryStatus.DECLINED)
                .select_related("campaign").order_by("-campaign__starts_on", "-pk")[:5])


def describe(entry: Entry) -> str:
    """One sentence on a program's state in a campaign (published results only)."""
    campaign = entry.campaign
    if entry.status == EntryStatus.DECIDED and campaign.status == CampaignStatus.PUBLISHED:
        return _("«%(campaign)s»: %(decision)s, %(score)s %% (опубликовано %(date)s).") % {
            "campaign": campaign.title, "decision": entry.get_decision_display(),
            "score": entry.score, "date": campaign.published_at.strftime("%d.%m.%Y")}
    return _("«%(campaign)s»: %(status)s.") % {"campaign": campaign.title,
                                               "status": entry.get_status_display()}


# --- the back office ------------------------------------------------------------------------


def campaigns_for(user):
    """Campaigns of the user's territory, and the regional ones: for the МОЦ, the
    education authority and the РМЦ only (a provider sees its entries, an expert their
    assignments)."""
    if not scope.reads_territory(user):
        return Campaign.objects.none()
    own = scope.territory(user, Campaign.objects.all())
    return (Campaign.objects.filter(Q(pk__in=own.values("pk")) | Q(municipality=None))
            .select_related("municipality", "criteria_set")
            .annotate(programs=Count("entries", filter=~Q(entries__status=EntryStatus.DECLINED)),
                      decided=Count("entries", filter=Q(entries__status=EntryStatus.DECIDED)))
            .order_by("-starts_on", "-pk"))


def campaign_for(user, pk) -> Campaign:
    found = campaigns_for(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Кампания не найдена."))
    return found


def entries_of(campaign: Campaign):
    """A campaign's programs with their experts, for its page (a fixed number of queries)."""
    return (Entry.objects.filter(campaign=campaign)
            .select_related("program__organization__municipality")
            .prefetch_related(Prefetch(
                "assignments",
                queryset=Assignment.objects.exclude(status=AssignmentStatus.WITHDRAWN)
                .select_related("expert"), to_attr="live_assignments"))
            .annotate(has_appeal=Exists(Appeal.objects.filter(entry=OuterRef("pk"))))
            .order_by("status", "program__title"))


def entry_for(user, pk) -> Entry:
    """An entry of a campaign the user's territory reads (the МОЦ, authority, РМЦ)."""
    found = (Entry.objects.filter(campaign__in=campaigns_for(user).values("pk"), pk=pk)
             .select_related("campaign__criteria_set", "program__organization").first())
    if found is None:
        raise NotFound(_("Программа на оценке не найдена."))
    return found


def provider_entries(user):
    """Entries of the provider's programs."""
    return (scope.territory(user, Entry.objects.all())
            .select_related("campaign", "program").order_by("-campaign__starts_on", "program__title"))


def provider_entry(user, pk) -> Entry:
    found = provider_entries(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Программа на оценке не найдена."))
    return found


def open_campaigns_for(user):
    """Campaigns a provider may apply to: of its municipality or the region, open."""
    if user.organization_id is None:
        return Campaign.objects.none()
    return (Campaign.objects.filter(applications_open=True)
            .exclude(status=CampaignStatus.PUBLISHED)
            .filter(Q(municipality=user.organization.municipality_id) | Q(municipality=None))
            .order_by("scoring_deadline"))


def programs_to_include(campaign: Campaign):
    """Published programs of the campaign's territory not yet in it."""
    programs = Program.objects.filter(status=ProgramStatus.PUBLISHED)
    if campaign.municipality_id is not None:
        programs = programs.filter(organization__municipality=campaign.municipality_id)
    taken = Entry.objects.filter(campaign=campaign).exclude(
        status__in=(EntryStatus.APPLIED, EntryStatus.DECLINED)).values("program")
    return programs.exclude(pk__in=taken).select_related("organization").order_by("organization__short_name", "title")


def experts_for_user(user):
    own = scope.territory(user, Expert.objects.all())
    return (Expert.objects.filter(Q(pk__in=own.values("pk")) | Q(municipality=None))
            .select_related("user", "organization", "municipality")
            .annotate(load=Count("user__quality_assignments",
                                 filter=Q(user__quality_assignments__status=AssignmentStatus.ASSIGNED)))
            .order_by("user__last_name", "user__first_name", "pk"))


# --- the expert ---------------------------------------------------------------------------------


def assignments_of(user):
    return (Assignment.objects.filter(expert=user).exclude(status=AssignmentStatus.WITHDRAWN)
            .select_related("entry__program__organization", "entry__campaign")
            .order_by("status", "due_on", "pk"))


def assignment_of(user, pk) -> Assignment:
    found = assignments_of(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Назначение не найдено."))
    return found


Line = review.Line


def sheet(assignment: Assignment) -> list[Line]:
    """The criteria with the expert's own scores; the other experts' submitted scores
    only once this sheet is submitted (``review.sheet_lines``)."""
    others = (Score.objects.filter(assignment__entry_id=assignment.entry_id,
                                   assignment__status=AssignmentStatus.SUBMITTED)
              .exclude(assignment=assignment).order_by("assignment", "criterion__position"))
    return review.sheet_lines(assignment.entry.campaign.criteria_set.criteria.all(), assignment.scores.all(),
                              submitted=assignment.status == AssignmentStatus.SUBMITTED, others=others)


def scores_table(entry: Entry):
    """For the МОЦ: the sheets (assignments, withdrawn ones aside) and one row per
    criterion with each submitted sheet's score (None while a sheet is open) and the mean."""
    criteria = list(entry.campaign.criteria_set.criteria.all())
    sheets = list(entry.assignments.exclude(status=AssignmentStatus.WITHDRAWN)
                  .select_related("expert").prefetch_related("scores"))
    values = {(a.pk, s.criterion_id): s for a in sheets if a.status == AssignmentStatus.SUBMITTED
              for s in a.scores.all()}
    rows = [(c, [values.get((a.pk, c.pk)) for a in sheets], entry.criteria_means.get(str(c.pk)))
            for c in criteria]
    return sheets, rows


# --- public ----------------------------------------------------------------------------------


def public_campaigns():
    return (Campaign.objects.filter(Campaign.public_q()).select_related("municipality")
            .annotate(passed=Count("entries", filter=Q(entries__decision=Decision.PASSED,
                                                       entries__status=EntryStatus.DECIDED)),
                      decided=Count("entries", filter=Q(entries__status=EntryStatus.DECIDED)))
            .order_by("-published_at"))


def public_campaign(pk) -> Campaign:
    found = public_campaigns().filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Результаты не найдены."))
    return found


def public_results(campaign: Campaign):
    return (_public_entries().filter(campaign=campaign)
            .select_related("program__organization__municipality")
            .order_by("program__organization__municipality__name", "-score", "program__title"))


# --- the indicator -------------------------------------------------------------------------


def indicator(municipality_id: int | None = None) -> dict:
    """Programs of a territory (published) ready for the assessment (in a campaign) and
    having passed it (their latest published result «passed»), and their shares."""
    programs = Program.objects.filter(status=ProgramStatus.PUBLISHED)
    if municipality_id is not None:
        programs = programs.filter(organization__municipality=municipality_id)
    live = Entry.objects.filter(program=OuterRef("pk")).exclude(status=EntryStatus.DECLINED)
    latest = (_public_entries().filter(program=OuterRef("pk"))
              .order_by("-campaign__published_at", "-pk").values("decision")[:1])
    counts = programs.annotate(latest=latest).aggregate(
        total=Count("pk"), ready=Count("pk", filter=Exists(live)),
        passed=Count("pk", filter=Q(latest=Decision.PASSED)))

    def share(part):
        if not counts["total"]:
            return None
        return (Decimal(part) * 100 / counts["total"]).quantize(Decimal("0.1"))

    return {**counts, "ready_share": share(counts["ready"]), "passed_share": share(counts["passed"])}
