"""The bank of best practices (docs/domain.md §14).

A ``Practice`` is written by a provider's staff for their organization, submitted to the
МОЦ of its municipality, scored by experts with a criteria set of the quality app
(``quality.CriteriaSet`` of purpose «practices»: the same versioned data, experts and
scoring rules as the campaigns), then published or returned with remarks; the МОЦ
forwards chosen published practices to the РМЦ, which marks the regional ones.
Each round of review has its ``Assignment`` rows (one per expert) and their ``Score``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opora.quality.models import AssignmentKind, AssignmentStatus, Decision
from opora.registry.choices import Direction


class TargetGroup(models.TextChoices):
    ALL = "all", _("все дети")
    RURAL = "rural", _("дети сельской местности")
    OVZ = "ovz", _("дети с ОВЗ")
    DIFFICULT = "difficult", _("дети в трудной жизненной ситуации")
    GIFTED = "gifted", _("одарённые дети")


class PracticeKind(models.TextChoices):
    PROGRAM = "program", _("программа")
    METHODOLOGY = "methodology", _("методика")
    NETWORK = "network", _("сетевая форма")
    DISTANCE = "distance", _("дистанционная форма")
    EVENT = "event", _("формат мероприятия")
    MANAGEMENT = "management", _("управленческая практика")


class PracticeStatus(models.TextChoices):
    DRAFT = "draft", _("черновик")
    SUBMITTED = "submitted", _("подана в МОЦ")
    REVIEW = "review", _("на экспертизе")
    RETURNED = "returned", _("возвращена на доработку")
    PUBLISHED = "published", _("опубликована")
    ARCHIVED = "archived", _("в архиве")


class Practice(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("registry.Organization", verbose_name=_("организация"),
                                     on_delete=models.PROTECT, related_name="practices")
    municipality = models.ForeignKey("registry.Municipality", verbose_name=_("муниципалитет"),
                                     on_delete=models.PROTECT, related_name="practices")
    title = models.CharField(_("название"), max_length=300)
    authors = models.CharField(_("авторы"), max_length=500,
                               help_text=_("Фамилии и имена авторов через запятую."))
    direction = models.CharField(_("направленность"), max_length=20, choices=Direction.choices)
    target_group = models.CharField(_("целевая группа"), max_length=20, choices=TargetGroup.choices,
                                    default=TargetGroup.ALL)
    kind = models.CharField(_("вид практики"), max_length=20, choices=PracticeKind.choices)
    summary = models.TextField(_("краткое описание"))
    goals = models.TextField(_("цели и задачи"), blank=True)
    resources = models.TextField(_("ресурсы"), blank=True)
    results = models.TextField(_("результаты и их подтверждение"), blank=True)
    replication = models.TextField(_("условия тиражирования"), blank=True)
    links = models.JSONField(_("ссылки"), default=list, blank=True)
    programs = models.ManyToManyField("registry.Program", verbose_name=_("связанные программы"),
                                      blank=True, related_name="practices")
    status = models.CharField(_("статус"), max_length=20, choices=PracticeStatus.choices,
                              default=PracticeStatus.DRAFT)
    remarks = models.TextField(_("замечания МОЦ"), blank=True)
    # the review: the round (one per submission taken into review), its criteria version,
    # and the result once every expert has submitted
    review_round = models.PositiveSmallIntegerField(_("раунд экспертизы"), default=0)
    criteria_set = models.ForeignKey("quality.CriteriaSet", verbose_name=_("набор критериев"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    review_due = models.DateField(_("срок экспертизы"), null=True, blank=True)
    score = models.DecimalField(_("итоговый балл, %"), max_digits=5, decimal_places=1, null=True, blank=True)
    decision = models.CharField(_("вывод экспертизы"), max_length=20, choices=Decision.choices, blank=True)
    knocked_out = models.BooleanField(_("не прошла по критерию-стоп"), default=False)
    criteria_means = models.JSONField(_("средние по критериям"), default=dict, blank=True)
    needs_expert = models.BooleanField(
        _("нужен ещё эксперт"), default=False,
        help_text=_("Расхождение оценок: нужен дополнительный эксперт, а подходящего не нашлось."))
    returned_at = models.DateTimeField(_("возвращена на доработку"), null=True, blank=True)
    forwarded_at = models.DateTimeField(_("передана в РМЦ"), null=True, blank=True)
    is_regional = models.BooleanField(_("региональная практика"), default=False)
    search_stems = models.TextField(editable=False, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("создал"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("подана"), null=True, blank=True)
    published_at = models.DateTimeField(_("опубликована"), null=True, blank=True)

    SCOPE = {"organization": "organization", "municipality": "municipality"}

    class Meta:
        verbose_name = _("практика")
        verbose_name_plural = _("практики")
        ordering = ["-published_at", "-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "municipality"]),
                   models.Index(fields=["forwarded_at"])]

    def __str__(self):
        return self.title

    @classmethod
    def public_q(cls):
        return Q(status=PracticeStatus.PUBLISHED)

    @property
    def forwarded(self) -> bool:
        return self.forwarded_at is not None


def file_path(practice_file, filename):
    extension = filename.rpartition(".")[2].lower()[:10]
    return f"practices/{practice_file.practice.uuid}/{uuid.uuid4().hex}.{extension}"


class PracticeFile(models.Model):
    practice = models.ForeignKey(Practice, verbose_name=_("практика"), on_delete=models.CASCADE,
                                 related_name="files")
    file = models.FileField(_("файл"), upload_to=file_path, max_length=300)
    name = models.CharField(_("имя файла"), max_length=200)
    size = models.PositiveIntegerField(_("размер, байт"))
    uploaded_at = models.DateTimeField(_("загружен"), auto_now_add=True)

    SCOPE = {"organization": "practice__organization", "municipality": "practice__municipality"}

    class Meta:
        verbose_name = _("файл практики")
        verbose_name_plural = _("файлы практик")
        ordering = ["practice", "pk"]

    def __str__(self):
        return self.name


class Assignment(models.Model):
    """An expert on a practice in one round of review."""

    practice = models.ForeignKey(Practice, verbose_name=_("практика"), on_delete=models.CASCADE,
                                 related_name="assignments")
    round = models.PositiveSmallIntegerField(_("раунд"))
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("эксперт"), on_delete=models.PROTECT,
                               related_name="practice_assignments")
    kind = models.CharField(_("вид"), max_length=20, choices=AssignmentKind.choices,
                            default=AssignmentKind.REGULAR)
    status = models.CharField(_("статус"), max_length=20, choices=AssignmentStatus.choices,
                              default=AssignmentStatus.ASSIGNED)
    due_on = models.DateField(_("срок"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("назначил"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(_("назначен"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("лист сдан"), null=True, blank=True)

    SCOPE = {"responsible": "expert", "municipality": "practice__municipality"}

    class Meta:
        verbose_name = _("эксперт по практике")
        verbose_name_plural = _("эксперты по практикам")
        ordering = ["practice", "round", "assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "round", "expert"], name="practice_assignment_once",
                                    condition=~Q(status=AssignmentStatus.WITHDRAWN)),
        ]

    def __str__(self):
        return f"{self.expert} — {self.practice}"


class Score(models.Model):
    assignment = models.ForeignKey(Assignment, verbose_name=_("назначение"), on_delete=models.CASCADE,
                                   related_name="scores")
    criterion = models.ForeignKey("quality.Criterion", verbose_name=_("критерий"), on_delete=models.PROTECT,
                                  related_name="+")
    value = models.PositiveSmallIntegerField(_("балл"))
    comment = models.TextField(_("комментарий"), blank=True)

    class Meta:
        verbose_name = _("оценка практики по критерию")
        verbose_name_plural = _("оценки практик по критериям")
        ordering = ["assignment", "criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="practice_score_once"),
        ]

    def __str__(self):
        return f"{self.criterion_id}: {self.value}"


class PracticeSettings(models.Model):
    """A municipality's rules of reviewing practices: how many experts a practice gets,
    the spread that asks one more, and the days a provider has to appeal a return."""

    municipality = models.OneToOneField("registry.Municipality", verbose_name=_("муниципалитет"),
                                        on_delete=models.CASCADE, related_name="practice_settings")
    spread_limit = models.DecimalField(
        _("допустимое расхождение, баллов"), max_digits=5, decimal_places=2, default=1,
        help_text=_("Если оценки двух экспертов по критерию расходятся больше, назначается "
                    "ещё один эксперт."))
    appeal_days = models.PositiveSmallIntegerField(_("срок апелляции, дней"), default=10)
    experts_per_practice = models.PositiveSmallIntegerField(_("экспертов на практику"), default=3)

    SCOPE = {"municipality": "municipality"}

    class Meta:
        verbose_name = _("правила экспертизы практик")
        verbose_name_plural = _("правила экспертизы практик")
        constraints = [
            models.CheckConstraint(name="practice_settings_values",
                                   condition=Q(spread_limit__gte=0, appeal_days__gte=1,
                                             experts_per_practice__gte=1)),
        ]

    def __str__(self):
        return str(self.municipality)


class AppealStatus(models.TextChoices):
    FILED = "filed", _("подана")
    UPHELD = "upheld", _("удовлетворена")
    REJECTED = "rejected", _("отклонена")


class PracticeAppeal(models.Model):
    """The provider's appeal of a return with remarks, one per round of review; the МОЦ
    gives it to a new expert and upholds it (the practice goes back to review with the
    result computed again over every sheet) or rejects it (the return stands)."""

    practice = models.ForeignKey(Practice, verbose_name=_("практика"), on_delete=models.CASCADE,
                                 related_name="appeals")
    round = models.PositiveSmallIntegerField(_("раунд"))
    reason = models.TextField(_("доводы организации"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("подал"), null=True,
                                 on_delete=models.SET_NULL, related_name="+")
    filed_at = models.DateTimeField(_("подана"), auto_now_add=True)
    status = models.CharField(_("статус"), max_length=20, choices=AppealStatus.choices,
                              default=AppealStatus.FILED)
    decision_before = models.CharField(_("вывод до апелляции"), max_length=20, choices=Decision.choices,
                                       blank=True)
    score_before = models.DecimalField(_("балл до апелляции, %"), max_digits=5, decimal_places=1, null=True)
    answer = models.TextField(_("ответ МОЦ"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("рассмотрел"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("рассмотрена"), null=True, blank=True)

    SCOPE = {"organization": "practice__organization", "municipality": "practice__municipality"}

    class Meta:
        verbose_name = _("апелляция по практике")
        verbose_name_plural = _("апелляции по практикам")
        ordering = ["-filed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "round"], name="practice_appeal_once_per_round"),
        ]

    def __str__(self):
        return f"{_('Апелляция')}: {self.practice}"
