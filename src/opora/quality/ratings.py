"""Parents' ratings of programs (docs/domain.md §12, «Parents' ratings»).

A confirmed guardian rates a program once per enrolment (``Rating``, unique per
application) when the enrolment qualifies: it ended (completed or expelled after the child
was enrolled), its contract ended, or the child has attended for three months. Four marks
from 1 to 5 and an optional comment; the comment waits for the МОЦ of the program's
municipality, and a published comment may get one public answer of the provider.

The program's rating (``score_of``) is the weighted sum of the four means minus the
penalty times the share of the program's contracts ended early by the parents, rounded
half up to 0.1, never below 0. It is shown once the ratings reach the minimum share of the
qualifying enrolments and the minimum number. Weights and thresholds are versioned
(``RatingRules``, the РМЦ); ``refresh`` stores the computation with the version used
(``ProgramRating``) when a rating comes in, an enrolment ends, a version is saved, and
nightly (``opora quality_ratings``).
"""

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from opora import audit, locking
from opora.accounts import scope
from opora.enrollment import selectors as enrollment_selectors
from opora.enrollment.models import Application, ApplicationStatus
from opora.errors import InvalidTransition, NotFound, ValidationFailed
from opora.financing.models import Contract, ContractStatus
from opora.quality.models import MARKS, CommentStatus, ProgramRating, Rating, RatingRules
from opora.registry.models import Group, Program

S = ApplicationStatus
ATTENDANCE_MONTHS = 3
COMMENT_MAX = 2000
ANSWER_MAX = 2000
ENDED = (S.COMPLETED, S.EXPELLED)
TENTH = Decimal("0.1")
HUNDREDTH = Decimal("0.01")


def months_later(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day if it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _today() -> dt.date:
    return timezone.localdate()


# --- who may rate ------------------------------------------------------------------------


def _qualifying_q(today: dt.date) -> Q:
    """Applications that give the right to rate: ended after studies, a contract that has
    ended, or three months of attendance."""
    attended_since = months_later(today, -ATTENDANCE_MONTHS)
    contract_over = Contract.objects.filter(application_id=OuterRef("pk"), ends_on__lt=today,
                                            status__in=(ContractStatus.ACTIVE, ContractStatus.CLOSED))
    return (Q(status__in=ENDED, enrolled_on__isnull=False)
            | Q(status=S.ENROLLED, enrolled_on__lte=attended_since)
            | Q(status=S.ENROLLED, enrolled_on__isnull=False) & Q(Exists(contract_over)))


def qualifying_applications(program_id, today: dt.date | None = None):
    return Application.objects.filter(_qualifying_q(today or _today()),
                                      group__module__program_id=program_id)


def refusal(application: Application, today: dt.date | None = None) -> str | None:
    """Why this enrolment cannot be rated (now), or None."""
    today = today or _today()
    if Rating.objects.filter(application_id=application.pk).exists():
        return _("Вы уже оценили программу по этому зачислению: оценку ставят один раз.")
    if not Application.objects.filter(_qualifying_q(today), pk=application.pk).exists():
        if application.status == S.ENROLLED and application.enrolled_on:
            return _("Оценить программу можно после окончания обучения или договора, либо после "
                     "трёх месяцев занятий — с %(day)s.") % {
                "day": months_later(application.enrolled_on, ATTENDANCE_MONTHS).strftime("%d.%m.%Y")}
        return _("Оценить программу можно только после занятий в ней: после окончания обучения "
                 "или договора, либо после трёх месяцев занятий.")
    return None


def rating_states(user, applications) -> dict:
    """For the cabinet's list: application pk → «rated», «rateable» or None, for the
    applications of the user's confirmed children (others: None), in three queries."""
    ids = [a.pk for a in applications]
    if not ids or not scope.is_parent(user):
        return dict.fromkeys(ids)
    mine = set(Application.objects.filter(
        pk__in=ids, child__guardianships__parent=user,
        child__guardianships__confirmed_at__isnull=False).values_list("pk", flat=True))
    rated = set(Rating.objects.filter(application_id__in=mine).values_list("application_id", flat=True))
    qualifying = set(Application.objects.filter(_qualifying_q(_today()), pk__in=mine - rated)
                     .values_list("pk", flat=True))
    return {pk: "rated" if pk in rated else "rateable" if pk in qualifying else None for pk in ids}


def application_to_rate(user, uuid) -> Application:
    """The enrolment a parent opens to rate; another parent's (or an unconfirmed
    guardian's) is «not found», as if it did not exist."""
    found = (Application.objects.select_related("child", "group__module__program__organization")
             .filter(uuid=uuid).first())
    if found is None or not enrollment_selectors.is_guardian(user, found.child):
        raise NotFound(_("Зачисление не найдено."))
    return found


def _mark(errors, name, value):
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = None
    if number is None or not 1 <= number <= 5:
        errors.setdefault(name, []).append(_("Поставьте оценку от 1 до 5."))
    return number


def rate_program(actor, application: Application, marks: dict, comment: str = "") -> Rating:
    """The guardian's rating of the program of one enrolment: once, and only when the
    enrolment qualifies. A comment goes to the МОЦ's moderation."""
    application = application_to_rate(actor, application.uuid)
    errors: dict[str, list[str]] = {}
    values = {name: _mark(errors, name, marks.get(name)) for name in MARKS}
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        errors["comment"] = [_("Комментарий — не длиннее %(n)d знаков.") % {"n": COMMENT_MAX}]
    if errors:
        raise ValidationFailed(errors)
    reason = refusal(application)
    if reason:
        raise InvalidTransition(reason)
    program = application.group.module.program
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                application=application, program=program, parent=actor, comment=comment,
                comment_status=CommentStatus.PENDING if comment else CommentStatus.NONE, **values)
            audit.record(actor, "quality.rating.created", rating, to_state=rating.comment_status,
                         **values)
    except IntegrityError:  # a second submission raced the first: the constraint answers
        raise InvalidTransition(_("Вы уже оценили программу по этому зачислению: оценку ставят "
                                  "один раз.")) from None
    refresh(program)
    return rating


