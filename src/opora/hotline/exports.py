"""The hotline report in Excel (``core.exporters``): one row per month, municipality and
topic, as on the report page."""

from django.utils.translation import gettext_lazy as _

from opora.core.exporters import Column, Exporter, plain


class HotlineReport(Exporter):
    columns = (
        Column(_("Месяц"), lambda r: r["month"].strftime("%m.%Y"), 10),
        Column(_("Муниципалитет"), lambda r: r["municipality"], 30),
        Column(_("Тема"), lambda r: r["topic"], 34),
        Column(_("Поступило вопросов"), lambda r: r["received"], 12),
        Column(_("Дан ответ"), lambda r: r["answered"], 12),
        Column(_("Ответ в срок"), lambda r: r["on_time"], 12),
        Column(_("Доля ответов в срок, %"), lambda r: r["on_time_share"], 14),
        Column(_("Медиана времени ответа, ч"), lambda r: r["median_hours"], 14),
    )
    filename = _("Горячая линия")
    ascii_filename = "hotline"
    sheet_title = _("Горячая линия")

    def rows(self):
        for row in self.queryset:  # rows already aggregated by selectors.report_rows
            yield [plain(column.value(row)) for column in self.columns]
