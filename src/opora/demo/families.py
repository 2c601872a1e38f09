"""Families of the demo region: parents' accounts, their children with the consent the
enrolment services record, applications to the demo groups in every status (waiting
lists of the popular groups included) with the audit trail of each step, a few
suspected duplicates for the МОЦ, and population figures that make the coverage read
like a real region's.

As elsewhere in the demo, rows are bulk-inserted valid by construction: seats are
counted while drawing (a seat-holding application only where a seat is free, a
waitlisted one only in a full group) and the group counters are recounted from the
applications at the end with ``enrollment.seats.recount_seats``.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from opora import audit
from opora.accounts.models import Role, User
from opora.demo import names
from opora.demo.draw import deterministic_uuid, weighted
from opora.demo.history import given_timestamps
from opora.enrollment import rules
from opora.enrollment.models import (
    SEAT_HOLDING,
    Application,
    Channel,
    Child,
    ConsentChannel,
    Guardianship,
    Sex,
)
from opora.enrollment.models import ApplicationStatus as S
from opora.enrollment.seats import recount_seats
from opora.monitoring import indicators
from opora.registry.choices import FundingSource, ProgramStatus
from opora.registry.models import Group, MunicipalityPopulation

FULL_CHILDREN = 5000
# Share of the children 5–17 of each municipality the population figures make covered.
COVERAGE = {"city": 0.78, "town": 0.83, "rural": 0.71}
FAMILY_SIZES = {1: 55, 2: 35, 3: 10}
APPLICATIONS_PER_CHILD = {1: 40, 2: 38, 3: 17, 4: 5}
DUPLICATES = 8  # pairs at full scale
DEMO_PARENT = "parent@demo.opora"

REJECTIONS = (
    "Возраст ребёнка не соответствует программе.",
    "Нет медицинского допуска к занятиям.",
    "Не пройдено вступительное прослушивание.",
    "Заявка подана повторно.",
)
WITHDRAWALS = (
    "Выбрали другой кружок.",
    "Неудобное время занятий.",
    "Переезд в другой район.",
    "Ребёнок передумал.",
)
EXPULSIONS = (
    "По заявлению родителя.",
    "Переезд семьи.",
    "Длительные пропуски занятий без уважительной причины.",
    "Перевод в другую группу.",
)
# Expulsions the parents asked for (counted as contracts ended early by the parents).
BY_PARENT = ("По заявлению родителя.", "Переезд семьи.")
COMPLETIONS = ("Программа освоена досрочно.", "Освоил модуль программы.")


@dataclass
class Seats:
    capacity: int
    held: int = 0
    queue: int = 0


def _birth_date(rng, today, age) -> dt.date:
    """A day on which a person is ``age`` full years old ``today``."""
    latest = indicators.years_before(today, age)
    return latest - dt.timedelta(days=rng.randint(0, 364))


def _parents(ctx, municipalities, count, rng) -> list[User]:
    keys = list(municipalities)
    weights = {"city": 55, "town": 30, "rural": 15}
    rows = []
    for number in range(1, count + 1):
        place = weighted(rng, {k: weights.get(k, 10) for k in keys})
        female = rng.random() < 0.8
        last, first, patronymic = names.person(rng, female=female)
        joined = ctx.now - dt.timedelta(days=rng.randint(20, 700), minutes=rng.randint(0, 600))
        rows.append(User(email=f"parent.{number:04d}@demo.opora", password=ctx.password,
                         last_name=last, first_name=first, patronymic=patronymic,
                         phone=names.mobile_phone(rng), role=Role.PARENT,
                         municipality=municipalities[place], date_joined=joined,
                         email_confirmed_at=joined, personal_data_consent_at=joined))
    User.objects.bulk_create(rows, batch_size=500)
    return rows


def _child(ctx, rng, parent, family, age, *, female=None, first=None):
    female = rng.random() < 0.49 if female is None else female
    surname, (son, daughter) = family
    last = names.feminine_surname(surname) if female else surname
    first = first or rng.choice(names.FEMALE_FIRST_NAMES if female else names.MALE_FIRST_NAMES)
    patronymic = daughter if female else son
    birth = _birth_date(rng, ctx.today, age)
    return Child(uuid=deterministic_uuid(rng), last_name=last, first_name=first,
                 patronymic=patronymic, birth_date=birth,
                 sex=Sex.FEMALE if female else Sex.MALE, municipality=parent.municipality,
                 identity_key=rules.identity_key(last, first, patronymic, birth))


def _families(ctx, rng, parents, rural_ids, demo_parent):
    """Children of every parent; returns (child, parent) pairs, the demo parent's first."""
    pairs = []
    family = ("Смирнов", ("Алексеевич", "Алексеевна"))
    pairs.append((_child(ctx, rng, demo_parent, family, 10, female=False, first="Иван"),
                  demo_parent))
    pairs.append((_child(ctx, rng, demo_parent, family, 7, female=True, first="Мария"),
                  demo_parent))
    for parent in parents:
        surname = parent.last_name
        if parent.last_name.endswith(("ова", "ева", "ёва", "ина", "ына")):
            surname = parent.last_name[:-1]
        family = (surname, rng.choice(names.PATRONYMICS))
        for _ in range(weighted(rng, FAMILY_SIZES)):
            pairs.append((_child(ctx, rng, parent, family, rng.randint(5, 17)), parent))
    for child, _parent in pairs:
        rural = child.municipality_id in rural_ids
        child.is_rural = rural or rng.random() < 0.03
        child.has_ovz = rng.random() < 0.04
        child.is_disabled = child.has_ovz and rng.random() < 0.3
        child.difficult_situation = rng.random() < 0.03
    return pairs


