"""Independent quality assessment of programs (НОК, docs/domain.md §12).

A ``CriteriaSet`` is versioned data: its criteria (scale, weight, knock-out) and pass
thresholds never change once saved; a change is a new version. A ``Campaign`` of a
municipality (or of the region) names the version it runs with, the programs under
assessment (``Entry``), and the experts assigned to each (``Assignment``), who score
every criterion (``Score``). The result of an entry (its percentage, decision and
remarks) is stored on it when the last sheet comes in, and published with the campaign.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opora.registry.choices import Direction


class Decision(models.TextChoices):
    PASSED = "passed", _("соответствует")
    REVISE = "revise", _("на доработку")
    FAILED = "failed", _("не соответствует")


class CriteriaPurpose(models.TextChoices):
    PROGRAMS = "programs", _("оценка программ")
    PRACTICES = "practices", _("отбор лучших практик")


class CriteriaSet(models.Model):
    """One version of a set of criteria. ``municipality`` empty: the regional set.
    ``purpose``: what the set scores — programs in campaigns, or practices of the bank
    (``opora.practices``)."""

    municipality = models.ForeignKey("registry.Municipality", verbose_name=_("муниципалитет"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="criteria_sets")
    title = models.CharField(_("название"), max_length=300)
    purpose = models.CharField(_("назначение"), max_length=20, choices=CriteriaPurpose.choices,
                               default=CriteriaPurpose.PROGRAMS)
    version = models.PositiveIntegerField(_("версия"), default=1)
    based_on = models.ForeignKey("self", verbose_name=_("на основе версии"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="+")
    pass_threshold = models.DecimalField(
        _("порог «соответствует», %"), max_digits=5, decimal_places=2, default=70,
        help_text=_("Доля от максимально возможного взвешенного балла."))
    revise_threshold = models.DecimalField(
        _("порог «на доработку», %"), max_digits=5, decimal_places=2, default=50,
        help_text=_("Ниже этого порога — «не соответствует»."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("создал"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    SCOPE = {"municipality": "municipality"}

    class Meta:
        verbose_name = _("набор критериев")
        verbose_name_plural = _("наборы критериев")
        ordering = ["title", "-version"]
        constraints = [
            models.CheckConstraint(name="criteria_thresholds",
                                   condition=Q(revise_threshold__lte=models.F("pass_threshold"))),
        ]

    def __str__(self):
        return f"{self.title}, {_('версия')} {self.version}"

    @classmethod
    def public_q(cls):
        return Q(municipality__isnull=True)  # the regional sets are everyone's starting point


class Criterion(models.Model):
    criteria_set = models.ForeignKey(CriteriaSet, verbose_name=_("набор"), on_delete=models.CASCADE,
                                     related_name="criteria")
    position = models.PositiveSmallIntegerField(_("№"))
    title = models.CharField(_("критерий"), max_length=300)
    description = models.TextField(_("что оценивается"), blank=True)
    scale_max = models.PositiveSmallIntegerField(_("наибольший балл"), default=2,
                                                 help_text=_("Шкала от 0 до этого балла."))
    weight = models.DecimalField(_("вес"), max_digits=5, decimal_places=2, default=1)
    is_knock_out = models.BooleanField(
        _("критерий-стоп"), default=False,
        help_text=_("Если большинство экспертов ставят по нему 0, программа не проходит оценку."))

    class Meta:
        verbose_name = _("критерий")
        verbose_name_plural = _("критерии")
        ordering = ["criteria_set", "position"]
        constraints = [
            models.UniqueConstraint(fields=["criteria_set", "position"], name="criterion_position"),
            models.CheckConstraint(name="criterion_scale", condition=Q(scale_max__gte=1)),
            models.CheckConstraint(name="criterion_weight", condition=Q(weight__gt=0)),
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"


class QualitySettings(models.Model):
    """A municipality's settings of the assessment."""

    municipality = models.OneToOneField("registry.Municipality", verbose_name=_("муниципалитет"),
                                        on_delete=models.CASCADE, related_name="quality_settings")
    passed_required_for_certification = models.BooleanField(
        _("сертификация только программ, прошедших оценку"), default=False,
        help_text=_("Модуль программы можно сертифицировать для финансирования по сертификату, "
                    "только если последняя независимая оценка программы — «соответствует»."))

    SCOPE = {"municipality": "municipality"}

    class Meta:
        verbose_name = _("настройки оценки качества")
        verbose_name_plural = _("настройки оценки качества")

    def __str__(self):
        return str(self.municipality)


