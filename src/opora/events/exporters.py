"""The involvement report as .xlsx (``opora.core.exporters``)."""

from django.utils.translation import gettext_lazy as _

from opora.core.exporters import Column, Exporter
from opora.events.models import EventLevel

_LEVELS = dict(EventLevel.choices)


class _Rows:
    """A list of plain rows in the shape ``Exporter.rows`` iterates."""

    def __init__(self, rows):
        self._rows = rows

    def iterator(self, chunk_size=None):
        return iter(self._rows)


def _share(value):
    return value if value is not None else ""


COMMON = (
    Column(_("Участников"), lambda r: r["total"], width=12),
    Column(_("Из сельской местности"), lambda r: r["rural"], width=14),
    Column(_("Доля сельских, %"), lambda r: _share(r["rural_share"]), width=12),
    Column(_("С ОВЗ"), lambda r: r["ovz"], width=10),
    Column(_("Доля с ОВЗ, %"), lambda r: _share(r["ovz_share"]), width=12),
    Column(_("В трудной жизненной ситуации"), lambda r: r["difficult"], width=16),
    Column(_("Доля в ТЖС, %"), lambda r: _share(r["difficult_share"]), width=12),
)


class InvolvementExporter(Exporter):
    filename = _("Вовлечённость детей в мероприятия")
    ascii_filename = "events-involvement"
    sheet_title = _("Вовлечённость")

    def __init__(self, rows, per="events"):
        super().__init__(_Rows(rows))
        if per == "events":
            self.columns = (Column(_("Мероприятие"), lambda r: r["event__title"], width=50),
                            Column(_("Уровень"), lambda r: str(_LEVELS.get(r["event__level"], "")),
                                   width=16), *COMMON)
        else:
            self.columns = (Column(_("Муниципалитет проживания"),
                                   lambda r: r["child__municipality__name"], width=40), *COMMON)
