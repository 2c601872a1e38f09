"""Reading the hotline, always through ``opora.accounts.scope``: the МОЦ reads its
municipality's questions, the РМЦ (and the education authority, for the report) its
territory's; an asker reads only the questions they asked; the public reads the
published FAQ entries."""

import datetime as dt
import statistics
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opora.accounts import scope
from opora.errors import NotFound
from opora.hotline.models import (
    OPEN_STATUSES,
    FaqEntry,
    Question,
    QuestionStatus,
    Topic,
)


def _not_found():
    return NotFound(_("Вопрос не найден."))


def questions_for(user):
    """The questions an operator may read (``scope.visible``: no public questions)."""
    return scope.visible(user, Question.objects.select_related(
        "municipality", "taken_by", "asker"))


def queue(user, *, status="open", topic="", overdue=False, mine=False):
    qs = questions_for(user)
    if status == "open":
        qs = qs.exclude(status=QuestionStatus.ANSWERED)
    elif status in QuestionStatus.values:
        qs = qs.filter(status=status)
    if topic in Topic.values:
        qs = qs.filter(topic=topic)
    if overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, deadline__lt=timezone.localdate())
    if mine:
        qs = qs.filter(taken_by=user)
    return qs.order_by("deadline", "received_at", "pk")


def question_for(user, pk) -> Question:
    question = questions_for(user).filter(pk=pk).first()
    if question is None:
        raise _not_found()
    return question


def own_questions(user):
    """The questions a signed-in parent or provider asked; nobody else's."""
    if user is None or not user.is_authenticated:
        return Question.objects.none()
    return Question.objects.filter(asker=user).select_related("municipality")


def own_question(user, pk) -> Question:
    question = own_questions(user).filter(pk=pk).first()
    if question is None:
        raise _not_found()
    return question


def by_uuid(value) -> Question:
    question = Question.objects.select_related("municipality").filter(uuid=value).first() \
        if value else None
    if question is None:
        raise _not_found()
    return question


def thread(question, *, internal: bool):
    """The conversation about a question: everything for the operators; for the asker,
    without the notes between the МОЦ and the РМЦ, and without the answer, which their
    page shows on its own."""
    messages = question.messages.select_related("author")
    if not internal:
        messages = messages.exclude(kind__in=("escalated", "returned", "answer"))
    return list(messages)


def counts(user) -> dict:
    """Open, new and overdue questions of the queue, for the queue's tabs and the home page."""
    qs = questions_for(user).exclude(status=QuestionStatus.ANSWERED)
    today = timezone.localdate()
    result = {"open": 0, "new": 0, "overdue": 0, "escalated": 0}
    for status, deadline in qs.values_list("status", "deadline"):
        result["open"] += 1
        result["new"] += status == QuestionStatus.NEW
        result["escalated"] += status == QuestionStatus.ESCALATED
        result["overdue"] += status in OPEN_STATUSES and deadline < today
    return result


# --- FAQ --------------------------------------------------------------------------------


def public_faq(*, topic="", municipality=None):
    entries = FaqEntry.objects.filter(is_published=True).select_related("municipality")
    if topic in Topic.values:
        entries = entries.filter(topic=topic)
    if municipality is not None:
        entries = entries.filter(Q(municipality=municipality) | Q(municipality__isnull=True))
    return entries.order_by("topic", "-published_at", "-pk")


def managed_faq(user):
    """The entries an operator keeps: their municipality's (the РМЦ: all)."""
    return scope.territory(user, FaqEntry.objects.select_related("municipality", "question")) \
        .order_by("-published_at", "-pk")


def faq_entry_for(user, pk) -> FaqEntry:
    entry = managed_faq(user).filter(pk=pk).first()
    if entry is None:
        raise NotFound(_("Запись не найдена."))
    return entry


# --- the report ------------------------------------------------------------------------


def report_rows(user, start: dt.date, end: dt.date) -> list[dict]:
    """Questions received from ``start`` to ``end`` by month, municipality and topic: how
    many came, were answered, answered on time (its share of the answered), and the
    median answer time in hours; ordered by month, municipality and topic."""
    qs = scope.territory(user, Question.objects.all()).filter(
        received_at__date__gte=start, received_at__date__lte=end)
    groups = defaultdict(lambda: {"received": 0, "answered": 0, "on_time": 0, "hours": []})
    names = {}
    for row in qs.values_list("received_at", "municipality_id", "municipality__name", "topic",
                              "answered_at", "answered_on_time").iterator():
        received, municipality_id, name, topic, answered, on_time = row
        month = timezone.localtime(received).date().replace(day=1)
        group = groups[(month, municipality_id, topic)]
        names[municipality_id] = name
        group["received"] += 1
        if answered is not None:
            group["answered"] += 1
            group["on_time"] += bool(on_time)
            group["hours"].append((answered - received).total_seconds() / 3600)
    labels = dict(Topic.choices)
    rows = []
    for (month, municipality_id, topic), group in sorted(
            groups.items(), key=lambda item: (item[0][0], names[item[0][1]], item[0][2])):
        rows.append({"month": month, "municipality": names[municipality_id],
                     "topic": str(labels.get(topic, topic)), **summary(group)})
    return rows


def summary(group) -> dict:
    answered = group["answered"]
    return {"received": group["received"], "answered": answered, "on_time": group["on_time"],
            "on_time_share": round(100 * group["on_time"] / answered, 1) if answered else None,
            "median_hours": round(statistics.median(group["hours"]), 1) if group["hours"] else None}


def report_overall(user, start, end) -> dict:
    qs = scope.territory(user, Question.objects.all()).filter(
        received_at__date__gte=start, received_at__date__lte=end)
    group = {"received": 0, "answered": 0, "on_time": 0, "hours": []}
    for received, answered, on_time in qs.values_list("received_at", "answered_at",
                                                      "answered_on_time").iterator():
        group["received"] += 1
        if answered is not None:
            group["answered"] += 1
            group["on_time"] += bool(on_time)
            group["hours"].append((answered - received).total_seconds() / 3600)
    return summary(group)
