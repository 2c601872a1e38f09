"""All answers to data requests as one Excel file: a sheet per request, a row per
municipality (its МОЦ's answer: the numbers are the municipality's totals once submitted)
followed by a row per provider of that municipality. Only the replies the reader may see
are written (``selectors.replies_for``), so a МОЦ's file holds its own municipality."""

from collections import defaultdict

from django.utils.translation import gettext as _

from opora.core.exporters import Column, Kind, Sheet, plain
from opora.surveys import selectors
from opora.surveys.models import Answer, FieldKind


def _value(answer: Answer, municipal: bool):
    if answer is None:
        return ""
    kind = answer.field.kind
    if kind == FieldKind.NUMBER:
        if municipal and answer.total is not None:
            return answer.total
        return answer.number if answer.number is not None else ""
    if kind == FieldKind.FILE:
        return answer.file.name.rsplit("/", 1)[-1] if answer.file else ""
    return answer.text


def _sheet(user, survey) -> Sheet:
    fields = list(survey.fields.order_by("position"))
    columns = [Column(_("Муниципалитет"), None, 28, Kind.TEXT), Column(_("Организация"), None, 36, Kind.TEXT),
               Column(_("Состояние"), None, 20, Kind.TEXT), Column(_("Отправлен"), None, 18, Kind.DATETIME),
               Column(_("После срока"), None, 12, Kind.TEXT), Column(_("Замечания"), None, 30, Kind.TEXT)]
    columns += [Column(field.label, None, 30,
                       Kind.NUMBER if field.kind == FieldKind.NUMBER else Kind.TEXT) for field in fields]
    replies = list(selectors.replies_for(user, survey)
                   .order_by("municipality__name", "organization__short_name"))
    answers = defaultdict(dict)
    for answer in Answer.objects.filter(reply__in=replies).select_related("field"):
        answers[answer.reply_id][answer.field_id] = answer
    # the municipality's row first, then its providers
    replies.sort(key=lambda r: (r.municipality.name, r.organization_id is not None,
                                r.organization.short_name if r.organization else ""))
    rows = []
    for reply in replies:
        row = [reply.municipality.name,
               reply.organization.short_name if reply.organization else _("МОЦ (итого по муниципалитету)"),
               reply.get_status_display(), reply.submitted_at, reply.late, reply.remarks]
        row += [_value(answers[reply.pk].get(field.pk), reply.is_municipal) for field in fields]
        rows.append([plain(value) for value in row])
    return Sheet(survey.title, columns, rows, caption=survey.title,
                 heading=[(_("Срок ответа"), survey.deadline)])


def sheets(user, surveys) -> list[Sheet]:
    """A sheet per request; sheet names are made unique by the writers."""
    return [_sheet(user, survey) for survey in surveys]
