"""Exports of the registry: programs and organizations, as xlsx or csv.

Each exporter takes a queryset the caller has already scoped and adds the joins
and per-row aggregates its columns need, so an export is one query however many
rows it holds.
"""

from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, IntegerField, Min, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from opora.core.exporters import Column, Exporter, Kind
from opora.registry.choices import FundingSource, ProgramStatus
from opora.registry.models import Group, GroupFunding, Program, Teacher


def _aggregate(queryset, key, aggregate, output_field, default=None):
    """One aggregate over the rows of ``queryset`` belonging to the outer row, as a
    correlated subquery: joining groups and funding lines at once would multiply
    rows and skew the sums."""
    value = Subquery(queryset.order_by().values(key).annotate(value=aggregate).values("value"),
                     output_field=output_field)
    return value if default is None else Coalesce(value, default, output_field=output_field)


def _active_groups():
    return Group.objects.filter(module__program=OuterRef("pk"), is_active=True)


def _active_funding():
    return GroupFunding.objects.filter(group__module__program=OuterRef("pk"), group__is_active=True)


def _money(value):
    # SQLite returns an aggregate of decimals without its scale (1500.5).
    return Decimal(value).quantize(Decimal("0.01")) if value else None


def _funding_labels(program):
    return [source.label for source in FundingSource if getattr(program, f"has_{source.value}")]


class ProgramRegistryExporter(Exporter):
    """The register of programs with what the МОЦ checks: who runs it, for whom, how
    many groups and seats, which financing sources and from what price."""

    filename = _("Реестр программ")
    ascii_filename = "programs"
    sheet_title = _("Программы")
    columns = (
        Column(_("Идентификатор"), lambda p: p.uuid, width=38, kind=Kind.ID),
        Column(_("Название"), lambda p: p.title, width=50),
        Column(_("Организация"), lambda p: p.organization.short_name, width=35),
        Column(_("ИНН"), lambda p: p.organization.inn, width=14, kind=Kind.ID),
        Column(_("Муниципалитет"), lambda p: p.organization.municipality.name, width=25),
        Column(_("Направленность"), lambda p: p.get_direction_display(), width=25),
        Column(_("Специализация"), lambda p: p.specialisation.name if p.specialisation else "", width=25),
        Column(_("Вид программы"), lambda p: p.get_program_type_display(), width=20),
        Column(_("Уровень"), lambda p: p.level_labels, width=30),
        Column(_("Форма обучения"), lambda p: p.get_study_form_display()),
        Column(_("Дистанционно"), lambda p: p.is_distance),
        Column(_("Сетевая форма"), lambda p: p.is_network),
        Column(_("Возраст от"), lambda p: p.age_min, kind=Kind.COUNT),
        Column(_("Возраст до"), lambda p: p.age_max, kind=Kind.COUNT),
        Column(_("Месяцев"), lambda p: p.duration_months, kind=Kind.COUNT),
        Column(_("Часов"), lambda p: p.hours_total, kind=Kind.COUNT),
        Column(_("ОВЗ"), lambda p: p.ovz_labels, width=30),
        Column(_("Реестры"), lambda p: p.register_labels, width=25),
        Column(_("Сезонность"), lambda p: p.get_seasonal_kind_display() if p.seasonal_kind else ""),
        Column(_("Статус"), lambda p: p.get_status_display(), width=15),
        Column(_("Активных групп"), lambda p: p.group_count, kind=Kind.COUNT),
        Column(_("Мест в группах"), lambda p: p.seat_count, kind=Kind.COUNT),
        Column(_("Источники финансирования"), _funding_labels, width=35),
        Column(_("Стоимость в месяц от, ₽"), lambda p: _money(p.min_monthly_price), kind=Kind.MONEY),
        Column(_("Изменено"), lambda p: p.updated_at, width=17, kind=Kind.DATETIME),
    )

    def get_queryset(self):
        sources = {
            f"has_{source.value}": Exists(_active_funding().filter(source=source.value))
            for source in FundingSource
        }
        return (
            self.queryset
            .select_related("organization__municipality", "specialisation")
            .annotate(
                group_count=_aggregate(_active_groups(), "module__program", Count("pk"),
                                       IntegerField(), default=0),
                seat_count=_aggregate(_active_groups(), "module__program", Sum("capacity_max"),
                                      IntegerField(), default=0),
                min_monthly_price=_aggregate(
                    _active_funding().filter(monthly_price__gt=0), "group__module__program",
                    Min("monthly_price"), DecimalField(max_digits=14, decimal_places=2)),
                **sources,
            )
            .order_by("organization__municipality__name", "organization__short_name", "title", "pk")
        )


class OrganizationRegistryExporter(Exporter):
    """The register of organizations with their counts of programs and teachers."""

    filename = _("Реестр организаций")
    ascii_filename = "organizations"
    sheet_title = _("Организации")
    columns = (
        Column(_("Идентификатор"), lambda o: o.uuid, width=38, kind=Kind.ID),
        Column(_("Полное наименование"), lambda o: o.full_name, width=60),
        Column(_("Краткое наименование"), lambda o: o.short_name, width=35),
        Column(_("ИНН"), lambda o: o.inn, width=14, kind=Kind.ID),
        Column(_("ОГРН"), lambda o: o.ogrn, width=16, kind=Kind.ID),
        Column(_("Тип организации"), lambda o: o.get_kind_display(), width=35),
        Column(_("Ведомственная принадлежность"), lambda o: o.get_sector_display(), width=20),
        Column(_("Форма собственности"), lambda o: o.get_ownership_display(), width=15),
        Column(_("Муниципалитет"), lambda o: o.municipality.name, width=25),
        Column(_("Адрес"), lambda o: o.address, width=40),
        Column(_("Сельская местность"), lambda o: o.is_rural),
        Column(_("Телефон"), lambda o: o.phone, width=18),
        Column(_("E-mail"), lambda o: o.email, width=25),
        Column(_("Сайт"), lambda o: o.website, width=25),
        Column(_("Руководитель"), lambda o: o.head_name, width=30),
        Column(_("Номер лицензии"), lambda o: o.licence_number, width=18, kind=Kind.ID),
        Column(_("Дата лицензии"), lambda o: o.licence_date, width=14, kind=Kind.DATE),
        Column(_("Активна"), lambda o: o.is_active),
        Column(_("МОЦ муниципалитета"), lambda o: o.is_support_centre),
        Column(_("Программ всего"), lambda o: o.program_count, kind=Kind.COUNT),
        Column(_("Программ опубликовано"), lambda o: o.published_count, kind=Kind.COUNT),
        Column(_("Педагогов"), lambda o: o.teacher_count, kind=Kind.COUNT),
        Column(_("Изменено"), lambda o: o.updated_at, width=17, kind=Kind.DATETIME),
    )

    def get_queryset(self):
        def count(queryset):
            return _aggregate(queryset, "organization", Count("pk"), IntegerField(), default=0)

        programs = Program.objects.filter(organization=OuterRef("pk"))
        return (
            self.queryset
            .select_related("municipality")
            .annotate(
                program_count=count(programs),
                published_count=count(programs.filter(status=ProgramStatus.PUBLISHED)),
                teacher_count=count(Teacher.objects.filter(organization=OuterRef("pk"), is_active=True)),
            )
            .order_by("municipality__name", "short_name", "pk")
        )
