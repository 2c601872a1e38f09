"""The МОЦ's plans (docs/domain.md §7): the work plan, the media plan, the plan of creating
the МОЦ and any other kind added as data. A plan has sections and items; an item has a
deadline as the МОЦ wrote it and as an interval computed by ``opora.plans.deadlines``,
responsible people, expected and actual results, a status and evidence. Changes to an
approved plan are made in a numbered revision the education authority approves again.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opora.registry.flags import Flags, FlagsField


class PlanKind(models.Model):
    """A kind of plan, kept as data: «План работы МОЦ», «Медиаплан», …"""

    code = models.SlugField(_("код"), max_length=40, unique=True)
    title = models.CharField(_("название"), max_length=200)
    has_channels = models.BooleanField(_("с каналами и публикациями"), default=False)
    has_audience = models.BooleanField(
        _("с категориями участников"), default=False,
        help_text=_("Как план повышения квалификации: у мероприятия указано, для кого оно."))
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        ordering = ["position", "title"]
        verbose_name = _("вид плана")
        verbose_name_plural = _("виды планов")

    def __str__(self):
        return self.title


class PeriodKind(models.TextChoices):
    CALENDAR = "calendar", _("календарный год")
    SCHOOL = "school", _("учебный год")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("черновик")
    SENT = "sent", _("на утверждении")
    RETURNED = "returned", _("возвращён на доработку")
    APPROVED = "approved", _("утверждён")
    AGREED = "agreed", _("согласован с РМЦ")
    IN_EXECUTION = "in_execution", _("исполняется")
    REPORTED = "reported", _("отчёт сдан")
    REPORT_ACCEPTED = "report_accepted", _("отчёт принят")


class Plan(models.Model):
    municipality = models.ForeignKey("registry.Municipality", verbose_name=_("муниципалитет"),
                                     on_delete=models.PROTECT, related_name="plans")
    kind = models.ForeignKey(PlanKind, verbose_name=_("вид"), on_delete=models.PROTECT,
                             related_name="plans")
    title = models.CharField(_("название"), max_length=300)
    period_kind = models.CharField(_("период"), max_length=10, choices=PeriodKind.choices,
                                   default=PeriodKind.CALENDAR)
    year = models.PositiveSmallIntegerField(
        _("год"), help_text=_("Для учебного года — год его начала: 2025 означает 2025/2026."))
    status = models.CharField(_("статус"), max_length=20, choices=PlanStatus.choices,
                              default=PlanStatus.DRAFT)
    remarks = models.TextField(_("замечания"), blank=True)
    approved_on = models.DateField(_("дата утверждения"), null=True, blank=True)
    approved_by_name = models.CharField(_("утвердил"), max_length=300, blank=True)
    approved_by_position = models.CharField(_("должность утвердившего"), max_length=300, blank=True)
    agreed_on = models.DateField(_("дата согласования"), null=True, blank=True)
    agreed_by_name = models.CharField(_("согласовал"), max_length=300, blank=True)
    agreed_by_position = models.CharField(_("должность согласовавшего"), max_length=300, blank=True)
    # The report is accepted when both the authority and the РМЦ have accepted it.
    report_accepted_by_authority_on = models.DateField(_("отчёт принят управлением образования"),
                                                       null=True, blank=True)
    report_accepted_by_rmc_on = models.DateField(_("отчёт принят РМЦ"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("создал"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)

    SCOPE = {"municipality": "municipality"}

    class Meta:
        ordering = ["-year", "kind__position", "pk"]
        verbose_name = _("план")
        verbose_name_plural = _("планы")
        constraints = [models.UniqueConstraint(
            fields=["municipality", "kind", "period_kind", "year"], name="plans_one_per_period")]

    def __str__(self):
        return f"{self.title} ({self.period_label})"

    @property
    def period_start(self) -> dt.date:
        return dt.date(self.year, 1 if self.period_kind == PeriodKind.CALENDAR else 9, 1)

    @property
    def period_end(self) -> dt.date:
        if self.period_kind == PeriodKind.CALENDAR:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year + 1, 8, 31)

    @property
    def period_label(self) -> str:
        if self.period_kind == PeriodKind.CALENDAR:
            return f"{self.year}"
        return f"{self.year}/{self.year + 1}"


class Section(models.Model):
    """A heading row of the plan's table grouping the items below it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(_("раздел"), max_length=500)
    position = models.PositiveIntegerField(_("порядок"), default=0)

    SCOPE = {"municipality": "plan__municipality"}

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("раздел плана")
        verbose_name_plural = _("разделы плана")

    def __str__(self):
        return self.title


