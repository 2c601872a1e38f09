"""Use cases of the independent quality assessment (docs/domain.md §12). Each checks the
actor's right through ``opora.accounts.scope``, refuses bad input with a Russian message
and changes nothing then, and records what it changed in the audit trail.

A campaign: draft (the МОЦ includes programs, providers apply) → running
(``start_campaign``: experts are assigned, they score until the deadline) → published
(``publish_results``: every program has its result). The result of a program is
computed (``opora.quality.scoring``) when its last sheet comes in; a wide spread asks
one more expert first. After publication a provider may appeal within the campaign's
days; the МОЦ assigns a new expert and upholds or rejects the appeal.
"""

import datetime as dt
import logging
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opora import audit, locking, logs
from opora.accounts import scope
from opora.accounts.models import Role
from opora.errors import InvalidTransition, NotFound, ValidationFailed
from opora.quality import review, scoring
from opora.quality.models import (
    Appeal,
    AppealStatus,
    Assignment,
    AssignmentKind,
    AssignmentStatus,
    Campaign,
    CampaignStatus,
    CriteriaPurpose,
    CriteriaSet,
    Criterion,
    Decision,
    Entry,
    EntryStatus,
    Expert,
    QualitySettings,
    Score,
)
from opora.registry.choices import Direction, Ownership, ProgramStatus
from opora.registry.models import Program

log = logging.getLogger(__name__)
ACTIVE = (AssignmentStatus.ASSIGNED, AssignmentStatus.SUBMITTED)
LIVE_ENTRIES = (EntryStatus.INCLUDED, EntryStatus.SCORING, EntryStatus.DECIDED)
# An expert asked after the deadline (a wide spread, an appeal) has at least this long.
LATE_EXPERT_DAYS = 7
# Founders shared by several organizations: the municipality's or the region's bodies.
SHARED_FOUNDERS = (Ownership.MUNICIPAL, Ownership.REGIONAL)


def _today():
    return timezone.localdate()


# --- criteria sets --------------------------------------------------------------------


def current_set(municipality, purpose: str = CriteriaPurpose.PROGRAMS) -> CriteriaSet | None:
    """The newest version of the municipality's sets for ``purpose`` (programs, or the
    practices of the bank), else of the regional ones."""
    sets = CriteriaSet.objects.filter(purpose=purpose).order_by("-created_at", "-pk")
    if municipality is not None:
        own = sets.filter(municipality=municipality).first()
        if own is not None:
            return own
    return sets.filter(municipality=None).first()


def _decimal(errors, name, value, message, *, low=None, high=None):
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError, TypeError):
        errors.setdefault(name, []).append(message)
        return None
    if not number.is_finite() or (low is not None and number < low) or (high is not None and number > high):
        errors.setdefault(name, []).append(message)
        return None
    return number


def save_criteria_set(actor, municipality, *, title: str, criteria: list[dict], pass_threshold,
                      revise_threshold, based_on: CriteriaSet | None = None) -> CriteriaSet:
    """A new version of a set of criteria. Saved sets never change, so a campaign keeps
    the criteria and thresholds it started with (docs/domain.md §12)."""
    scope.require(actor, "quality.manage", CriteriaSet(municipality=municipality))
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("Укажите название набора критериев.")]
    elif len(title) > 300:
        errors["title"] = [_("Не длиннее 300 знаков.")]
    passed = _decimal(errors, "pass_threshold", pass_threshold,
                      _("Порог «соответствует» — число от 0 до 100."), low=0, high=100)
    revise = _decimal(errors, "revise_threshold", revise_threshold,
                      _("Порог «на доработку» — число от 0 до 100."), low=0, high=100)
    if passed is not None and revise is not None and revise > passed:
        errors["revise_threshold"] = [_("Порог «на доработку» не может быть выше порога "
                                        "«соответствует».")]
    rows = []
    for number, row in enumerate(criteria, start=1):
        name = (row.get("title") or "").strip()
        if not name:
            continue
        prefix = f"criteria-{number}"
        scale = _decimal(errors, f"{prefix}-scale_max", row.get("scale_max"),
                         _("Критерий %(n)d: наибольший балл — целое число от 1 до 100.") % {"n": number},
                         low=1, high=100)
        if scale is not None and scale != scale.to_integral_value():
            errors.setdefault(f"{prefix}-scale_max", []).append(
                _("Критерий %(n)d: наибольший балл — целое число от 1 до 100.") % {"n": number})
        weight = _decimal(errors, f"{prefix}-weight", row.get("weight", 1),
                          _("Критерий %(n)d: вес — положительное число до 100.") % {"n": number},
                          low=Decimal("0.01"), high=100)
        rows.append((name[:300], (row.get("description") or "").strip(), scale, weight,
                     bool(row.get("is_knock_out"))))
    if not rows:
        errors.setdefault("criteria", []).append(_("Добавьте хотя бы один критерий."))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        top = (CriteriaSet.objects.filter(municipality=municipality, title=title)
               .aggregate(top=Max("version"))["top"] or 0)
        version = max(top, based_on.version if based_on else 0) + 1
        created = CriteriaSet.objects.create(
            municipality=municipality, title=title, version=version, based_on=based_on,
            purpose=based_on.purpose if based_on else CriteriaPurpose.PROGRAMS,
            pass_threshold=passed, revise_threshold=revise, created_by=actor)
        Criterion.objects.bulk_create([
            Criterion(criteria_set=created, position=position, title=name, description=text,
                      scale_max=int(scale), weight=weight, is_knock_out=knock_out)
            for position, (name, text, scale, weight, knock_out) in enumerate(rows, start=1)])
        audit.record(actor, "quality.criteria.saved", created, to_state=str(version),
                     criteria=len(rows))
    return created