def resubmit_comment(actor, rating: Rating, comment: str) -> Rating:
    """The guardian rewrites a comment the МОЦ rejected: it goes back to moderation. The
    marks stay as they were (one rating per enrolment); only a rejected comment is
    rewritten, a pending or published one stays as it is."""
    application = application_to_rate(actor, rating.application.uuid)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationFailed({"comment": [_("Напишите комментарий.")]})
    if len(comment) > COMMENT_MAX:
        raise ValidationFailed({"comment": [_("Комментарий — не длиннее %(n)d знаков.") % {"n": COMMENT_MAX}]})
    with locking.atomic():
        fresh = locking.row(Rating, rating.pk)
        if fresh.application_id != application.pk or fresh.comment_status != CommentStatus.REJECTED:
            raise InvalidTransition(_("Исправить можно только комментарий, который МОЦ не опубликовал."))
        reason = fresh.moderation_reason
        fresh.comment, fresh.comment_status = comment, CommentStatus.PENDING
        fresh.moderated_by, fresh.moderated_at, fresh.moderation_reason = None, None, ""
        fresh.resubmitted_at = timezone.now()
        fresh.save(update_fields=["comment", "comment_status", "moderated_by", "moderated_at",
                                  "moderation_reason", "resubmitted_at"])
        audit.record(actor, "quality.rating.resubmitted", fresh, from_state=CommentStatus.REJECTED,
                     to_state=CommentStatus.PENDING, rejected_for=reason)
    return fresh


# --- moderation and answers ------------------------------------------------------------------


def moderation_queue(user):
    """Comments waiting for the МОЦ of the programs' municipality, oldest first."""
    return (scope.actionable(user, "quality.moderate_ratings", Rating.objects.all())
            .filter(comment_status=CommentStatus.PENDING)
            .select_related("program__organization")
            .order_by(Coalesce("resubmitted_at", "created_at"), "pk"))


def moderated_recently(user, limit=20):
    return (scope.actionable(user, "quality.moderate_ratings", Rating.objects.all())
            .filter(comment_status__in=(CommentStatus.PUBLISHED, CommentStatus.REJECTED))
            .select_related("program__organization", "moderated_by").order_by("-moderated_at", "-pk")[:limit])


def moderate(actor, rating: Rating, *, publish: bool, reason: str = "") -> Rating:
    """The МОЦ publishes a comment or rejects it with a reason (the marks count either way)."""
    scope.require(actor, "quality.moderate_ratings", rating)
    reason = (reason or "").strip()
    if not publish and not reason:
        raise ValidationFailed({"reason": [_("Укажите, почему комментарий не публикуется.")]})
    with locking.atomic():
        fresh = locking.row(Rating, rating.pk)
        if fresh.comment_status != CommentStatus.PENDING:
            raise InvalidTransition(_("Этот комментарий уже проверен."))
        fresh.comment_status = CommentStatus.PUBLISHED if publish else CommentStatus.REJECTED
        fresh.moderated_by, fresh.moderated_at = actor, timezone.now()
        fresh.moderation_reason = "" if publish else reason[:COMMENT_MAX]
        fresh.save(update_fields=["comment_status", "moderated_by", "moderated_at", "moderation_reason"])
        audit.record(actor, "quality.rating.published" if publish else "quality.rating.rejected", fresh,
                     from_state=CommentStatus.PENDING, to_state=fresh.comment_status, reason=fresh.moderation_reason)
    return fresh


