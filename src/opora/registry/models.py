"""The registry: territories, organizations, teachers, programs, modules and groups."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from opora.registry import images
from opora.registry.choices import (
    Direction,
    FounderSector,
    FundingSource,
    ImportStatus,
    Level,
    MunicipalityKind,
    OrganizationKind,
    OvzKind,
    Ownership,
    ProgramStatus,
    ProgramType,
    QualificationCategory,
    Register,
    SeasonalKind,
    StudyForm,
    TeacherEducation,
    Weekday,
)
from opora.registry.flags import FlagsField
from opora.registry.validators import validate_inn, validate_ogrn

AGE_VALIDATORS = [MinValueValidator(3), MaxValueValidator(18)]


class ExchangeRecord(models.Model):
    """A record exchanged with regional and federal systems: stable uuid, last change."""

    uuid = models.UUIDField(_("идентификатор"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True, db_index=True)

    class Meta:
        abstract = True


class Region(models.Model):
    name = models.CharField(_("название"), max_length=200, unique=True)
    code = models.CharField(_("код субъекта"), max_length=2, blank=True)

    class Meta:
        verbose_name = _("регион")
        verbose_name_plural = _("регионы")

    def __str__(self):
        return self.name


class Municipality(ExchangeRecord):
    region = models.ForeignKey(Region, verbose_name=_("регион"), on_delete=models.PROTECT,
                               related_name="municipalities")
    name = models.CharField(_("название"), max_length=200)
    kind = models.CharField(_("вид"), max_length=30, choices=MunicipalityKind.choices,
                            default=MunicipalityKind.URBAN_DISTRICT)
    oktmo = models.CharField(
        _("код ОКТМО"), max_length=11, unique=True,
        validators=[RegexValidator(r"^(\d{8}|\d{11})$", _("Код ОКТМО — 8 или 11 цифр."))],
    )

    SCOPE = {"municipality": "self"}

    class Meta:
        verbose_name = _("муниципалитет")
        verbose_name_plural = _("муниципалитеты")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="municipality_name")]

    def __str__(self):
        return self.name

    @classmethod
    def public_q(cls):
        return Q()


class MunicipalityPopulation(models.Model):
    """Children aged 5–17 living in a municipality in a year: the denominator of coverage."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE,
                                     related_name="populations", verbose_name=_("муниципалитет"))
    year = models.PositiveSmallIntegerField(_("год"), validators=[MinValueValidator(2000)])
    children_5_17 = models.PositiveIntegerField(_("детей 5–17 лет"))

    SCOPE = {"municipality": "municipality"}

    class Meta:
        verbose_name = _("численность детей")
        verbose_name_plural = _("численность детей")
        ordering = ["municipality", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="population_year")
        ]

    def __str__(self):
        return f"{self.municipality}, {self.year}: {self.children_5_17}"


def coordinate_errors(latitude, longitude) -> dict:
    """Russian messages for coordinates outside the region's plausible box
    (``OPORA_REGION_BOUNDS``: south, west, north, east), by field."""
    south, west, north, east = settings.OPORA_REGION_BOUNDS
    errors = {}
    if latitude is not None and not south <= latitude <= north:
        errors["latitude"] = _("Широта вне области: ожидается от %(low)s до %(high)s.") % {
            "low": f"{south:g}".replace(".", ","), "high": f"{north:g}".replace(".", ",")}
    if longitude is not None and not west <= longitude <= east:
        errors["longitude"] = _("Долгота вне области: ожидается от %(low)s до %(high)s.") % {
            "low": f"{west:g}".replace(".", ","), "high": f"{east:g}".replace(".", ",")}
    return errors