class Expert(models.Model):
    """A person with the expert role, the directions they assess and where they work."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("пользователь"),
                                on_delete=models.PROTECT, related_name="expert_profile")
    municipality = models.ForeignKey("registry.Municipality", verbose_name=_("муниципалитет"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="experts",
                                     help_text=_("Пусто — эксперт региона."))
    organization = models.ForeignKey("registry.Organization", verbose_name=_("место работы"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="experts")
    position = models.CharField(_("должность"), max_length=300, blank=True)
    directions = models.JSONField(_("направленности"), default=list, blank=True)
    is_active = models.BooleanField(_("привлекается"), default=True)

    SCOPE = {"municipality": "municipality"}

    class Meta:
        verbose_name = _("эксперт")
        verbose_name_plural = _("эксперты")
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self):
        return self.user.get_full_name() or self.user.email

    @property
    def direction_labels(self) -> list[str]:
        labels = dict(Direction.choices)
        return [str(labels[code]) for code in self.directions if code in labels]


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("подготовка")
    RUNNING = "running", _("идёт экспертиза")
    PUBLISHED = "published", _("результаты опубликованы")


class Campaign(models.Model):
    municipality = models.ForeignKey("registry.Municipality", verbose_name=_("муниципалитет"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="quality_campaigns",
                                     help_text=_("Пусто — оценка по всему региону."))
    title = models.CharField(_("название"), max_length=300)
    starts_on = models.DateField(_("начало"))
    ends_on = models.DateField(_("окончание"))
    scoring_deadline = models.DateField(_("срок экспертизы"),
                                        help_text=_("Последний день, когда эксперты заполняют листы."))
    criteria_set = models.ForeignKey(CriteriaSet, verbose_name=_("набор критериев"),
                                     on_delete=models.PROTECT, related_name="campaigns")
    experts_per_program = models.PositiveSmallIntegerField(_("экспертов на программу"), default=3)
    spread_limit = models.DecimalField(
        _("допустимое расхождение, баллов"), max_digits=5, decimal_places=2, default=1,
        help_text=_("Если оценки двух экспертов по критерию расходятся больше, назначается "
                    "ещё один эксперт."))
    appeal_days = models.PositiveSmallIntegerField(_("срок апелляции, дней"), default=10)
    exclude_same_founder = models.BooleanField(
        _("не назначать экспертов из организаций того же учредителя"), default=False)
    applications_open = models.BooleanField(_("организации могут подать заявку"), default=True)
    status = models.CharField(_("статус"), max_length=20, choices=CampaignStatus.choices,
                              default=CampaignStatus.DRAFT)
    started_at = models.DateTimeField(_("экспертиза начата"), null=True, blank=True)
    published_at = models.DateTimeField(_("результаты опубликованы"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("создал"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)

    SCOPE = {"municipality": "municipality"}

    class Meta:
        verbose_name = _("кампания оценки качества")
        verbose_name_plural = _("кампании оценки качества")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(name="campaign_period", condition=Q(starts_on__lte=models.F("ends_on"))),
            models.CheckConstraint(name="campaign_experts", condition=Q(experts_per_program__gte=1)),
        ]

    def __str__(self):
        return self.title

    @classmethod
    def public_q(cls):
        return Q(status=CampaignStatus.PUBLISHED)


class EntryStatus(models.TextChoices):
    APPLIED = "applied", _("заявка организации")
    INCLUDED = "included", _("включена в оценку")
    SCORING = "scoring", _("на экспертизе")
    DECIDED = "decided", _("оценена")
    DECLINED = "declined", _("не включена")


class Entry(models.Model):
    """A program under assessment in a campaign, and its result."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("кампания"), on_delete=models.CASCADE,
                                 related_name="entries")
    program = models.ForeignKey("registry.Program", verbose_name=_("программа"),
                                on_delete=models.PROTECT, related_name="quality_entries")
    status = models.CharField(_("статус"), max_length=20, choices=EntryStatus.choices,
                              default=EntryStatus.INCLUDED)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("заявку подал"),
                                   null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    score = models.DecimalField(_("итоговый балл, %"), max_digits=5, decimal_places=1, null=True,
                                blank=True)
    decision = models.CharField(_("решение"), max_length=20, choices=Decision.choices, blank=True)
    knocked_out = models.BooleanField(_("не прошла по критерию-стоп"), default=False)
    criteria_means = models.JSONField(_("средние по критериям"), default=dict, blank=True)
    remarks = models.TextField(_("замечания организации"), blank=True)
    decided_at = models.DateTimeField(_("оценена"), null=True, blank=True)
    needs_expert = models.BooleanField(
        _("нужен ещё эксперт"), default=False,
        help_text=_("Расхождение оценок: нужен дополнительный эксперт, а подходящего не нашлось."))

    SCOPE = {"organization": "program__organization",
             "municipality": "program__organization__municipality"}

    class Meta:
        verbose_name = _("программа на оценке")
        verbose_name_plural = _("программы на оценке")
        ordering = ["campaign", "program__title"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "program"], name="entry_once_per_campaign"),
        ]

    def __str__(self):
        return f"{self.program} — {self.campaign}"

    @classmethod
    def public_q(cls):
        return Q(campaign__status=CampaignStatus.PUBLISHED, status=EntryStatus.DECIDED)


