"""Events for children (master classes, contests, olympiads…), their dated sessions,
nominations and age categories, registrations with results and diplomas, and the
register of talented and gifted children built from them.

Rows are changed only by ``opora.events.services`` and ``opora.events.gifted``; the
constraints here are the last line of defence when two requests race (one live
registration per child and event, one place in a queue per number, one diploma per code).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opora.registry.choices import Direction, ProgramStatus


class EventKind(models.Model):
    """A kind of event (a reference list kept as data)."""

    code = models.SlugField(_("код"), max_length=40, unique=True)
    title = models.CharField(_("название"), max_length=100)
    competitive = models.BooleanField(_("с местами и победителями"), default=False)
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        verbose_name = _("вид мероприятия")
        verbose_name_plural = _("виды мероприятий")
        ordering = ["position", "title"]

    def __str__(self):
        return self.title


class EventLevel(models.TextChoices):
    SCHOOL = "school", _("Школьный")
    MUNICIPAL = "municipal", _("Муниципальный")
    REGIONAL = "regional", _("Региональный")
    INTERREGIONAL = "interregional", _("Межрегиональный")
    ALL_RUSSIAN = "all_russian", _("Всероссийский")
    INTERNATIONAL = "international", _("Международный")


# Levels whose winners and prize-winners are proposed to the register of gifted children.
GIFTED_LEVELS = (EventLevel.MUNICIPAL, EventLevel.REGIONAL, EventLevel.INTERREGIONAL,
                 EventLevel.ALL_RUSSIAN, EventLevel.INTERNATIONAL)

# The moderation cycle of programs (docs/domain.md §2): the same states and labels.
EventStatus = ProgramStatus


class Event(models.Model):
    """An event for children. Its organizer is an organization, a МОЦ (``organization`` empty,
    ``municipality`` set) or the РМЦ (both empty: a regional event). A municipal stage of a
    regional event names it in ``stage_of``."""

    title = models.CharField(_("название"), max_length=300)
    kind = models.ForeignKey(EventKind, verbose_name=_("вид"), on_delete=models.PROTECT,
                             related_name="events")
    level = models.CharField(_("уровень"), max_length=20, choices=EventLevel.choices,
                             default=EventLevel.MUNICIPAL)
    direction = models.CharField(_("направленность"), max_length=20, choices=Direction.choices)
    organization = models.ForeignKey(
        "registry.Organization", verbose_name=_("организатор"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="events")
    municipality = models.ForeignKey(
        "registry.Municipality", verbose_name=_("муниципалитет"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="events")
    stage_of = models.ForeignKey(
        "self", verbose_name=_("этап мероприятия"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="stages")
    age_from = models.PositiveSmallIntegerField(
        _("возраст участников от"), validators=[MinValueValidator(3), MaxValueValidator(18)])
    age_to = models.PositiveSmallIntegerField(
        _("возраст участников до"), validators=[MinValueValidator(3), MaxValueValidator(18)])
    capacity = models.PositiveIntegerField(
        _("мест"), validators=[MinValueValidator(1)],
        help_text=_("Сколько детей можно записать; остальные встают в лист ожидания."))
    is_free = models.BooleanField(_("бесплатно"), default=True)
    price = models.DecimalField(_("стоимость участия, ₽"), max_digits=14, decimal_places=2,
                                null=True, blank=True)
    registration_from = models.DateTimeField(_("запись открывается"))
    registration_to = models.DateTimeField(_("запись закрывается"))
    teams = models.BooleanField(_("можно записать команду"), default=False)
    description = models.TextField(_("описание"))
    poster = models.ImageField(_("афиша"), upload_to="events/posters/", blank=True)
    regulations = models.FileField(_("положение о мероприятии"), upload_to="events/regulations/",
                                   blank=True)
    status = models.CharField(_("статус"), max_length=20, choices=EventStatus.choices,
                              default=EventStatus.INITIAL)
    moderation_remark = models.TextField(_("замечания модератора"), blank=True)
    published_at = models.DateTimeField(_("опубликовано"), null=True, blank=True)
    # Lower-cased title, description, kind and organizer: the public search matches words
    # in it the same way on both databases (SQLite folds only ASCII letters).
    search_text = models.TextField(editable=False, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    SCOPE = {"organization": "organization", "municipality": "municipality"}

    class Meta:
        verbose_name = _("мероприятие")
        verbose_name_plural = _("мероприятия")
        ordering = ["-registration_to", "-pk"]
        constraints = [
            models.CheckConstraint(name="event_ages_ordered", condition=Q(age_from__lte=models.F("age_to")),
                                   violation_error_message=_("Возраст «от» больше возраста «до».")),
            models.CheckConstraint(
                name="event_window_ordered",
                condition=Q(registration_from__lt=models.F("registration_to")),
                violation_error_message=_("Запись должна закрываться позже, чем открывается.")),
            models.CheckConstraint(
                name="event_paid_has_price",
                condition=Q(is_free=True) | Q(price__isnull=False, price__gt=0),
                violation_error_message=_("Укажите стоимость платного мероприятия.")),
            models.UniqueConstraint(fields=["stage_of", "municipality"],
                                    condition=Q(stage_of__isnull=False),
                                    name="one_stage_per_municipality",
                                    violation_error_message=_(
                                        "Муниципальный этап этого мероприятия уже создан.")),
        ]
        indexes = [models.Index(fields=["status", "registration_to"])]

    def __str__(self):
        return self.title

    @classmethod
    def public_q(cls):
        return Q(status=EventStatus.PUBLISHED)

    @property
    def is_published(self):
        return self.status == EventStatus.PUBLISHED

    @property
    def organizer_name(self):
        if self.organization_id:
            return self.organization.short_name
        if self.municipality_id:
            return _("МОЦ: %(name)s") % {"name": self.municipality.name}
        return _("Региональный модельный центр")


class EventSession(models.Model):
    """A dated session of an event: in a place, online, or both."""

    event = models.ForeignKey(Event, verbose_name=_("мероприятие"), on_delete=models.CASCADE,
                              related_name="sessions")
    starts_at = models.DateTimeField(_("начало"))
    ends_at = models.DateTimeField(_("окончание"))
    place = models.CharField(_("место проведения"), max_length=300, blank=True)
    online_url = models.URLField(_("ссылка на трансляцию"), blank=True)

    SCOPE = {"organization": "event__organization", "municipality": "event__municipality"}

    class Meta:
        verbose_name = _("дата проведения")
        verbose_name_plural = _("даты проведения")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(name="session_ends_after_start",
                                   condition=Q(starts_at__lt=models.F("ends_at")),
                                   violation_error_message=_("Окончание должно быть позже начала.")),
            models.CheckConstraint(name="session_has_place",
                                   condition=~Q(place="") | ~Q(online_url=""),
                                   violation_error_message=_(
                                       "Укажите место проведения или ссылку на трансляцию.")),
        ]

    def __str__(self):
        return f"{self.event} — {self.starts_at:%d.%m.%Y %H:%M}"


class Nomination(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="nominations")
    title = models.CharField(_("номинация"), max_length=200)

    class Meta:
        verbose_name = _("номинация")
        verbose_name_plural = _("номинации")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["event", "title"], name="nomination_once")]

    def __str__(self):
        return self.title


class AgeCategory(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="age_categories")
    title = models.CharField(_("возрастная категория"), max_length=100)
    age_from = models.PositiveSmallIntegerField(_("от, лет"))
    age_to = models.PositiveSmallIntegerField(_("до, лет"))

    class Meta:
        verbose_name = _("возрастная категория")
        verbose_name_plural = _("возрастные категории")
        ordering = ["age_from", "pk"]

    def __str__(self):
        return self.title


class Team(models.Model):
    """A team a provider registered: its members are registrations naming it."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="teams_registered")
    organization = models.ForeignKey("registry.Organization", on_delete=models.PROTECT,
                                     related_name="+")
    name = models.CharField(_("название команды"), max_length=200)

    class Meta:
        verbose_name = _("команда")
        verbose_name_plural = _("команды")
        constraints = [models.UniqueConstraint(fields=["event", "name"], name="team_name_once")]

    def __str__(self):
        return self.name


