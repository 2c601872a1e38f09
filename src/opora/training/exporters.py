"""The teachers' records of professional development as .xlsx or .csv
(``opora.core.exporters``): every working teacher, or those without training in three years."""

from django.utils.translation import gettext_lazy as _

from opora.core.exporters import Column, Exporter
from opora.training.selectors import last_on


class TeachersExporter(Exporter):
    filename = _("Повышение квалификации педагогов")
    ascii_filename = "teachers-training"
    sheet_title = _("Педагоги")
    columns = (
        Column(_("Организация"), lambda t: t.organization.short_name, width=35),
        Column(_("Педагог"), lambda t: t.full_name, width=35),
        Column(_("Должность"), lambda t: t.position, width=30),
        Column(_("Квалификационная категория"), lambda t: t.get_category_display(), width=20),
        Column(_("Часов за три года"), lambda t: t.event_hours + t.external_hours, width=14),
        Column(_("Последнее обучение"), last_on, width=16),
    )

    def __init__(self, queryset, *, gap=False):
        super().__init__(queryset)
        if gap:
            self.filename = _("Педагоги без повышения квалификации три года")
            self.ascii_filename = "teachers-without-training"