class Recurrence(models.TextChoices):
    ONCE = "once", _("однократно")
    MONTHLY = "monthly", _("ежемесячно")
    QUARTERLY = "quarterly", _("ежеквартально")
    YEARLY = "yearly", _("ежегодно")
    CONTINUOUS = "continuous", _("в течение периода")
    AS_NEEDED = "as_needed", _("по мере необходимости")


class ItemStatus(models.TextChoices):
    PLANNED = "planned", _("запланировано")
    IN_PROGRESS = "in_progress", _("выполняется")
    DONE = "done", _("выполнено")
    DONE_LATE = "done_late", _("выполнено с опозданием")
    NOT_DONE = "not_done", _("не выполнено")
    CANCELLED = "cancelled", _("отменено")


CLOSED_STATUSES = (ItemStatus.DONE, ItemStatus.DONE_LATE, ItemStatus.NOT_DONE, ItemStatus.CANCELLED)


class Channel(models.TextChoices):
    PORTAL = "portal", _("портал")
    SOCIAL = "social", _("социальные сети")
    MEDIA = "media", _("СМИ")
    PRINT = "print", _("печатная продукция")
    VIDEO = "video", _("видео")


class Audience(Flags):
    """For whom an item of a plan of professional development is: the audience of the
    events for teachers (``opora.training``)."""

    TEACHERS = 1, _("педагоги")
    HEADS = 2, _("руководители")
    METHODISTS = 4, _("методисты")


