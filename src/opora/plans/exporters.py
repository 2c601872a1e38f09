"""The report on a plan as .xlsx or .ods (``opora.core.exporters``): the plan named above
the table, an item a row."""

from django.utils.translation import gettext_lazy as _

from opora.core.exporters import Column, Exporter, Kind


def _evidence(item):
    return "\n".join(evidence.url or evidence.filename for evidence in item.evidence.all())


class ReportExporter(Exporter):
    filename = _("Отчёт об исполнении плана")
    ascii_filename = "plan-report"
    sheet_title = _("Отчёт")
    columns = (
        Column(_("№ п/п"), lambda i: i.number, width=8, kind=Kind.TEXT),
        Column(_("Раздел"), lambda i: i.section.title if i.section else "", width=20),
        Column(_("Наименование мероприятия"), lambda i: i.title, width=50),
        Column(_("Сроки"), lambda i: i.deadline_text, width=18),
        Column(_("Ответственный"), lambda i: i.responsible_names, width=30),
        Column(_("Ожидаемый результат"), lambda i: i.expected_result, width=30),
        Column(_("Фактический результат"), lambda i: i.actual_result, width=30),
        Column(_("Статус"), lambda i: i.get_status_display(), width=18),
        Column(_("Дата выполнения"), lambda i: i.done_on, width=14, kind=Kind.DATE),
        Column(_("Причина"), lambda i: i.reason, width=25),
        Column(_("Подтверждения"), _evidence, width=40),
    )

    def __init__(self, queryset, plan=None):
        super().__init__(queryset)
        self.plan = plan

    def caption(self):
        if self.plan is None:
            return ""
        return _("Отчёт об исполнении плана «%(title)s»") % {"title": self.plan.title}

    def heading(self):
        plan = self.plan
        if plan is None:
            return []
        return [(_("Муниципалитет"), plan.municipality.name),
                (_("Период"), f"{plan.get_period_kind_display()} {plan.period_label}")]
