"""Reading data requests, always through ``opora.accounts.scope``.

A request is seen by those who manage it (``surveys.manage``: the РМЦ, the МОЦ of its own
requests — drafts included) and, once sent, by whoever sees one of its replies
(``scope.visible``): the МОЦ and the education authority of an addressed municipality, a
provider asked to answer. Replies are read with ``scope.visible`` only: a МОЦ or an
authority reads its municipality's, a provider its own, the РМЦ all.
"""

from django.db.models import Q

from opora.accounts import scope
from opora.errors import NotFound
from opora.surveys.models import Reply, ReplyStatus, Survey, SurveyStatus


def replies_for(user, survey=None):
    qs = Reply.objects.select_related("survey", "municipality", "organization")
    if survey is not None:
        qs = qs.filter(survey=survey)
    return scope.visible(user, qs.filter(survey__status=SurveyStatus.SENT))


def surveys_for(user):
    managed = scope.actionable(user, "surveys.manage", Survey.objects.all()).values("pk")
    answered = replies_for(user).values("survey_id")
    return (Survey.objects.filter(Q(pk__in=managed) | Q(pk__in=answered))
            .select_related("municipality"))


def survey_for(user, pk) -> Survey:
    survey = surveys_for(user).filter(pk=pk).first()
    if survey is None:
        raise NotFound(_not_found())
    return survey


def reply_for(user, pk) -> Reply:
    reply = replies_for(user).filter(pk=pk).first()
    if reply is None:
        raise NotFound(_not_found())
    return reply


def _not_found():
    from django.utils.translation import gettext as _

    return _("Запрос или ответ не найден.")


def status_counts(replies) -> dict[str, int]:
    counts = {status: 0 for status in ReplyStatus.values}
    for reply in replies:
        counts[reply.status] += 1
    return counts


def answers_of(reply):
    """The reply's answers in the order of the form, with their fields."""
    return list(reply.answers.select_related("field").order_by("field__position"))
