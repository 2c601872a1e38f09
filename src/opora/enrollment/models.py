"""Children, their guardians with the consent to keep their data, applications to
groups, and a municipality's enrolment settings.

Rows are changed only by ``opora.enrollment.services``; the constraints here are
the last line of defence when two requests race (one live application per child
and group, one child per СНИЛС, one place in a queue per number).
"""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opora.registry.choices import Direction
from opora.registry.validators import validate_snils


class Sex(models.TextChoices):
    MALE = "male", _("Мужской")
    FEMALE = "female", _("Женский")


# The child's columns the monitoring's breakdowns read (``Child.Meta.indexes``).
FACTS = ["sex", "is_rural", "has_ovz", "is_disabled", "difficult_situation"]


class Child(models.Model):
    """A child, kept once: identified by СНИЛС when known, else by ``identity_key``
    (normalized full name and birth date, see ``rules.identity_key``)."""

    uuid = models.UUIDField(_("идентификатор"), default=uuid.uuid4, unique=True, editable=False)
    last_name = models.CharField(_("фамилия"), max_length=100)
    first_name = models.CharField(_("имя"), max_length=100)
    patronymic = models.CharField(_("отчество"), max_length=100, blank=True)
    birth_date = models.DateField(_("дата рождения"))
    sex = models.CharField(_("пол"), max_length=10, choices=Sex.choices)
    municipality = models.ForeignKey(
        "registry.Municipality", verbose_name=_("муниципалитет проживания"),
        on_delete=models.PROTECT, related_name="children",
    )
    is_rural = models.BooleanField(_("проживает в сельской местности"), default=False)
    has_ovz = models.BooleanField(_("ограниченные возможности здоровья (ОВЗ)"), default=False)
    is_disabled = models.BooleanField(_("ребёнок-инвалид"), default=False)
    difficult_situation = models.BooleanField(_("трудная жизненная ситуация"), default=False)
    snils = models.CharField(_("СНИЛС"), max_length=11, blank=True, validators=[validate_snils],
                             help_text=_("11 цифр, можно с дефисами и пробелами."))
    identity_key = models.CharField(_("ключ личности"), max_length=420, db_index=True,
                                    editable=False)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    # Guardians and the staff of organizations with an application see a child through
    # ``opora.enrollment.selectors`` (the paths are many-valued); the МОЦ of the
    # child's municipality through the scoping helper.
    SCOPE = {"municipality": "municipality"}

    class Meta:
        verbose_name = _("ребёнок")
        verbose_name_plural = _("дети")
        ordering = ["last_name", "first_name", "patronymic", "birth_date"]
        constraints = [
            models.UniqueConstraint(fields=["snils"], condition=~Q(snils=""),
                                    name="child_snils_unique"),
        ]
        # The monitoring's live set reads a child's municipality, age and the yes/no
        # breakdowns from the index alone (PostgreSQL's INCLUDE; other databases ignore
        # it), both for the children of a municipality and for a child met through an
        # enrolment at its providers (docs/decisions.md, «The live enrolments of a date…»).
        indexes = [
            models.Index(fields=["municipality", "birth_date"], name="child_municipality_facts",
                         include=["id", *FACTS]),
            models.Index(fields=["id"], name="child_facts",
                         include=["municipality", "birth_date", *FACTS]),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)


class ConsentChannel(models.TextChoices):
    PARENT = "parent", _("Родитель в личном кабинете")
    API = "api", _("Родитель через внешний портал")
    PROVIDER = "provider", _("Сотрудник организации со слов родителя")


