"""The report on a plan as .xlsx (``opora.core.exporters``)."""

from django.utils.translation import gettext_lazy as _

from opora.core.exporters import Column, Exporter


def _evidence(item):
    return "\n".join(evidence.url or evidence.filename for evidence in item.evidence.all())


class ReportExporter(Exporter):
    filename = _("Отчёт об исполнении плана")
    ascii_filename = "plan-report"
    sheet_title = _("Отчёт")
    columns = (
        Column(_("№ п/п"), lambda i: i.number, width=8),
        Column(_("Раздел"), lambda i: i.section.title if i.section else "", width=20),
        Column(_("Наименование мероприятия"), lambda i: i.title, width=50),
        Column(_("Сроки"), lambda i: i.deadline_text, width=18),
        Column(_("Ответственный"), lambda i: i.responsible_names, width=30),
        Column(_("Ожидаемый результат"), lambda i: i.expected_result, width=30),
        Column(_("Фактический результат"), lambda i: i.actual_result, width=30),
        Column(_("Статус"), lambda i: i.get_status_display(), width=18),
        Column(_("Дата выполнения"), lambda i: i.done_on, width=14),
        Column(_("Причина"), lambda i: i.reason, width=25),
        Column(_("Подтверждения"), _evidence, width=40),
    )