def _duplicates(ctx, rng, pairs, count, staff_by_municipality):
    """Second records of a few children, typed by a provider for a walk-in: the same
    name and birth date, or one letter off («е» for «ё», a dropped patronymic)."""
    made = []
    for child, parent in rng.sample(pairs[2:], min(count, len(pairs) - 2)):
        last, first, patronymic = child.last_name, child.first_name, child.patronymic
        variant = rng.randrange(3)
        if variant == 1 and "ё" in last + first:
            last, first = last.replace("ё", "е"), first.replace("ё", "е")
        elif variant:
            patronymic = ""
        copy = Child(uuid=deterministic_uuid(rng), last_name=last, first_name=first,
                     patronymic=patronymic, birth_date=child.birth_date, sex=child.sex,
                     municipality=child.municipality, is_rural=child.is_rural,
                     identity_key=rules.identity_key(last, first, patronymic, child.birth_date))
        made.append((copy, staff_by_municipality[child.municipality_id], parent))
    return made


def _eligible_groups(ctx):
    """Groups open to applications, by municipality and age on the group's first day."""
    groups = (Group.objects.filter(is_active=True,
                                   module__program__status=ProgramStatus.PUBLISHED)
              .select_related("module__program__organization").prefetch_related("funding")
              .order_by("pk"))
    by_place = defaultdict(lambda: defaultdict(list))
    for group in groups:
        municipality = group.module.program.organization.municipality_id
        for age in range(group.age_min, group.age_max + 1):
            by_place[municipality][age].append(group)
    return by_place


def _moment_between(ctx, rng, first: dt.date, last: dt.date) -> dt.datetime:
    last = min(last, ctx.today)
    first = min(first, last)
    day = first + dt.timedelta(days=rng.randint(0, (last - first).days))
    at = ctx.moment(day, rng.randint(8, 21), rng.randint(0, 59))
    return min(at, ctx.now - dt.timedelta(minutes=rng.randint(1, 600)))


def _draw_status(rng, group, seats, started, certified) -> str:
    if seats.held >= seats.capacity:
        return weighted(rng, {S.WAITLISTED: 80, S.REJECTED: 8, S.WITHDRAWN: 12})
    if not started:
        options = {S.NEW: 50, S.WITHDRAWN: 8, S.REJECTED: 5}
        if certified:
            options[S.AWAITING_CONTRACT] = 30
        return weighted(rng, options)
    options = {S.ENROLLED: 80, S.NEW: 4, S.REJECTED: 4, S.WITHDRAWN: 4, S.EXPELLED: 4,
               S.COMPLETED: 1}
    if certified:
        options[S.AWAITING_CONTRACT] = 4
    return weighted(rng, options)


