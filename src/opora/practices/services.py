"""Use cases of the bank of best practices (docs/domain.md §14). Each checks the actor's
right through ``opora.accounts.scope``, refuses bad input with a Russian message and then
changes nothing, and records what it changed in the audit trail.

draft → submitted (``submit``, the provider) → review (``start_review``, the МОЦ assigns
experts who score blind with the criteria set of purpose «practices») → published
(``publish``) or returned with remarks (``return_practice``; the provider edits and
submits again, the next round of review starts afresh) → archived (``archive``). As in
the campaigns, a wide spread of two sheets asks one more expert before the result, and a
provider may appeal a return within the municipality's days (``file_appeal``): the МОЦ
gives it to a new expert (``assign_appeal_expert``) and decides it (``decide_appeal``).
The sheet's rules, the spread, the choice of experts and the blindness are the shared
``opora.quality.review``. The МОЦ
forwards published practices to the РМЦ (``forward``); the РМЦ marks regional ones
(``mark_regional``). The experts, their conflict of interest and the scoring rules are
the quality assessment's (``opora.quality``).
"""

import datetime as dt
import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opora import audit, locking, logs
from opora.accounts import scope
from opora.accounts.models import Role
from opora.errors import InvalidTransition, NotFound, ValidationFailed
from opora.navigator.search import stored_stems
from opora.practices.models import (
    AppealStatus,
    Assignment,
    AssignmentStatus,
    Practice,
    PracticeAppeal,
    PracticeFile,
    PracticeKind,
    PracticeSettings,
    PracticeStatus,
    Score,
    TargetGroup,
)
from opora.quality import review, scoring
from opora.quality import services as quality
from opora.quality.models import AssignmentKind, CriteriaPurpose, Decision, Expert
from opora.registry.choices import Direction, ProgramStatus
from opora.registry.models import Program

log = logging.getLogger(__name__)

MAX_EXPERTS_PER_PRACTICE = 10
REVIEW_DAYS = 14
# An extra expert (a wide spread) or an appeal's expert has at least this long.
LATE_EXPERT_DAYS = 7
MAX_APPEAL_DAYS = 90
MAX_REVIEW_DAYS = 90
MAX_TEXT = 8000
MAX_LINKS = 10
MAX_FILES = 10
MAX_FILE_MB = 20
# extension -> the bytes a file of that kind starts with (DOCX and XLSX are zip archives)
FILE_TYPES = {"pdf": (b"%PDF-",), "docx": (b"PK\x03\x04",), "xlsx": (b"PK\x03\x04",)}
EDITABLE = (PracticeStatus.DRAFT, PracticeStatus.RETURNED)
ACTIVE = (AssignmentStatus.ASSIGNED, AssignmentStatus.SUBMITTED)
TEXTS = ("summary", "goals", "resources", "results", "replication")


def _today():
    return timezone.localdate()


def _text(value) -> str:
    return value.replace("\x00", "").strip() if isinstance(value, str) else ""


def _practice(practice) -> Practice:
    found = (Practice.objects.select_related("organization", "municipality", "criteria_set")
             .filter(pk=getattr(practice, "pk", practice)).first())
    if found is None:
        raise NotFound(_("Практика не найдена."))
    return found


def _open_appeal(practice: Practice) -> PracticeAppeal | None:
    """The appeal of the practice's current round still waiting for the МОЦ, if any."""
    return PracticeAppeal.objects.filter(practice=practice, round=practice.review_round,
                                         status=AppealStatus.FILED).first()


def _no_open_appeal(practice: Practice) -> None:
    if _open_appeal(practice) is not None:
        raise InvalidTransition(_("Идёт апелляция: практику меняют и подают снова после решения МОЦ."))


def _stems(practice: Practice) -> str:
    return stored_stems(practice.title, practice.authors, practice.organization.short_name,
                        practice.organization.full_name, practice.get_direction_display(),
                        practice.get_kind_display(), practice.get_target_group_display(),
                        *(getattr(practice, name) for name in TEXTS))


# --- the provider: writing, files, submission ------------------------------------------------


def clean_links(errors, raw) -> list[str]:
    """Links as a list or one per line: http(s) addresses only, at most ``MAX_LINKS``."""
    if isinstance(raw, str):
        raw = raw.splitlines()
    links = [_text(link) for link in (raw or []) if _text(link)]
    check = URLValidator(schemes=["http", "https"])
    for link in links:
        try:
            if len(link) > 500:
                raise DjangoValidationError("long")
            check(link)
        except DjangoValidationError:
            errors.setdefault("links", []).append(
                _("«%(link)s» — не ссылка http:// или https://.") % {"link": link[:80]})
    if len(links) > MAX_LINKS:
        errors.setdefault("links", []).append(_("Не больше %(n)d ссылок.") % {"n": MAX_LINKS})
    return list(dict.fromkeys(links))


