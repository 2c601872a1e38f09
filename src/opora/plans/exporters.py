"""The report on a plan as .xlsx or .ods (``opora.core.exporters``): the plan named above
the table, an item a row; and as .docx with the stamps (``opora.core.documents``); the
plan itself as .docx with its stamps, as it is printed (and published on the portal)."""

from django.utils import dateformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opora.core.documents import Document
from opora.core.exporters import Column, Exporter, Kind


def proofs(item, absolute=str) -> list[str]:
    """An item's evidence and publications as the report's files print them, one a line:
    «what: full address» (``absolute`` turns a site-relative address into a full one)."""
    lines = [f"{e.note or e.filename or e.url}: {absolute(e.href)}" for e in item.evidence.all()]
    for p in item.publications.all():
        line = f"{p.published_on:%d.%m.%Y}, {p.get_channel_display()}: {p.title}"
        if p.url:
            line += f": {absolute(p.url)}"
        if p.reach is not None:
            line += " " + gettext("(охват %(reach)s)") % {"reach": p.reach}
        lines.append(line)
    return lines


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
        Column(_("Подтверждения"), lambda i: "\n".join(proofs(i)), width=40),
    )

    def __init__(self, queryset, plan=None, absolute=str):
        super().__init__(queryset)
        self.plan = plan
        # the evidence column with full addresses: a spreadsheet is read off the site
        self.columns = (*self.columns[:-1], Column(
            _("Подтверждения"), lambda i: "\n".join(proofs(i, absolute)), width=40))
        if plan is not None and plan.kind.has_audience:  # after the title: for whom
            self.columns = (*self.columns[:3], Column(
                _("Категории участников"), lambda i: ", ".join(i.audience_labels), width=24),
                *self.columns[3:])

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


def _stamp(title, position, name, day, authority):
    if day is None:
        return [title, authority, "_____________", "«___» __________ 20__ г."]
    return [title, position, f"_____________ {name}", f"«{day:%d}» {dateformat.format(day, 'E Y')} г."]


def _stamps_of(plan, document) -> None:
    document.stamps(
        _stamp(gettext("СОГЛАСОВАНО"), plan.agreed_by_position, plan.agreed_by_name, plan.agreed_on,
               gettext("Региональный модельный центр")),
        _stamp(gettext("УТВЕРЖДАЮ"), plan.approved_by_position, plan.approved_by_name,
               plan.approved_on, gettext("Управление образования")))


def plan_document(plan, items) -> Document:
    """The plan as a Word document: the stamps, the table of the print version (sections
    as rows of their own), and the approved revisions."""
    document = Document(plan.title, landscape=True)
    _stamps_of(plan, document)
    document.paragraph(f"{plan.municipality.name}, {plan.get_period_kind_display()} {plan.period_label}")
    rows, section = [], None
    for item in items:
        if item.section_id and item.section != section:
            section = item.section
            rows.append(["", section.title, "", "", ""])
        rows.append([f"{item.number}.", item.title, item.deadline_text, item.responsible_names,
                     item.expected_result])
    document.table([gettext("№ п/п"), gettext("Наименование мероприятия"), gettext("Сроки"),
                    gettext("Ответственный"), gettext("Результат")], rows)
    for revision in plan.revisions.filter(status="approved").order_by("number"):
        document.paragraph(gettext("Изменения № %(number)s утверждены %(date)s, %(name)s: %(reason)s") % {
            "number": revision.number, "date": f"{revision.approved_on:%d.%m.%Y}",
            "name": revision.approved_by_name, "reason": revision.reason}, muted=True)
    return document


def report_document(plan, items, summary: dict, absolute) -> Document:
    """The report on a plan as a Word document, with the stamps of the print version;
    ``absolute`` turns an evidence's link into a full address."""
    document = Document(gettext("Отчёт об исполнении плана «%(title)s»") % {"title": plan.title},
                        landscape=True)
    _stamps_of(plan, document)
    document.paragraph(f"{plan.municipality.name}, {plan.get_period_kind_display()} {plan.period_label}")
    rows = []
    for item in items:
        status = str(item.get_status_display())
        if item.done_on:
            status += f", {item.done_on:%d.%m.%Y}"
        if item.reason:
            status += f"\n{item.reason}"
        rows.append([f"{item.number}.", item.title, item.deadline_text, item.expected_result,
                     item.actual_result, status, "\n".join(proofs(item, absolute))])
    document.table([gettext("№ п/п"), gettext("Наименование мероприятия"), gettext("Сроки"),
                    gettext("Ожидаемый результат"), gettext("Фактический результат"),
                    gettext("Статус"), gettext("Подтверждения")], rows)
    document.heading(gettext("Итого"), level=2)
    document.paragraph(gettext(
        "Всего мероприятий: %(total)s; выполнено в срок: %(done)s; выполнено с опозданием: "
        "%(done_late)s; не выполнено: %(not_done)s; отменено: %(cancelled)s; не завершено: "
        "%(open)s.") % summary)
    return document