class AssignmentKind(models.TextChoices):
    REGULAR = "regular", _("основной")
    EXTRA = "extra", _("дополнительный (расхождение оценок)")
    APPEAL = "appeal", _("по апелляции")


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("назначен")
    SUBMITTED = "submitted", _("лист сдан")
    WITHDRAWN = "withdrawn", _("снят")


class Assignment(models.Model):
    entry = models.ForeignKey(Entry, verbose_name=_("программа на оценке"), on_delete=models.CASCADE,
                              related_name="assignments")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("эксперт"),
                               on_delete=models.PROTECT, related_name="quality_assignments")
    kind = models.CharField(_("вид"), max_length=20, choices=AssignmentKind.choices,
                            default=AssignmentKind.REGULAR)
    status = models.CharField(_("статус"), max_length=20, choices=AssignmentStatus.choices,
                              default=AssignmentStatus.ASSIGNED)
    due_on = models.DateField(_("срок"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("назначил"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(_("назначен"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("лист сдан"), null=True, blank=True)

    # The expert reaches their own assignments as «responsible» (accounts.scope).
    SCOPE = {"responsible": "expert",
             "municipality": "entry__program__organization__municipality"}

    class Meta:
        verbose_name = _("назначение эксперта")
        verbose_name_plural = _("назначения экспертов")
        ordering = ["entry", "assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "expert"], name="assignment_once_per_entry",
                                    condition=~Q(status=AssignmentStatus.WITHDRAWN)),
        ]

    def __str__(self):
        return f"{self.expert} — {self.entry.program}"


class Score(models.Model):
    assignment = models.ForeignKey(Assignment, verbose_name=_("назначение"), on_delete=models.CASCADE,
                                   related_name="scores")
    criterion = models.ForeignKey(Criterion, verbose_name=_("критерий"), on_delete=models.PROTECT,
                                  related_name="+")
    value = models.PositiveSmallIntegerField(_("балл"))
    comment = models.TextField(_("комментарий"), blank=True)

    class Meta:
        verbose_name = _("оценка по критерию")
        verbose_name_plural = _("оценки по критериям")
        ordering = ["assignment", "criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="score_once_per_criterion"),
        ]

    def __str__(self):
        return f"{self.criterion_id}: {self.value}"


class AppealStatus(models.TextChoices):
    FILED = "filed", _("подана")
    UPHELD = "upheld", _("удовлетворена")
    REJECTED = "rejected", _("отклонена")


class Appeal(models.Model):
    entry = models.OneToOneField(Entry, verbose_name=_("программа на оценке"), on_delete=models.CASCADE,
                                 related_name="appeal")
    reason = models.TextField(_("доводы организации"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("подал"), null=True,
                                 on_delete=models.SET_NULL, related_name="+")
    filed_at = models.DateTimeField(_("подана"), auto_now_add=True)
    status = models.CharField(_("статус"), max_length=20, choices=AppealStatus.choices,
                              default=AppealStatus.FILED)
    decision_before = models.CharField(_("решение до апелляции"), max_length=20,
                                       choices=Decision.choices)
    score_before = models.DecimalField(_("балл до апелляции, %"), max_digits=5, decimal_places=1,
                                       null=True)
    answer = models.TextField(_("ответ МОЦ"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("рассмотрел"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("рассмотрена"), null=True, blank=True)

    SCOPE = {"organization": "entry__program__organization",
             "municipality": "entry__program__organization__municipality"}

    class Meta:
        verbose_name = _("апелляция")
        verbose_name_plural = _("апелляции")

    def __str__(self):
        return f"{_('Апелляция')}: {self.entry.program}"


# --- parents' ratings of programs (docs/domain.md §12) ---------------------------------------


class RatingRules(models.Model):
    """One version of the weights and thresholds of the parents' rating, region-wide and
    kept by the РМЦ. A saved version never changes: an edit saves a new one, and every
    computed rating names the version it was computed with."""

    version = models.PositiveIntegerField(_("версия"), unique=True)
    weight_results = models.DecimalField(_("вес «результаты»"), max_digits=4, decimal_places=2)
    weight_staff = models.DecimalField(_("вес «педагоги и наполняемость»"), max_digits=4, decimal_places=2)
    weight_means = models.DecimalField(_("вес «средства обучения»"), max_digits=4, decimal_places=2)
    weight_overall = models.DecimalField(_("вес «общая удовлетворённость»"), max_digits=4, decimal_places=2)
    early_penalty = models.DecimalField(
        _("штраф за досрочные расторжения, баллов"), max_digits=4, decimal_places=2,
        help_text=_("Вычитается, умноженный на долю договоров, досрочно расторгнутых родителями."))
    min_share = models.DecimalField(
        _("минимальная доля оценивших, %"), max_digits=5, decimal_places=2,
        help_text=_("Рейтинг показывается, когда оценок не меньше этой доли зачислений, "
                    "дающих право оценить программу."))
    min_ratings = models.PositiveSmallIntegerField(_("минимум оценок"), default=3)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("создал"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)

    class Meta:
        verbose_name = _("правила рейтинга родителей")
        verbose_name_plural = _("правила рейтинга родителей")
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                name="rating_rules_weights",
                condition=Q(weight_results__gte=0, weight_staff__gte=0, weight_means__gte=0,
                            weight_overall__gte=0, early_penalty__gte=0,
                            min_share__gte=0, min_share__lte=100)),
        ]

    def __str__(self):
        return f"{_('Правила рейтинга, версия')} {self.version}"

    @property
    def weights(self) -> dict:
        return {"results": self.weight_results, "staff": self.weight_staff,
                "means": self.weight_means, "overall": self.weight_overall}


class CommentStatus(models.TextChoices):
    NONE = "none", _("без комментария")
    PENDING = "pending", _("на модерации")
    PUBLISHED = "published", _("опубликован")
    REJECTED = "rejected", _("отклонён")


MARKS = ("results", "staff", "means", "overall")


class Rating(models.Model):
    """A parent's rating of a program for one enrolment (one per application: the unique
    constraint holds it under any race): four marks from 1 to 5 and an optional comment
    that the МОЦ of the program's municipality publishes or rejects; the provider may
    answer a published comment once."""

    application = models.OneToOneField("enrollment.Application", verbose_name=_("зачисление"),
                                       on_delete=models.PROTECT, related_name="rating")
    program = models.ForeignKey("registry.Program", verbose_name=_("программа"), on_delete=models.PROTECT,
                                related_name="parent_ratings")
    parent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("родитель"), null=True,
                               on_delete=models.SET_NULL, related_name="+")
    results = models.PositiveSmallIntegerField(_("результаты достигнуты"))
    staff = models.PositiveSmallIntegerField(_("педагоги и наполняемость группы как заявлено"))
    means = models.PositiveSmallIntegerField(_("средства обучения"))
    overall = models.PositiveSmallIntegerField(_("общая удовлетворённость"))
    comment = models.TextField(_("комментарий"), blank=True)
    comment_status = models.CharField(_("комментарий"), max_length=12, choices=CommentStatus.choices,
                                      default=CommentStatus.NONE)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("модератор"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    moderated_at = models.DateTimeField(_("проверен"), null=True, blank=True)
    moderation_reason = models.TextField(_("причина отклонения"), blank=True)
    resubmitted_at = models.DateTimeField(_("комментарий исправлен"), null=True, blank=True)
    answer = models.TextField(_("ответ организации"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("ответил"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(_("ответ дан"), null=True, blank=True)
    created_at = models.DateTimeField(_("оценка поставлена"), auto_now_add=True)

    SCOPE = {"organization": "program__organization",
             "municipality": "program__organization__municipality"}

    class Meta:
        verbose_name = _("оценка программы родителем")
        verbose_name_plural = _("оценки программ родителями")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="rating_marks_1_5",
                condition=Q(results__gte=1, results__lte=5, staff__gte=1, staff__lte=5,
                            means__gte=1, means__lte=5, overall__gte=1, overall__lte=5)),
        ]
        indexes = [models.Index(fields=["comment_status", "created_at"])]

    def __str__(self):
        return f"{_('Оценка программы')} № {self.pk}"

    @classmethod
    def public_q(cls):
        return Q(comment_status=CommentStatus.PUBLISHED)


class ProgramRating(models.Model):
    """The program's rating as last computed, with everything that explains it and the
    version of the rules used; a later version leaves this explanation as it was until
    the rating is computed again."""

    program = models.OneToOneField("registry.Program", verbose_name=_("программа"), on_delete=models.CASCADE,
                                   related_name="parent_rating")
    rules = models.ForeignKey(RatingRules, verbose_name=_("правила"), on_delete=models.PROTECT,
                              related_name="+")
    ratings = models.PositiveIntegerField(_("оценок"))
    qualifying = models.PositiveIntegerField(_("зачислений с правом оценки"))
    means = models.JSONField(_("средние оценки"), default=dict)
    contracts = models.PositiveIntegerField(_("договоров"), default=0)
    early_by_parents = models.PositiveIntegerField(_("досрочно расторгнуто родителями"), default=0)
    weighted = models.DecimalField(_("взвешенная сумма средних"), max_digits=4, decimal_places=2, null=True)
    score = models.DecimalField(_("рейтинг"), max_digits=3, decimal_places=1, null=True)
    shown = models.BooleanField(_("показывается"), default=False)
    computed_at = models.DateTimeField(_("рассчитан"))

    class Meta:
        verbose_name = _("рейтинг программы")
        verbose_name_plural = _("рейтинги программ")

    def __str__(self):
        return f"{self.program_id}: {self.score}"