class RegistrationStatus(models.TextChoices):
    NEW = "new", _("Новая")
    WAITLISTED = "waitlisted", _("В листе ожидания")
    CONFIRMED = "confirmed", _("Подтверждена")
    PARTICIPANT = "participant", _("Участвовал")
    REJECTED = "rejected", _("Отклонена")
    CANCELLED = "cancelled", _("Отменена")


R = RegistrationStatus
LIVE = (R.NEW, R.WAITLISTED, R.CONFIRMED, R.PARTICIPANT)
PLACE_HOLDING = (R.NEW, R.CONFIRMED, R.PARTICIPANT)


class Result(models.TextChoices):
    NONE = "", _("Нет результата")
    PARTICIPANT = "participant", _("Участник")
    PRIZE_3 = "prize_3", _("Призёр (3 место)")
    PRIZE_2 = "prize_2", _("Призёр (2 место)")
    WINNER = "winner", _("Победитель")


# Results that make a child a candidate for the register of gifted children and for the
# next stage of a staged event.
DISTINCTIONS = (Result.WINNER, Result.PRIZE_2, Result.PRIZE_3)


class RegistrationChannel(models.TextChoices):
    PARENT = "parent", _("Родитель")
    PROVIDER = "provider", _("Организация")
    STAGE = "stage", _("Выдвинут с предыдущего этапа")