class Organization(ExchangeRecord):
    """A provider of supplementary education; one per municipality may be its МОЦ."""

    full_name = models.CharField(_("полное наименование"), max_length=500)
    short_name = models.CharField(_("краткое наименование"), max_length=200)
    inn = models.CharField(_("ИНН"), max_length=12, unique=True, validators=[validate_inn])
    ogrn = models.CharField(_("ОГРН"), max_length=15, blank=True, validators=[validate_ogrn])
    kind = models.CharField(_("тип организации"), max_length=30, choices=OrganizationKind.choices)
    sector = models.CharField(_("ведомственная принадлежность"), max_length=30,
                              choices=FounderSector.choices, default=FounderSector.EDUCATION)
    ownership = models.CharField(_("форма собственности"), max_length=20,
                                 choices=Ownership.choices, default=Ownership.MUNICIPAL)
    municipality = models.ForeignKey(Municipality, verbose_name=_("муниципалитет"),
                                     on_delete=models.PROTECT, related_name="organizations")
    address = models.CharField(_("адрес"), max_length=500)
    is_rural = models.BooleanField(_("сельская местность"), default=False)
    # Where it is, for the map and «рядом»: WGS 84 degrees, typed or picked on a map.
    latitude = models.FloatField(_("широта"), null=True, blank=True,
                                 validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(_("долгота"), null=True, blank=True,
                                  validators=[MinValueValidator(-180), MaxValueValidator(180)])
    issues_certificates = models.BooleanField(
        _("выдаёт сертификаты за муниципалитет"), default=False,
        help_text=_("Сотрудники организации принимают заявления и выдают сертификаты "
                    "дополнительного образования так же, как МОЦ."))
    phone = models.CharField(_("телефон"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("сайт"), blank=True)
    head_name = models.CharField(_("руководитель"), max_length=200, blank=True)
    licence_number = models.CharField(_("номер лицензии"), max_length=100, blank=True)
    licence_date = models.DateField(_("дата лицензии"), null=True, blank=True)
    is_active = models.BooleanField(_("активна"), default=True)
    is_support_centre = models.BooleanField(_("МОЦ муниципалитета"), default=False)

    history = HistoricalRecords()
    SCOPE = {"organization": "self", "municipality": "municipality"}

    class Meta:
        verbose_name = _("организация")
        verbose_name_plural = _("организации")
        ordering = ["short_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality"], condition=Q(is_support_centre=True),
                name="one_support_centre_per_municipality",
            ),
        ]

    def __str__(self):
        return self.short_name

    def clean(self):
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError({"longitude" if self.longitude is None else "latitude":
                                   _("Укажите и широту, и долготу (или ни то, ни другое).")})
        errors = coordinate_errors(self.latitude, self.longitude)
        if errors:
            raise ValidationError(errors)

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @classmethod
    def public_q(cls):
        return Q(is_active=True)


class Teacher(ExchangeRecord):
    organization = models.ForeignKey(Organization, verbose_name=_("организация"),
                                     on_delete=models.CASCADE, related_name="teachers")
    last_name = models.CharField(_("фамилия"), max_length=100)
    first_name = models.CharField(_("имя"), max_length=100)
    patronymic = models.CharField(_("отчество"), max_length=100, blank=True)
    position = models.CharField(_("должность"), max_length=200, blank=True,
                                default="Педагог дополнительного образования")
    education = models.CharField(_("образование"), max_length=30,
                                 choices=TeacherEducation.choices, default=TeacherEducation.HIGHER)
    category = models.CharField(_("квалификационная категория"), max_length=20,
                                choices=QualificationCategory.choices,
                                default=QualificationCategory.NONE)
    is_active = models.BooleanField(_("работает"), default=True)

    history = HistoricalRecords()
    SCOPE = {"organization": "organization", "municipality": "organization__municipality",
             "teacher": "self"}

    class Meta:
        verbose_name = _("педагог")
        verbose_name_plural = _("педагоги")
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def short_name(self):
        initials = "".join(f"{p[0]}." for p in (self.first_name, self.patronymic) if p)
        return f"{self.last_name} {initials}"


class Specialisation(models.Model):
    direction = models.CharField(_("направленность"), max_length=20, choices=Direction.choices)
    name = models.CharField(_("название"), max_length=200)
    is_significant = models.BooleanField(_("значимая"), default=False)

    class Meta:
        verbose_name = _("специализация")
        verbose_name_plural = _("специализации")
        ordering = ["direction", "name"]
        constraints = [
            models.UniqueConstraint(fields=["direction", "name"], name="specialisation_name")
        ]

    def __str__(self):
        return self.name