# --- settings and experts ----------------------------------------------------------------


def settings_of(municipality) -> QualitySettings:
    return (QualitySettings.objects.filter(municipality=municipality).first()
            or QualitySettings(municipality=municipality))


def set_certification_rule(actor, municipality, required: bool) -> QualitySettings:
    """Whether certification for certificate funding requires a passed result."""
    found = settings_of(municipality)
    scope.require(actor, "quality.configure", found)
    with transaction.atomic():
        before, adding = found.passed_required_for_certification, found._state.adding
        found.passed_required_for_certification = bool(required)
        found.save()
        if before != found.passed_required_for_certification or adding:
            action = "quality.settings.required" if required else "quality.settings.not_required"
            audit.record(actor, action, found.municipality)
    return found


def save_expert(actor, user, *, municipality, organization=None, position: str = "",
                directions=(), is_active: bool = True) -> Expert:
    """Add a person with the expert role to the municipality's (or the region's) experts,
    or change their directions and place of work."""
    errors = {}
    if user is None or user.role != Role.EXPERT:
        errors["user"] = [_("Экспертом может быть только пользователь с ролью «Эксперт».")]
    known = set(Direction.values)
    directions = [code for code in directions if code]
    if any(code not in known for code in directions):
        errors["directions"] = [_("Неизвестная направленность.")]
    if not directions:
        errors.setdefault("directions", []).append(_("Укажите хотя бы одну направленность."))
    if errors:
        raise ValidationFailed(errors)
    existing = Expert.objects.filter(user=user).first()
    if existing is not None:
        scope.require(actor, "quality.manage", existing)
    expert = existing or Expert(user=user)
    expert.municipality = municipality
    scope.require(actor, "quality.manage", expert)
    expert.organization = organization
    expert.position = (position or "").strip()[:300]
    expert.directions = [code for code in Direction.values if code in directions]
    expert.is_active = is_active
    with transaction.atomic():
        expert.save()
        audit.record(actor, "quality.expert.saved", expert, directions=expert.directions,
                     is_active=is_active)
    return expert


# --- campaigns -----------------------------------------------------------------------------


def _date(errors, data, name, message):
    value = data.get(name)
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip()) if value.strip() else None
        except ValueError:
            value = None
    if not isinstance(value, dt.date):
        errors.setdefault(name, []).append(message)
        return None
    return value


