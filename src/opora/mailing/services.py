"""Use cases of mailings (docs/domain.md, «Рассылки»). Every function checks the actor's
right through ``opora.accounts.scope``, refuses bad input with a Russian message and
changes nothing then, and records its decision in the audit trail.

- ``recipients(municipality, choice)`` — the addresses a choice of recipients reaches.
- ``send_mailing(actor, data, origin)`` — the МОЦ sends an announcement: the mailing is
  kept with one delivery per address and sent in the background in batches.
- ``deliver_batch(mailing_id)`` — the background step: one batch of letters; a failing
  address is marked and the rest go on; the next batch is queued until none is left.
- ``set_consent(user, agree)`` — a parent agrees to receive news, or stops.
- ``unsubscribe(email)`` — the link of a letter: that address gets no mailing again,
  from the next letter on (also within a mailing being sent).

The rules:
- a mailing has a subject, a text and at least one kind of recipients; the МОЦ reaches
  the providers of its own municipality only (all, or of the chosen kinds, or those with
  a published program of the chosen directions), their active staff, and the parents of
  the municipality who agreed to receive news and confirmed their e-mail;
- an address appears once in a mailing, and never when it has unsubscribed.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opora import audit, locking, logs
from opora.accounts import scope
from opora.accounts.models import Role, User
from opora.errors import PermissionDenied, ValidationFailed
from opora.mailing import links
from opora.mailing.models import (
    Delivery,
    DeliveryStatus,
    Mailing,
    MailingStatus,
    NewsConsent,
    OptOut,
)
from opora.registry.choices import Direction, OrganizationKind, ProgramStatus
from opora.registry.models import Organization

log = logging.getLogger(__name__)

BATCH = 50
MAX_SUBJECT = 200
MAX_BODY = 20_000


def _text(value) -> str:
    return value.replace("\x00", "").strip() if isinstance(value, str) else ""


def _choice(data) -> dict:
    kinds = [k for k in (data.get("provider_kinds") or []) if k in OrganizationKind.values]
    directions = [d for d in (data.get("directions") or []) if d in Direction.values]
    return {"to_providers": bool(data.get("to_providers")), "to_staff": bool(data.get("to_staff")),
            "to_parents": bool(data.get("to_parents")), "provider_kinds": kinds,
            "directions": directions}


def providers_of(municipality, choice: dict):
    organizations = Organization.objects.filter(municipality=municipality, is_active=True)
    if choice["provider_kinds"]:
        organizations = organizations.filter(kind__in=choice["provider_kinds"])
    if choice["directions"]:
        organizations = organizations.filter(pk__in=Organization.objects.filter(
            programs__direction__in=choice["directions"],
            programs__status=ProgramStatus.PUBLISHED).values("pk"))
    return organizations


def recipients(municipality, choice: dict) -> list[str]:
    """The distinct lower-case addresses a choice of recipients reaches, without those
    that unsubscribed."""
    choice = _choice(choice)
    addresses = set()
    organizations = providers_of(municipality, choice)
    if choice["to_providers"]:
        addresses |= set(organizations.exclude(email="").values_list("email", flat=True))
    if choice["to_staff"]:
        addresses |= set(User.objects.filter(role=Role.ORGANIZATION_STAFF, is_active=True,
                                             organization__in=organizations.values("pk"))
                         .values_list("email", flat=True))
    if choice["to_parents"]:
        addresses |= set(User.objects.filter(role=Role.PARENT, is_active=True,
                                             municipality=municipality,
                                             email_confirmed_at__isnull=False,
                                             news_consent__isnull=False)
                         .values_list("email", flat=True))
    addresses = {a.strip().lower() for a in addresses if a and a.strip()}
    opted_out = set(OptOut.objects.filter(email__in=addresses).values_list("email", flat=True))
    return sorted(addresses - opted_out)


def send_mailing(actor, data: dict, origin: str = "") -> Mailing:
    """The МОЦ sends an announcement to the recipients it chose in its municipality."""
    municipality = actor.municipality if actor is not None and actor.is_authenticated else None
    probe = Mailing(municipality=municipality)
    if municipality is None or not scope.can(actor, "mailing.send", probe):
        raise PermissionDenied(_("Недостаточно прав для этого действия."))
    errors = {}
    subject, body = _text(data.get("subject")), _text(data.get("body"))
    if not subject:
        errors["subject"] = [_("Укажите тему письма.")]
    elif len(subject) > MAX_SUBJECT or "\n" in subject or "\r" in subject:
        errors["subject"] = [_("Тема письма — одна строка не длиннее %(n)s символов.") % {"n": MAX_SUBJECT}]
    if not body:
        errors["body"] = [_("Напишите текст письма.")]
    elif len(body) > MAX_BODY:
        errors["body"] = [_("Текст длиннее %(n)s символов.") % {"n": MAX_BODY}]
    choice = _choice(data)
    if not (choice["to_providers"] or choice["to_staff"] or choice["to_parents"]):
        errors["to_providers"] = [_("Выберите, кому отправить: организациям, их сотрудникам или родителям.")]
    if errors:
        raise ValidationFailed(errors)
    addresses = recipients(municipality, choice)
    if not addresses:
        raise ValidationFailed(_("Под выбранные условия не подходит ни один адрес."), field="to_providers")
    with locking.atomic():
        mailing = Mailing.objects.create(municipality=municipality, author=actor, subject=subject,
                                         body=body, recipients_count=len(addresses),
                                         origin=origin[:200], **choice)
        Delivery.objects.bulk_create([Delivery(mailing=mailing, email=a) for a in addresses],
                                     batch_size=1000)
        audit.record(actor, "mailing.mailing.sent", mailing, to_state=mailing.status,
                     recipients=len(addresses))
        logs.state_change(log, "mailing.started", mailing=mailing.pk, recipients=len(addresses))
        _queue_batch(mailing.pk)
    return mailing


def _queue_batch(mailing_id: int) -> None:
    from opora.mailing import tasks

    transaction.on_commit(lambda: tasks.deliver_batch.enqueue(mailing_id))


def _letter(mailing, address: str) -> EmailMessage:
    url = links.unsubscribe_url(address, mailing.origin)
    footer = "\n\n—\n" + _("%(sender)s. Вы получили это письмо как участник системы дополнительного "
                          "образования муниципалитета.") % {
        "sender": _("Муниципальный опорный центр: %(m)s") % {"m": mailing.municipality.name}}
    footer += "\n" + _("Отписаться от рассылок: %(url)s") % {"url": url}
    return EmailMessage(mailing.subject, mailing.body + footer, settings.DEFAULT_FROM_EMAIL,
                        [address], headers={"List-Unsubscribe": f"<{url}>",
                                            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})


def deliver_batch(mailing_id: int, batch: int | None = None) -> int:
    """Send the next ``batch`` letters of a mailing, one by one: an address that fails is
    marked with its error and the others go on; an address that unsubscribed meanwhile is
    skipped. Queues the next batch, or closes the mailing. Returns the letters sent."""
    with locking.atomic():
        # a second worker on the same mailing waits for these rows and then finds them sent
        claimed = locking.rows(Delivery.objects.filter(mailing_id=mailing_id,
                                                       status=DeliveryStatus.PENDING)
                               .order_by("pk")[:batch or BATCH], keep_order=True)
        mailing = Mailing.objects.select_related("municipality").filter(pk=mailing_id).first()
        if mailing is None:
            return 0
        opted_out = set(OptOut.objects.filter(email__in=[d.email for d in claimed])
                        .values_list("email", flat=True))
        sent = 0
        connection = get_connection()
        for delivery in claimed:
            if delivery.email in opted_out:
                delivery.status = DeliveryStatus.SKIPPED
            else:
                try:
                    connection.send_messages([_letter(mailing, delivery.email)])
                except Exception as error:  # noqa: BLE001 (a failing address must not stop the rest)
                    delivery.status, delivery.error = DeliveryStatus.FAILED, str(error)[:300]
                else:
                    delivery.status, delivery.sent_at = DeliveryStatus.SENT, timezone.now()
                    sent += 1
        Delivery.objects.bulk_update(claimed, ["status", "error", "sent_at"])
        _refresh_counts(mailing)
    return sent


def _refresh_counts(mailing) -> None:
    # the mailing's row is locked first, so that batches finishing together count in turn
    # and the last one sees every other's letters
    mailing = locking.row(Mailing.objects.select_related("municipality"), mailing.pk, of=("self",))
    counts = mailing.deliveries.aggregate(
        delivered=Count("pk", filter=Q(status=DeliveryStatus.SENT)),
        failed=Count("pk", filter=Q(status=DeliveryStatus.FAILED)),
        pending=Count("pk", filter=Q(status=DeliveryStatus.PENDING)))
    mailing.delivered_count, mailing.failed_count = counts["delivered"], counts["failed"]
    fields = ["delivered_count", "failed_count"]
    if not counts["pending"] and mailing.status != MailingStatus.SENT:
        mailing.status, mailing.finished_at = MailingStatus.SENT, timezone.now()
        fields += ["status", "finished_at"]
        audit.record(None, "mailing.mailing.finished", mailing, from_state=MailingStatus.SENDING,
                     to_state=MailingStatus.SENT, delivered=counts["delivered"],
                     failed=counts["failed"])
        logs.state_change(log, "mailing.finished", mailing=mailing.pk,
                          delivered=counts["delivered"], failed=counts["failed"])
    mailing.save(update_fields=fields)
    if counts["pending"]:
        _queue_batch(mailing.pk)


def set_consent(user, agree: bool) -> bool:
    """A parent agrees to receive the МОЦ's news by e-mail (undoing an earlier
    unsubscribe of their address), or withdraws the agreement."""
    if not scope.is_parent(user):
        raise PermissionDenied(_("Согласие на новости дают родители в своём кабинете."))
    with locking.atomic():
        had = NewsConsent.objects.filter(user=user).exists()
        if agree and not had:
            consent = NewsConsent.objects.create(user=user)
            OptOut.objects.filter(email=user.email.lower()).delete()
            audit.record(user, "mailing.consent.given", consent)
        elif not agree and had:
            consent = NewsConsent.objects.get(user=user)
            audit.record(user, "mailing.consent.withdrawn", consent)
            consent.delete()
    return agree


def unsubscribe(email: str) -> None:
    """The address of an unsubscribe link gets no mailing from now on; a parent with that
    address loses the consent to news."""
    email = (email or "").strip().lower()
    if not email:
        return
    with locking.atomic():
        OptOut.objects.get_or_create(email=email)
        for consent in NewsConsent.objects.filter(user__email__iexact=email).select_related("user"):
            audit.record(None, "mailing.consent.withdrawn", consent, reason="unsubscribe link")
            consent.delete()