def _clean(data: dict, organization) -> tuple[dict, list]:
    errors: dict[str, list[str]] = {}
    fields = {}
    for name, limit, message in (("title", 300, _("Укажите название практики.")),
                                 ("authors", 500, _("Укажите авторов практики."))):
        value = _text(data.get(name))
        if not value:
            errors[name] = [message]
        elif len(value) > limit:
            errors[name] = [_("Не длиннее %(n)d знаков.") % {"n": limit}]
        fields[name] = value
    for name, choices, message in (("direction", Direction, _("Выберите направленность.")),
                                   ("kind", PracticeKind, _("Выберите вид практики.")),
                                   ("target_group", TargetGroup, _("Выберите целевую группу."))):
        value = data.get(name) or (TargetGroup.ALL if name == "target_group" else "")
        if value not in choices.values:
            errors[name] = [message]
        fields[name] = value
    for name in TEXTS:
        value = _text(data.get(name))
        if len(value) > MAX_TEXT:
            errors[name] = [_("Не длиннее %(n)d знаков.") % {"n": MAX_TEXT}]
        fields[name] = value
    if not fields["summary"]:
        errors["summary"] = [_("Опишите практику кратко.")]
    fields["links"] = clean_links(errors, data.get("links"))
    wanted = {int(pk) for pk in (data.get("programs") or []) if str(pk).isdigit()}
    programs = list(Program.objects.filter(pk__in=wanted, organization=organization))
    if len(programs) != len(wanted) or len(wanted) != len(data.get("programs") or []):
        errors["programs"] = [_("Связать можно только программы своей организации.")]
    if errors:
        raise ValidationFailed(errors)
    return fields, programs


def save_practice(actor, data: dict, practice: Practice | None = None) -> Practice:
    """A provider's new practice of its organization (a draft), or an edit of a draft or
    a returned practice."""
    if practice is None:
        organization = getattr(actor, "organization", None) if actor.role == Role.ORGANIZATION_STAFF else None
        if organization is None:
            raise ValidationFailed({"__all__": [_("Практику пишет сотрудник организации.")]})
        practice = Practice(organization=organization, municipality_id=organization.municipality_id,
                            created_by=actor)
    else:
        practice = _practice(practice)
    scope.require(actor, "practices.edit", practice)
    fields, programs = _clean(data, practice.organization)
    with transaction.atomic():
        adding = practice.pk is None
        if not adding:
            practice = locking.row(Practice, practice.pk)
            if practice.status not in EDITABLE:
                raise InvalidTransition(_("Изменить можно черновик или практику, возвращённую на доработку."))
            _no_open_appeal(practice)
        for name, value in fields.items():
            setattr(practice, name, value)
        practice.search_stems = _stems(practice)
        practice.save()
        practice.programs.set(programs)
        audit.record(actor, "practices.practice.created" if adding else "practices.practice.edited",
                     practice, to_state=practice.status if adding else "")
    return practice