def _positive_int(errors, data, name, default, message, high):
    value = data.get(name, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors.setdefault(name, []).append(message)
        return None
    if not 1 <= number <= high:
        errors.setdefault(name, []).append(message)
        return None
    return number


def create_campaign(actor, municipality, data: dict) -> Campaign:
    """A campaign of a municipality (the МОЦ) or of the region (the РМЦ), in preparation,
    with the criteria set in force now unless another version is chosen."""
    campaign = Campaign(municipality=municipality)
    scope.require(actor, "quality.manage", campaign)
    errors: dict[str, list[str]] = {}
    title = str(data.get("title") or "").strip()
    if not title:
        errors["title"] = [_("Укажите название кампании.")]
    starts = _date(errors, data, "starts_on", _("Укажите дату начала."))
    ends = _date(errors, data, "ends_on", _("Укажите дату окончания."))
    deadline = _date(errors, data, "scoring_deadline", _("Укажите срок экспертизы."))
    if starts and ends and ends < starts:
        errors.setdefault("ends_on", []).append(_("Окончание не может быть раньше начала."))
    if deadline and starts and ends and not starts <= deadline <= ends:
        errors.setdefault("scoring_deadline", []).append(
            _("Срок экспертизы — в пределах периода кампании."))
    experts = _positive_int(errors, data, "experts_per_program", 3,
                            _("Экспертов на программу — от 1 до 10."), 10)
    appeal_days = _positive_int(errors, data, "appeal_days", 10,
                                _("Срок апелляции — от 1 до 90 дней."), 90)
    spread = _decimal(errors, "spread_limit", data.get("spread_limit", 1),
                      _("Допустимое расхождение — число баллов от 0 до 100."), low=0, high=100)
    criteria_set = data.get("criteria_set") or current_set(municipality)
    if criteria_set is None:
        errors.setdefault("criteria_set", []).append(_("Нет набора критериев."))
    elif criteria_set.municipality_id not in (None, getattr(municipality, "pk", None)):
        errors.setdefault("criteria_set", []).append(_("Этот набор критериев другого муниципалитета."))
    elif criteria_set.purpose != CriteriaPurpose.PROGRAMS:
        errors.setdefault("criteria_set", []).append(_("Этот набор критериев — для отбора практик, не программ."))
    if errors:
        raise ValidationFailed(errors)
    campaign.title = title[:300]
    campaign.starts_on, campaign.ends_on, campaign.scoring_deadline = starts, ends, deadline
    campaign.criteria_set = criteria_set
    campaign.experts_per_program = experts
    campaign.appeal_days = appeal_days
    campaign.spread_limit = spread
    campaign.exclude_same_founder = bool(data.get("exclude_same_founder"))
    campaign.applications_open = bool(data.get("applications_open", True))
    campaign.created_by = actor
    with transaction.atomic():
        campaign.save()
        audit.record(actor, "quality.campaign.created", campaign, to_state=CampaignStatus.DRAFT,
                     criteria_set=criteria_set.pk)
    return campaign


def _in_territory(campaign: Campaign, program: Program) -> bool:
    return (campaign.municipality_id is None
            or program.organization.municipality_id == campaign.municipality_id)


def include_programs(actor, campaign: Campaign, programs) -> int:
    """The МОЦ includes published programs of its territory (and accepts applications);
    returns how many were added. In a running campaign their experts are assigned at once."""
    scope.require(actor, "quality.manage", campaign)
    if campaign.status == CampaignStatus.PUBLISHED:
        raise InvalidTransition(_("Результаты кампании опубликованы: программы не добавляются."))
    programs = list(Program.objects.select_related("organization").filter(
        pk__in=[getattr(p, "pk", p) for p in programs]))
    wrong = [p.title for p in programs if not _in_territory(campaign, p)
             or p.status != ProgramStatus.PUBLISHED]
    if wrong:
        raise ValidationFailed({"programs": [
            _("Оценивать можно только опубликованные программы территории кампании: %(titles)s.")
            % {"titles": "; ".join(wrong[:5])}]})
    target = EntryStatus.SCORING if campaign.status == CampaignStatus.RUNNING else EntryStatus.INCLUDED
    added = 0
    with transaction.atomic():
        locking.row(Campaign, campaign.pk)
        existing = {e.program_id: e for e in Entry.objects.filter(campaign=campaign)}
        for program in programs:
            entry = existing.get(program.pk)
            if entry is not None and entry.status not in (EntryStatus.APPLIED, EntryStatus.DECLINED):
                continue
            before = entry.status if entry else ""
            entry = entry or Entry(campaign=campaign, program=program)
            entry.status = target
            entry.save()
            audit.record(actor, "quality.entry.included", entry, from_state=before, to_state=target)
            added += 1
        if target == EntryStatus.SCORING and added:
            _assign(actor, campaign)
    return added


def apply_for_assessment(actor, campaign: Campaign, program: Program) -> Entry:
    """A provider asks the МОЦ to include its published program in an open campaign."""
    scope.require(actor, "quality.apply", program)
    if campaign.status == CampaignStatus.PUBLISHED or not campaign.applications_open:
        raise InvalidTransition(_("Кампания не принимает заявки организаций."))
    if not _in_territory(campaign, program):
        raise ValidationFailed({"program": [_("Программа не относится к территории кампании.")]})
    if program.status != ProgramStatus.PUBLISHED:
        raise ValidationFailed({"program": [_("Подать на оценку можно только опубликованную программу.")]})
    with transaction.atomic():
        entry = locking.first(Entry.objects.filter(campaign=campaign, program=program))
        if entry is not None and entry.status != EntryStatus.DECLINED:
            raise InvalidTransition(_("Программа уже заявлена в этой кампании."))
        before = entry.status if entry else ""
        entry = entry or Entry(campaign=campaign, program=program)
        entry.status = EntryStatus.APPLIED
        entry.applied_by = actor
        entry.save()
        audit.record(actor, "quality.entry.applied", entry, from_state=before,
                     to_state=EntryStatus.APPLIED)
    return entry


def decline_entry(actor, entry: Entry, reason: str) -> Entry:
    """The МОЦ takes a program out of the campaign (or refuses an application) before any
    expert has submitted a sheet on it."""
    scope.require(actor, "quality.manage", entry.campaign)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_("Укажите причину.")]})
    with transaction.atomic():
        entry = locking.row(Entry, entry.pk)
        if entry.status not in (EntryStatus.APPLIED, EntryStatus.INCLUDED, EntryStatus.SCORING):
            raise InvalidTransition(_("Программа уже оценена или исключена."))
        if entry.assignments.filter(status=AssignmentStatus.SUBMITTED).exists():
            raise InvalidTransition(_("Эксперты уже сдали листы по этой программе."))
        entry.assignments.filter(status=AssignmentStatus.ASSIGNED).update(status=AssignmentStatus.WITHDRAWN)
        before = entry.status
        entry.status = EntryStatus.DECLINED
        entry.save(update_fields=["status"])
        audit.record(actor, "quality.entry.declined", entry, from_state=before,
                     to_state=EntryStatus.DECLINED, reason=reason)
    return entry