class Program(ExchangeRecord):
    """A supplementary general education program (card of the navigator)."""

    organization = models.ForeignKey(Organization, verbose_name=_("организация"),
                                     on_delete=models.PROTECT, related_name="programs")
    title = models.CharField(_("название"), max_length=300)
    direction = models.CharField(_("направленность"), max_length=20, choices=Direction.choices)
    specialisation = models.ForeignKey(Specialisation, verbose_name=_("специализация"),
                                       null=True, blank=True, on_delete=models.PROTECT)
    program_type = models.CharField(_("вид программы"), max_length=20,
                                    choices=ProgramType.choices, default=ProgramType.GENERAL)
    levels = FlagsField(_("уровень"), flags=Level, default=int(Level.START))
    study_form = models.CharField(_("форма обучения"), max_length=20, choices=StudyForm.choices,
                                  default=StudyForm.FULL_TIME)
    is_distance = models.BooleanField(
        _("с применением дистанционных технологий и/или электронного обучения"), default=False)
    is_network = models.BooleanField(_("сетевая форма"), default=False)
    partners = models.ManyToManyField(Organization, verbose_name=_("организации-партнёры"),
                                      blank=True, related_name="network_programs")
    age_min = models.PositiveSmallIntegerField(_("возраст от"), validators=AGE_VALIDATORS)
    age_max = models.PositiveSmallIntegerField(_("возраст до"), validators=AGE_VALIDATORS)
    duration_months = models.PositiveSmallIntegerField(
        _("продолжительность, месяцев"), validators=[MinValueValidator(1), MaxValueValidator(120)])
    hours_total = models.PositiveIntegerField(
        _("объём, академических часов"), validators=[MinValueValidator(1)])
    group_size_min = models.PositiveSmallIntegerField(
        _("наполняемость группы от"), default=1, validators=[MinValueValidator(1)])
    group_size_max = models.PositiveSmallIntegerField(
        _("наполняемость группы до"), default=15, validators=[MinValueValidator(1)])
    ovz_kinds = FlagsField(_("адаптирована для детей с ОВЗ"), flags=OvzKind, blank=True)
    is_for_disabled = models.BooleanField(_("адаптирована для детей-инвалидов"), default=False)
    registers = FlagsField(_("реестры"), flags=Register, blank=True)
    seasonal_kind = models.CharField(_("сезонность"), max_length=30, choices=SeasonalKind.choices,
                                     default=SeasonalKind.NONE, blank=True)
    description = models.TextField(_("описание"))
    goals = models.TextField(_("цели и задачи"), blank=True)
    expected_results = models.TextField(_("ожидаемые результаты"), blank=True)
    material_base = models.TextField(_("материально-техническая база"), blank=True)
    address = models.CharField(_("адрес проведения"), max_length=500, blank=True)
    photo = models.ImageField(_("фотография"), upload_to="programs/", blank=True)

    status = models.CharField(_("статус"), max_length=20, choices=ProgramStatus.choices,
                              default=ProgramStatus.INITIAL, db_index=True)
    moderation_remark = models.TextField(_("замечания модератора"), blank=True)
    published_at = models.DateTimeField(_("опубликовано"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["photo"])
    SCOPE = {"organization": "organization", "municipality": "organization__municipality"}

    # Fields a parent sees on the program page: changing them on a published
    # program sends it back to moderation (docs/decisions.md).
    PUBLIC_FIELDS = (
        "title", "direction", "specialisation", "program_type", "levels", "study_form",
        "is_distance", "is_network", "age_min", "age_max", "duration_months", "hours_total",
        "ovz_kinds", "is_for_disabled", "seasonal_kind", "description", "goals",
        "expected_results", "material_base", "group_size_min", "group_size_max", "address",
        "photo",
    )

    class Meta:
        verbose_name = _("программа")
        verbose_name_plural = _("программы")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(name="program_ages", condition=Q(age_min__lte=F("age_max"))),
            models.CheckConstraint(name="program_group_size",
                                   condition=Q(group_size_min__lte=F("group_size_max"))),
        ]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self):
        return self.title

    @classmethod
    def public_q(cls):
        return Q(status=ProgramStatus.PUBLISHED, organization__is_active=True)

    def clean(self):
        errors = {}
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            errors["age_max"] = _("Возраст «до» не может быть меньше возраста «от».")
        if (self.group_size_min and self.group_size_max
                and self.group_size_min > self.group_size_max):
            errors["group_size_max"] = _("Наполняемость «до» не может быть меньше наполняемости «от».")
        if self.specialisation_id and self.specialisation.direction != self.direction:
            errors["specialisation"] = _("Специализация не относится к выбранной направленности.")
        if not self.levels:
            errors["levels"] = _("Укажите хотя бы один уровень программы.")
        if errors:
            raise ValidationError(errors)

    @property
    def level_labels(self):
        return Level.labels_of(self.levels)

    @property
    def card_picture(self) -> str:
        """The picture of the program's card: its photo cropped to the card, or its
        direction's drawing (``registry.images``)."""
        return images.picture_url(self, "card")

    @property
    def page_picture(self) -> str:
        return images.picture_url(self, "page")

    @property
    def ovz_labels(self):
        return OvzKind.labels_of(self.ovz_kinds)

    @property
    def register_labels(self):
        return Register.labels_of(self.registers)

    @property
    def is_public(self):
        return self.status == ProgramStatus.PUBLISHED


