"""The expert review shared by the quality assessment of programs and the bank of best
practices (``opora.practices``): one mechanism, two kinds of reviewed object.

What is shared here, with no knowledge of campaigns or practices:

- ``read_sheet`` — the rules of an expert's sheet (a score within the criterion's scale,
  every criterion scored and a score below the top explained when handing in), with the
  same Russian messages for both;
- ``store_sheet`` — saving the sheet's scores on a score model (``assignment``,
  ``criterion``, ``value``, ``comment``);
- ``rules_of`` / ``sheets_of`` — the criteria and the submitted sheets as the input of
  ``opora.quality.scoring`` (``aggregate``, ``wide_spread``);
- ``needs_extra_expert`` — the large-spread rule: one more expert when two scores of a
  criterion differ by more than the limit, asked once per review;
- ``pick_expert`` — automatic assignment: no conflict of interest, not one already on the
  review, the reviewed object's direction first, then the least loaded;
- ``apply_result`` — the stored result (percentage, decision, knock-out, means);
- ``remarks_of`` — the experts' comments on the criteria scored below the top;
- ``sheet_lines`` — the blind sheet: what an expert sees of the other sheets, nothing
  before their own is submitted, then the submitted ones numbered, without names;
- ``appeal_deadline`` — the last day of an appeal.

The models stay where they are (``quality.Assignment``/``Score`` on a campaign's entry,
``practices.Assignment``/``Score`` on a practice's round): docs/decisions.md, «One review
mechanism for programs and practices».
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from opora.errors import ValidationFailed
from opora.quality import scoring

COMMENT_MAX = 4000


def _clean_comment(value) -> str:
    return value.replace("\x00", "").strip()[:COMMENT_MAX] if isinstance(value, str) else ""


def read_sheet(criteria, scores: dict, *, submit: bool) -> dict:
    """``{criterion_id: (value or None, comment)}`` from the typed ``scores`` (keyed by a
    criterion's id or its string, ``(value, comment)`` each); refuses, changing nothing,
    a score outside the scale and, when ``submit``, a missing score or an unexplained one
    below the top."""
    errors: dict[str, list[str]] = {}
    values = {}
    for criterion in criteria:
        raw, comment = scores.get(criterion.pk, scores.get(str(criterion.pk), (None, "")))
        value = None
        if raw not in (None, ""):
            try:
                value = int(str(raw).strip())
            except ValueError:
                value = -1
            if not 0 <= value <= criterion.scale_max:
                errors.setdefault(f"score-{criterion.pk}", []).append(
                    _("«%(title)s»: балл от 0 до %(top)d.") % {"title": criterion.title, "top": criterion.scale_max})
                value = None
        comment = _clean_comment(comment)
        if submit and value is None and f"score-{criterion.pk}" not in errors:
            errors.setdefault(f"score-{criterion.pk}", []).append(
                _("«%(title)s»: поставьте балл.") % {"title": criterion.title})
        if submit and value is not None and value < criterion.scale_max and not comment:
            errors.setdefault(f"comment-{criterion.pk}", []).append(
                _("«%(title)s»: объясните, почему балл ниже наибольшего.") % {"title": criterion.title})
        values[criterion.pk] = (value, comment)
    if errors:
        raise ValidationFailed(errors)
    return values


def store_sheet(assignment, criteria, values: dict, score_model) -> None:
    """Write the read sheet on ``assignment``'s scores (inside the caller's transaction)."""
    kept = {s.criterion_id: s for s in assignment.scores.all()}
    for criterion in criteria:
        value, comment = values[criterion.pk]
        score = kept.get(criterion.pk)
        if value is None:
            if score is not None:
                score.delete()
        elif score is None:
            score_model.objects.create(assignment=assignment, criterion=criterion, value=value, comment=comment)
        elif (score.value, score.comment) != (value, comment):
            score.value, score.comment = value, comment
            score.save(update_fields=["value", "comment"])


def rules_of(criteria_set) -> list[scoring.Rule]:
    return [scoring.Rule(key=c.pk, scale_max=c.scale_max, weight=c.weight, is_knock_out=c.is_knock_out)
            for c in criteria_set.criteria.all()]


def sheets_of(rows: Iterable[tuple]) -> list[dict]:
    """Sheets ``{criterion: value}`` from ``(assignment, criterion, value)`` rows."""
    sheets: dict[int, dict] = {}
    for assignment_id, criterion_id, value in rows:
        sheets.setdefault(assignment_id, {})[criterion_id] = value
    return list(sheets.values())


def needs_extra_expert(rules: list[scoring.Rule], sheets: list[dict], limit: Decimal, *,
                       extra_asked: bool) -> bool:
    """The large-spread rule: two sheets differ on a criterion by more than ``limit`` and
    no extra expert has been asked in this review yet (one is asked once)."""
    return not extra_asked and bool(scoring.wide_spread(rules, sheets, Decimal(limit)))


def pick_expert(experts, *, taken: set, direction: str, conflict: Callable, loads: dict | None = None):
    """The eligible expert (no conflict of interest, not in ``taken``) of ``direction``
    first, then with the least load (``loads[user_id]``, else the expert's ``load``
    annotation, else 0), then the oldest profile; None when nobody is eligible."""
    eligible = [e for e in experts if e.user_id not in taken and conflict(e) is None]
    if not eligible:
        return None

    def load(expert):
        if loads is not None:
            return loads.get(expert.user_id, 0)
        return getattr(expert, "load", 0) or 0

    return min(eligible, key=lambda e: (direction not in e.directions, load(e), e.pk))


def apply_result(target, result: scoring.Result) -> None:
    """Store ``result`` on the reviewed object (an entry or a practice), unsaved."""
    target.score = result.percent
    target.decision = result.decision
    target.knocked_out = result.knocked_out
    target.criteria_means = {str(key): str(mean) for key, mean in result.means.items()}


def remarks_of(scores) -> str:
    """The experts' comments on the criteria scored below the top, for the provider
    (``scores``: submitted scores with their criterion, in the order to show)."""
    return "\n".join(f"{s.criterion.title}: {s.comment}" for s in scores
                     if s.value < s.criterion.scale_max and s.comment)


@dataclass
class Line:
    """One criterion of an expert's sheet: their own score and comment, and the other
    submitted sheets' ``(number, value, comment)`` when they may be seen."""

    criterion: object
    value: int | None = None
    comment: str = ""
    others: list = field(default_factory=list)
    errors: list = field(default_factory=list)


def sheet_lines(criteria, own_scores, *, submitted: bool, others) -> list[Line]:
    """The blind sheet: the criteria with the expert's own scores; the other sheets'
    submitted scores (``others``, a lazy queryset ordered by sheet) only once this sheet
    is submitted (``others`` is not even read before), numbered, never named."""
    own = {s.criterion_id: s for s in own_scores}
    lines = [Line(c, own[c.pk].value if c.pk in own else None, own[c.pk].comment if c.pk in own else "")
             for c in criteria]
    if not submitted:
        return lines
    by_criterion = {line.criterion.pk: line for line in lines}
    numbers: dict[int, int] = {}
    for score in others:
        number = numbers.setdefault(score.assignment_id, len(numbers) + 1)
        if score.criterion_id in by_criterion:
            by_criterion[score.criterion_id].others.append((number, score.value, score.comment))
    return lines


def appeal_deadline(since, days: int) -> dt.date | None:
    """The last day of an appeal: ``days`` after the day of ``since`` (a moment or a day)."""
    if since is None:
        return None
    day = timezone.localdate(since) if isinstance(since, dt.datetime) else since
    return day + dt.timedelta(days=days)
