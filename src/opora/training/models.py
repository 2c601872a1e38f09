"""Staff development (docs/domain.md, «Повышение квалификации»): courses and methodical
events for teachers and heads, the registrations of the registry's teachers with their
attendance and certificates, courses a teacher took elsewhere, and the link of an event to
an item of the municipality's plan of professional development (a plan of
``opora.plans``)."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TrainingKind(models.Model):
    """A kind of event, kept as data: seminar, webinar, course, conference, …"""

    code = models.SlugField(_("код"), max_length=40, unique=True)
    title = models.CharField(_("название"), max_length=200)
    produces_protocol = models.BooleanField(
        _("оформляется протоколом"), default=False,
        help_text=_("Как инструктивное совещание: по итогам составляется протокол."))
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        ordering = ["position", "title"]
        verbose_name = _("вид мероприятия для педагогов")
        verbose_name_plural = _("виды мероприятий для педагогов")

    def __str__(self):
        return self.title


class Organizer(models.TextChoices):
    MOC = "moc", _("МОЦ")
    RMC = "rmc", _("РМЦ")
    ORGANIZATION = "organization", _("организация")


class Format(models.TextChoices):
    IN_PERSON = "in_person", _("очно")
    ONLINE = "online", _("дистанционно")
    MIXED = "mixed", _("очно и дистанционно")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("черновик")
    PUBLISHED = "published", _("опубликовано")
    HELD = "held", _("проведено")
    CANCELLED = "cancelled", _("отменено")


AUDIENCE_FIELDS = {"teachers": "for_teachers", "heads": "for_heads", "methodists": "for_methodists"}
# Words of a registry position that place a teacher among the heads or the methodists;
# every other position (педагог дополнительного образования, педагог-организатор, тренер-
# преподаватель, …) is a teacher.
HEAD_WORDS = ("директор", "руководител", "заведующ", "начальник")
METHODIST_WORDS = ("методист",)


def audience_of(teacher) -> str:
    """The audience a teacher belongs to by the registry's position: «heads», «methodists»
    or «teachers» (a key of ``AUDIENCE_FIELDS``)."""
    position = (teacher.position or "").lower()
    if any(word in position for word in HEAD_WORDS):
        return "heads"
    if any(word in position for word in METHODIST_WORDS):
        return "methodists"
    return "teachers"


class TrainingEvent(models.Model):
    """A course or a methodical event. ``municipality`` empty: a regional event of the РМЦ,
    open to the teachers of every municipality."""

    kind = models.ForeignKey(TrainingKind, verbose_name=_("вид"), on_delete=models.PROTECT,
                             related_name="events")
    title = models.CharField(_("тема"), max_length=300)
    description = models.TextField(_("описание"), blank=True)
    municipality = models.ForeignKey("registry.Municipality", verbose_name=_("муниципалитет"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="training_events")
    organizer = models.CharField(_("организатор"), max_length=20, choices=Organizer.choices,
                                 default=Organizer.MOC)
    organization = models.ForeignKey("registry.Organization", verbose_name=_("организация-организатор"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="training_events")
    starts_on = models.DateField(_("начало"))
    ends_on = models.DateField(_("окончание"))
    time_text = models.CharField(_("время"), max_length=100, blank=True)
    hours = models.DecimalField(_("часов"), max_digits=5, decimal_places=1)
    format = models.CharField(_("формат"), max_length=20, choices=Format.choices,
                              default=Format.IN_PERSON)
    place = models.CharField(_("место проведения"), max_length=300, blank=True)
    online_link = models.URLField(_("ссылка на трансляцию"), max_length=500, blank=True)
    for_teachers = models.BooleanField(_("для педагогов"), default=True)
    for_heads = models.BooleanField(_("для руководителей"), default=False)
    for_methodists = models.BooleanField(_("для методистов"), default=False)
    capacity = models.PositiveIntegerField(_("мест"))
    registration_until = models.DateField(_("запись до"), null=True, blank=True)
    status = models.CharField(_("статус"), max_length=20, choices=EventStatus.choices,
                              default=EventStatus.DRAFT)
    plan_item = models.ForeignKey("plans.Item", verbose_name=_("пункт плана повышения квалификации"),
                                  null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="training_events")
    protocol_text = models.TextField(_("протокол"), blank=True)
    protocol_file = models.FileField(_("файл протокола"), upload_to="training/protocols/%Y/%m/",
                                     blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE = {"municipality": "municipality", "organization": "organization"}

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = _("мероприятие для педагогов")
        verbose_name_plural = _("мероприятия для педагогов")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                   name="training_event_dates"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="training_event_hours"),
        ]
        indexes = [models.Index(fields=["municipality", "starts_on"])]

    def __str__(self):
        return self.title

    @property
    def organizer_name(self) -> str:
        if self.organizer == Organizer.ORGANIZATION and self.organization_id:
            return self.organization.short_name
        return str(self.get_organizer_display())

    @property
    def audience(self) -> list[str]:
        return [str(label) for flag, label in (
            (self.for_teachers, _("педагоги")), (self.for_heads, _("руководители")),
            (self.for_methodists, _("методисты"))) if flag]

    @property
    def has_protocol(self) -> bool:
        return bool(self.protocol_text.strip() or self.protocol_file)


class Material(models.Model):
    """A file or a link of an event: a presentation, a recording, a handout."""

    event = models.ForeignKey(TrainingEvent, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("название"), max_length=300)
    file = models.FileField(_("файл"), upload_to="training/materials/%Y/%m/", blank=True)
    url = models.URLField(_("ссылка"), max_length=500, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("материал")
        verbose_name_plural = _("материалы")
        constraints = [models.CheckConstraint(condition=~Q(file="", url=""),
                                              name="training_material_file_or_link")]

    def __str__(self):
        return self.title


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("записан")
    ATTENDED = "attended", _("присутствовал")
    ABSENT = "absent", _("не явился")
    CANCELLED = "cancelled", _("запись отменена")


# Registrations that hold a seat.
SEATED = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED, RegistrationStatus.ABSENT)


def new_certificate_code() -> str:
    """Twelve random characters of an alphabet without look-alikes (about 60 bits): a
    code nobody can guess from another one."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


