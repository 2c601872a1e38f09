"""Data requests (мониторинговые исследования по запросу РМЦ, docs/domain.md §5): a form
of fields the РМЦ (or a МОЦ for its own municipality) sends to municipalities and,
optionally, to every provider in them; the answers go up level by level — provider →
МОЦ → РМЦ — and each level accepts or returns the one below.

A request is a ``Survey`` with its ``SurveyField``\\ s. Sending it makes one ``Reply`` per
municipality (``organization`` empty: the МОЦ's answer) and, when the request asks the
providers too, one per active organization of those municipalities. A reply holds one
``Answer`` per field. Rows are changed only by ``opora.surveys.services``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

NUMBER = {"max_digits": 18, "decimal_places": 2}


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Черновик")
    SENT = "sent", _("Отправлен")


class FieldKind(models.TextChoices):
    NUMBER = "number", _("Число")
    TEXT = "text", _("Текст")
    CHOICE = "choice", _("Выбор из списка")
    FILE = "file", _("Файл")


class Prefill(models.TextChoices):
    """A live figure Opora already holds, offered as the starting value of a number field."""

    NONE = "", _("Не заполнять")
    PROGRAMS = "programs", _("Число опубликованных программ")
    ENROLLED_CHILDREN = "enrolled_children", _("Число обучающихся детей")
    COVERED_CHILDREN = "covered_children", _(
        "Число охваченных детей 5–17 лет (как в мониторинге, на сегодня)")
    PLACES = "places", _("Число мест в группах, которые занимаются сегодня")
    CONTRACTS = "contracts", _("Число договоров по сертификатам, действующих сегодня")
    TEACHERS = "teachers", _("Число педагогов")
    TEACHERS_CATEGORISED = "teachers_categorised", _(
        "Число педагогов с первой или высшей категорией")


class ReplyStatus(models.TextChoices):
    PENDING = "pending", _("Нет ответа")
    DRAFT = "draft", _("Черновик")
    SUBMITTED = "submitted", _("На проверке")
    RETURNED = "returned", _("Возвращён на доработку")
    ACCEPTED = "accepted", _("Принят")


class Survey(models.Model):
    """A data request. ``municipality`` is empty for the РМЦ's requests to the region and
    names the municipality of a МОЦ that asks its own providers."""

    uuid = models.UUIDField(_("идентификатор"), default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("название"), max_length=300)
    description = models.TextField(_("описание"), blank=True)
    deadline = models.DateField(_("срок ответа"))
    municipality = models.ForeignKey(
        "registry.Municipality", verbose_name=_("запрос МОЦ муниципалитета"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="own_surveys")
    addressees = models.ManyToManyField("registry.Municipality", verbose_name=_("муниципалитеты"),
                                        related_name="surveys", blank=True)
    asks_providers = models.BooleanField(_("заполняют организации"), default=False)
    status = models.CharField(_("состояние"), max_length=10, choices=SurveyStatus.choices,
                              default=SurveyStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("автор"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    sent_at = models.DateTimeField(_("отправлен"), null=True, blank=True)

    SCOPE = {"municipality": "municipality"}

    class Meta:
        verbose_name = _("запрос данных")
        verbose_name_plural = _("запросы данных")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title

    @property
    def is_regional(self) -> bool:
        return self.municipality_id is None


class SurveyField(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="fields",
                               verbose_name=_("запрос"))
    position = models.PositiveSmallIntegerField(_("порядок"))
    label = models.CharField(_("вопрос"), max_length=300)
    kind = models.CharField(_("тип ответа"), max_length=10, choices=FieldKind.choices)
    options = models.JSONField(_("варианты"), default=list, blank=True)
    required = models.BooleanField(_("обязательный"), default=False)
    prefill = models.CharField(_("заполнить заранее"), max_length=20, choices=Prefill.choices,
                               default=Prefill.NONE, blank=True)

    SCOPE = {"municipality": "survey__municipality"}

    class Meta:
        verbose_name = _("поле запроса")
        verbose_name_plural = _("поля запроса")
        ordering = ["survey", "position"]
        constraints = [models.UniqueConstraint(fields=["survey", "position"],
                                               name="survey_field_position")]

    def __str__(self):
        return self.label


class Reply(models.Model):
    """One addressee's answer to a request: a provider's (``organization`` set) or its
    municipality's МОЦ (``organization`` empty)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="replies",
                               verbose_name=_("запрос"))
    municipality = models.ForeignKey("registry.Municipality", verbose_name=_("муниципалитет"),
                                     on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey("registry.Organization", verbose_name=_("организация"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    status = models.CharField(_("состояние"), max_length=10, choices=ReplyStatus.choices,
                              default=ReplyStatus.PENDING)
    submitted_at = models.DateTimeField(_("отправлен"), null=True, blank=True)
    late = models.BooleanField(_("после срока"), default=False)
    remarks = models.TextField(_("замечания"), blank=True)
    reviewed_at = models.DateTimeField(_("проверен"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("напоминание"), null=True, blank=True)
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)

    SCOPE = {"organization": "organization", "municipality": "municipality"}

    class Meta:
        verbose_name = _("ответ на запрос")
        verbose_name_plural = _("ответы на запрос")
        ordering = ["survey", "municipality__name", "organization__short_name"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "municipality"],
                                    condition=Q(organization__isnull=True),
                                    name="one_municipal_reply"),
            models.UniqueConstraint(fields=["survey", "organization"],
                                    condition=Q(organization__isnull=False),
                                    name="one_provider_reply"),
        ]

    def __str__(self):
        return f"{self.survey}: {self.organization or self.municipality}"

    @property
    def is_municipal(self) -> bool:
        return self.organization_id is None


def answer_file_path(answer, filename):
    return f"surveys/{answer.reply.survey_id}/{answer.reply_id}/{filename}"


class Answer(models.Model):
    """The value of one field in one reply. For a municipality's number field
    ``number`` is the МОЦ's own entry and ``total`` the sum sent to the РМЦ (frozen
    when submitted, docs/domain.md §5)."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="answers",
                              verbose_name=_("ответ"))
    field = models.ForeignKey(SurveyField, on_delete=models.CASCADE, related_name="answers",
                              verbose_name=_("поле"))
    number = models.DecimalField(_("число"), null=True, blank=True, **NUMBER)
    total = models.DecimalField(_("итого по муниципалитету"), null=True, blank=True, **NUMBER)
    text = models.TextField(_("текст"), blank=True)
    file = models.FileField(_("файл"), upload_to=answer_file_path, blank=True, max_length=300)

    SCOPE = {"organization": "reply__organization", "municipality": "reply__municipality"}

    class Meta:
        verbose_name = _("значение ответа")
        verbose_name_plural = _("значения ответа")
        constraints = [models.UniqueConstraint(fields=["reply", "field"], name="one_answer_per_field")]

    def __str__(self):
        return f"{self.field}: {self.number if self.number is not None else self.text}"
