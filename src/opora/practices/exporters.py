"""The practices the РМЦ received, one row each (``opora.core.exporters``)."""

from django.utils.translation import gettext_lazy as _

from opora.core.exporters import Column, Exporter


def _yes(value) -> str:
    return str(_("да")) if value else ""


class PracticesExporter(Exporter):
    filename = _("Банк лучших практик")
    ascii_filename = "best-practices"
    sheet_title = _("Практики")
    columns = (
        Column(_("Практика"), lambda p: p.title, width=40),
        Column(_("Авторы"), lambda p: p.authors, width=30),
        Column(_("Организация"), lambda p: p.organization.short_name, width=30),
        Column(_("Муниципалитет"), lambda p: p.municipality.name, width=22),
        Column(_("Направленность"), lambda p: p.get_direction_display(), width=20),
        Column(_("Целевая группа"), lambda p: p.get_target_group_display(), width=22),
        Column(_("Вид практики"), lambda p: p.get_kind_display(), width=20),
        Column(_("Статус"), lambda p: p.get_status_display(), width=16),
        Column(_("Итоговый балл экспертизы, %"), lambda p: p.score, width=12),
        Column(_("Вывод экспертизы"), lambda p: p.get_decision_display(), width=16),
        Column(_("Опубликована"), lambda p: p.published_at, width=16),
        Column(_("Передана в РМЦ"), lambda p: p.forwarded_at, width=16),
        Column(_("Региональная"), lambda p: _yes(p.is_regional), width=10),
        Column(_("Краткое описание"), lambda p: p.summary, width=60),
        Column(_("Результаты и их подтверждение"), lambda p: p.results, width=60),
        Column(_("Условия тиражирования"), lambda p: p.replication, width=60),
        Column(_("Ссылки"), lambda p: "\n".join(p.links), width=40),
    )

    def get_queryset(self):
        return (self.queryset.select_related("organization", "municipality")
                .order_by("municipality__name", "-is_regional", "title", "pk"))
