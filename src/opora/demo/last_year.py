"""The demo's previous school year: for most of today's regular groups a group of the same
module a year earlier, and a finished year there for part of the children studying in
that group now (they came back), so the «Год назад» column of the «Мониторинг» page and
last year's coverage read real figures instead of zeros.

The groups of the previous year are closed (inactive, no enrolment) and their
applications completed on the year's last day, with the audit trail of each step, as
the services would have written them; the demo's reset deletes them with the region's
other groups and applications.
"""

import datetime as dt

from simple_history.utils import bulk_create_with_history

from opora import audit
from opora.demo.draw import deterministic_uuid
from opora.demo.history import given_timestamps
from opora.enrollment.models import Application, Channel
from opora.enrollment.models import ApplicationStatus as S
from opora.monitoring.indicators import years_before
from opora.registry.models import Group, GroupFunding, ScheduleLine

# Of today's regular groups, the share that also ran a year ago; of the children
# studying in such a group today, the share that studied in it then.
GROUP_SHARE = 0.95
RETURNING_SHARE = 0.92
COMPLETION = "Освоил модуль программы."


def _copy(row, group):
    """An unsaved copy of a timetable or financing line for ``group``."""
    fields = {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields
              if not f.primary_key and f.name != "group"}
    return type(row)(group=group, **fields)


def build_last_year(ctx, municipalities: dict) -> dict:
    """Groups and completed enrolments of the school year before ``ctx.year_start``."""
    rng = ctx.rng("last-year")
    start, end = years_before(ctx.year_start, 1), years_before(ctx.year_end, 1)
    current = list(Group.objects.filter(
        module__program__organization__municipality__in=list(municipalities.values()),
        module__program__seasonal_kind="", start_date=ctx.year_start, is_active=True)
        .select_related("module__program").prefetch_related("schedule", "funding", "teachers")
        .order_by("pk"))
    enrolled = {}
    for application in (Application.objects.filter(
            group__in=current, status=S.ENROLLED)
            .select_related("child").order_by("pk")):
        enrolled.setdefault(application.group_id, []).append(application)
    earlier, pairs = [], []
    for group in current:
        if group.pk not in enrolled or rng.random() >= GROUP_SHARE:
            continue
        last = Group(uuid=deterministic_uuid(rng), module=group.module, name=group.name,
                     start_date=start, end_date=end, hours_per_year=group.hours_per_year,
                     capacity_min=group.capacity_min, capacity_max=group.capacity_max,
                     age_min=group.age_min, age_max=group.age_max, address=group.address,
                     is_active=False, enrolment_open=False)
        last.source_pk = group.pk
        earlier.append(last)
        pairs += [(last, a) for a in enrolled[group.pk] if rng.random() < RETURNING_SHARE]
    bulk_create_with_history(earlier, Group, batch_size=500)
    # the same timetable, financing sources and teachers as the group of today
    lines, funding, links = [], [], []
    by_pk = {group.pk: group for group in current}
    for last in earlier:
        group = by_pk[last.source_pk]
        for line in group.schedule.all():
            lines.append(_copy(line, last))
        for line in group.funding.all():
            funding.append(_copy(line, last))
        links += [(last, teacher) for teacher in group.teachers.all()]
    ScheduleLine.objects.bulk_create(lines, batch_size=1000)
    GroupFunding.objects.bulk_create(funding, batch_size=1000)
    Through = Group.teachers.through
    Through.objects.bulk_create((Through(group_id=g.pk, teacher_id=t.pk) for g, t in links),
                                batch_size=1000)
    applications, events = [], []
    for group, now in pairs:
        filed = ctx.moment(start - dt.timedelta(days=rng.randint(5, 20)), rng.randint(9, 20),
                           rng.randint(0, 59))
        confirmed = filed + dt.timedelta(days=rng.randint(1, 4), minutes=rng.randint(5, 300))
        finished = ctx.moment(end, 17, rng.randint(0, 59))
        application = Application(
            uuid=deterministic_uuid(rng), child=now.child, group=group, status=S.COMPLETED,
            channel=Channel.CABINET, created_by=now.created_by, reason=COMPLETION,
            enrolled_on=start, ended_on=end, created_at=filed, updated_at=finished,
            status_changed_at=finished)
        applications.append((application, now.created_by, filed, confirmed, finished))
    with given_timestamps(Application):
        Application.objects.bulk_create([a for a, *_ in applications], batch_size=500)
    for application, parent, filed, confirmed, finished in applications:
        staff = None  # the provider's staff of a closed year is not kept: the system acts
        events += [
            audit.event(parent, "enrollment.application.submitted", application,
                        to_state=S.NEW, at=filed),
            audit.event(staff, "enrollment.application.confirmed", application,
                        from_state=S.NEW, to_state=S.ENROLLED, at=confirmed),
            audit.event(staff, "enrollment.application.completed", application,
                        from_state=S.ENROLLED, to_state=S.COMPLETED, reason=COMPLETION,
                        at=finished),
        ]
    audit.record_many(events)
    return {"groups": len(earlier), "applications": len(applications)}
