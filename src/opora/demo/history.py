"""The moderation history of the demo programs, as the registry services would have
recorded it: who created, submitted, returned, published and archived each program,
when, and with which remarks. The timeline of a program ends in its current status."""

import datetime as dt
from contextlib import contextmanager
from typing import NamedTuple

from opora import audit
from opora.demo import texts
from opora.demo.draw import weighted
from opora.registry.choices import ProgramStatus as S
from opora.registry.models import Program


class Step(NamedTuple):
    action: str  # the verb of registry.program.<verb>
    by: str  # "staff" of the organization or "moc" of its municipality
    from_state: str
    to_state: str
    at: dt.datetime | None = None
    reason: str = ""
    data: dict | None = None


CREATED = Step("created", "staff", "", S.INITIAL)
EDITED_DRAFT = Step("updated", "staff", S.INITIAL, S.INITIAL)
SUBMITTED = Step("submitted", "staff", S.INITIAL, S.MODERATING)
RESUBMITTED = Step("submitted", "staff", S.WAIT_FOR_EDITING, S.MODERATING)
RETURNED = Step("returned", "moc", S.MODERATING, S.WAIT_FOR_EDITING)
PUBLISHED = Step("published", "moc", S.MODERATING, S.PUBLISHED)
EDITED_PUBLISHED = Step("updated", "staff", S.PUBLISHED, S.MODERATING)
ARCHIVED = Step("archived", "staff", S.PUBLISHED, S.ARCHIVE)

# Ways to arrive at each status, with their weights.
PATHS = {
    S.INITIAL: {(CREATED,): 6, (CREATED, EDITED_DRAFT): 4},
    S.MODERATING: {(CREATED, SUBMITTED): 55, (CREATED, SUBMITTED, RETURNED, RESUBMITTED): 25,
                   (CREATED, SUBMITTED, PUBLISHED, EDITED_PUBLISHED): 20},
    S.WAIT_FOR_EDITING: {(CREATED, SUBMITTED, RETURNED): 7,
                         (CREATED, SUBMITTED, RETURNED, RESUBMITTED, RETURNED): 3},
    S.PUBLISHED: {(CREATED, SUBMITTED, PUBLISHED): 7,
                  (CREATED, SUBMITTED, RETURNED, RESUBMITTED, PUBLISHED): 3},
    S.ARCHIVE: {(CREATED, SUBMITTED, PUBLISHED, ARCHIVED): 1},
}
# How many days ago a program reached its current status: the queue is fresh,
# published programs have been in the navigator for a while.
AGE_OF_STATUS = {S.INITIAL: (1, 60), S.MODERATING: (0, 12), S.WAIT_FOR_EDITING: (1, 20),
                 S.PUBLISHED: (20, 400), S.ARCHIVE: (5, 200)}
# Days from the previous step to this one.
GAPS = {"submitted": (1, 30), "returned": (1, 7), "published": (1, 7), "updated": (1, 150),
        "archived": (60, 400)}
EDITED_FIELDS = (["description"], ["title"], ["age_max", "age_min"], ["expected_results", "goals"],
                 ["hours_total"])


def plan_steps(ctx, rng, program: Program) -> list[Step]:
    """The timeline that ends in ``program``'s status; sets the program's dates and remark
    as the services would have left them."""
    path = weighted(rng, PATHS[program.status])
    gaps = [rng.randint(*GAPS[step.action]) for step in path[1:]]
    low, high = AGE_OF_STATUS[program.status]
    day = ctx.today - dt.timedelta(days=rng.randint(low, high) + sum(gaps))
    remarks = rng.sample(texts.MODERATION_REMARKS, 2)
    if program.is_network:
        remarks[-1] = texts.NETWORK_REMARK
    steps, remark, published_at = [], "", None
    for number, step in enumerate(path):
        if number:
            day += dt.timedelta(days=gaps[number - 1])
        at = ctx.moment(day, rng.randint(9, 17), rng.randint(0, 59))
        if steps and at <= steps[-1].at:
            at = steps[-1].at + dt.timedelta(minutes=rng.randint(10, 180))
        # never in the future: the last steps of today end a few minutes ago
        at = min(at, ctx.now - dt.timedelta(minutes=len(path) - number))
        reason, data, by = "", {}, step.by
        if step.action == "returned":
            reason = remark = remarks.pop()
        elif step.action == "published":
            remark, published_at = "", at
        elif step.action == "updated":
            data = {"fields": rng.choice(EDITED_FIELDS)}
        elif step.action == "archived":
            reason = rng.choice(texts.ARCHIVE_REASONS)
            by = rng.choice(("staff", "moc"))
        steps.append(step._replace(at=at, reason=reason, data=data, by=by))
    program.created_at, program.updated_at = steps[0].at, steps[-1].at
    program.published_at, program.moderation_remark = published_at, remark
    return steps


@contextmanager
def given_timestamps(*models):
    """Let ``bulk_create`` keep the past moments set on the objects: ``auto_now`` and
    ``auto_now_add`` fields would stamp the present, and the demo writes a history.
    Every object inserted meanwhile must carry its own values."""
    fields = [f for model in models for f in model._meta.concrete_fields
              if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def record_history(ctx, providers, plans, operators):
    """Audit events of the organizations (added by their МОЦ) and of every program step."""
    rng = ctx.rng("history")
    events = []
    for provider in providers:
        day = ctx.today - dt.timedelta(days=rng.randint(450, 1100))
        events.append(audit.event(
            operators[provider.place.key], "registry.organization.created", provider.organization,
            at=ctx.moment(day, rng.randint(9, 17), rng.randint(0, 59)),
        ))
    for plan in plans:
        program = plan.program
        for step in plan.steps:
            events.append(audit.event(
                plan.provider.staff if step.by == "staff" else operators[plan.provider.place.key],
                f"registry.program.{step.action}", program,
                from_state=step.from_state, to_state=step.to_state, reason=step.reason, at=step.at,
                **(step.data or {}),
            ))
    audit.record_many(events)
