"""All answers to data requests as one Excel file: a sheet per request, a row per
municipality (its МОЦ's answer: the numbers are the municipality's totals once submitted)
followed by a row per provider of that municipality. Only the replies the reader may see
are written (``selectors.replies_for``), so a МОЦ's file holds its own municipality."""

import re
from collections import defaultdict

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from opora.core.exporters import looks_like_formula, plain
from opora.surveys import selectors
from opora.surveys.models import Answer, FieldKind

INVALID_TITLE = re.compile(r"[\\/*?:\[\]]")


def _sheet_title(survey, used: set) -> str:
    base = INVALID_TITLE.sub(" ", survey.title).strip()[:25] or _("Запрос")
    title, n = base, 1
    while title.lower() in used:
        n += 1
        title = f"{base} ({n})"
    used.add(title.lower())
    return title


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


def _write(sheet, row):
    sheet.append([plain(value) for value in row])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and looks_like_formula(cell.value):
            cell.data_type = "s"  # text typed by people is never a formula


def workbook(user, surveys) -> Workbook:
    book = Workbook()
    book.remove(book.active)
    used = set()
    for survey in surveys:
        sheet = book.create_sheet(_sheet_title(survey, used))
        fields = list(survey.fields.order_by("position"))
        _write(sheet, [survey.title])
        sheet["A1"].font = Font(bold=True)
        _write(sheet, [_("Срок ответа"), survey.deadline])
        header = [_("Муниципалитет"), _("Организация"), _("Состояние"), _("Отправлен"),
                  _("После срока"), _("Замечания")] + [field.label for field in fields]
        _write(sheet, header)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        replies = list(selectors.replies_for(user, survey)
                       .order_by("municipality__name", "organization__short_name"))
        answers = defaultdict(dict)
        for answer in Answer.objects.filter(reply__in=replies).select_related("field"):
            answers[answer.reply_id][answer.field_id] = answer
        # the municipality's row first, then its providers
        replies.sort(key=lambda r: (r.municipality.name, r.organization_id is not None,
                                    r.organization.short_name if r.organization else ""))
        for reply in replies:
            row = [reply.municipality.name,
                   reply.organization.short_name if reply.organization else _("МОЦ (итого по муниципалитету)"),
                   reply.get_status_display(), reply.submitted_at, reply.late, reply.remarks]
            row += [_value(answers[reply.pk].get(field.pk), reply.is_municipal) for field in fields]
            _write(sheet, row)
        for column, width in zip("ABCDEF", (28, 36, 20, 18, 12, 30), strict=True):
            sheet.column_dimensions[column].width = width
    if not book.worksheets:
        book.create_sheet(_("Запросы"))
    return book