def check_file(errors, upload) -> str:
    """The lower-case extension of an acceptable file, or '' with an error added: PDF,
    DOCX or XLSX of at most ``MAX_FILE_MB`` whose first bytes are what the name says."""
    name = getattr(upload, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in FILE_TYPES:
        errors.setdefault("file", []).append(_("Приложить можно только PDF, DOCX или XLSX."))
        return ""
    if upload.size > MAX_FILE_MB * 1024 * 1024:
        errors.setdefault("file", []).append(
            _("Файл больше %(n)d МБ: уменьшите его или разделите на части.") % {"n": MAX_FILE_MB})
        return ""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(FILE_TYPES[extension]):
        errors.setdefault("file", []).append(
            _("Файл повреждён или не является %(kind)s.") % {"kind": extension.upper()})
        return ""
    return extension


def add_file(actor, practice: Practice, upload) -> PracticeFile:
    practice = _practice(practice)
    scope.require(actor, "practices.edit", practice)
    errors: dict[str, list[str]] = {}
    if upload is None:
        errors["file"] = [_("Выберите файл.")]
    else:
        check_file(errors, upload)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        practice = locking.row(Practice, practice.pk)
        if practice.status not in EDITABLE:
            raise InvalidTransition(_("Файлы меняют в черновике или в практике, возвращённой на доработку."))
        _no_open_appeal(practice)
        if practice.files.count() >= MAX_FILES:
            raise ValidationFailed({"file": [_("Не больше %(n)d файлов.") % {"n": MAX_FILES}]})
        added = PracticeFile(practice=practice, name=(upload.name or "file")[-200:], size=upload.size)
        added.file.save(added.name, upload, save=False)
        added.save()
        audit.record(actor, "practices.file.added", practice, file=added.name)
    return added


def remove_file(actor, practice_file: PracticeFile) -> None:
    practice = _practice(practice_file.practice_id)
    scope.require(actor, "practices.edit", practice)
    with transaction.atomic():
        practice = locking.row(Practice, practice.pk)
        if practice.status not in EDITABLE:
            raise InvalidTransition(_("Файлы меняют в черновике или в практике, возвращённой на доработку."))
        _no_open_appeal(practice)
        name = practice_file.name
        practice_file.file.delete(save=False)
        practice_file.delete()
        audit.record(actor, "practices.file.removed", practice, file=name)


def submit(actor, practice: Practice) -> Practice:
    """The provider sends a draft (or a practice it has revised) to the МОЦ: the results
    and the conditions of replication must be described."""
    practice = _practice(practice)
    scope.require(actor, "practices.edit", practice)
    missing = {}
    if not practice.results:
        missing["results"] = [_("Опишите результаты и их подтверждение.")]
    if not practice.replication:
        missing["replication"] = [_("Опишите условия тиражирования.")]
    with transaction.atomic():
        fresh = locking.row(Practice, practice.pk)
        if fresh.status not in EDITABLE:
            raise InvalidTransition(_("Подать можно черновик или практику, возвращённую на доработку."))
        _no_open_appeal(fresh)
        if missing:
            raise ValidationFailed(missing)
        before = fresh.status
        fresh.status = PracticeStatus.SUBMITTED
        fresh.submitted_at = timezone.now()
        fresh.save(update_fields=["status", "submitted_at"])
        audit.record(actor, "practices.practice.submitted", fresh, from_state=before,
                     to_state=PracticeStatus.SUBMITTED)
        logs.state_change(log, "practices.practice.submitted", practice=fresh.pk)
    return fresh


# --- the МОЦ: experts and the review ------------------------------------------------------------


def experts_for(practice: Practice):
    """The active experts the МОЦ may call: of the practice's municipality and of the
    region, with their open assignments on practices (``load``)."""
    return (Expert.objects.filter(Q(municipality=practice.municipality_id) | Q(municipality=None),
                                  is_active=True, user__is_active=True, user__role=Role.EXPERT)
            .select_related("user__organization", "organization")
            .annotate(load=Count("user__practice_assignments",
                                 filter=Q(user__practice_assignments__status=AssignmentStatus.ASSIGNED)))
            .order_by("pk"))


def conflict(practice: Practice, expert: Expert) -> str | None:
    """Why the expert may not score the practice: they work at its organization."""
    organization = expert.organization or expert.user.organization
    if organization is not None and organization.pk == practice.organization_id:
        return _("Эксперт работает в организации — авторе практики.")
    return None


def _pick(practice, experts, taken) -> Expert | None:
    return review.pick_expert(experts, taken=taken, direction=practice.direction,
                              conflict=lambda expert: conflict(practice, expert))


def _due(errors, due_on) -> dt.date | None:
    if due_on in (None, ""):
        return _today() + dt.timedelta(days=REVIEW_DAYS)
    if isinstance(due_on, str):
        try:
            due_on = dt.date.fromisoformat(due_on.strip())
        except ValueError:
            due_on = None
    if not isinstance(due_on, dt.date) or not _today() <= due_on <= _today() + dt.timedelta(days=MAX_REVIEW_DAYS):
        errors["due_on"] = [_("Срок экспертизы — от сегодня до %(n)d дней вперёд.") % {"n": MAX_REVIEW_DAYS}]
        return None
    return due_on


def _late_due(practice) -> dt.date:
    return max(practice.review_due or _today(), _today() + dt.timedelta(days=LATE_EXPERT_DAYS))


def _assign(actor, practice, expert: Expert, kind: str = AssignmentKind.REGULAR) -> Assignment:
    due = practice.review_due if kind == AssignmentKind.REGULAR else _late_due(practice)
    assignment = Assignment.objects.create(practice=practice, round=practice.review_round, kind=kind,
                                           expert_id=expert.user_id, due_on=due, assigned_by=actor)
    audit.record(actor, "practices.assignment.created", assignment, to_state=AssignmentStatus.ASSIGNED,
                 expert=expert.user_id, round=practice.review_round, kind=kind)
    return assignment


def start_review(actor, practice: Practice, experts=None, due_on=None) -> Practice:
    """The МОЦ takes a submitted practice into review with the current criteria set of
    purpose «practices», assigning the chosen experts (user ids) or, without them, as
    many eligible ones as the municipality's rules say (``experts_per_practice``),
    automatically (the practice's direction first, then the least loaded)."""
    practice = _practice(practice)
    scope.require(actor, "practices.review", practice)
    errors: dict[str, list[str]] = {}
    due = _due(errors, due_on)
    pool = list(experts_for(practice))
    chosen = []
    if experts:
        wanted = [int(pk) for pk in experts if str(pk).isdigit()]
        by_user = {e.user_id: e for e in pool}
        if len(wanted) != len(experts) or any(pk not in by_user for pk in wanted):
            errors["experts"] = [_("Этот эксперт не привлекается к экспертизе практик муниципалитета.")]
        else:
            chosen = [by_user[pk] for pk in dict.fromkeys(wanted)]
            reasons = [conflict(practice, e) for e in chosen]
            if any(reasons):
                errors["experts"] = [next(r for r in reasons if r)]
    criteria_set = quality.current_set(practice.municipality, CriteriaPurpose.PRACTICES)
    if criteria_set is None:
        errors["__all__"] = [_("Нет набора критериев для отбора практик.")]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        fresh = locking.row(Practice, practice.pk)
        if fresh.status != PracticeStatus.SUBMITTED:
            raise InvalidTransition(_("На экспертизу берут практику, поданную в МОЦ."))
        if not chosen:
            taken = set()
            for _slot in range(settings_of(fresh.municipality_id).experts_per_practice):
                expert = _pick(fresh, pool, taken)
                if expert is None:
                    break
                chosen.append(expert)
                taken.add(expert.user_id)
            if not chosen:
                raise InvalidTransition(_("Нет свободного эксперта без конфликта интересов."))
        fresh.status = PracticeStatus.REVIEW
        fresh.review_round += 1
        fresh.review_due = due
        fresh.criteria_set = criteria_set
        fresh.score, fresh.decision, fresh.knocked_out, fresh.criteria_means = None, "", False, {}
        fresh.needs_expert = False
        fresh.save()
        audit.record(actor, "practices.practice.review_started", fresh, from_state=PracticeStatus.SUBMITTED,
                     to_state=PracticeStatus.REVIEW, round=fresh.review_round, criteria_set=criteria_set.pk)
        for expert in chosen:
            _assign(actor, fresh, expert)
    return fresh


def assign_expert(actor, practice: Practice, expert_user) -> Assignment:
    """The МОЦ adds an expert of its choice to a practice in review."""
    practice = _practice(practice)
    scope.require(actor, "practices.review", practice)
    expert = next((e for e in experts_for(practice) if e.user_id == getattr(expert_user, "pk", expert_user)
                   or str(e.user_id) == str(expert_user)), None)
    if expert is None:
        raise ValidationFailed({"expert": [_("Этот эксперт не привлекается к экспертизе практик муниципалитета.")]})
    reason = conflict(practice, expert)
    if reason:
        raise ValidationFailed({"expert": [reason]})
    with transaction.atomic():
        fresh = locking.row(Practice, practice.pk)
        if fresh.status != PracticeStatus.REVIEW:
            raise InvalidTransition(_("Практика не на экспертизе."))
        if fresh.assignments.filter(round=fresh.review_round, expert=expert.user_id, status__in=ACTIVE).exists():
            raise InvalidTransition(_("Этот эксперт уже назначен на практику."))
        kind = AssignmentKind.EXTRA if fresh.needs_expert else AssignmentKind.REGULAR
        assignment = _assign(actor, fresh, expert, kind)
        if fresh.needs_expert:
            fresh.needs_expert = False
            fresh.save(update_fields=["needs_expert"])
        _clear_result(fresh)
    return assignment


def withdraw_assignment(actor, assignment: Assignment) -> Assignment:
    """The МОЦ takes an expert off a practice before they submit; their draft goes."""
    assignment = Assignment.objects.select_related("practice").filter(pk=getattr(assignment, "pk", assignment)).first()
    if assignment is None:
        raise NotFound(_("Назначение не найдено."))
    scope.require(actor, "practices.review", assignment.practice)
    with transaction.atomic():
        practice = locking.row(Practice, assignment.practice_id)
        fresh = locking.row(Assignment, assignment.pk)
        if fresh.status != AssignmentStatus.ASSIGNED:
            raise InvalidTransition(_("Эксперт уже сдал лист: назначение не снимается."))
        if not practice.assignments.filter(round=fresh.round, status__in=ACTIVE).exclude(pk=fresh.pk).exists():
            raise InvalidTransition(_("Это последний эксперт практики: сначала назначьте другого."))
        fresh.scores.all().delete()
        fresh.status = AssignmentStatus.WITHDRAWN
        fresh.save(update_fields=["status"])
        audit.record(actor, "practices.assignment.withdrawn", fresh, from_state=AssignmentStatus.ASSIGNED,
                     to_state=AssignmentStatus.WITHDRAWN)
        _after_sheet(actor, practice)
    return fresh


# --- the expert's sheet -------------------------------------------------------------------------


def save_sheet(actor, assignment: Assignment, scores: dict, *, submit: bool = False) -> Assignment:
    """The assigned expert saves their scores (``{criterion_id: (value, comment)}``) and,
    with ``submit``, hands the sheet in: every criterion scored, a score below the top of
    its scale explained (the rules of the quality sheet). A sheet handed in is final."""
    assignment = (Assignment.objects.select_related("practice__criteria_set")
                  .filter(pk=getattr(assignment, "pk", assignment)).first())
    if assignment is None:
        raise NotFound(_("Назначение не найдено."))
    scope.require(actor, "practices.score", assignment)
    criteria = list(assignment.practice.criteria_set.criteria.all())
    values = review.read_sheet(criteria, scores, submit=submit)
    with transaction.atomic():
        practice = locking.row(Practice, assignment.practice_id)
        fresh = locking.row(Assignment, assignment.pk)
        if fresh.status != AssignmentStatus.ASSIGNED:
            raise InvalidTransition(_("Лист уже сдан или назначение снято."))
        in_appeal = fresh.kind == AssignmentKind.APPEAL
        if fresh.round != practice.review_round or (
                not in_appeal and practice.status != PracticeStatus.REVIEW):
            raise InvalidTransition(_("Практика уже не на экспертизе."))
        if in_appeal and _open_appeal(practice) is None:
            raise InvalidTransition(_("Апелляция по практике уже рассмотрена."))
        if _today() > fresh.due_on:
            raise InvalidTransition(_("Срок экспертизы истёк %(date)s.") % {"date": fresh.due_on.strftime("%d.%m.%Y")})
        review.store_sheet(fresh, criteria, values, Score)
        if submit:
            fresh.status = AssignmentStatus.SUBMITTED
            fresh.submitted_at = timezone.now()
            fresh.save(update_fields=["status", "submitted_at"])
            audit.record(actor, "practices.assignment.submitted", fresh, from_state=AssignmentStatus.ASSIGNED,
                         to_state=AssignmentStatus.SUBMITTED)
            if not in_appeal:
                _after_sheet(actor, practice)
    return fresh


def _clear_result(practice: Practice) -> None:
    if practice.score is not None:
        practice.score, practice.decision, practice.knocked_out, practice.criteria_means = None, "", False, {}
        practice.save(update_fields=["score", "decision", "knocked_out", "criteria_means"])


def expert_remarks(practice: Practice) -> str:
    """The experts' comments on the criteria scored below the top in the current round."""
    return review.remarks_of(
        Score.objects.filter(assignment__practice=practice, assignment__round=practice.review_round,
                             assignment__status=AssignmentStatus.SUBMITTED)
        .exclude(assignment__kind=AssignmentKind.APPEAL)
        .select_related("criterion").order_by("criterion__position", "assignment"))


def _sheets(practice: Practice, kinds) -> list[dict]:
    return review.sheets_of(Score.objects.filter(
        assignment__practice=practice, assignment__round=practice.review_round,
        assignment__status=AssignmentStatus.SUBMITTED, assignment__kind__in=kinds)
        .values_list("assignment", "criterion", "value"))


def _after_sheet(actor, practice: Practice) -> None:
    """Inside the transaction holding the practice's row: once every expert of the round
    has submitted, ask one more expert on a wide spread (once: the shared
    ``review.needs_extra_expert``), else compute the result with the quality assessment's
    rules."""
    if practice.status != PracticeStatus.REVIEW:
        return
    assignments = list(practice.assignments.filter(round=practice.review_round, status__in=ACTIVE)
                       .exclude(kind=AssignmentKind.APPEAL))
    if not assignments or any(a.status == AssignmentStatus.ASSIGNED for a in assignments):
        return
    criteria_set = practice.criteria_set
    rules = review.rules_of(criteria_set)
    sheets = _sheets(practice, (AssignmentKind.REGULAR, AssignmentKind.EXTRA))
    extra_asked = any(a.kind == AssignmentKind.EXTRA for a in assignments)
    limit = settings_of(practice.municipality_id).spread_limit
    if review.needs_extra_expert(rules, sheets, limit, extra_asked=extra_asked):
        taken = set(practice.assignments.filter(round=practice.review_round).values_list("expert", flat=True))
        expert = _pick(practice, list(experts_for(practice)), taken)
        if expert is None:
            if not practice.needs_expert:
                practice.needs_expert = True
                practice.save(update_fields=["needs_expert"])
                audit.record(actor, "practices.practice.needs_expert", practice, round=practice.review_round)
        else:
            _assign(None, practice, expert, AssignmentKind.EXTRA)
            logs.state_change(log, "practices.practice.extra_expert", practice=practice.pk, expert=expert.user_id)
        return
    result = scoring.aggregate(rules, sheets, criteria_set.pass_threshold, criteria_set.revise_threshold)
    review.apply_result(practice, result)
    practice.needs_expert = False
    practice.save(update_fields=["score", "decision", "knocked_out", "criteria_means", "needs_expert"])
    audit.record(actor, "practices.practice.scored", practice, decision=result.decision,
                 score=str(result.percent), round=practice.review_round)
    logs.state_change(log, "practices.practice.scored", practice=practice.pk, decision=result.decision)


# --- the МОЦ's decision, the archive, the РМЦ ------------------------------------------------------


def publish(actor, practice: Practice) -> Practice:
    """The МОЦ publishes a reviewed practice: every expert has submitted and the result is
    not «не соответствует»."""
    practice = _practice(practice)
    scope.require(actor, "practices.review", practice)
    with transaction.atomic():
        fresh = locking.row(Practice, practice.pk)
        if fresh.status != PracticeStatus.REVIEW:
            raise InvalidTransition(_("Опубликовать можно практику после экспертизы."))
        if fresh.score is None:
            raise InvalidTransition(_("Не все эксперты сдали листы."))
        if fresh.decision == Decision.FAILED:
            raise InvalidTransition(_("По итогам экспертизы практика не соответствует критериям: "
                                      "верните её на доработку."))
        fresh.status = PracticeStatus.PUBLISHED
        fresh.published_at = timezone.now()
        fresh.save(update_fields=["status", "published_at"])
        audit.record(actor, "practices.practice.published", fresh, from_state=PracticeStatus.REVIEW,
                     to_state=PracticeStatus.PUBLISHED, score=str(fresh.score))
        logs.state_change(log, "practices.practice.published", practice=fresh.pk)
    return fresh


def return_practice(actor, practice: Practice, remarks: str) -> Practice:
    """The МОЦ returns a submitted practice, or one in review, to the provider with
    remarks; experts who have not submitted are taken off."""
    practice = _practice(practice)
    scope.require(actor, "practices.review", practice)
    remarks = _text(remarks)
    if not remarks:
        raise ValidationFailed({"remarks": [_("Напишите замечания организации.")]})
    with transaction.atomic():
        fresh = locking.row(Practice, practice.pk)
        if fresh.status not in (PracticeStatus.SUBMITTED, PracticeStatus.REVIEW):
            raise InvalidTransition(_("Вернуть можно поданную практику или практику на экспертизе."))
        before = fresh.status
        fresh.assignments.filter(status=AssignmentStatus.ASSIGNED).update(status=AssignmentStatus.WITHDRAWN)
        fresh.status = PracticeStatus.RETURNED
        fresh.remarks = remarks[:MAX_TEXT]
        fresh.returned_at = timezone.now()
        fresh.save(update_fields=["status", "remarks", "returned_at"])
        audit.record(actor, "practices.practice.returned", fresh, from_state=before,
                     to_state=PracticeStatus.RETURNED, reason=remarks[:300])
    return fresh


def archive(actor, practice: Practice) -> Practice:
    """A published practice goes to the archive (its provider or the МОЦ): it leaves the
    public bank, its record stays."""
    practice = _practice(practice)
    if not (scope.can(actor, "practices.review", practice) or scope.can(actor, "practices.edit", practice)):
        scope.require(actor, "practices.review", practice)
    with transaction.atomic():
        fresh = locking.row(Practice, practice.pk)
        if fresh.status != PracticeStatus.PUBLISHED:
            raise InvalidTransition(_("В архив переносят опубликованную практику."))
        fresh.status = PracticeStatus.ARCHIVED
        fresh.save(update_fields=["status"])
        audit.record(actor, "practices.practice.archived", fresh, from_state=PracticeStatus.PUBLISHED,
                     to_state=PracticeStatus.ARCHIVED)
    return fresh


def forward(actor, practice: Practice) -> Practice:
    """The МОЦ forwards a published practice of its municipality to the РМЦ, once."""
    practice = _practice(practice)
    scope.require(actor, "practices.review", practice)
    with transaction.atomic():
        fresh = locking.row(Practice, practice.pk)
        if fresh.status != PracticeStatus.PUBLISHED:
            raise InvalidTransition(_("В РМЦ передают опубликованную практику."))
        if fresh.forwarded_at is not None:
            raise InvalidTransition(_("Практика уже передана в РМЦ."))
        fresh.forwarded_at = timezone.now()
        fresh.save(update_fields=["forwarded_at"])
        audit.record(actor, "practices.practice.forwarded", fresh)
    return fresh


def mark_regional(actor, practice: Practice, regional: bool = True) -> Practice:
    """The РМЦ marks a forwarded published practice as a regional one, or unmarks it."""
    practice = _practice(practice)
    scope.require(actor, "practices.regional", practice)
    with transaction.atomic():
        fresh = locking.row(Practice, practice.pk)
        if fresh.forwarded_at is None or fresh.status != PracticeStatus.PUBLISHED:
            raise InvalidTransition(_("Региональной отмечают опубликованную практику, переданную МОЦ."))
        if fresh.is_regional == bool(regional):
            return fresh
        fresh.is_regional = bool(regional)
        fresh.save(update_fields=["is_regional"])
        audit.record(actor, "practices.practice.regional" if regional else "practices.practice.not_regional",
                     fresh)
    return fresh


def linkable_programs(organization):
    """Programs a practice of ``organization`` may name: its published ones."""
    return Program.objects.filter(organization=organization, status=ProgramStatus.PUBLISHED).order_by("title")


# --- the rules of the review, the appeal ---------------------------------------------------------


def settings_of(municipality) -> PracticeSettings:
    """The municipality's rules of reviewing practices (the defaults until the МОЦ saves
    its own)."""
    municipality_id = getattr(municipality, "pk", municipality)
    return (PracticeSettings.objects.filter(municipality_id=municipality_id).first()
            or PracticeSettings(municipality_id=municipality_id))


def save_settings(actor, municipality, *, spread_limit, appeal_days,
                  experts_per_practice=None) -> PracticeSettings:
    """The МОЦ sets how many experts a practice gets (kept when not given), the spread
    that asks one more expert and the days of an appeal."""
    found = settings_of(municipality)
    scope.require(actor, "practices.review", found)
    errors: dict[str, list[str]] = {}
    limit = quality._decimal(errors, "spread_limit", spread_limit,
                             _("Допустимое расхождение — число баллов от 0 до 100."), low=0, high=100)
    days = quality._positive_int(errors, {"appeal_days": appeal_days}, "appeal_days", None,
                                 _("Срок апелляции — от 1 до %(n)d дней.") % {"n": MAX_APPEAL_DAYS},
                                 MAX_APPEAL_DAYS)
    experts = found.experts_per_practice if experts_per_practice in (None, "") else quality._positive_int(
        errors, {"experts_per_practice": experts_per_practice}, "experts_per_practice", None,
        _("Экспертов на практику — от 1 до %(n)d.") % {"n": MAX_EXPERTS_PER_PRACTICE},
        MAX_EXPERTS_PER_PRACTICE)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        found = locking.first(PracticeSettings.objects.filter(municipality_id=found.municipality_id)) or found
        before = (found.spread_limit, found.appeal_days, found.experts_per_practice, found._state.adding)
        found.spread_limit, found.appeal_days, found.experts_per_practice = limit, days, experts
        found.save()
        if before != (found.spread_limit, found.appeal_days, found.experts_per_practice, False):
            audit.record(actor, "practices.settings.saved", found.municipality, spread_limit=str(limit),
                         appeal_days=days, experts_per_practice=experts)
    return found


def appeal_deadline(practice: Practice) -> dt.date | None:
    """The last day the provider may appeal the practice's return."""
    return review.appeal_deadline(practice.returned_at, settings_of(practice.municipality_id).appeal_days)


def may_appeal(practice: Practice) -> bool:
    """Whether the page offers the provider an appeal now (``file_appeal`` decides)."""
    deadline = appeal_deadline(practice)
    return (practice.status == PracticeStatus.RETURNED and practice.score is not None
            and deadline is not None and _today() <= deadline
            and not PracticeAppeal.objects.filter(practice=practice, round=practice.review_round).exists())


def file_appeal(actor, practice: Practice, reason: str) -> PracticeAppeal:
    """The provider appeals the return of a reviewed practice, once per round of review,
    within the municipality's days after the return."""
    practice = _practice(practice)
    scope.require(actor, "practices.edit", practice)
    reason = _text(reason)
    if not reason:
        raise ValidationFailed({"reason": [_("Изложите доводы апелляции.")]})
    if len(reason) > MAX_TEXT:
        raise ValidationFailed({"reason": [_("Не длиннее %(n)d знаков.") % {"n": MAX_TEXT}]})
    with transaction.atomic():
        fresh = locking.row(Practice, practice.pk)
        if fresh.status != PracticeStatus.RETURNED:
            raise InvalidTransition(_("Обжаловать можно возврат практики на доработку."))
        if fresh.score is None:
            raise InvalidTransition(_("Практика возвращена до экспертизы: обжаловать нечего, "
                                      "доработайте её и подайте снова."))
        deadline = appeal_deadline(fresh)
        if deadline is None or _today() > deadline:
            raise InvalidTransition(_("Срок апелляции истёк %(date)s.") % {
                "date": deadline.strftime("%d.%m.%Y") if deadline else "—"})
        if PracticeAppeal.objects.filter(practice=fresh, round=fresh.review_round).exists():
            raise InvalidTransition(_("Апелляция на этот возврат уже подана."))
        appeal = PracticeAppeal.objects.create(practice=fresh, round=fresh.review_round, reason=reason,
                                               filed_by=actor, decision_before=fresh.decision,
                                               score_before=fresh.score)
        audit.record(actor, "practices.appeal.filed", fresh, reason=reason[:300], appeal=appeal.pk)
        logs.state_change(log, "practices.appeal.filed", practice=fresh.pk, appeal=appeal.pk)
    return appeal


def _appeal(appeal) -> PracticeAppeal:
    found = (PracticeAppeal.objects.select_related("practice__organization", "practice__municipality",
                                                   "practice__criteria_set")
             .filter(pk=getattr(appeal, "pk", appeal)).first())
    if found is None:
        raise NotFound(_("Апелляция не найдена."))
    return found


def appeal_candidates(practice: Practice) -> list[Expert]:
    """Experts the МОЦ may give the appeal to: no conflict of interest and not on this
    round of review."""
    taken = set(practice.assignments.filter(round=practice.review_round).values_list("expert", flat=True))
    return [e for e in experts_for(practice) if e.user_id not in taken and conflict(practice, e) is None]


def assign_appeal_expert(actor, appeal: PracticeAppeal, expert_user=None) -> Assignment:
    """The МОЦ gives an appeal to a new expert (one who has not scored this round), chosen
    by hand or, without ``expert_user``, the eligible one of the practice's direction with
    the least load."""
    appeal = _appeal(appeal)
    practice = appeal.practice
    scope.require(actor, "practices.review", practice)
    with transaction.atomic():
        fresh = locking.row(Practice, practice.pk)
        appeal = locking.row(PracticeAppeal, appeal.pk)
        if appeal.status != AppealStatus.FILED:
            raise InvalidTransition(_("Апелляция уже рассмотрена."))
        if fresh.assignments.filter(round=appeal.round, kind=AssignmentKind.APPEAL, status__in=ACTIVE).exists():
            raise InvalidTransition(_("Эксперт по апелляции уже назначен."))
        taken = set(fresh.assignments.filter(round=appeal.round).values_list("expert", flat=True))
        experts = list(experts_for(fresh))
        if expert_user in (None, ""):
            expert = _pick(fresh, experts, taken)
            if expert is None:
                raise InvalidTransition(_("Нет свободного эксперта без конфликта интересов, который "
                                          "ещё не оценивал практику."))
        else:
            wanted = str(getattr(expert_user, "pk", expert_user))
            expert = next((e for e in experts if str(e.user_id) == wanted), None)
            if expert is None:
                raise ValidationFailed({"expert": [_("Этот эксперт не привлекается к экспертизе практик "
                                                     "муниципалитета.")]})
            if expert.user_id in taken:
                raise ValidationFailed({"expert": [_("Апелляцию рассматривает новый эксперт.")]})
            reason = conflict(fresh, expert)
            if reason:
                raise ValidationFailed({"expert": [reason]})
        assignment = _assign(actor, fresh, expert, AssignmentKind.APPEAL)
        audit.record(actor, "practices.appeal.expert", fresh, expert=expert.user_id, appeal=appeal.pk)
    return assignment


def decide_appeal(actor, appeal: PracticeAppeal, *, upheld: bool, answer: str) -> PracticeAppeal:
    """The МОЦ decides an appeal once the new expert has submitted. Upheld: the return is
    cancelled, the practice is back on review with the result computed again over every
    sheet of the round including the new one, and the МОЦ publishes it or returns it
    again. Rejected: the return stands, the provider revises and submits again."""
    appeal = _appeal(appeal)
    practice = appeal.practice
    scope.require(actor, "practices.review", practice)
    answer = _text(answer)
    if not answer:
        raise ValidationFailed({"answer": [_("Напишите ответ организации.")]})
    with transaction.atomic():
        fresh = locking.row(Practice, practice.pk)
        appeal = locking.row(PracticeAppeal, appeal.pk)
        if appeal.status != AppealStatus.FILED:
            raise InvalidTransition(_("Апелляция уже рассмотрена."))
        if not fresh.assignments.filter(round=appeal.round, kind=AssignmentKind.APPEAL,
                                        status=AssignmentStatus.SUBMITTED).exists():
            raise InvalidTransition(_("Новый эксперт ещё не сдал лист по апелляции."))
        appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
        appeal.answer = answer[:MAX_TEXT]
        appeal.decided_by = actor
        appeal.decided_at = timezone.now()
        appeal.save()
        if upheld:
            criteria_set = fresh.criteria_set
            result = scoring.aggregate(review.rules_of(criteria_set), _sheets(fresh, AssignmentKind.values),
                                       criteria_set.pass_threshold, criteria_set.revise_threshold)
            before = fresh.decision
            review.apply_result(fresh, result)
            fresh.status = PracticeStatus.REVIEW
            fresh.save(update_fields=["score", "decision", "knocked_out", "criteria_means", "status"])
            audit.record(actor, "practices.practice.revised", fresh, from_state=before, to_state=result.decision,
                         score=str(result.percent))
            audit.record(actor, "practices.practice.reopened", fresh, from_state=PracticeStatus.RETURNED,
                         to_state=PracticeStatus.REVIEW)
        # on the practice's timeline; the appeal's own row keeps its status and answer
        audit.record(actor, f"practices.appeal.{appeal.status}", fresh, reason=answer[:300], appeal=appeal.pk)
        logs.state_change(log, "practices.appeal.decided", practice=fresh.pk, appeal=appeal.pk,
                          status=appeal.status)
    return appeal