def _application(ctx, rng, child, parent, group, status, seats, staff):
    """The application with its audit events, in the order the services write them."""
    started = group.start_date <= ctx.today
    opens = (group.enrolment_from.date() if group.enrolment_from
             else group.start_date - dt.timedelta(days=20))
    channel = weighted(rng, {Channel.CABINET: 85, Channel.PROVIDER: 10, Channel.API: 5})
    filed_by = staff if channel == Channel.PROVIDER else parent
    window_end = group.start_date + dt.timedelta(days=25) if started else ctx.today
    if status in (S.NEW, S.WAITLISTED, S.AWAITING_CONTRACT):
        window_end = ctx.today
    filed = _moment_between(ctx, rng, opens, window_end)
    application = Application(uuid=deterministic_uuid(rng), child=child, group=group,
                              status=status, channel=channel, created_by=filed_by,
                              created_at=filed, updated_at=filed, status_changed_at=filed)
    steps = []
    if status == S.WAITLISTED or (status in (S.REJECTED, S.WITHDRAWN)
                                  and seats.held >= seats.capacity):
        seats.queue += 1
        if status == S.WAITLISTED:
            application.queue_number = seats.queue
        steps.append(("waitlisted", filed_by, "", S.WAITLISTED, {"queue_number": seats.queue}))
    else:
        steps.append(("submitted", filed_by, "", S.NEW, {}))
    first = steps[0][3]
    if status == S.AWAITING_CONTRACT:
        steps.append(("confirmed", staff, S.NEW, S.AWAITING_CONTRACT, {}))
    elif status in (S.ENROLLED, S.EXPELLED, S.COMPLETED):
        steps.append(("confirmed", staff, S.NEW, S.ENROLLED, {}))
    elif status == S.REJECTED:
        application.reason = rng.choice(REJECTIONS)
        steps.append(("rejected", staff, first, S.REJECTED, {"reason": application.reason}))
    elif status == S.WITHDRAWN:
        application.reason = rng.choice(WITHDRAWALS)
        steps.append(("withdrawn", parent, first, S.WITHDRAWN, {"reason": application.reason}))
    if status == S.EXPELLED:
        application.reason = rng.choice(EXPULSIONS)
        application.ended_by_parent = application.reason in BY_PARENT
        steps.append(("expelled", staff, S.ENROLLED, S.EXPELLED, {"reason": application.reason}))
    elif status == S.COMPLETED:
        application.reason = rng.choice(COMPLETIONS)
        steps.append(("completed", staff, S.ENROLLED, S.COMPLETED, {"reason": application.reason}))
    # Moments: each step a few days after the previous one, never in the future.
    moments, at = [filed], filed
    for _ in steps[1:]:
        at = min(at + dt.timedelta(days=rng.randint(1, 6), minutes=rng.randint(5, 500)),
                 ctx.now - dt.timedelta(minutes=1))
        moments.append(at)
    if status in (S.ENROLLED, S.EXPELLED, S.COMPLETED):
        # confirmed before the first lesson: enrolled from the group's first day
        application.enrolled_on = max(moments[1].date(), min(group.start_date, ctx.today))
    if status in (S.EXPELLED, S.COMPLETED):
        span = (ctx.today - application.enrolled_on).days
        application.ended_on = application.enrolled_on + dt.timedelta(
            days=rng.randint(min(14, span), span) if span > 0 else 0)
        ended = ctx.moment(application.ended_on, 17, rng.randint(0, 59))
        moments[-1] = min(max(moments[-2], ended), ctx.now - dt.timedelta(minutes=1))
    application.status_changed_at = application.updated_at = moments[-1]
    if status in SEAT_HOLDING:
        seats.held += 1
    return application, list(zip(steps, moments, strict=True))


def build_families(ctx, municipalities: dict, providers: list, users: dict,
                   places: dict) -> dict:
    """Parents, children, guardianships, applications and their audit trail; then the
    seat counters and the population figures. Returns counts."""
    rng = ctx.rng("families")
    total = max(60, round(FULL_CHILDREN * ctx.scale))
    parent_count = max(25, round(total / 1.55))
    parents = _parents(ctx, municipalities, parent_count, rng)
    demo_parent = users[DEMO_PARENT]
    rural_ids = {m.pk for key, m in municipalities.items() if places[key].is_rural}
    pairs = _families(ctx, rng, parents, rural_ids, demo_parent)
    staff = {}
    support = {}
    for provider in providers:
        staff[provider.organization.pk] = provider.staff
        if provider.template.is_support_centre:
            support[provider.organization.municipality_id] = provider.staff
    duplicates = _duplicates(ctx, rng, pairs, max(2, round(DUPLICATES * ctx.scale ** 0.5)),
                             support)
    children = [c for c, _ in pairs] + [c for c, _, _ in duplicates]
    for child in children:
        child.created_at = child.updated_at = ctx.now - dt.timedelta(
            days=rng.randint(30, 600), minutes=rng.randint(0, 900))
    with given_timestamps(Child, Guardianship, Application):
        Child.objects.bulk_create(children, batch_size=500)
        links = [Guardianship(parent=p, child=c, consent_at=c.created_at, consent_by=p,
                              consent_channel=ConsentChannel.PARENT, created_at=c.created_at,
                              confirmed_at=c.created_at, confirmed_by=p) for c, p in pairs]
        # A walk-in typed by a provider: the staff recorded the parent's consent.
        for copy, by, parent in duplicates:
            links.append(Guardianship(parent=parent, child=copy,
                                      consent_at=copy.created_at, consent_by=by,
                                      consent_channel=ConsentChannel.PROVIDER,
                                      created_at=copy.created_at))
        Guardianship.objects.bulk_create(links, batch_size=500)
        events = [audit.event(p, "enrollment.child.registered", c, at=c.created_at,
                              channel=ConsentChannel.PARENT, parent_id=p.pk) for c, p in pairs]
        events += [audit.event(by, "enrollment.child.registered", c, at=c.created_at,
                               channel=ConsentChannel.PROVIDER) for c, by, _ in duplicates]
        applications, steps = _applications(ctx, rng, pairs, staff)
        Application.objects.bulk_create(applications, batch_size=500)
    for application, timeline in steps:
        for (action, actor, before, after, data), at in timeline:
            data = dict(data)
            reason = data.pop("reason", "")
            events.append(audit.event(actor, f"enrollment.application.{action}", application,
                                      from_state=before, to_state=after, reason=reason, at=at,
                                      **data))
    audit.record_many(events)
    region_groups = Group.objects.filter(
        module__program__organization__municipality__in=municipalities.values())
    recount_seats(region_groups)
    _population(ctx, municipalities)
    return {"parents": len(parents) + 1, "children": len(children),
            "applications": len(applications)}