def start_campaign(actor, campaign: Campaign) -> dict:
    """Start the expertise: the included programs go to the experts, assigned
    automatically (``assign_automatically``); returns its summary."""
    scope.require(actor, "quality.manage", campaign)
    with transaction.atomic():
        campaign = locking.row(Campaign, campaign.pk)
        if campaign.status != CampaignStatus.DRAFT:
            raise InvalidTransition(_("Экспертиза по кампании уже начата."))
        included = Entry.objects.filter(campaign=campaign, status=EntryStatus.INCLUDED)
        if not included.exists():
            raise InvalidTransition(_("Включите в кампанию хотя бы одну программу."))
        included.update(status=EntryStatus.SCORING)
        campaign.status = CampaignStatus.RUNNING
        campaign.started_at = timezone.now()
        campaign.save(update_fields=["status", "started_at"])
        audit.record(actor, "quality.campaign.started", campaign, from_state=CampaignStatus.DRAFT,
                     to_state=CampaignStatus.RUNNING)
        logs.state_change(log, "quality.campaign.started", campaign=campaign.pk)
        return _assign(actor, campaign)


# --- experts on programs ------------------------------------------------------------------


def _founder(organization):
    """Organizations of one founder share this key; a private one has its own (None)."""
    if organization is None or organization.ownership not in SHARED_FOUNDERS:
        return None
    municipality = organization.municipality_id if organization.ownership == Ownership.MUNICIPAL else None
    return organization.ownership, organization.sector, municipality


def conflict(campaign: Campaign, program: Program, expert: Expert) -> str | None:
    """Why the expert may not assess the program, or None."""
    organization = expert.organization or expert.user.organization
    if organization is None:
        return None
    if organization.pk == program.organization_id:
        return _("Эксперт работает в организации, чья это программа.")
    if campaign.exclude_same_founder:
        key = _founder(organization)
        if key is not None and key == _founder(program.organization):
            return _("Эксперт работает в организации того же учредителя.")
    return None


def experts_for(campaign: Campaign):
    """The active experts a campaign may call: of its municipality and of the region."""
    experts = Expert.objects.filter(is_active=True, user__is_active=True,
                                    user__role=Role.EXPERT).select_related(
        "user__organization", "organization")
    if campaign.municipality_id is not None:
        experts = experts.filter(Q(municipality=campaign.municipality_id) | Q(municipality=None))
    return experts.order_by("pk")


def _due(campaign: Campaign, kind: str) -> dt.date:
    if kind == AssignmentKind.REGULAR:
        return campaign.scoring_deadline
    return max(campaign.scoring_deadline, _today() + dt.timedelta(days=LATE_EXPERT_DAYS))