class Module(ExchangeRecord):
    """A part of a program, usually a year of study; groups study a module."""

    program = models.ForeignKey(Program, verbose_name=_("программа"), on_delete=models.CASCADE,
                                related_name="modules")
    year_of_study = models.PositiveSmallIntegerField(
        _("год обучения"), default=1, validators=[MinValueValidator(1), MaxValueValidator(12)])
    title = models.CharField(_("название"), max_length=300)
    hours = models.PositiveIntegerField(_("объём, академических часов"),
                                        validators=[MinValueValidator(1)])
    description = models.TextField(_("описание"), blank=True)

    history = HistoricalRecords()
    SCOPE = {"organization": "program__organization",
             "municipality": "program__organization__municipality"}

    class Meta:
        verbose_name = _("модуль")
        verbose_name_plural = _("модули")
        ordering = ["program", "year_of_study", "pk"]

    def __str__(self):
        return self.title

    @classmethod
    def public_q(cls):
        return Q(program__status=ProgramStatus.PUBLISHED, program__organization__is_active=True)


class Group(ExchangeRecord):
    """A group studying a module: period, seats, ages, schedule, teachers, funding, enrolment."""

    module = models.ForeignKey(Module, verbose_name=_("модуль"), on_delete=models.CASCADE,
                               related_name="groups")
    name = models.CharField(_("название группы"), max_length=200)
    teachers = models.ManyToManyField(Teacher, verbose_name=_("педагоги"), blank=True,
                                      related_name="groups")
    start_date = models.DateField(_("начало занятий"))
    end_date = models.DateField(_("окончание занятий"))
    hours_per_year = models.PositiveIntegerField(_("часов в год"),
                                                 validators=[MinValueValidator(1)])
    capacity_min = models.PositiveSmallIntegerField(_("мест минимум"), default=1)
    capacity_max = models.PositiveSmallIntegerField(_("мест максимум"),
                                                    validators=[MinValueValidator(1)])
    age_min = models.PositiveSmallIntegerField(_("возраст от"), validators=AGE_VALIDATORS)
    age_max = models.PositiveSmallIntegerField(_("возраст до"), validators=AGE_VALIDATORS)
    address = models.CharField(_("адрес"), max_length=500, blank=True)
    is_active = models.BooleanField(_("активна"), default=True)
    enrolment_open = models.BooleanField(
        _("запись открыта"), default=False,
        help_text=_("Выключите, чтобы закрыть запись независимо от дат."))
    enrolment_from = models.DateTimeField(_("запись с"), null=True, blank=True)
    enrolment_to = models.DateTimeField(_("запись по"), null=True, blank=True)
    next_year_enrolment_from = models.DateTimeField(_("запись на следующий год с"),
                                                    null=True, blank=True)
    next_year_enrolment_to = models.DateTimeField(_("запись на следующий год по"),
                                                  null=True, blank=True)
    # Seat counters, changed only by the conditional UPDATEs of ``opora.enrollment.seats``
    # in the transaction that changes the applications (``save()`` never writes them):
    # the applications holding a seat, and the last waiting-list number given out.
    seats_taken = models.PositiveIntegerField(_("занято мест"), default=0, db_default=0, editable=False)
    queue_last = models.PositiveIntegerField(_("последний номер в очереди"), default=0, db_default=0,
                                             editable=False)

    history = HistoricalRecords(excluded_fields=["seats_taken", "queue_last"])
    SCOPE = {"organization": "module__program__organization",
             "municipality": "module__program__organization__municipality"}

    class Meta:
        verbose_name = _("группа")
        verbose_name_plural = _("группы")
        ordering = ["start_date", "name"]
        constraints = [
            models.CheckConstraint(name="group_period", condition=Q(start_date__lt=F("end_date"))),
            models.CheckConstraint(name="group_ages", condition=Q(age_min__lte=F("age_max"))),
            models.CheckConstraint(name="group_capacity",
                                   condition=Q(capacity_min__lte=F("capacity_max"))),
            models.CheckConstraint(
                name="group_enrolment_window",
                condition=Q(enrolment_from__isnull=True) | Q(enrolment_to__isnull=True)
                | Q(enrolment_from__lt=F("enrolment_to")),
            ),
        ]

    def __str__(self):
        return self.name

    COUNTERS = ("seats_taken", "queue_last")

    def save(self, *args, **kwargs):
        """Saving an edited group leaves the seat counters alone: a form opened before
        parents applied must not write back the counts it was read with."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [f.name for f in self._meta.concrete_fields
                                       if not f.primary_key and f.name not in self.COUNTERS]
        super().save(*args, **kwargs)

    @classmethod
    def public_q(cls):
        return Q(module__program__status=ProgramStatus.PUBLISHED,
                 module__program__organization__is_active=True, is_active=True)

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.start_date >= self.end_date:
            errors["end_date"] = _("Окончание занятий должно быть позже их начала.")
        if self.age_min is not None and self.age_max is not None:
            if self.age_min > self.age_max:
                errors["age_max"] = _("Возраст «до» не может быть меньше возраста «от».")
            elif (program := self._program()) is not None and (
                    self.age_min < program.age_min or self.age_max > program.age_max):
                errors["age_min"] = (
                    _("Возраст группы должен быть в пределах возраста программы "
                      "(%(min)s–%(max)s лет).") % {"min": program.age_min, "max": program.age_max}
                )
        if self.capacity_min and self.capacity_max and self.capacity_min > self.capacity_max:
            errors["capacity_max"] = _("Мест максимум не может быть меньше, чем мест минимум.")
        for start, end in (("enrolment_from", "enrolment_to"),
                           ("next_year_enrolment_from", "next_year_enrolment_to")):
            a, b = getattr(self, start), getattr(self, end)
            if a and b and a >= b:
                errors[end] = _("Окончание записи должно быть позже её начала.")
        if errors:
            raise ValidationError(errors)


    def _program(self):
        """The program through the module, also when the module is not saved yet
        (an import validates every row before it writes anything)."""
        try:
            return self.module.program
        except (Module.DoesNotExist, Program.DoesNotExist):
            return None


class ScheduleLine(models.Model):
    """One line of a group's weekly timetable."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="schedule",
                              verbose_name=_("группа"))
    weekdays = FlagsField(_("дни недели"), flags=Weekday)
    time_from = models.TimeField(_("с"))
    time_to = models.TimeField(_("до"))
    lesson_minutes = models.PositiveSmallIntegerField(
        _("длительность занятия, минут"), default=45,
        validators=[MinValueValidator(10), MaxValueValidator(240)])
    break_minutes = models.PositiveSmallIntegerField(
        _("перерыв, минут"), default=10, validators=[MaxValueValidator(60)])
    address = models.CharField(_("адрес"), max_length=500, blank=True)

    SCOPE = {"organization": "group__module__program__organization",
             "municipality": "group__module__program__organization__municipality"}

    class Meta:
        verbose_name = _("строка расписания")
        verbose_name_plural = _("расписание")
        ordering = ["group", "time_from"]
        constraints = [
            models.CheckConstraint(name="schedule_times", condition=Q(time_from__lt=F("time_to"))),
            models.CheckConstraint(name="schedule_weekdays", condition=Q(weekdays__gt=0)),
        ]

    def __str__(self):
        return f"{self.weekday_labels} {self.time_from:%H:%M}–{self.time_to:%H:%M}"

    @property
    def weekday_labels(self):
        return ", ".join(str(label) for label in Weekday.labels_of(self.weekdays))

    def clean(self):
        errors = {}
        if not self.weekdays:
            errors["weekdays"] = _("Выберите хотя бы один день недели.")
        if self.time_from and self.time_to:
            if self.time_from >= self.time_to:
                errors["time_to"] = _("Время окончания должно быть позже времени начала.")
            elif self.lesson_minutes:
                span = ((self.time_to.hour * 60 + self.time_to.minute)
                        - (self.time_from.hour * 60 + self.time_from.minute))
                if self.lesson_minutes > span:
                    errors["lesson_minutes"] = _("Занятие длиннее, чем отведённое время.")
        if errors:
            raise ValidationError(errors)


