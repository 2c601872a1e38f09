"""A campaign's results with every score, one row per expert and criterion
(``opora.core.exporters``): a reader filters by program or expert in Excel and sees the
program's result next to each score."""

from django.utils.translation import gettext_lazy as _

from opora.core.exporters import Column, Exporter
from opora.quality.models import AssignmentStatus, Score


class CampaignScoresExporter(Exporter):
    filename = _("Результаты независимой оценки качества")
    ascii_filename = "quality-results"
    sheet_title = _("Оценки экспертов")
    columns = (
        Column(_("Программа"), lambda s: s.assignment.entry.program.title, width=40),
        Column(_("Организация"), lambda s: s.assignment.entry.program.organization.short_name, width=30),
        Column(_("Муниципалитет"), lambda s: s.assignment.entry.program.organization.municipality.name, width=22),
        Column(_("Направленность"), lambda s: s.assignment.entry.program.get_direction_display(), width=20),
        Column(_("Эксперт"), lambda s: s.assignment.expert.get_full_name(), width=26),
        Column(_("Назначение"), lambda s: s.assignment.get_kind_display(), width=18),
        Column(_("Лист сдан"), lambda s: s.assignment.submitted_at, width=16),
        Column(_("№ критерия"), lambda s: s.criterion.position, width=8),
        Column(_("Критерий"), lambda s: s.criterion.title, width=40),
        Column(_("Вес"), lambda s: s.criterion.weight, width=6),
        Column(_("Наибольший балл"), lambda s: s.criterion.scale_max, width=8),
        Column(_("Балл"), lambda s: s.value, width=6),
        Column(_("Комментарий эксперта"), lambda s: s.comment, width=40),
        Column(_("Итоговый балл программы, %"), lambda s: s.assignment.entry.score, width=12),
        Column(_("Решение"), lambda s: s.assignment.entry.get_decision_display(), width=16),
    )

    @classmethod
    def of(cls, campaign):
        return cls(Score.objects.filter(assignment__entry__campaign=campaign,
                                        assignment__status=AssignmentStatus.SUBMITTED))

    def get_queryset(self):
        return (self.queryset.select_related(
            "criterion", "assignment__expert", "assignment__entry__program__organization__municipality")
            .order_by("assignment__entry__program__title", "assignment__pk", "criterion__position"))