def _loads(campaign: Campaign) -> dict:
    return dict(Assignment.objects.filter(entry__campaign=campaign, status__in=ACTIVE)
                .values_list("expert").annotate(n=Count("pk")).values_list("expert", "n"))


def _pick(campaign, entry, experts, loads, taken) -> Expert | None:
    """The eligible expert of the program's direction (else any) with the least load."""
    return review.pick_expert(experts, taken=taken, direction=entry.program.direction, loads=loads,
                              conflict=lambda expert: conflict(campaign, entry.program, expert))


def _new_assignment(actor, entry, expert_user_id, kind) -> Assignment:
    assignment = Assignment.objects.create(entry=entry, expert_id=expert_user_id, kind=kind,
                                           due_on=_due(entry.campaign, kind), assigned_by=actor)
    audit.record(actor, "quality.assignment.created", assignment, to_state=AssignmentStatus.ASSIGNED,
                 kind=kind, expert=expert_user_id)
    return assignment


def _assign(actor, campaign: Campaign) -> dict:
    entries = list(Entry.objects.filter(campaign=campaign, status=EntryStatus.SCORING)
                   .select_related("program__organization", "campaign")
                   .annotate(active=Count("assignments", filter=Q(assignments__status__in=ACTIVE)))
                   .order_by("pk"))
    experts = list(experts_for(campaign))
    loads = _loads(campaign)
    taken_of = {}
    for expert_id, entry_id in Assignment.objects.filter(
            entry__campaign=campaign, status__in=ACTIVE).values_list("expert", "entry"):
        taken_of.setdefault(entry_id, set()).add(expert_id)
    assigned, short = 0, []
    for entry in entries:
        taken = taken_of.setdefault(entry.pk, set())
        for _slot in range(campaign.experts_per_program - entry.active):
            expert = _pick(campaign, entry, experts, loads, taken)
            if expert is None:
                short.append(entry)
                break
            _new_assignment(actor, entry, expert.user_id, AssignmentKind.REGULAR)
            taken.add(expert.user_id)
            loads[expert.user_id] = loads.get(expert.user_id, 0) + 1
            assigned += 1
    return {"assigned": assigned, "short": short}


def assign_automatically(actor, campaign: Campaign) -> dict:
    """Fill every program on expertise up to the campaign's number of experts, with no
    conflict of interest, preferring experts of the program's direction and, among them,
    the least loaded in the campaign. Returns ``{"assigned": n, "short": [entries]}``."""
    scope.require(actor, "quality.manage", campaign)
    if campaign.status != CampaignStatus.RUNNING:
        raise InvalidTransition(_("Экспертов назначают, когда экспертиза начата."))
    with transaction.atomic():
        locking.row(Campaign, campaign.pk)
        return _assign(actor, campaign)


def _entry(entry) -> Entry:
    found = (Entry.objects.select_related("campaign__criteria_set", "program__organization")
             .filter(pk=getattr(entry, "pk", entry)).first())
    if found is None:
        raise NotFound(_("Программа на оценке не найдена."))
    return found


def assign_expert(actor, entry: Entry, expert_user) -> Assignment:
    """The МОЦ assigns an expert of its choice to a program on expertise (a program under
    appeal gets its new expert through ``assign_appeal_expert``)."""
    entry = _entry(entry)
    scope.require(actor, "quality.manage", entry.campaign)
    expert = experts_for(entry.campaign).filter(user=getattr(expert_user, "pk", expert_user)).first()
    if expert is None:
        raise ValidationFailed({"expert": [_("Этот эксперт не привлекается к кампании.")]})
    reason = conflict(entry.campaign, entry.program, expert)
    if reason:
        raise ValidationFailed({"expert": [reason]})
    with transaction.atomic():
        entry = locking.row(Entry, entry.pk)
        entry = _entry(entry)
        if entry.status != EntryStatus.SCORING:
            raise InvalidTransition(_("Программа не на экспертизе."))
        if entry.assignments.filter(expert=expert.user, status__in=ACTIVE).exists():
            raise InvalidTransition(_("Этот эксперт уже назначен на программу."))
        kind = AssignmentKind.REGULAR
        if (entry.assignments.filter(status__in=ACTIVE).count() >= entry.campaign.experts_per_program):
            kind = AssignmentKind.EXTRA
        assignment = _new_assignment(actor, entry, expert.user_id, kind)
        if entry.needs_expert:
            entry.needs_expert = False
            entry.save(update_fields=["needs_expert"])
    return assignment


