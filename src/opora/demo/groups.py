"""Groups of the demo programs: periods in the school year, age bands, timetables,
teachers, seats, enrolment windows and financing sources with prices."""

import datetime as dt
from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from opora.demo.draw import allocate, deterministic_uuid
from opora.registry.choices import (
    FundingSource,
    OrganizationKind,
    ProgramStatus,
    SeasonalKind,
    StudyForm,
    Weekday,
)
from opora.registry.models import Group, GroupFunding, ScheduleLine

W = Weekday
GROUP_COUNTS = {
    ProgramStatus.PUBLISHED: (1, 2, 3, 3, 3, 4, 4, 5),
    ProgramStatus.ARCHIVE: (1, 1, 2),
    ProgramStatus.MODERATING: (0, 1, 1, 2),
    ProgramStatus.WAIT_FOR_EDITING: (0, 1, 1, 2),
    ProgramStatus.INITIAL: (0, 0, 1, 1, 2),
}
PAIRS = (W.MON | W.WED, W.TUE | W.THU, W.WED | W.FRI, W.MON | W.THU, W.TUE | W.FRI)
SINGLE_DAYS = (W.MON, W.TUE, W.WED, W.THU, W.FRI, W.SAT)
BAND_NAMES = {2: ("Младшая группа", "Старшая группа"),
              3: ("Младшая группа", "Средняя группа", "Старшая группа")}
LATEST_END = 21 * 60  # minutes after midnight


def years(n: int) -> str:
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return "года"
    return "год" if n % 10 == 1 and n % 100 != 11 else "лет"


def _period(ctx, seasonal) -> tuple[dt.date, dt.date]:
    start, end = ctx.year_start, ctx.year_end
    if seasonal == SeasonalKind.SUMMER_SCHOOL:
        return dt.date(end.year, 6, 2), dt.date(end.year, 6, 27)
    if seasonal == SeasonalKind.PROFILE_SHIFT:
        return dt.date(end.year, 3, 23), dt.date(end.year, 4, 3)
    if seasonal == SeasonalKind.CORRESPONDENCE_SCHOOL:
        return dt.date(start.year, 10, 1), dt.date(end.year, 4, 30)
    return start, end


# Most groups of the school year started on 1 September; some open later in the year.
LATER_STARTS = ((10, 1), (11, 1), (1, 12))
LATER_SHARE = 0.12


def _later_start(ctx, rng, seasonal, start) -> dt.date:
    if seasonal or start != ctx.year_start or rng.random() >= LATER_SHARE:
        return start
    month, day = rng.choice(LATER_STARTS)
    return dt.date(start.year + (month < 9), month, day)


def _bands(low, high, count) -> list[tuple[int, int]]:
    """Age ranges of ``count`` parallel groups: split the program's range when it is wide."""
    ages = high - low + 1
    if count < 2 or ages < 2 * count:
        return [(low, high)] * count
    bands, start = [], low
    for size in allocate(ages, [1] * count, [0] * count):
        bands.append((start, start + size - 1))
        start += size
    return bands