MAX_MONTHLY_PRICE = Decimal("1000000")
MAX_TOTAL_PRICE = Decimal("100000000")


PRICE_ERRORS = {"invalid": _("Стоимость указывается числом в рублях, например 1600 или 1600.50.")}


class FundingTerms(models.Model):
    """A financing source of a group with its price: what the parent may pay with."""

    source = models.CharField(_("источник финансирования"), max_length=20,
                              choices=FundingSource.choices)
    monthly_price = models.DecimalField(
        _("стоимость в месяц, ₽"), max_digits=14, decimal_places=2, default=0,
        error_messages=PRICE_ERRORS,
        validators=[MinValueValidator(0, _("Стоимость не может быть отрицательной.")),
                    MaxValueValidator(MAX_MONTHLY_PRICE,
                                      _("Стоимость в месяц не может быть больше 1 000 000 ₽."))])
    total_price = models.DecimalField(
        _("стоимость обучения, ₽"), max_digits=14, decimal_places=2, default=0,
        error_messages=PRICE_ERRORS,
        validators=[MinValueValidator(0, _("Стоимость не может быть отрицательной.")),
                    MaxValueValidator(MAX_TOTAL_PRICE,
                                      _("Стоимость обучения не может быть больше 100 000 000 ₽."))])

    class Meta:
        abstract = True

    def __str__(self):
        return self.get_source_display()

    def clean(self):
        if self.source == FundingSource.BUDGET and (self.monthly_price or self.total_price):
            raise ValidationError({"monthly_price": _("Обучение за счёт бюджета бесплатно.")})