def withdraw_assignment(actor, assignment: Assignment, reason: str = "") -> Assignment:
    """The МОЦ takes an expert off a program before they submit their sheet; their draft
    scores are deleted."""
    assignment = Assignment.objects.select_related("entry__campaign").filter(pk=assignment.pk).first()
    if assignment is None:
        raise NotFound(_("Назначение не найдено."))
    scope.require(actor, "quality.manage", assignment.entry.campaign)
    with transaction.atomic():
        fresh = locking.row(Assignment, assignment.pk)
        if fresh.status != AssignmentStatus.ASSIGNED:
            raise InvalidTransition(_("Эксперт уже сдал лист: назначение не снимается."))
        fresh.scores.all().delete()
        fresh.status = AssignmentStatus.WITHDRAWN
        fresh.save(update_fields=["status"])
        audit.record(actor, "quality.assignment.withdrawn", fresh, from_state=AssignmentStatus.ASSIGNED,
                     to_state=AssignmentStatus.WITHDRAWN, reason=(reason or "").strip())
        entry = locking.row(Entry, assignment.entry_id)
        _after_sheet(actor, entry)
    return fresh


# --- the expert's sheet ----------------------------------------------------------------------


def save_sheet(actor, assignment: Assignment, scores: dict, *, submit: bool = False) -> Assignment:
    """The assigned expert saves their scores (``{criterion_id: (value, comment)}``) and,
    with ``submit``, hands the sheet in: every criterion scored, a score below the top of
    its scale explained. A sheet handed in is final; after its due date none is taken."""
    assignment = (Assignment.objects.select_related("entry__campaign__criteria_set")
                  .filter(pk=getattr(assignment, "pk", assignment)).first())
    if assignment is None:
        raise NotFound(_("Назначение не найдено."))
    scope.require(actor, "quality.score", assignment)
    criteria = list(assignment.entry.campaign.criteria_set.criteria.all())
    values = review.read_sheet(criteria, scores, submit=submit)
    with transaction.atomic():
        entry = locking.row(Entry, assignment.entry_id)
        fresh = locking.row(Assignment, assignment.pk)
        if fresh.status != AssignmentStatus.ASSIGNED:
            raise InvalidTransition(_("Лист уже сдан или назначение снято."))
        if _today() > fresh.due_on:
            raise InvalidTransition(_("Срок экспертизы истёк %(date)s.") % {
                "date": fresh.due_on.strftime("%d.%m.%Y")})
        in_appeal = fresh.kind == AssignmentKind.APPEAL
        if entry.status != EntryStatus.SCORING and not in_appeal:
            raise InvalidTransition(_("Программа уже не на экспертизе."))
        review.store_sheet(fresh, criteria, values, Score)
        if submit:
            fresh.status = AssignmentStatus.SUBMITTED
            fresh.submitted_at = timezone.now()
            fresh.save(update_fields=["status", "submitted_at"])
            audit.record(actor, "quality.assignment.submitted", fresh,
                         from_state=AssignmentStatus.ASSIGNED, to_state=AssignmentStatus.SUBMITTED)
            logs.state_change(log, "quality.sheet.submitted", assignment=fresh.pk, entry=entry.pk)
            if not in_appeal:
                _after_sheet(actor, entry)
    return fresh


def _rules(criteria_set: CriteriaSet) -> list[scoring.Rule]:
    return review.rules_of(criteria_set)


def _sheets(entry: Entry, kinds) -> list[dict]:
    return review.sheets_of(Score.objects.filter(
        assignment__entry=entry, assignment__status=AssignmentStatus.SUBMITTED,
        assignment__kind__in=kinds).values_list("assignment", "criterion", "value"))


def _remarks(entry: Entry) -> str:
    """The experts' comments on the criteria scored below the top, for the provider."""
    return review.remarks_of(
        Score.objects.filter(assignment__entry=entry, assignment__status=AssignmentStatus.SUBMITTED)
        .select_related("criterion").order_by("criterion__position", "assignment"))


def _apply_result(entry: Entry, result: scoring.Result) -> None:
    review.apply_result(entry, result)
    entry.decided_at = timezone.now()