class Registration(models.Model):
    """A teacher registered for an event; attendance marked; a certificate of attendance
    (its verification code) once the teacher attended."""

    event = models.ForeignKey(TrainingEvent, on_delete=models.CASCADE, related_name="registrations")
    teacher = models.ForeignKey("registry.Teacher", verbose_name=_("педагог"), on_delete=models.CASCADE,
                                related_name="training_registrations")
    status = models.CharField(_("статус"), max_length=20, choices=RegistrationStatus.choices,
                              default=RegistrationStatus.REGISTERED)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    registered_at = models.DateTimeField(auto_now_add=True)
    certificate_code = models.CharField(_("код сертификата"), max_length=20, null=True, blank=True,
                                        unique=True)

    SCOPE = {"organization": "teacher__organization", "municipality": "teacher__organization__municipality",
             "teacher": "teacher"}

    class Meta:
        ordering = ["teacher__last_name", "teacher__first_name", "pk"]
        verbose_name = _("запись педагога")
        verbose_name_plural = _("записи педагогов")
        constraints = [models.UniqueConstraint(fields=["event", "teacher"], name="training_one_registration")]

    def __str__(self):
        return f"{self.teacher} — {self.event}"


class ExternalTraining(models.Model):
    """A course a teacher took elsewhere (a regional institute, a university), recorded by
    the organization or the МОЦ with its document (удостоверение, сертификат)."""

    teacher = models.ForeignKey("registry.Teacher", verbose_name=_("педагог"), on_delete=models.CASCADE,
                                related_name="external_trainings")
    title = models.CharField(_("название программы"), max_length=300)
    provider_name = models.CharField(_("где обучался"), max_length=300)
    finished_on = models.DateField(_("дата окончания"))
    hours = models.DecimalField(_("часов"), max_digits=5, decimal_places=1)
    document = models.CharField(_("документ"), max_length=200,
                                help_text=_("Например: удостоверение о повышении квалификации № 123456"))
    file = models.FileField(_("скан документа"), upload_to="training/documents/%Y/%m/", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    SCOPE = {"organization": "teacher__organization", "municipality": "teacher__organization__municipality",
             "teacher": "teacher"}

    class Meta:
        ordering = ["-finished_on", "pk"]
        verbose_name = _("обучение в другой организации")
        verbose_name_plural = _("обучение в других организациях")
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="training_external_hours")]

    def __str__(self):
        return self.title
