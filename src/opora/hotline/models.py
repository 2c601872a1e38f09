"""The hotline (горячая линия, docs/domain.md «Горячая линия»): questions from parents,
providers and anyone else, answered by the МОЦ of the asker's municipality within a
deadline counted in working days, escalated to the РМЦ when the МОЦ cannot answer, and
turned into public FAQ entries only by an operator who removed the personal details.

Rows are changed only by ``opora.hotline.services``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_WORKING_DAYS = 3


class Topic(models.TextChoices):
    CERTIFICATE = "certificate", _("Сертификат дополнительного образования")
    APPLICATION = "application", _("Запись и заявки")
    ACCOUNT = "account", _("Личный кабинет и вход")
    PROGRAM = "program", _("Программы и организации")
    OTHER = "other", _("Другое")


class Channel(models.TextChoices):
    SITE = "site", _("Форма на сайте")
    CABINET = "cabinet", _("Личный кабинет")
    PHONE = "phone", _("Телефон")


class QuestionStatus(models.TextChoices):
    NEW = "new", _("Новый")
    IN_WORK = "in_work", _("В работе")
    AWAITING_DETAILS = "awaiting_details", _("Ждём уточнения")
    ESCALATED = "escalated", _("Передан в РМЦ")
    ANSWERED = "answered", _("Отвечен")


OPEN_STATUSES = (QuestionStatus.NEW, QuestionStatus.IN_WORK, QuestionStatus.ESCALATED)


class CalendarDay(models.Model):
    """An exception to the five-day week of the production calendar: a weekday off (a
    public holiday, a day off moved from a weekend) or a weekend that is worked."""

    date = models.DateField(_("дата"), unique=True)
    is_working = models.BooleanField(_("рабочий день"), default=False)
    note = models.CharField(_("пояснение"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("день производственного календаря")
        verbose_name_plural = _("производственный календарь")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%d.%m.%Y}"


class TopicDeadline(models.Model):
    """How many working days the answer to a question of a topic may take (3 when the
    topic has no row)."""

    topic = models.CharField(_("тема"), max_length=20, choices=Topic.choices, unique=True)
    working_days = models.PositiveSmallIntegerField(_("срок ответа, рабочих дней"),
                                                    default=DEFAULT_WORKING_DAYS)

    class Meta:
        verbose_name = _("срок ответа по теме")
        verbose_name_plural = _("сроки ответа по темам")
        ordering = ["topic"]

    def __str__(self):
        return f"{self.get_topic_display()}: {self.working_days}"


class Desk(models.Model):
    """The hotline of one municipality's МОЦ: its phone and hours for the public and the
    head who is told of overdue questions (when no address is given here: the operator
    marked as the МОЦ's head, else every МОЦ operator of the municipality)."""

    municipality = models.OneToOneField("registry.Municipality", on_delete=models.CASCADE,
                                        related_name="hotline_desk", verbose_name=_("муниципалитет"))
    phone = models.CharField(_("телефон горячей линии"), max_length=50, blank=True)
    hours = models.CharField(_("часы работы"), max_length=200, blank=True)
    head_name = models.CharField(_("руководитель МОЦ"), max_length=200, blank=True)
    head_email = models.EmailField(_("e-mail руководителя МОЦ"), blank=True)

    SCOPE = {"municipality": "municipality"}

    class Meta:
        verbose_name = _("горячая линия МОЦ")
        verbose_name_plural = _("горячие линии МОЦ")

    def __str__(self):
        return str(self.municipality)


def attachment_path(question, filename):
    extension = filename.rpartition(".")[2].lower()[:10]
    return f"hotline/{question.uuid}/{uuid.uuid4().hex}.{extension}"


class Question(models.Model):
    """A question to the hotline. ``asker`` is the signed-in parent or provider who asked
    from the cabinet; a question from the public form or the phone has none and is
    answered by e-mail (and read by a signed link)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey("registry.Municipality", on_delete=models.PROTECT,
                                     related_name="hotline_questions",
                                     verbose_name=_("муниципалитет"))
    topic = models.CharField(_("тема"), max_length=20, choices=Topic.choices)
    channel = models.CharField(_("как поступил"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("состояние"), max_length=20, choices=QuestionStatus.choices,
                              default=QuestionStatus.NEW)
    asker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="hotline_questions",
                              verbose_name=_("автор в системе"))
    name = models.CharField(_("имя"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("телефон"), max_length=30, blank=True)
    text = models.TextField(_("вопрос"))
    attachment = models.FileField(_("вложение"), upload_to=attachment_path, blank=True,
                                  max_length=300)
    attachment_name = models.CharField(_("имя файла"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("поступил"), default=timezone.now)
    deadline = models.DateField(_("срок ответа"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+",
                                      verbose_name=_("зарегистрировал"))
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("отвечает"))
    answer = models.TextField(_("ответ"), blank=True)
    answered_at = models.DateTimeField(_("дан ответ"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("ответил"))
    answered_on_time = models.BooleanField(_("в срок"), null=True, blank=True)
    overdue_reported_at = models.DateTimeField(_("руководитель извещён о просрочке"),
                                               null=True, blank=True)

    SCOPE = {"municipality": "municipality"}

    class Meta:
        verbose_name = _("вопрос горячей линии")
        verbose_name_plural = _("вопросы горячей линии")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["municipality", "status", "deadline"],
                                name="hotline_queue")]
        constraints = [
            models.CheckConstraint(name="hotline_question_has_contact",
                                   condition=~Q(email="", phone="") | Q(asker__isnull=False)),
        ]

    def __str__(self):
        return _("Вопрос № %(n)s") % {"n": self.number}

    @property
    def number(self) -> str:
        return f"{self.pk:05d}" if self.pk else ""

    @property
    def is_open(self) -> bool:
        return self.status != QuestionStatus.ANSWERED

    @property
    def is_overdue(self) -> bool:
        return self.status in OPEN_STATUSES and self.deadline < timezone.localdate()


class MessageKind(models.TextChoices):
    DETAILS_REQUESTED = "details_requested", _("Запрошено уточнение")
    DETAILS = "details", _("Уточнение автора")
    ESCALATED = "escalated", _("Передан в РМЦ")
    RETURNED = "returned", _("Возвращён из РМЦ")
    ANSWER = "answer", _("Ответ")


class Message(models.Model):
    """One step of the conversation about a question, as the asker and the operators see
    it (the audit trail keeps who changed which state)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="messages",
                                 verbose_name=_("вопрос"))
    kind = models.CharField(_("вид"), max_length=20, choices=MessageKind.choices)
    text = models.TextField(_("текст"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+", verbose_name=_("автор"))
    created_at = models.DateTimeField(_("когда"), default=timezone.now)

    SCOPE = {"municipality": "question__municipality"}

    class Meta:
        verbose_name = _("сообщение по вопросу")
        verbose_name_plural = _("сообщения по вопросам")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.get_kind_display()

    @property
    def is_internal(self) -> bool:
        """Escalation notes are between the МОЦ and the РМЦ; the asker does not see them."""
        return self.kind in (MessageKind.ESCALATED, MessageKind.RETURNED)


class FaqEntry(models.Model):
    """A public answer to a frequent question, written by an operator from a question
    they answered, with the personal details removed. ``municipality`` empty: for the
    whole region (the РМЦ's)."""

    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="faq_entries", verbose_name=_("исходный вопрос"))
    municipality = models.ForeignKey("registry.Municipality", null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="faq_entries",
                                     verbose_name=_("муниципалитет"))
    topic = models.CharField(_("тема"), max_length=20, choices=Topic.choices)
    title = models.CharField(_("вопрос"), max_length=300)
    body = models.TextField(_("ответ"))
    is_published = models.BooleanField(_("опубликован"), default=True)
    published_at = models.DateTimeField(_("опубликован"), default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("опубликовал"))

    SCOPE = {"municipality": "municipality"}

    class Meta:
        verbose_name = _("частый вопрос")
        verbose_name_plural = _("частые вопросы")
        ordering = ["topic", "-published_at", "-pk"]

    def __str__(self):
        return self.title

    @classmethod
    def public_q(cls):
        return Q(is_published=True)