class Registration(models.Model):
    """A child's registration for an event. It holds a place while new, confirmed or
    attended; while waitlisted it keeps its ``queue_number`` (monotonic per event)."""

    event = models.ForeignKey(Event, verbose_name=_("мероприятие"), on_delete=models.PROTECT,
                              related_name="registrations")
    child = models.ForeignKey("enrollment.Child", verbose_name=_("ребёнок"),
                              on_delete=models.PROTECT, related_name="event_registrations")
    status = models.CharField(_("статус"), max_length=20, choices=RegistrationStatus.choices)
    queue_number = models.PositiveIntegerField(_("номер в листе ожидания"), null=True, blank=True)
    channel = models.CharField(_("кто записал"), max_length=20, choices=RegistrationChannel.choices)
    organization = models.ForeignKey(
        "registry.Organization", verbose_name=_("от организации"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="event_registrations")
    team = models.ForeignKey(Team, verbose_name=_("команда"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="members")
    nomination = models.ForeignKey(Nomination, verbose_name=_("номинация"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="registrations")
    age_category = models.ForeignKey(AgeCategory, verbose_name=_("возрастная категория"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="registrations")
    from_stage = models.ForeignKey("self", verbose_name=_("выдвинут с этапа"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.TextField(_("комментарий организатора"), blank=True)
    result = models.CharField(_("результат"), max_length=20, choices=Result.choices,
                              blank=True, default="")
    diploma_code = models.CharField(_("код проверки диплома"), max_length=24, null=True,
                                    blank=True, unique=True)
    result_at = models.DateTimeField(_("результат внесён"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    status_changed_at = models.DateTimeField(_("статус изменён"))
    created_at = models.DateTimeField(_("подана"), auto_now_add=True)

    SCOPE = {"organization": "event__organization", "municipality": "event__municipality"}

    class Meta:
        verbose_name = _("запись на мероприятие")
        verbose_name_plural = _("записи на мероприятия")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["child", "event"], condition=Q(status__in=LIVE),
                                    name="one_live_registration_per_child_and_event"),
            models.UniqueConstraint(fields=["event", "queue_number"],
                                    condition=Q(queue_number__isnull=False),
                                    name="registration_queue_number_unique"),
            models.CheckConstraint(name="waitlisted_registration_has_number",
                                   condition=~Q(status="waitlisted") | Q(queue_number__isnull=False)),
        ]
        indexes = [models.Index(fields=["event", "status"]),
                   models.Index(fields=["child", "status"])]

    def __str__(self):
        # No names here: the audit trail and logs carry this text.
        return _("Запись № %(number)s") % {"number": self.pk}

    @property
    def holds_place(self):
        return self.status in PLACE_HOLDING

    @property
    def is_live(self):
        return self.status in LIVE


# --- the register of talented and gifted children ----------------------------------------


class GiftedStatus(models.TextChoices):
    PROPOSED = "proposed", _("Предложен")
    CONFIRMED = "confirmed", _("В реестре")
    DECLINED = "declined", _("Не включён")


class GiftedSource(models.TextChoices):
    RESULTS = "results", _("По результатам мероприятий")
    PROVIDER = "provider", _("Представление организации")


class GiftedRecord(models.Model):
    """A child in the register of talented and gifted children (or proposed to it). The
    МОЦ of the child's municipality confirms or declines a proposal."""

    child = models.OneToOneField("enrollment.Child", verbose_name=_("ребёнок"),
                                 on_delete=models.PROTECT, related_name="gifted_record")
    municipality = models.ForeignKey("registry.Municipality", verbose_name=_("муниципалитет"),
                                     on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("статус"), max_length=20, choices=GiftedStatus.choices,
                              default=GiftedStatus.PROPOSED)
    source = models.CharField(_("основание включения"), max_length=20, choices=GiftedSource.choices)
    direction = models.CharField(_("направленность"), max_length=20, choices=Direction.choices)
    grounds = models.TextField(_("обоснование"), blank=True)
    proposed_by_organization = models.ForeignKey(
        "registry.Organization", verbose_name=_("представила организация"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+")
    mentor = models.ForeignKey("registry.Teacher", verbose_name=_("педагог-наставник"),
                               null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("решение принято"), null=True, blank=True)
    decision_comment = models.TextField(_("комментарий МОЦ"), blank=True)
    created_at = models.DateTimeField(_("предложен"), auto_now_add=True)

    SCOPE = {"municipality": "municipality"}

    class Meta:
        verbose_name = _("одарённый ребёнок")
        verbose_name_plural = _("реестр одарённых детей")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["municipality", "status"])]

    def __str__(self):
        return _("Запись реестра № %(number)s") % {"number": self.pk}


class Achievement(models.Model):
    """One achievement of a child in the register: a result of an event here, or one the
    organization reported with its nomination."""

    record = models.ForeignKey(GiftedRecord, on_delete=models.CASCADE, related_name="achievements")
    registration = models.OneToOneField(Registration, null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="achievement")
    title = models.CharField(_("достижение"), max_length=300)
    level = models.CharField(_("уровень"), max_length=20, choices=EventLevel.choices)
    result = models.CharField(_("результат"), max_length=20, choices=Result.choices)
    achieved_on = models.DateField(_("дата"))

    class Meta:
        verbose_name = _("достижение")
        verbose_name_plural = _("достижения")
        ordering = ["-achieved_on", "-pk"]

    def __str__(self):
        return self.title


class MeasureKind(models.TextChoices):
    ROUTE = "route", _("Индивидуальный образовательный маршрут")
    GRANT = "grant", _("Грант")
    CAMP = "camp", _("Профильная смена или лагерь")
    SCHOLARSHIP = "scholarship", _("Стипендия")


class SupportMeasure(models.Model):
    record = models.ForeignKey(GiftedRecord, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(_("мера поддержки"), max_length=20, choices=MeasureKind.choices)
    title = models.CharField(_("содержание"), max_length=300)
    starts_on = models.DateField(_("с"))
    ends_on = models.DateField(_("по"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("мера поддержки")
        verbose_name_plural = _("меры поддержки")
        ordering = ["-starts_on", "-pk"]
        constraints = [models.CheckConstraint(
            name="measure_dates_ordered",
            condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
            violation_error_message=_("Дата окончания раньше даты начала."))]

    def __str__(self):
        return self.title