def provider_ratings(user):
    """The ratings of a provider's own programs with their published comments."""
    return (scope.actionable(user, "quality.answer_ratings", Rating.objects.all())
            .filter(comment_status=CommentStatus.PUBLISHED)
            .select_related("program").order_by(F("answered_at").asc(nulls_first=True), "-created_at", "-pk"))


def answer(actor, rating: Rating, text: str) -> Rating:
    """The provider's public answer under a published comment: one per rating."""
    scope.require(actor, "quality.answer_ratings", rating)
    text = (text or "").strip()
    if not text:
        raise ValidationFailed({"answer": [_("Напишите ответ.")]})
    if len(text) > ANSWER_MAX:
        raise ValidationFailed({"answer": [_("Ответ — не длиннее %(n)d знаков.") % {"n": ANSWER_MAX}]})
    with locking.atomic():
        fresh = locking.row(Rating, rating.pk)
        if fresh.comment_status != CommentStatus.PUBLISHED:
            raise InvalidTransition(_("Ответить можно на опубликованный комментарий."))
        if fresh.answer:
            raise InvalidTransition(_("На этот отзыв организация уже ответила."))
        fresh.answer, fresh.answered_by, fresh.answered_at = text, actor, timezone.now()
        fresh.save(update_fields=["answer", "answered_by", "answered_at"])
        audit.record(actor, "quality.rating.answered", fresh)
    return fresh


# --- the rules ---------------------------------------------------------------------------------


def current_rules() -> RatingRules:
    return RatingRules.objects.order_by("-version").first()


def _number(errors, name, value, message, low, high):
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError, TypeError):
        number = None
    if number is None or not number.is_finite() or not low <= number <= high:
        errors.setdefault(name, []).append(message)
        return None
    return number


def save_rules(actor, data: dict) -> RatingRules:
    """A new version of the rating rules (the РМЦ). The four weights are shares that sum
    to 1, so the weighted sum stays on the 1–5 scale of the marks."""
    scope.require(actor, "quality.rating_rules", RatingRules())
    errors: dict[str, list[str]] = {}
    weights = {name: _number(errors, f"weight_{name}", data.get(f"weight_{name}"),
                             _("Вес — число от 0 до 1."), Decimal(0), Decimal(1)) for name in MARKS}
    if not errors and sum(weights.values()) != 1:
        errors["weight_results"] = [_("Сумма четырёх весов должна быть равна 1 (сейчас %(s)s).")
                                    % {"s": sum(weights.values())}]
    penalty = _number(errors, "early_penalty", data.get("early_penalty"),
                      _("Штраф — число баллов от 0 до 5."), Decimal(0), Decimal(5))
    share = _number(errors, "min_share", data.get("min_share"),
                    _("Минимальная доля — процент от 0 до 100."), Decimal(0), Decimal(100))
    least = _number(errors, "min_ratings", data.get("min_ratings"),
                    _("Минимум оценок — целое число от 1 до 1000."), Decimal(1), Decimal(1000))
    if least is not None and least != least.to_integral_value():
        errors.setdefault("min_ratings", []).append(_("Минимум оценок — целое число от 1 до 1000."))
    for value in (*weights.values(), penalty, share):
        if value is not None and value != value.quantize(HUNDREDTH):
            errors.setdefault("early_penalty" if value is penalty else "weight_results", []).append(
                _("Не больше двух знаков после запятой."))
            break
    if errors:
        raise ValidationFailed(errors)
    with locking.atomic():
        versions = locking.rows(RatingRules.objects.all())  # two saves never take one number
        created = RatingRules.objects.create(
            version=max((v.version for v in versions), default=0) + 1, early_penalty=penalty, min_share=share,
            min_ratings=int(least), created_by=actor,
            **{f"weight_{name}": value for name, value in weights.items()})
        audit.record(actor, "quality.rating_rules.saved", created, version=created.version)
    refresh_all()
    return created


# --- the computation -----------------------------------------------------------------------------


def _round(value: Decimal, step: Decimal) -> Decimal:
    return value.quantize(step, rounding=ROUND_HALF_UP)


