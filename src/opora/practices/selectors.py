"""Who sees which practices (docs/domain.md §14), shared by the pages, the API and the export.

- a provider's staff: their organization's practices, drafts included;
- the МОЦ and the education authority: their municipality's, once submitted;
- the РМЦ: the practices forwarded by every МОЦ (an administrator: every submitted one);
- an expert: the practices assigned to them (``assignments_of``);
- everyone: the published ones (``public_practices``).

Blindness: ``sheet`` gives an expert their own scores and, only once they have submitted,
the other submitted sheets of the same round, without names.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from opora.accounts import scope
from opora.accounts.models import Role
from opora.errors import NotFound
from opora.navigator.models import SearchSynonym
from opora.navigator.search import filter_by_stems
from opora.practices.models import (
    Assignment,
    AssignmentStatus,
    Practice,
    PracticeFile,
    PracticeKind,
    PracticeStatus,
    Score,
    TargetGroup,
)
from opora.quality import review
from opora.registry.choices import Direction, ProgramStatus
from opora.registry.models import Program

ACTIVE = (AssignmentStatus.ASSIGNED, AssignmentStatus.SUBMITTED)


def _base():
    return Practice.objects.select_related("organization", "municipality")


def practices_for(user):
    """The practices of the user's back office (see the module's note)."""
    if not scope.reads_back_office(user):
        return Practice.objects.none()
    if user.is_superuser:
        return _base().exclude(status=PracticeStatus.DRAFT)
    if user.role == Role.ORGANIZATION_STAFF:
        return scope.territory(user, _base())
    if user.role == Role.REGIONAL_CENTRE:
        return _base().filter(forwarded_at__isnull=False)
    return scope.territory(user, _base()).exclude(status=PracticeStatus.DRAFT)


def practice_for(user, pk) -> Practice:
    found = practices_for(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Практика не найдена."))
    return found


def file_for(user, pk) -> PracticeFile:
    """A file of a practice the user sees in the back office, or of one assigned to them."""
    found = PracticeFile.objects.filter(pk=pk).filter(
        Q(practice__in=practices_for(user).values("pk"))
        | Q(practice__assignments__expert=user.pk, practice__assignments__status__in=ACTIVE)).first()
    if found is None:
        raise NotFound(_("Файл не найден."))
    return found


def public_file(pk) -> PracticeFile:
    found = PracticeFile.objects.filter(pk=pk, practice__status=PracticeStatus.PUBLISHED).first()
    if found is None:
        raise NotFound(_("Файл не найден."))
    return found


# --- the expert ----------------------------------------------------------------------------


def assignments_of(user):
    return (Assignment.objects.filter(expert=user.pk).exclude(status=AssignmentStatus.WITHDRAWN)
            .select_related("practice__organization", "practice__municipality")
            .order_by("status", "due_on", "pk"))


def assignment_of(user, pk) -> Assignment:
    found = assignments_of(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Назначение не найдено."))
    return found


Line = review.Line


def sheet(assignment: Assignment) -> list[Line]:
    """The criteria with the expert's own scores; the others' submitted scores of the
    same round only once this sheet is submitted (the shared ``review.sheet_lines``)."""
    others = (Score.objects.filter(assignment__practice_id=assignment.practice_id,
                                   assignment__round=assignment.round,
                                   assignment__status=AssignmentStatus.SUBMITTED)
              .exclude(assignment=assignment).order_by("assignment", "criterion__position"))
    return review.sheet_lines(assignment.practice.criteria_set.criteria.all(), assignment.scores.all(),
                              submitted=assignment.status == AssignmentStatus.SUBMITTED, others=others)


# --- the МОЦ's review page -----------------------------------------------------------------------


def scores_table(practice: Practice):
    """The sheets of the current round (withdrawn aside) and, per criterion, each
    submitted sheet's score (None while open) and the mean."""
    if practice.criteria_set_id is None:
        return [], []
    criteria = list(practice.criteria_set.criteria.all())
    sheets = list(practice.assignments.filter(round=practice.review_round)
                  .exclude(status=AssignmentStatus.WITHDRAWN)
                  .select_related("expert").prefetch_related("scores"))
    values = {(a.pk, s.criterion_id): s for a in sheets if a.status == AssignmentStatus.SUBMITTED
              for s in a.scores.all()}
    rows = [(c, [values.get((a.pk, c.pk)) for a in sheets], practice.criteria_means.get(str(c.pk)))
            for c in criteria]
    return sheets, rows


# --- public ------------------------------------------------------------------------------------


@dataclass
class BankQuery:
    text: str = ""
    direction: str = ""
    target_group: str = ""
    kind: str = ""
    municipality: int | None = None
    corrections: dict = field(default_factory=dict)

    @classmethod
    def from_get(cls, data) -> "BankQuery":
        def one(name, choices):
            value = data.get(name, "")
            return value if value in dict(choices) else ""

        municipality = str(data.get("municipality") or "")
        return cls(text=(data.get("q") or "").strip()[:200], direction=one("direction", Direction.choices),
                   target_group=one("target_group", TargetGroup.choices), kind=one("kind", PracticeKind.choices),
                   municipality=int(municipality) if municipality.isdigit() and len(municipality) < 10 else None)

    @property
    def empty(self) -> bool:
        return not (self.text or self.direction or self.target_group or self.kind or self.municipality)


def public_practices(query: BankQuery | None = None):
    """The published practices, filtered; the typed text is read the navigator's way
    (stems, the МОЦ's dictionary, misprints: ``navigator.search.filter_by_stems``)."""
    practices = _base().filter(Practice.public_q())
    if query is None:
        return practices.order_by("-published_at", "-pk")
    for name in ("direction", "target_group", "kind"):
        if getattr(query, name):
            practices = practices.filter(**{name: getattr(query, name)})
    if query.municipality:
        practices = practices.filter(municipality=query.municipality)
    if query.text:
        synonyms = SearchSynonym.objects.values_list("variants", flat=True)
        practices, query.corrections = filter_by_stems(practices, query.text, synonyms=list(synonyms))
    return practices.order_by("-is_regional", "-published_at", "-pk")


def public_practice(pk) -> Practice:
    found = (_base().filter(Practice.public_q(), pk=pk)
             .prefetch_related("files", Prefetch("programs", queryset=Program.objects.filter(
                 status=ProgramStatus.PUBLISHED).order_by("title"), to_attr="public_programs")).first())
    if found is None:
        raise NotFound(_("Практика не найдена."))
    return found