class GroupFunding(FundingTerms):
    """A published financing line of a group: the price the catalog, the program page and
    the open API show. Changed in place (``opora.registry.prices``), so its history and
    the audit trail keep every price it had."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="funding",
                              verbose_name=_("группа"))

    history = HistoricalRecords()
    SCOPE = {"organization": "group__module__program__organization",
             "municipality": "group__module__program__organization__municipality"}

    class Meta:
        verbose_name = _("источник финансирования")
        verbose_name_plural = _("источники финансирования")
        constraints = [
            models.UniqueConstraint(fields=["group", "source"], name="group_funding_source"),
            models.CheckConstraint(
                name="budget_is_free",
                condition=~Q(source="budget") | Q(monthly_price=0, total_price=0),
            ),
            models.CheckConstraint(name="funding_price_not_negative",
                                   condition=Q(monthly_price__gte=0, total_price__gte=0)),
        ]


class ProposedFunding(FundingTerms):
    """One line of the financing a provider proposed for a group of a program the МОЦ has
    in hand (published or under moderation): the group's rows together are the complete
    proposed list. The published ``GroupFunding`` lines stay in force until the МОЦ
    approves the proposal; returning it deletes these rows."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="proposed_funding",
                              verbose_name=_("группа"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("кто предложил"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    proposed_at = models.DateTimeField(_("когда предложено"), auto_now_add=True)

    SCOPE = {"organization": "group__module__program__organization",
             "municipality": "group__module__program__organization__municipality"}

    class Meta:
        verbose_name = _("предложенная стоимость")
        verbose_name_plural = _("предложенная стоимость")
        constraints = [
            models.UniqueConstraint(fields=["group", "source"], name="proposed_funding_source"),
            models.CheckConstraint(
                name="proposed_budget_is_free",
                condition=~Q(source="budget") | Q(monthly_price=0, total_price=0),
            ),
            models.CheckConstraint(name="proposed_price_not_negative",
                                   condition=Q(monthly_price__gte=0, total_price__gte=0)),
        ]


class ImportJob(models.Model):
    """An Excel import, run in the background: the uploaded file is kept here until the
    task reads it and removed after; then the outcome stays — the programs created, the
    groups added and every bad row (see ``opora.registry.import_jobs``)."""

    organization = models.ForeignKey(Organization, verbose_name=_("организация"),
                                     on_delete=models.CASCADE, related_name="import_jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("загрузил"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    file_name = models.CharField(_("файл"), max_length=255)
    content = models.BinaryField(_("содержимое файла"), blank=True, default=b"")
    keep_valid = models.BooleanField(_("сохранить корректные строки"), default=False)
    status = models.CharField(_("состояние"), max_length=10, choices=ImportStatus.choices,
                              default=ImportStatus.QUEUED)
    rows_total = models.PositiveIntegerField(_("строк в файле"), default=0)
    rows_checked = models.PositiveIntegerField(_("строк проверено"), default=0)
    # {"programs": [[pk, title], …], "groups_created": n, "location": [lat, lon] or None,
    #  "errors": [[sheet, row, column, message], …]}
    result = models.JSONField(_("результат"), default=dict, blank=True)
    message = models.TextField(_("причина отказа"), blank=True)
    created_at = models.DateTimeField(_("загружен"), auto_now_add=True)
    started_at = models.DateTimeField(_("начата"), null=True, blank=True)
    finished_at = models.DateTimeField(_("завершена"), null=True, blank=True)

    SCOPE = {"organization": "organization", "municipality": "organization__municipality"}

    class Meta:
        verbose_name = _("загрузка из Excel")
        verbose_name_plural = _("загрузки из Excel")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self):
        return self.status in (ImportStatus.DONE, ImportStatus.REFUSED, ImportStatus.FAILED)


class ProgramRevision(models.Model):
    """An edit of a published program's public fields (``Program.PUBLIC_FIELDS`` and the
    partners) waiting for the МОЦ. The program's own row keeps the published values, so
    the catalog, its search documents, the map, the program page and the API go on
    showing them, and parents go on enrolling, until the МОЦ approves the edit; then the
    values are copied onto the program and this row is deleted. Returned with a remark,
    it stays here for the provider to correct and send again (docs/decisions.md)."""

    class Status(models.TextChoices):
        MODERATING = "moderating", _("На модерации")
        RETURNED = "returned", _("Возвращены на доработку")

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="revision",
                                   verbose_name=_("программа"))
    # {attname: proposed value} of the public fields that differ from the published ones
    values = models.JSONField(_("изменённые поля"), default=dict, blank=True)
    # the proposed partners' ids, or None when the partners are not changed
    partners = models.JSONField(_("организации-партнёры"), null=True, blank=True)
    photo = models.ImageField(_("новая фотография"), upload_to="programs/", blank=True)
    status = models.CharField(_("состояние"), max_length=20, choices=Status.choices,
                              default=Status.MODERATING)
    remark = models.TextField(_("замечания модератора"), blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("кто изменил"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    proposed_at = models.DateTimeField(_("когда отправлено"))

    SCOPE = {"organization": "program__organization",
             "municipality": "program__organization__municipality"}

    class Meta:
        verbose_name = _("изменения опубликованной программы")
        verbose_name_plural = _("изменения опубликованных программ")

    def __str__(self):
        return str(self.program)

    @property
    def is_moderating(self):
        return self.status == self.Status.MODERATING

    def apply_to(self, program: Program) -> Program:
        """Put the proposed values on ``program`` (in memory; the caller saves or shows it)."""
        for attname, value in self.values.items():
            setattr(program, attname, value)
        if self.photo:
            program.photo = self.photo.name
        return program