def _applications(ctx, rng, pairs, staff):
    by_place = _eligible_groups(ctx)
    seats, popularity = {}, {}
    applications, steps = [], []

    def seats_of(group):
        if group.pk not in seats:
            seats[group.pk] = Seats(group.capacity_max)
            # a few groups everybody wants: they fill up and keep a waiting list
            popularity[group.pk] = 6.0 if rng.random() < 0.06 else rng.uniform(0.5, 2.0)
        return seats[group.pk]

    def apply(child, parent, group, status=None):
        program = group.module.program
        seat = seats_of(group)
        started = group.start_date <= ctx.today
        certified = any(f.source in (FundingSource.CERTIFICATE, FundingSource.SOCIAL)
                        for f in group.funding.all())
        if status is None or (status in SEAT_HOLDING and seat.held >= seat.capacity):
            status = _draw_status(rng, group, seat, started, certified)
        application, timeline = _application(
            ctx, rng, child, parent, group, status, seat, staff[program.organization_id])
        applications.append(application)
        steps.append((application, timeline))

    def candidates(child):
        municipality = child.municipality_id
        if rng.random() < 0.08:
            municipality = rng.choice(list(by_place))
        pool = []
        for group in by_place.get(municipality, {}).get(rules.age_on(child.birth_date, ctx.today), ()):
            if rules.age_on(child.birth_date, group.start_date) in range(group.age_min,
                                                                         group.age_max + 1):
                pool.append(group)
        return pool

    order = list(range(2, len(pairs)))
    rng.shuffle(order)
    for index in order:
        child, parent = pairs[index]
        pool = candidates(child)
        if not pool:
            continue
        for _ in pool:
            seats_of(_)
        wanted = min(len(pool), weighted(rng, APPLICATIONS_PER_CHILD))
        chosen = set()
        while len(chosen) < wanted:
            group = rng.choices(pool, weights=[popularity[g.pk] for g in pool])[0]
            if group.pk in chosen:
                if rng.random() < 0.3:
                    break
                continue
            chosen.add(group.pk)
            apply(child, parent, group)
    # The demo parent's children, last: one enrolled and one waitlisted, one new and one
    # rejected (a waiting list needs a full group, which is known only now).
    plans = ((pairs[0], (S.ENROLLED, S.WAITLISTED)), (pairs[1], (S.NEW, S.REJECTED)))
    for (child, parent), statuses in plans:
        pool = [g for g in candidates_home(child, by_place, ctx)
                if not any(a.group_id == g.pk and a.child is child for a in applications)]
        for group in pool:
            seats_of(group)
        for status in statuses:
            fits = [g for g in pool if (seats[g.pk].held >= seats[g.pk].capacity)
                    == (status == S.WAITLISTED) and g.start_date <= ctx.today]
            fits = fits or pool
            if not fits:
                continue
            group = fits[0]
            pool.remove(group)
            apply(child, parent, group, status)
    return applications, steps


def candidates_home(child, by_place, ctx):
    age = rules.age_on(child.birth_date, ctx.today)
    return [g for g in by_place.get(child.municipality_id, {}).get(age, ())
            if g.age_min <= rules.age_on(child.birth_date, g.start_date) <= g.age_max]


def _population(ctx, municipalities):
    """Population figures from the children enrolled today: each municipality's coverage
    is its share in ``COVERAGE``, last year's population a little larger."""
    year = ctx.today.year
    for key, municipality in municipalities.items():
        covered = indicators.coverage(ctx.today, municipality.pk, breakdowns=False)["children"]
        if not covered:
            continue
        children = max(covered, round(covered / COVERAGE.get(key, 0.75)))
        MunicipalityPopulation.objects.update_or_create(
            municipality=municipality, year=year, defaults={"children_5_17": children})
        MunicipalityPopulation.objects.update_or_create(
            municipality=municipality, year=year - 1,
            defaults={"children_5_17": round(children * 1.012)})


def demo_children(parent) -> list[Child]:
    return list(Child.objects.filter(guardianships__parent=parent))