def _after_sheet(actor, entry: Entry) -> None:
    """Inside the transaction holding the entry's row: once every assigned expert has
    submitted, ask one more expert on a wide spread (once), else compute the result."""
    entry = _entry(entry)
    if entry.status != EntryStatus.SCORING:
        return
    assignments = list(entry.assignments.filter(status__in=ACTIVE).exclude(kind=AssignmentKind.APPEAL))
    if any(a.status == AssignmentStatus.ASSIGNED for a in assignments):
        return
    campaign = entry.campaign
    if len(assignments) < campaign.experts_per_program:
        return
    rules = _rules(campaign.criteria_set)
    sheets = _sheets(entry, (AssignmentKind.REGULAR, AssignmentKind.EXTRA))
    has_extra = any(a.kind == AssignmentKind.EXTRA for a in assignments)
    if review.needs_extra_expert(rules, sheets, campaign.spread_limit, extra_asked=has_extra):
        expert = _pick(campaign, entry, list(experts_for(campaign)), _loads(campaign),
                       {a.expert_id for a in entry.assignments.all()})
        if expert is None:
            entry.needs_expert = True
            entry.save(update_fields=["needs_expert"])
        else:
            _new_assignment(None, entry, expert.user_id, AssignmentKind.EXTRA)
        return
    criteria_set = campaign.criteria_set
    result = scoring.aggregate(rules, sheets, criteria_set.pass_threshold, criteria_set.revise_threshold)
    _apply_result(entry, result)
    entry.status = EntryStatus.DECIDED
    entry.needs_expert = False
    entry.remarks = entry.remarks or _remarks(entry)
    entry.save()
    audit.record(actor, "quality.entry.decided", entry, from_state=EntryStatus.SCORING,
                 to_state=EntryStatus.DECIDED, decision=result.decision, score=str(result.percent))
    logs.state_change(log, "quality.entry.decided", entry=entry.pk, decision=result.decision,
                      score=str(result.percent))


def set_remarks(actor, entry: Entry, remarks: str) -> Entry:
    """The МОЦ edits the remarks to the provider of an assessed program."""
    entry = _entry(entry)
    scope.require(actor, "quality.manage", entry.campaign)
    if entry.status != EntryStatus.DECIDED:
        raise InvalidTransition(_("Замечания пишут, когда программа оценена."))
    with transaction.atomic():
        entry.remarks = (remarks or "").strip()
        entry.save(update_fields=["remarks"])
        audit.record(actor, "quality.entry.remarks", entry)
    return entry


def publish_results(actor, campaign: Campaign) -> Campaign:
    """Publish a running campaign's results once every included program is assessed
    (applications the МОЦ has not decided on must be decided first)."""
    scope.require(actor, "quality.manage", campaign)
    with transaction.atomic():
        campaign = locking.row(Campaign, campaign.pk)
        if campaign.status != CampaignStatus.RUNNING:
            raise InvalidTransition(_("Опубликовать можно результаты идущей экспертизы."))
        open_entries = Entry.objects.filter(campaign=campaign).exclude(
            status__in=(EntryStatus.DECIDED, EntryStatus.DECLINED)).count()
        if open_entries:
            raise InvalidTransition(_("Не все программы оценены или рассмотрены: осталось %(n)d.")
                                    % {"n": open_entries})
        if not Entry.objects.filter(campaign=campaign, status=EntryStatus.DECIDED).exists():
            raise InvalidTransition(_("В кампании нет оценённых программ."))
        campaign.status = CampaignStatus.PUBLISHED
        campaign.published_at = timezone.now()
        campaign.save(update_fields=["status", "published_at"])
        audit.record(actor, "quality.campaign.published", campaign, from_state=CampaignStatus.RUNNING,
                     to_state=CampaignStatus.PUBLISHED)
        logs.state_change(log, "quality.campaign.published", campaign=campaign.pk)
    return campaign


# --- appeals ----------------------------------------------------------------------------------


def appeal_deadline(campaign: Campaign) -> dt.date | None:
    return review.appeal_deadline(campaign.published_at, campaign.appeal_days)


