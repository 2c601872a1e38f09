"""Mailings (рассылки, docs/domain.md «Рассылки»): the МОЦ's announcements by e-mail to
its providers, their staff and the parents who agreed to receive news.

A ``Mailing`` keeps what was sent, to whom it was meant (the choice of recipients) and
how many letters went; a ``Delivery`` is one address of it, sent in the background in
batches. ``NewsConsent`` is a parent's agreement to receive news; ``OptOut`` an address
that followed the unsubscribe link of a letter and gets no mailing again.
Rows are changed only by ``opora.mailing.services``.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NewsConsent(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="news_consent", verbose_name=_("пользователь"))
    agreed_at = models.DateTimeField(_("согласие дано"), default=timezone.now)

    class Meta:
        verbose_name = _("согласие на новости")
        verbose_name_plural = _("согласия на новости")

    def __str__(self):
        return str(self.user)


class OptOut(models.Model):
    email = models.EmailField(_("e-mail"), unique=True)
    created_at = models.DateTimeField(_("отписался"), default=timezone.now)

    class Meta:
        verbose_name = _("отписавшийся адрес")
        verbose_name_plural = _("отписавшиеся адреса")

    def __str__(self):
        return self.email


class MailingStatus(models.TextChoices):
    SENDING = "sending", _("Отправляется")
    SENT = "sent", _("Отправлена")


class Mailing(models.Model):
    municipality = models.ForeignKey("registry.Municipality", on_delete=models.PROTECT,
                                     related_name="mailings", verbose_name=_("муниципалитет"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("автор"))
    subject = models.CharField(_("тема письма"), max_length=200)
    body = models.TextField(_("текст"))
    to_providers = models.BooleanField(_("организациям"), default=False)
    to_staff = models.BooleanField(_("сотрудникам организаций"), default=False)
    to_parents = models.BooleanField(_("родителям"), default=False)
    provider_kinds = models.JSONField(_("типы организаций"), default=list, blank=True)
    directions = models.JSONField(_("направленности программ"), default=list, blank=True)
    status = models.CharField(_("состояние"), max_length=10, choices=MailingStatus.choices,
                              default=MailingStatus.SENDING)
    recipients_count = models.PositiveIntegerField(_("получателей"), default=0)
    delivered_count = models.PositiveIntegerField(_("доставлено"), default=0)
    failed_count = models.PositiveIntegerField(_("не доставлено"), default=0)
    origin = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(_("создана"), default=timezone.now)
    finished_at = models.DateTimeField(_("завершена"), null=True, blank=True)

    SCOPE = {"municipality": "municipality"}

    class Meta:
        verbose_name = _("рассылка")
        verbose_name_plural = _("рассылки")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.subject

    @property
    def progress(self) -> int:
        """Percent of the recipients handled (delivered, failed or skipped)."""
        if not self.recipients_count:
            return 100
        done = self.recipients_count - self.deliveries.filter(status=DeliveryStatus.PENDING).count()
        return round(100 * done / self.recipients_count)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("В очереди")
    SENT = "sent", _("Доставлено")
    FAILED = "failed", _("Ошибка")
    SKIPPED = "skipped", _("Отписался")


class Delivery(models.Model):
    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="deliveries",
                                verbose_name=_("рассылка"))
    email = models.EmailField(_("e-mail"))
    status = models.CharField(_("состояние"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    error = models.CharField(_("ошибка"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("отправлено"), null=True, blank=True)

    SCOPE = {"municipality": "mailing__municipality"}

    class Meta:
        verbose_name = _("письмо рассылки")
        verbose_name_plural = _("письма рассылки")
        constraints = [models.UniqueConstraint(fields=["mailing", "email"], name="one_letter_per_address")]
        indexes = [models.Index(fields=["mailing", "status"], name="mailing_delivery_status")]

    def __str__(self):
        return self.email
