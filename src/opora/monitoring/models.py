"""Targets of the indicators and the frozen snapshots of their values.

The population of children aged 5–17 (the denominator of coverage) is
``registry.MunicipalityPopulation``; this app keeps it through ``services``.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Indicator(models.TextChoices):
    COVERAGE = "coverage", _("Охват детей 5–17 лет дополнительным образованием, %")
    COVERAGE_BY_PROVIDER = "coverage_by_provider", _(
        "Охват по муниципалитету организаций (обучаются у организаций муниципалитета), %")
    CERTIFICATES = "certificates", _("Доля детей 5–17 лет с сертификатом, %")
    FINANCING_CERTIFICATES = "financing_certificates", _(
        "Доля детей 5–17 лет с сертификатом финансирования или социальным сертификатом, %")
    CERTIFICATES_USED = "certificates_used", _(
        "Доля выданных сертификатов, по которым действует хотя бы один договор, %")
    TECHNICAL_PROGRAMS = "technical_programs", _(
        "Доля программ технической и естественнонаучной направленностей, %")
    TEACHER_CATEGORY = "teacher_category", _(
        "Доля педагогов с первой или высшей категорией, %")
    CHILDREN_PER_TEACHER = "children_per_teacher", _("Детей 5–17 лет на одного педагога")
    GIFTED = "gifted", _("Доля детей 5–17 лет в реестре талантливых и одарённых детей, %")
    TEACHERS_TRAINED = "teachers_trained", _(
        "Доля педагогов, прошедших повышение квалификации в текущем году, %")


# Targets that hold when nobody has set one (the regional project «Успех каждого ребенка»).
DEFAULT_TARGETS = {
    Indicator.COVERAGE: 80,
    Indicator.FINANCING_CERTIFICATES: 30,
    Indicator.GIFTED: 1,
}


class IndicatorTarget(models.Model):
    """The target of an indicator for a year: a municipality's own, or the region's
    default (no municipality) that every municipality without its own follows."""

    municipality = models.ForeignKey("registry.Municipality", verbose_name=_("муниципалитет"),
                                     null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="indicator_targets",
                                     help_text=_("Пусто — значение по умолчанию для региона."))
    year = models.PositiveSmallIntegerField(_("год"), validators=[MinValueValidator(2000),
                                                                  MaxValueValidator(2100)])
    indicator = models.CharField(_("показатель"), max_length=30, choices=Indicator.choices)
    value = models.DecimalField(_("целевое значение"), max_digits=7, decimal_places=2,
                                validators=[MinValueValidator(0)])

    SCOPE = {"municipality": "municipality"}

    class Meta:
        verbose_name = _("целевое значение показателя")
        verbose_name_plural = _("целевые значения показателей")
        ordering = ["year", "indicator", "municipality"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year", "indicator"],
                                    condition=Q(municipality__isnull=False),
                                    name="target_per_municipality"),
            models.UniqueConstraint(fields=["year", "indicator"],
                                    condition=Q(municipality__isnull=True),
                                    name="target_region_default"),
        ]

    def __str__(self):
        return f"{self.get_indicator_display()}, {self.year}: {self.value}"


class Snapshot(models.Model):
    """The indicators of a territory (a municipality, or the region when empty) on a
    date, frozen: a report about that date gives the same numbers later. Taken by the
    nightly task, or computed when someone asks for a past date (``recomputed``)."""

    municipality = models.ForeignKey("registry.Municipality", verbose_name=_("муниципалитет"),
                                     null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="indicator_snapshots")
    on_date = models.DateField(_("дата"))
    values = models.JSONField(_("значения"), default=dict)
    recomputed = models.BooleanField(
        _("пересчитан"), default=False,
        help_text=_("Рассчитан позже отчётной даты по данным на момент расчёта."))
    created_at = models.DateTimeField(_("рассчитан"), auto_now_add=True)

    SCOPE = {"municipality": "municipality"}

    class Meta:
        verbose_name = _("срез показателей")
        verbose_name_plural = _("срезы показателей")
        ordering = ["-on_date"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "on_date"],
                                    condition=Q(municipality__isnull=False),
                                    name="snapshot_per_municipality"),
            models.UniqueConstraint(fields=["on_date"], condition=Q(municipality__isnull=True),
                                    name="snapshot_region"),
        ]

    def __str__(self):
        return f"{self.municipality or _('Регион')}, {self.on_date:%d.%m.%Y}"


class StatFormLayout(models.Model):
    """The layout of a statistics form (rows and columns as data, ``monitoring.statform``),
    kept by the РМЦ: the text it edits and the layout parsed from it. Without a stored
    layout the default one holds."""

    kind = models.CharField(_("форма"), max_length=20, unique=True, default="1-dop")
    text = models.TextField(_("макет"))
    layout = models.JSONField(_("разобранный макет"), default=dict)
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)
    updated_by = models.ForeignKey("accounts.User", verbose_name=_("кем изменён"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("макет статистической формы")
        verbose_name_plural = _("макеты статистических форм")

    def __str__(self):
        return self.kind