def file_appeal(actor, entry: Entry, reason: str) -> Appeal:
    """The provider appeals a published result other than «passed», once, within the
    campaign's days after publication."""
    entry = _entry(entry)
    scope.require(actor, "quality.apply", entry)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_("Изложите доводы апелляции.")]})
    campaign = entry.campaign
    if campaign.status != CampaignStatus.PUBLISHED or entry.status != EntryStatus.DECIDED:
        raise InvalidTransition(_("Апелляцию подают на опубликованный результат."))
    if entry.decision == Decision.PASSED:
        raise InvalidTransition(_("Программа прошла оценку: обжаловать нечего."))
    if _today() > appeal_deadline(campaign):
        raise InvalidTransition(_("Срок апелляции истёк %(date)s.") % {
            "date": appeal_deadline(campaign).strftime("%d.%m.%Y")})
    with transaction.atomic():
        locking.row(Entry, entry.pk)
        if Appeal.objects.filter(entry=entry).exists():
            raise InvalidTransition(_("Апелляция по этой программе уже подана."))
        appeal = Appeal.objects.create(entry=entry, reason=reason[:8000], filed_by=actor,
                                       decision_before=entry.decision, score_before=entry.score)
        audit.record(actor, "quality.appeal.filed", appeal, to_state=AppealStatus.FILED,
                     reason=reason[:300])
    return appeal


def assign_appeal_expert(actor, appeal: Appeal, expert_user=None) -> Assignment:
    """The МОЦ gives an appeal to a new expert (who has not assessed the program), chosen
    by hand or, without ``expert_user``, the least loaded eligible one."""
    appeal = Appeal.objects.select_related("entry__campaign", "entry__program__organization").get(pk=appeal.pk)
    entry = appeal.entry
    scope.require(actor, "quality.manage", entry.campaign)
    if appeal.status != AppealStatus.FILED:
        raise InvalidTransition(_("Апелляция уже рассмотрена."))
    with transaction.atomic():
        locking.row(Entry, entry.pk)
        if entry.assignments.filter(kind=AssignmentKind.APPEAL, status__in=ACTIVE).exists():
            raise InvalidTransition(_("Эксперт по апелляции уже назначен."))
        before = set(entry.assignments.values_list("expert", flat=True))
        experts = list(experts_for(entry.campaign))
        if expert_user is None:
            expert = _pick(entry.campaign, entry, experts, _loads(entry.campaign), before)
            if expert is None:
                raise InvalidTransition(_("Нет свободного эксперта без конфликта интересов, который "
                                          "ещё не оценивал программу."))
        else:
            expert = next((e for e in experts if e.user_id == getattr(expert_user, "pk", expert_user)), None)
            if expert is None:
                raise ValidationFailed({"expert": [_("Этот эксперт не привлекается к кампании.")]})
            if expert.user_id in before:
                raise ValidationFailed({"expert": [_("Апелляцию рассматривает новый эксперт.")]})
            reason = conflict(entry.campaign, entry.program, expert)
            if reason:
                raise ValidationFailed({"expert": [reason]})
        return _new_assignment(actor, entry, expert.user_id, AssignmentKind.APPEAL)


def decide_appeal(actor, appeal: Appeal, *, upheld: bool, answer: str) -> Appeal:
    """The МОЦ decides an appeal once the new expert has submitted: upheld, the result is
    computed again over every sheet including the new one; rejected, it stands."""
    appeal = Appeal.objects.select_related("entry__campaign__criteria_set").get(pk=appeal.pk)
    entry = appeal.entry
    scope.require(actor, "quality.manage", entry.campaign)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationFailed({"answer": [_("Напишите ответ организации.")]})
    with transaction.atomic():
        fresh = locking.row(Appeal, appeal.pk)
        entry = locking.row(Entry, entry.pk)
        entry = _entry(entry)
        if fresh.status != AppealStatus.FILED:
            raise InvalidTransition(_("Апелляция уже рассмотрена."))
        if not entry.assignments.filter(kind=AssignmentKind.APPEAL,
                                        status=AssignmentStatus.SUBMITTED).exists():
            raise InvalidTransition(_("Новый эксперт ещё не сдал лист по апелляции."))
        fresh.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
        fresh.answer = answer
        fresh.decided_by = actor
        fresh.decided_at = timezone.now()
        fresh.save()
        if upheld:
            criteria_set = entry.campaign.criteria_set
            result = scoring.aggregate(_rules(criteria_set), _sheets(entry, AssignmentKind.values),
                                       criteria_set.pass_threshold, criteria_set.revise_threshold)
            before = entry.decision
            _apply_result(entry, result)
            entry.save()
            audit.record(actor, "quality.entry.revised", entry, from_state=before,
                         to_state=result.decision, score=str(result.percent))
        audit.record(actor, "quality.appeal.decided", fresh, from_state=AppealStatus.FILED,
                     to_state=fresh.status, reason=answer[:300])
        logs.state_change(log, "quality.appeal.decided", appeal=fresh.pk, status=fresh.status)
    return fresh