def score_of(means: dict, weights: dict, penalty: Decimal, early: int, contracts: int
             ) -> tuple[Decimal, Decimal]:
    """(the weighted sum of the means, rounded half up to 0.01; the rating) where the rating
    is weighted − penalty × early ÷ contracts (no contracts: no penalty), rounded half up
    to 0.1 and never below 0."""
    weighted = sum((Decimal(str(weights[name])) * Decimal(str(means[name])) for name in MARKS), Decimal(0))
    share = Decimal(early) / Decimal(contracts) if contracts else Decimal(0)
    score = max(weighted - Decimal(str(penalty)) * share, Decimal(0))
    return _round(weighted, HUNDREDTH), _round(score, TENTH)


def is_shown(ratings: int, qualifying: int, rules: RatingRules) -> bool:
    """Enough ratings: at least the minimum number and at least the minimum share of the
    qualifying enrolments."""
    return (ratings >= rules.min_ratings and qualifying > 0
            and Decimal(ratings) * 100 >= rules.min_share * qualifying)


def early_terminations(program_id) -> tuple[int, int]:
    """(contracts of the program that took effect; of them closed before their end at the
    parents' request — the child expelled «по заявлению родителя» before the contract's
    last day)."""
    contracts = Contract.objects.filter(module__program_id=program_id,
                                        status__in=(ContractStatus.ACTIVE, ContractStatus.CLOSED))
    counts = contracts.aggregate(total=Count("pk"), early=Count("pk", filter=Q(
        status=ContractStatus.CLOSED, application__ended_by_parent=True, terminated_on__lt=F("ends_on"))))
    return counts["total"], counts["early"]


def compute(program_id, rules: RatingRules, today: dt.date | None = None) -> dict:
    averages = Rating.objects.filter(program_id=program_id).aggregate(
        count=Count("pk"), **{name: Avg(name) for name in MARKS})
    count = averages["count"]
    qualifying = qualifying_applications(program_id, today).count()
    contracts, early = early_terminations(program_id)
    means, weighted, score = {}, None, None
    if count:
        means = {name: str(_round(Decimal(str(averages[name])), HUNDREDTH)) for name in MARKS}
        exact = {name: Decimal(str(averages[name])) for name in MARKS}
        weighted, score = score_of(exact, rules.weights, rules.early_penalty, early, contracts)
    return {"rules": rules, "ratings": count, "qualifying": qualifying, "means": means,
            "contracts": contracts, "early_by_parents": early, "weighted": weighted, "score": score,
            "shown": bool(count) and is_shown(count, qualifying, rules)}


def refresh(program: Program | int, rules: RatingRules | None = None) -> ProgramRating | None:
    """Compute the program's rating with the current rules and store it with the version."""
    program_id = getattr(program, "pk", program)
    rules = rules or current_rules()
    if rules is None:
        return None
    values = compute(program_id, rules)
    if not values["ratings"]:
        ProgramRating.objects.filter(program_id=program_id).delete()
        return None
    stored, _created = ProgramRating.objects.update_or_create(
        program_id=program_id, defaults={**values, "computed_at": timezone.now()})
    return stored


def refresh_all() -> int:
    rules = current_rules()
    ids = set(Rating.objects.values_list("program_id", flat=True).distinct())
    ids |= set(ProgramRating.objects.values_list("program_id", flat=True))
    for program_id in sorted(ids):
        refresh(program_id, rules)
    return len(ids)


def public_program(pk) -> Program:
    found = Program.objects.filter(Program.public_q(), pk=pk).select_related("organization").first()
    if found is None:
        raise NotFound(_("Программа не найдена."))
    return found


def public_rating(program) -> ProgramRating | None:
    """The stored rating of a program when it is shown."""
    return (ProgramRating.objects.select_related("rules").filter(program_id=program.pk, shown=True).first())


def public_comments(program):
    return (Rating.objects.filter(program_id=program.pk, comment_status=CommentStatus.PUBLISHED)
            .order_by("-created_at", "-pk"))


COUNTED = (S.ENROLLED, *ENDED)  # the statuses that count: qualifying enrolments, contracts in effect


def application_changed(actor, application, before):
    """``enrollment.services.after_status_change`` hook: an enrolment that starts or ends
    changes the qualifying enrolments of its program, its contracts in effect (a contract
    takes effect with the enrolment) or its contracts ended early by the parents (the
    financing hook, registered first, has closed the contract already). A program nobody
    rated has no rating to refresh."""
    if before == application.status or (before not in COUNTED and application.status not in COUNTED):
        return
    program_id = (Group.objects.filter(pk=application.group_id)
                  .values_list("module__program_id", flat=True).first())
    if program_id and Rating.objects.filter(program_id=program_id).exists():
        refresh(program_id)