def _clock(minutes: int) -> dt.time:
    return dt.time(minutes // 60, minutes % 60)


def _lesson_minutes(rng, age_min) -> int:
    if age_min <= 5:
        return 30
    if age_min <= 7:
        return 35
    return rng.choice((40, 45, 45))


def _schedule(rng, program, provider, hours, start, end) -> list[ScheduleLine]:
    lesson = _lesson_minutes(rng, program.age_min)
    pause = 5 if lesson <= 30 else rng.choice((10, 10, 15))
    address = program.address
    if program.seasonal_kind in (SeasonalKind.SUMMER_SCHOOL, SeasonalKind.PROFILE_SHIFT):
        weekdays, per_day, begin = W.MON | W.TUE | W.WED | W.THU | W.FRI, 3, 10 * 60
        return [ScheduleLine(weekdays=int(weekdays), time_from=_clock(begin),
                             time_to=_clock(begin + per_day * lesson + (per_day - 1) * pause),
                             lesson_minutes=lesson, break_minutes=pause, address=address)]
    weeks = max(1, (end - start).days // 7)
    weekly = max(1, round(hours / weeks))
    days = 1 if weekly <= 1 or program.study_form == StudyForm.CORRESPONDENCE else (
        2 if weekly <= 4 else 3)
    per_day = min(3, max(1, round(weekly / days)))
    span = per_day * lesson + (per_day - 1) * pause
    preschool = provider.template.kind == OrganizationKind.PRESCHOOL
    lines = []
    if days == 1:
        weekday = W.SAT if program.study_form == StudyForm.CORRESPONDENCE else rng.choice(SINGLE_DAYS)
        groups_of_days = [weekday]
    elif days == 2:
        groups_of_days = [rng.choice(PAIRS)]
    elif rng.random() < 0.5:
        groups_of_days = [W.MON | W.WED | W.FRI]
    else:
        groups_of_days = [W.TUE | W.THU, W.SAT]
    for weekdays in groups_of_days:
        if weekdays == W.SAT:
            begin = rng.choice((9, 10, 11, 12)) * 60
        elif preschool:
            begin = rng.choice((10 * 60, 15 * 60 + 30, 16 * 60))
        else:
            begin = rng.randrange(14 * 60, 18 * 60 + 1, 15)
        begin = min(begin, LATEST_END - span)
        lines.append(ScheduleLine(weekdays=int(weekdays), time_from=_clock(begin),
                                  time_to=_clock(begin + span), lesson_minutes=lesson,
                                  break_minutes=pause, address=address))
    return lines


def _teachers(rng, provider, direction) -> list:
    active = [t for t in provider.teachers if t.is_active]
    own = [t for t, d in zip(provider.teachers, provider.teacher_directions, strict=True)
           if d == direction and t.is_active]
    pool = own or active
    return rng.sample(pool, 2 if len(pool) > 1 and rng.random() < 0.1 else 1)


def _funding(rng, plan, start, end) -> list[GroupFunding]:
    sources = plan.sources
    if len(sources) == 2:
        sources = rng.choices((sources, sources[:1], sources[1:]), weights=(2, 1, 1))[0]
    months = max(1, round((end - start).days / 30.44))
    lines = []
    for source in sources:
        monthly = Decimal("0.00") if source == FundingSource.BUDGET else plan.monthly_price
        lines.append(GroupFunding(source=source, monthly_price=monthly,
                                  total_price=monthly * months))
    return lines


def _enrolment(ctx, rng, program, start) -> dict:
    published = program.status == ProgramStatus.PUBLISHED
    if program.seasonal_kind:
        window = (ctx.moment(start - dt.timedelta(days=60)), ctx.moment(start - dt.timedelta(days=3), 18))
    else:
        year = ctx.year_start.year
        closes = rng.choice((dt.date(year, 9, 30), dt.date(year, 12, 25), dt.date(year + 1, 5, 15)))
        closes = max(closes, start + dt.timedelta(days=14))  # a later group takes children
        window = (ctx.moment(dt.date(year, 8, 20)), ctx.moment(closes, 18))
    if not published and rng.random() < 0.5:
        window = (None, None)
    fields = {"enrolment_open": published and rng.random() < 0.85,
              "enrolment_from": window[0], "enrolment_to": window[1]}
    if published and not program.seasonal_kind and rng.random() < 0.35:
        fields["next_year_enrolment_from"] = ctx.moment(dt.date(ctx.year_start.year + 1, 5, 15))
        fields["next_year_enrolment_to"] = ctx.moment(dt.date(ctx.year_start.year + 1, 8, 31), 18)
    return fields


def build_groups(ctx, plans) -> list[Group]:
    """Groups of every program, with timetables, financing sources and teachers, saved."""
    rng = ctx.rng("groups")
    groups, lines, funding, links = [], [], [], []
    for plan in plans:
        program = plan.program
        count = rng.choice(GROUP_COUNTS[program.status])
        start, end = _period(ctx, program.seasonal_kind)
        start = _later_start(ctx, rng, program.seasonal_kind, start)
        by_module = [[] for _ in plan.modules]
        for number in range(count):
            by_module[number % len(plan.modules)].append(number + 1)
        for module, numbers in zip(plan.modules, by_module, strict=True):
            bands = _bands(program.age_min, program.age_max, len(numbers))
            labels = BAND_NAMES.get(len(numbers)) if len(set(bands)) > 1 else None
            for index, (number, (age_min, age_max)) in enumerate(zip(numbers, bands, strict=True)):
                name = (f"{labels[index]} ({age_min}–{age_max} {years(age_max)})" if labels
                        else f"Группа № {number}")
                if module.year_of_study > 1:
                    name += f", {module.year_of_study}-й год обучения"
                capacity_max = rng.randint(max(program.group_size_min, program.group_size_max - 3),
                                           program.group_size_max)
                group = Group(
                    uuid=deterministic_uuid(rng), module=module, name=name, start_date=start,
                    end_date=end, hours_per_year=module.hours,
                    capacity_min=program.group_size_min, capacity_max=capacity_max,
                    age_min=age_min, age_max=age_max, address=program.address,
                    is_active=program.status != ProgramStatus.ARCHIVE,
                    **_enrolment(ctx, rng, program, start),
                )
                groups.append(group)
                for line in _schedule(rng, program, plan.provider, module.hours, start, end):
                    line.group = group
                    lines.append(line)
                for line in _funding(rng, plan, start, end):
                    line.group = group
                    funding.append(line)
                links += [(group, t) for t in _teachers(rng, plan.provider, program.direction)]
    bulk_create_with_history(groups, Group, batch_size=500)
    ScheduleLine.objects.bulk_create(lines, batch_size=1000)
    GroupFunding.objects.bulk_create(funding, batch_size=1000)
    Through = Group.teachers.through
    Through.objects.bulk_create((Through(group_id=g.pk, teacher_id=t.pk) for g, t in links),
                                batch_size=1000)
    return groups
