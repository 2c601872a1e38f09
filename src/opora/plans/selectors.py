"""Reading plans: who sees which plan and item, overdue items, the report's summary.

A draft is the МОЦ's own working copy: the education authority and the РМЦ see a plan
from the moment it is sent for approval. A user named responsible for items sees those
items of plans that are approved («Мой план»).
"""

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opora.accounts import scope
from opora.accounts.models import Role
from opora.errors import NotFound
from opora.plans.models import CLOSED_STATUSES, Item, ItemStatus, Plan, PlanStatus

SHOWN_TO_RESPONSIBLE = (PlanStatus.APPROVED, PlanStatus.AGREED, PlanStatus.IN_EXECUTION,
                        PlanStatus.REPORTED, PlanStatus.REPORT_ACCEPTED)


def plans_for(user):
    plans = scope.visible(user, Plan.objects.select_related("municipality", "kind"))
    if user.role != Role.SUPPORT_CENTRE or user.is_superuser:
        plans = plans.exclude(status=PlanStatus.DRAFT)
    return plans


def my_items(user):
    """Items naming the user responsible, of plans already approved."""
    if not scope.holds(user, "plans.execute"):
        return Item.objects.none()
    return (scope.actionable(user, "plans.execute", Item.objects.filter(responsible_users=user))
            .filter(plan__status__in=SHOWN_TO_RESPONSIBLE)
            .select_related("plan", "plan__kind", "plan__municipality").distinct()
            .order_by("ends_on", "plan", "position"))


def overdue_q(today: dt.date | None = None) -> Q:
    """Items not closed whose interval ended before ``today``."""
    today = today or timezone.localdate()
    return Q(ends_on__lt=today) & ~Q(status__in=CLOSED_STATUSES)


def with_counts(plans, today=None):
    today = today or timezone.localdate()
    return plans.annotate(
        items_total=Count("items", distinct=True),
        items_done=Count("items", filter=Q(items__status=ItemStatus.DONE), distinct=True),
        items_overdue=Count("items", filter=Q(items__ends_on__lt=today)
                            & ~Q(items__status__in=CLOSED_STATUSES), distinct=True),
    )


def summary(plan: Plan) -> dict:
    """Counts of the report: done, done late, not done, cancelled, open, all."""
    counts = dict(plan.items.values_list("status").annotate(n=Count("pk")))
    return {
        "total": sum(counts.values()),
        "done": counts.get(ItemStatus.DONE, 0),
        "done_late": counts.get(ItemStatus.DONE_LATE, 0),
        "not_done": counts.get(ItemStatus.NOT_DONE, 0),
        "cancelled": counts.get(ItemStatus.CANCELLED, 0),
        "open": counts.get(ItemStatus.PLANNED, 0) + counts.get(ItemStatus.IN_PROGRESS, 0),
    }


def plan_for(user, pk) -> Plan:
    try:
        return plans_for(user).get(pk=pk)
    except (Plan.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("План не найден.")) from None


def item_for(user, pk) -> Item:
    """An item of a plan the user sees, or one they are responsible for."""
    items = Item.objects.select_related("plan", "plan__kind", "plan__municipality", "section")
    visible_plans = plans_for(user).values("pk")
    try:
        return items.filter(Q(plan__in=visible_plans) | Q(pk__in=my_items(user).values("pk"))).get(pk=pk)
    except (Item.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Мероприятие не найдено.")) from None


def report_items(plan: Plan):
    return (plan.items.select_related("section").prefetch_related("evidence", "publications")
            .order_by("position", "pk"))


def comparison(user, year: int, today: dt.date | None = None) -> list[dict]:
    """Every municipality side by side for the РМЦ: the plans of ``year`` it sees (sent
    for approval or later) and their items — how many, how many were due by ``today``
    (their interval ended, cancelled ones aside) and, of those, done on time, done late, not
    done and overdue (still open); the share done on time is of the items due (an item done
    before its interval ends counts once it has ended, so the parts never exceed the whole). One
    grouped query whatever the number of municipalities."""
    from opora.registry.models import Municipality

    today = today or timezone.localdate()
    due = Q(ends_on__lt=today) & ~Q(status=ItemStatus.CANCELLED)
    counts = {row["plan__municipality"]: row for row in (
        Item.objects.filter(plan__in=plans_for(user).filter(year=year).values("pk"))
        .order_by().values("plan__municipality")
        .annotate(plans=Count("plan", distinct=True), items=Count("pk"), due=Count("pk", filter=due),
                  done=Count("pk", filter=due & Q(status=ItemStatus.DONE)),
                  done_late=Count("pk", filter=due & Q(status=ItemStatus.DONE_LATE)),
                  not_done=Count("pk", filter=due & Q(status=ItemStatus.NOT_DONE)),
                  overdue=Count("pk", filter=overdue_q(today))))}
    rows = []
    for municipality in scope.territory(user, Municipality.objects.order_by("name")).only("pk", "name"):
        found = counts.get(municipality.pk, {})
        row = {"municipality": municipality, **{key: found.get(key, 0) for key in (
            "plans", "items", "due", "done", "done_late", "not_done", "overdue")}}
        row["on_time_share"] = round(100 * row["done"] / row["due"]) if row["due"] else None
        rows.append(row)
    return rows