class Guardianship(models.Model):
    """A parent's account linked to a child, with the moment the parent consented to the
    processing of the child's personal data (152-ФЗ) and who recorded it."""

    parent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("родитель"),
                               on_delete=models.CASCADE, related_name="guardianships")
    child = models.ForeignKey(Child, verbose_name=_("ребёнок"), on_delete=models.CASCADE,
                              related_name="guardianships")
    consent_at = models.DateTimeField(_("согласие на обработку персональных данных"))
    consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("согласие записал"), null=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    consent_channel = models.CharField(_("как получено согласие"), max_length=20,
                                       choices=ConsentChannel.choices)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    # A link to a child someone else registered gives no rights until the МОЦ confirms
    # it: knowing a child's name and birth date must not make anyone its guardian.
    confirmed_at = models.DateTimeField(_("подтверждено"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("подтвердил"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    SCOPE = {"municipality": "child__municipality"}

    class Meta:
        verbose_name = _("законный представитель")
        verbose_name_plural = _("законные представители")
        constraints = [
            models.UniqueConstraint(fields=["parent", "child"], name="guardianship_once"),
        ]

    def __str__(self):
        return f"{self.parent} — {self.child}"


class ApplicationStatus(models.TextChoices):
    NEW = "new", _("Новая")
    WAITLISTED = "waitlisted", _("В очереди")
    AWAITING_CONTRACT = "awaiting_contract", _("Ожидает договора")
    ENROLLED = "enrolled", _("Обучается")
    REJECTED = "rejected", _("Отклонена")
    WITHDRAWN = "withdrawn", _("Отозвана")
    EXPELLED = "expelled", _("Отчислен")
    COMPLETED = "completed", _("Обучение завершено")


S = ApplicationStatus
LIVE = (S.NEW, S.WAITLISTED, S.AWAITING_CONTRACT, S.ENROLLED)
SEAT_HOLDING = (S.NEW, S.AWAITING_CONTRACT, S.ENROLLED)


class Channel(models.TextChoices):
    CABINET = "cabinet", _("Личный кабинет")
    API = "api", _("Внешний портал (API)")
    PROVIDER = "provider", _("Организация")


class Application(models.Model):
    """A child's application to a group. It holds a seat while new, awaiting a contract
    or enrolled; while waitlisted it keeps its ``queue_number`` (monotonic per group),
    and its position is its rank among the group's waitlisted applications."""

    uuid = models.UUIDField(_("идентификатор"), default=uuid.uuid4, unique=True, editable=False)
    child = models.ForeignKey(Child, verbose_name=_("ребёнок"), on_delete=models.PROTECT,
                              related_name="applications")
    group = models.ForeignKey("registry.Group", verbose_name=_("группа"),
                              on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(_("статус"), max_length=20, choices=ApplicationStatus.choices)
    queue_number = models.PositiveIntegerField(_("номер в очереди"), null=True, blank=True)
    channel = models.CharField(_("канал подачи"), max_length=20, choices=Channel.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("подал"),
                                   null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(_("причина"), blank=True)
    enrolled_on = models.DateField(_("дата зачисления"), null=True, blank=True)
    ended_on = models.DateField(_("дата отчисления или окончания"), null=True, blank=True)
    # Set when staff expel a child at the parent's request (заявление родителя): the
    # parents' ratings count such early endings of contracts (docs/domain.md §12).
    ended_by_parent = models.BooleanField(_("отчислен по заявлению родителя"), default=False)
    status_changed_at = models.DateTimeField(_("статус изменён"))
    created_at = models.DateTimeField(_("подана"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    SCOPE = {"organization": "group__module__program__organization",
             "municipality": "group__module__program__organization__municipality"}

    class Meta:
        verbose_name = _("заявка")
        verbose_name_plural = _("заявки")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["child", "group"], condition=Q(status__in=LIVE),
                                    name="one_live_application_per_child_and_group"),
            models.UniqueConstraint(fields=["group", "queue_number"],
                                    condition=Q(queue_number__isnull=False),
                                    name="application_queue_number_unique"),
            models.CheckConstraint(
                name="waitlisted_has_queue_number",
                condition=~Q(status="waitlisted") | Q(queue_number__isnull=False)),
        ]
        # The columns that decide whether an enrolment is live on a date ride along
        # (PostgreSQL's INCLUDE; other databases ignore it), so the monitoring's live set
        # reads a municipality's enrolments from the index alone instead of one heap page
        # per row (docs/decisions.md, «The live enrolments of a date…»).
        indexes = [
            models.Index(fields=["group", "status"], name="application_group_status",
                         include=["child", "enrolled_on", "ended_on", "status_changed_at", "id"]),
            models.Index(fields=["child", "status"], name="application_child_status",
                         include=["group", "enrolled_on", "ended_on", "status_changed_at", "id"]),
        ]

    def __str__(self):
        # No names here: the audit trail and logs carry this text.
        return _("Заявка № %(number)s") % {"number": self.pk}

    @property
    def is_live(self):
        return self.status in LIVE

    @property
    def holds_seat(self):
        return self.status in SEAT_HOLDING


class Submission(models.Model):
    """A guardian's application accepted into the opening-day outbox (``intake``): the
    request is answered once this row is written, and a settler files the application
    with the seat or the place in the queue, or refuses it, in order of arrival
    (``id``). The child and the group are kept as they were sent, unchecked: a child
    the sender is not a confirmed guardian of, or a group that does not exist, is
    refused by the settler as the synchronous path refuses it."""

    key = models.UUIDField(_("идентификатор"), default=uuid.uuid4, unique=True, editable=False)
    parent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("подал"),
                               on_delete=models.CASCADE, related_name="+", db_index=False)
    child_id_sent = models.BigIntegerField(_("ребёнок (номер)"), null=True, blank=True)
    child_uuid_sent = models.UUIDField(_("ребёнок (идентификатор)"), null=True, blank=True)
    group_id_sent = models.BigIntegerField(_("группа (номер)"))
    channel = models.CharField(_("канал подачи"), max_length=20, choices=Channel.choices)
    accepted_at = models.DateTimeField(_("принята"))
    settled_at = models.DateTimeField(_("рассмотрена"), null=True, blank=True)
    application = models.ForeignKey(Application, verbose_name=_("заявка"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    # True: the settler filed the application; False: one was there already (a repeat).
    filed = models.BooleanField(_("заявка подана этой отправкой"), null=True, blank=True)
    refusal_code = models.CharField(_("код отказа"), max_length=40, blank=True)
    refusal = models.TextField(_("отказ"), blank=True)

    class Meta:
        verbose_name = _("отправленная заявка")
        verbose_name_plural = _("отправленные заявки")
        constraints = [
            models.CheckConstraint(
                name="submission_names_its_child",
                condition=Q(child_id_sent__isnull=False) | Q(child_uuid_sent__isnull=False)),
        ]
        indexes = [
            # The settler's queue: the unsettled rows in order of arrival, from a small index.
            models.Index(fields=["id"], name="submission_pending",
                         condition=Q(settled_at__isnull=True)),
            # A sender's rows (the foreign key's index), its waiting ones counted from the
            # index alone when a new one is accepted, however long the queue.
            models.Index(fields=["parent", "settled_at"], name="submission_sender"),
        ]

    def __str__(self):
        return _("Отправленная заявка № %(number)s") % {"number": self.pk}

    @property
    def state(self) -> str:
        """"accepted" (waiting for the settler), "filed" or "refused"."""
        if self.settled_at is None:
            return "accepted"
        return "refused" if self.refusal_code else "filed"


class TaskOverrun(models.TextChoices):
    """What confirming a budget application beyond the municipal task does."""

    REFUSE = "refuse", _("Отказывать в подтверждении")
    WARN = "warn", _("Подтверждать с предупреждением")


class EnrolmentSettings(models.Model):
    """A municipality's own enrolment rules (the registry's Municipality stays lean)."""

    municipality = models.OneToOneField("registry.Municipality", verbose_name=_("муниципалитет"),
                                        on_delete=models.CASCADE, related_name="enrolment_settings")
    max_live_applications = models.PositiveSmallIntegerField(
        _("заявок на ребёнка одновременно, не больше"), null=True, blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Пусто — без ограничения. Считаются новые, в очереди, ожидающие договора "
                    "и действующие зачисления."))
    task_overrun = models.CharField(
        _("сверх муниципального задания"), max_length=10, choices=TaskOverrun.choices,
        default=TaskOverrun.REFUSE,
        help_text=_("Что происходит, когда организация подтверждает бюджетную заявку, а "
                    "муниципальное задание по направленности уже выполнено."))

    SCOPE = {"municipality": "municipality"}

    class Meta:
        verbose_name = _("правила записи муниципалитета")
        verbose_name_plural = _("правила записи муниципалитетов")

    def __str__(self):
        return str(self.municipality)


class MunicipalTask(models.Model):
    """An organization's municipal task (муниципальное задание): how many budget-funded
    child-places of a direction the education authority ordered for a school year
    (``year`` is the year it starts in: 2026 is 2026/27). Enrolments count against it
    (``opora.enrollment.budget_places``); changed only by its ``set_tasks``."""

    organization = models.ForeignKey("registry.Organization", verbose_name=_("организация"),
                                     on_delete=models.CASCADE, related_name="municipal_tasks")
    year = models.PositiveSmallIntegerField(_("учебный год (год начала)"))
    direction = models.CharField(_("направленность"), max_length=20, choices=Direction.choices)
    places = models.PositiveIntegerField(_("бюджетных мест"))

    SCOPE = {"organization": "organization", "municipality": "organization__municipality"}

    class Meta:
        verbose_name = _("муниципальное задание")
        verbose_name_plural = _("муниципальные задания")
        ordering = ["organization", "-year", "direction"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year", "direction"],
                                    name="municipal_task_once"),
            models.CheckConstraint(name="municipal_task_places_not_negative",
                                   condition=Q(places__gte=0)),
        ]

    def __str__(self):
        return _("Муниципальное задание %(year)s/%(next)s: %(direction)s") % {
            "year": self.year, "next": str(self.year + 1)[-2:],
            "direction": self.get_direction_display()}


class DistinctChildren(models.Model):
    """Two children the МОЦ has checked and found to be different people: the pair
    no longer shows among suspected duplicates. ``first_id`` < ``second_id``."""

    first = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("разные дети с похожими данными")
        verbose_name_plural = _("разные дети с похожими данными")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="distinct_children_once"),
            models.CheckConstraint(name="distinct_children_ordered",
                                   condition=Q(first__lt=models.F("second"))),
        ]

    def __str__(self):
        return f"{self.first} ≠ {self.second}"


class Favourite(models.Model):
    """A program a parent saved to come back to («Избранное»)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourites")
    program = models.ForeignKey("registry.Program", on_delete=models.CASCADE, related_name="+")
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("сохранённая программа")
        verbose_name_plural = _("сохранённые программы")
        ordering = ["-saved_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "program"], name="favourite_once")]

    def __str__(self):
        return f"{self.user_id} ★ {self.program_id}"
