"""E-mail reminders of plan items (docs/domain.md §7): a week before a check point of an
open item, and on the day after its deadline passed with the item still open. Each
recipient gets one letter a day listing their items: the users named responsible for
them and the head of the МОЦ of the plan's municipality (the МОЦ operator the
administrator marked «руководитель МОЦ»); while no head is marked, every МОЦ operator of
the municipality instead. Only plans being executed (approved, agreed, in
execution) remind. Each (item, kind, check point) is sent once: a second run of the day
sends nothing.

Run daily: ``opora plans_reminders`` (cron or a systemd timer), or the task
``send_reminders`` on the tasks backend.
"""

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from opora.accounts.models import User
from opora.plans import deadlines
from opora.plans.models import CLOSED_STATUSES, Item, ReminderKind, ReminderSent
from opora.plans.services import EXECUTABLE

AHEAD = dt.timedelta(days=7)


def due(today: dt.date) -> list[tuple[Item, str, dt.date]]:
    """(item, kind, check point) of the reminders due on ``today``."""
    found = []
    items = (Item.objects.filter(plan__status__in=EXECUTABLE).exclude(status__in=CLOSED_STATUSES)
             .filter(ends_on__gte=today - dt.timedelta(days=1), starts_on__isnull=False)
             .select_related("plan", "plan__municipality", "plan__kind"))
    for item in items:
        points = deadlines.checkpoints(item.starts_on, item.ends_on, item.recurrence)
        if item.recurrence == deadlines.AS_NEEDED:
            points = []
        if today + AHEAD in points:
            found.append((item, ReminderKind.UPCOMING, today + AHEAD))
        if item.ends_on == today - dt.timedelta(days=1):
            found.append((item, ReminderKind.MISSED, item.ends_on))
    return found


def _recipients(item: Item, heads: dict) -> list:
    municipality = item.plan.municipality_id
    if municipality not in heads:
        heads[municipality] = User.objects.centre_heads(municipality)
    users = set(item.responsible_users.filter(is_active=True)) | set(heads[municipality])
    return [user for user in users if user.email]


def send_due(today: dt.date | None = None) -> int:
    """Send the reminders due today; returns the number of letters sent."""
    today = today or timezone.localdate()
    letters, heads = defaultdict(list), {}
    for item, kind, point in due(today):
        try:
            with transaction.atomic():
                ReminderSent.objects.create(item=item, kind=kind, checkpoint=point)
        except IntegrityError:
            continue  # sent by an earlier run
        for user in _recipients(item, heads):
            letters[user].append({"item": item, "kind": kind, "checkpoint": point,
                                  "missed": kind == ReminderKind.MISSED})
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for user, entries in letters.items():
            entries.sort(key=lambda entry: (entry["checkpoint"], entry["item"].number))
            context = {"user": user, "entries": entries, "today": today}
            subject = " ".join(render_to_string("plans/email/reminder_subject.txt", context).split())
            body = render_to_string("plans/email/reminder.txt", context)
            sent += send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return sent


@task()
def send_reminders(day: str = "") -> int:
    """The daily reminders as a background task; ``day`` is YYYY-MM-DD (today if empty)."""
    return send_due(dt.date.fromisoformat(day) if day else None)