class Item(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(Section, verbose_name=_("раздел"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="items")
    position = models.PositiveIntegerField(_("порядок"), default=0)
    number = models.CharField(_("№ п/п"), max_length=20)
    title = models.TextField(_("наименование мероприятия"))
    deadline_text = models.CharField(_("сроки"), max_length=300, blank=True)
    starts_on = models.DateField(_("начало"), null=True, blank=True)
    ends_on = models.DateField(_("окончание"), null=True, blank=True)
    recurrence = models.CharField(_("повторяемость"), max_length=20, choices=Recurrence.choices,
                                  default=Recurrence.ONCE)
    deadline_unknown = models.BooleanField(
        _("срок не распознан"), default=False,
        help_text=_("Формулировку срока не удалось понять: оператор задаёт начало и окончание."))
    responsible_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("ответственные пользователи"), blank=True,
        related_name="plan_items")
    responsible_names = models.TextField(
        _("ответственные"), blank=True,
        help_text=_("Как в документе: должность и фамилия, по одному на строку."))
    expected_result = models.TextField(_("ожидаемый результат"), blank=True)
    actual_result = models.TextField(_("фактический результат"), blank=True)
    status = models.CharField(_("статус"), max_length=20, choices=ItemStatus.choices,
                              default=ItemStatus.PLANNED)
    reason = models.TextField(_("причина"), blank=True)
    done_on = models.DateField(_("дата выполнения"), null=True, blank=True)
    channel = models.CharField(_("канал"), max_length=20, choices=Channel.choices, blank=True)
    audience = FlagsField(_("категории участников"), flags=Audience, blank=True)

    SCOPE = {"municipality": "plan__municipality", "responsible": "responsible_users"}

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("мероприятие плана")
        verbose_name_plural = _("мероприятия плана")

    def __str__(self):
        return f"{self.number}. {self.title[:100]}"

    @property
    def audience_labels(self) -> list[str]:
        return [str(label) for label in Audience.labels_of(self.audience)]

    @property
    def responsible_list(self) -> list[str]:
        return [line for line in self.responsible_names.splitlines() if line.strip()]

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """Not closed and its interval ended before ``today``."""
        today = today or dt.date.today()
        return (self.status not in CLOSED_STATUSES and self.ends_on is not None
                and self.ends_on < today)


class Evidence(models.Model):
    """A file or a link showing an item was done."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("файл"), upload_to="plans/evidence/%Y/%m/", blank=True)
    url = models.URLField(_("ссылка"), max_length=500, blank=True)
    note = models.CharField(_("описание"), max_length=300, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    SCOPE = {"municipality": "item__plan__municipality"}

    class Meta:
        ordering = ["pk"]
        verbose_name = _("подтверждение")
        verbose_name_plural = _("подтверждения")
        constraints = [models.CheckConstraint(
            condition=~models.Q(file="", url=""), name="plans_evidence_file_or_link")]

    def __str__(self):
        return self.note or self.url or self.file.name

    @property
    def href(self) -> str:
        """Where the evidence opens: a file through its scoped page, never a public URL."""
        if self.file:
            from django.urls import reverse

            return reverse("plans:evidence", args=[self.pk])
        return self.url

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""


class Publication(models.Model):
    """A publication of a media plan's item."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="publications")
    published_on = models.DateField(_("дата"))
    channel = models.CharField(_("канал"), max_length=20, choices=Channel.choices)
    title = models.CharField(_("заголовок"), max_length=500)
    url = models.URLField(_("ссылка"), max_length=500, blank=True)
    reach = models.PositiveIntegerField(_("охват"), null=True, blank=True)

    SCOPE = {"municipality": "item__plan__municipality"}

    class Meta:
        ordering = ["published_on", "pk"]
        verbose_name = _("публикация")
        verbose_name_plural = _("публикации")

    def __str__(self):
        return self.title


class RevisionStatus(models.TextChoices):
    DRAFT = "draft", _("готовится")
    SENT = "sent", _("на утверждении")
    APPROVED = "approved", _("утверждены")


class Revision(models.Model):
    """Numbered changes to an approved plan: opened by the МОЦ, approved by the authority."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveSmallIntegerField(_("номер"))
    reason = models.TextField(_("причина изменений"))
    status = models.CharField(_("статус"), max_length=10, choices=RevisionStatus.choices,
                              default=RevisionStatus.DRAFT)
    remarks = models.TextField(_("замечания"), blank=True)
    approved_on = models.DateField(_("дата утверждения"), null=True, blank=True)
    approved_by_name = models.CharField(_("утвердил"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE = {"municipality": "plan__municipality"}

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("изменения плана")
        verbose_name_plural = _("изменения планов")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plans_revision_number"),
            models.UniqueConstraint(fields=["plan"], condition=~models.Q(status="approved"),
                                    name="plans_one_open_revision"),
        ]

    def __str__(self):
        return f"№ {self.number}"


class ChangeKind(models.TextChoices):
    ADDED = "added", _("добавлено")
    CHANGED = "changed", _("изменено")
    REMOVED = "removed", _("исключено")


class RevisionChange(models.Model):
    """One pending change of a revision: an item added (``after`` holds it, ``item`` is
    the item made when the revision is approved), changed (the item's fields ``before``
    and ``after``) or removed (cancelled when the revision is approved). The plan's items
    change only when the authority approves the revision."""

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("изменение"), max_length=10, choices=ChangeKind.choices,
                            default=ChangeKind.CHANGED)
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="revision_changes")
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)

    class Meta:
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=models.Q(kind="added") | models.Q(item__isnull=False),
                                              name="plans_change_of_an_item")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.number}"

    @property
    def number(self) -> str:
        return (self.after or self.before).get("number", "")

    @property
    def title(self) -> str:
        return (self.after or self.before).get("title", "")

    @property
    def differences(self) -> list[tuple[str, str, str]]:
        """(field's name, before, after) of each field a change changes."""
        found = []
        for name in ("number", "title", "deadline_text", "starts_on", "ends_on", "responsible_names",
                     "expected_result", "channel"):
            old, new = self.before.get(name) or "", self.after.get(name) or ""
            if self.kind == ChangeKind.CHANGED and old != new:
                if name in ("starts_on", "ends_on"):  # kept as ISO text, shown as on the plan
                    old, new = (f"{dt.date.fromisoformat(v):%d.%m.%Y}" if v else "" for v in (old, new))
                found.append((str(Item._meta.get_field(name).verbose_name), str(old), str(new)))
        return found


class ReminderKind(models.TextChoices):
    UPCOMING = "upcoming", _("за неделю до срока")
    MISSED = "missed", _("на следующий день после срока")


class ReminderSent(models.Model):
    """One reminder of an item's check point, so a second run of the day sends nothing."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    checkpoint = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "kind", "checkpoint"],
                                               name="plans_one_reminder_per_checkpoint")]

    def __str__(self):
        return f"{self.item} {self.kind} {self.checkpoint}"
