"""The demo's independent quality assessment: six experts of the region (the printed
``expert@demo.opora`` among them), a spring campaign of the city's МОЦ with its results
published (programs passed, one sent for revision and appealed by the showcase provider,
one failed on the knock-out criterion) and an autumn campaign under way, where the demo
expert has a sheet submitted and one to fill. Ozersk certifies only programs that passed.

Built through the quality services, so the assignment, the results and the audit trail
are those of a real campaign; the services stamp the present moment, so (as for the
plans) a demo built for another day than today gets none."""

import datetime as dt

from django.utils import timezone

from opora import audit
from opora.accounts.models import Role, User
from opora.demo.draw import deterministic_uuid
from opora.enrollment import services as enrollment_services
from opora.enrollment.models import Application, ApplicationStatus, Channel, Child, Guardianship
from opora.financing.models import Contract, ContractStatus
from opora.quality import ratings, services
from opora.quality.models import Assignment, AssignmentStatus, Campaign, CommentStatus, Entry, Expert, Rating
from opora.registry.choices import Direction, ProgramStatus
from opora.registry.models import Group, Municipality, Organization, Program

D = Direction
EXPERTS = [
    # e-mail, (last, first, patronymic), position, directions, works at a provider of the city
    ("expert@demo.opora", ("Захарова", "Татьяна", "Михайловна"), "доцент кафедры педагогики, ИРО",
     [D.TECHNICAL, D.NATURAL_SCIENCE, D.SOCIAL], False),
    ("expert.kuznetsov@demo.opora", ("Кузнецов", "Андрей", "Петрович"), "методист, центр «Кванториум»",
     [D.TECHNICAL, D.NATURAL_SCIENCE], True),
    ("expert.morozova@demo.opora", ("Морозова", "Елена", "Викторовна"), "педагог дополнительного образования",
     [D.ARTS, D.SOCIAL], True),
    ("expert.vasilieva@demo.opora", ("Васильева", "Ольга", "Сергеевна"), "заместитель директора по УВР",
     [D.ARTS, D.TOURISM, D.SOCIAL], False),
    ("expert.pavlov@demo.opora", ("Павлов", "Игорь", "Николаевич"), "тренер-преподаватель высшей категории",
     [D.SPORTS, D.TOURISM], True),
    ("expert.romanova@demo.opora", ("Романова", "Светлана", "Алексеевна"), "методист РМЦ",
     list(Direction.values), False),
]

COMMENTS = {
    1: "Актуальность описана общими словами, без анализа запросов детей и родителей территории.",
    2: "В программе нет календарного учебного графика и оценочных материалов.",
    3: "Цель сформулирована как процесс, а не результат; задачи не измеримы.",
    4: "Содержание второго модуля не связано с заявленными задачами.",
    5: "Формы аттестации названы, но критерии оценки результатов не описаны.",
    6: "Описание перегружено общими фразами, родителю трудно понять, чему научится ребёнок.",
}
# The sheets of a profile: one row of scores per expert, by criterion position 1–6.
STRONG = [[2, 2, 2, 2, 2, 2], [2, 2, 2, 1, 2, 2], [2, 2, 1, 2, 2, 2]]
GOOD = [[2, 2, 2, 1, 1, 2], [1, 2, 2, 2, 1, 2], [2, 2, 1, 2, 2, 1]]
MEDIUM = [[1, 2, 1, 1, 1, 1], [1, 1, 1, 2, 1, 1], [2, 1, 1, 1, 1, 1]]
KNOCKED = [[1, 0, 1, 1, 1, 1], [1, 0, 1, 1, 0, 1], [2, 1, 1, 1, 1, 1]]


def _experts(ctx, region, city):
    providers = list(Organization.objects.filter(municipality=city, is_support_centre=False, is_active=True)
                     .order_by("pk")[:6])
    rmc = User.objects.get(email="rmc@demo.opora")
    made = []
    for number, (email, (last, first, patronymic), position, directions, at_provider) in enumerate(EXPERTS):
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create(email=email, password=ctx.password, role=Role.EXPERT, last_name=last,
                                       first_name=first, patronymic=patronymic)
        organization = providers[number % len(providers)] if at_provider and providers else None
        existing = Expert.objects.filter(user=user, organization=organization, municipality=None).first()
        if existing is not None:  # a second run (after a reset) keeps the profile and its history
            made.append(existing)
            continue
        made.append(services.save_expert(rmc, user, municipality=None, organization=organization,
                                         position=position, directions=directions))
    return made


def _sheet(assignment, row):
    criteria = {c.position: c for c in assignment.entry.campaign.criteria_set.criteria.all()}
    return {c.pk: (row[position - 1], "" if row[position - 1] == c.scale_max else COMMENTS[position])
            for position, c in criteria.items()}


def _score(entry, profile, *, leave_open=0):
    """Every open sheet of the entry scored with the profile's rows, but the last ``leave_open``."""
    open_sheets = list(entry.assignments.filter(status=AssignmentStatus.ASSIGNED).order_by("pk"))
    for index, assignment in enumerate(open_sheets[:len(open_sheets) - leave_open]):
        services.save_sheet(assignment.expert, assignment, _sheet(assignment, profile[index % len(profile)]),
                            submit=True)


def _programs(city, count, showcase, skip=()):
    """Published programs of the city, one organization after another (the showcase's
    first), so a campaign looks at many providers."""
    by_organization: dict[int, list] = {}
    for program in (Program.objects.filter(organization__municipality=city, status=ProgramStatus.PUBLISHED)
                    .exclude(pk__in=skip).order_by("organization_id", "pk")):
        by_organization.setdefault(program.organization_id, []).append(program)
    queues = sorted(by_organization.items(), key=lambda item: (item[0] != showcase, item[0]))
    chosen = []
    while len(chosen) < count and any(programs for _key, programs in queues):
        for _key, programs in queues:
            if programs and len(chosen) < count:
                chosen.append(programs.pop(0))
    return chosen


def build_quality(ctx, users) -> None:
    if ctx.today != timezone.localdate():
        return
    operator, staff = users["moc@demo.opora"], users["staff@demo.opora"]
    city = operator.municipality
    region = city.region
    _experts(ctx, region, city)
    today = ctx.today

    # Spring: results published; the showcase's program was sent for revision and appealed.
    spring = services.create_campaign(operator, city, {
        "title": f"Независимая оценка качества программ, весна {today.year}",
        "starts_on": today - dt.timedelta(days=1), "ends_on": today + dt.timedelta(days=30),
        "scoring_deadline": today + dt.timedelta(days=20), "experts_per_program": 3, "spread_limit": "1",
        "appeal_days": 10, "exclude_same_founder": False, "applications_open": False})
    spring_programs = _programs(city, 8, staff.organization_id)
    services.include_programs(operator, spring, spring_programs)
    services.start_campaign(operator, spring)
    profiles = [MEDIUM, STRONG, GOOD, KNOCKED, STRONG, GOOD, STRONG, GOOD]
    for program, profile in zip(spring_programs, profiles, strict=False):
        _score(Entry.objects.get(campaign=spring, program=program), profile)
    services.publish_results(operator, spring)
    appealed = Entry.objects.filter(campaign=spring, program__organization=staff.organization,
                                    decision="revise").first()
    if appealed is not None:
        services.file_appeal(staff, appealed, "Календарный учебный график и оценочные материалы есть в "
                                              "приложениях 2 и 3 к программе; просим пересмотреть оценку.")
    Campaign.objects.filter(pk=spring.pk).update(
        starts_on=today - dt.timedelta(days=75), ends_on=today - dt.timedelta(days=5),
        scoring_deadline=today - dt.timedelta(days=20))
    Assignment.objects.filter(entry__campaign=spring).update(due_on=today - dt.timedelta(days=20))

    # Autumn: under way; providers may still apply.
    autumn = services.create_campaign(operator, city, {
        "title": f"Независимая оценка качества программ, осень {today.year}",
        "starts_on": today - dt.timedelta(days=7), "ends_on": today + dt.timedelta(days=45),
        "scoring_deadline": today + dt.timedelta(days=21), "experts_per_program": 3, "spread_limit": "1",
        "appeal_days": 10, "exclude_same_founder": True, "applications_open": True})
    autumn_programs = _programs(city, 5, staff.organization_id, skip=[p.pk for p in spring_programs])
    services.include_programs(operator, autumn, autumn_programs)
    services.start_campaign(operator, autumn)
    demo_expert = users["expert@demo.opora"]
    for index, program in enumerate(autumn_programs):
        entry = Entry.objects.get(campaign=autumn, program=program)
        if index == 0:
            _score(entry, STRONG)
        elif entry.assignments.filter(expert=demo_expert).exists():
            others = entry.assignments.exclude(expert=demo_expert).filter(status=AssignmentStatus.ASSIGNED)
            for assignment in others:
                services.save_sheet(assignment.expert, assignment, _sheet(assignment, GOOD[0]), submit=True)
        elif index % 2:
            _score(entry, GOOD, leave_open=1)

    town = Municipality.objects.filter(region=region).exclude(pk=city.pk).order_by("pk").first()
    moc_town = users.get("moc.ozersk@demo.opora")
    if town is not None and moc_town is not None and moc_town.municipality_id == town.pk:
        services.set_certification_rule(moc_town, town, True)
    build_ratings(ctx, users)


# --- parents' ratings ---------------------------------------------------------------------------

RATING_COMMENTS = [
    ("Ребёнок ходит с удовольствием, педагог внимательный, результаты видны уже к зиме.", True),
    ("Группа большая, педагог не успевает подойти к каждому, но занятия интересные.", True),
    ("Хорошее оборудование, всё есть на занятиях, ничего не нужно докупать.", True),
    ("Расписание меняли несколько раз без предупреждения, было неудобно.", True),
    ("Спасибо за выступление на конкурсе, ребёнок стал увереннее.", True),
    ("Педагог Иванова пишет в чат в 11 вечера, телефон 8-900-123-45-67, разберитесь!", False),
    ("Нравится, что можно посмотреть итоги каждого модуля.", None),
    ("Не хватает материалов для работы дома.", None),
]
ANSWER = ("Спасибо за отзыв! С нового полугодия группа разделена на две, а расписание согласуем с "
          "родителями заранее.")


def _marks(rng, base: int) -> dict:
    return {name: max(1, min(5, base + rng.choice((-1, 0, 0, 1)))) for name in ("results", "staff", "means", "overall")}


def build_ratings(ctx, users) -> None:
    """Parents rate the city's programs with the most enrolments that qualify: in some
    programs enough to show the rating, in one too few; comments published by the МОЦ, one
    rejected, two waiting; the showcase provider answers one. The demo parent's enrolments
    stay unrated, so «Оценить программу» is there to try."""
    rng = ctx.rng("quality:ratings")
    operator, staff = users["moc@demo.opora"], users["staff@demo.opora"]
    demo_parent = users["parent@demo.opora"]
    city = operator.municipality

    def qualifying_applications(program_pk):
        # this school year's: the previous year's finished ones (demo/last_year.py) are
        # left to the parents
        return ratings.qualifying_applications(program_pk).filter(group__start_date__gte=ctx.year_start)

    programs = list(Program.objects.filter(organization__municipality=city, status=ProgramStatus.PUBLISHED)
                    .order_by("pk"))
    counted = sorted(((qualifying_applications(p.pk).count(), p.organization_id != staff.organization_id,
                       p.pk, p) for p in programs), key=lambda row: (-row[0], row[1], row[2]))
    chosen = [row[3] for row in counted if row[0] >= 4][:7]
    showcase = next((p for p in programs if p.organization_id == staff.organization_id and p not in chosen
                     and qualifying_applications(p.pk).exists()), None)
    if showcase is not None:
        chosen = [showcase, *chosen[:6]]
    comments = iter(RATING_COMMENTS * 3)
    for index, program in enumerate(chosen):
        qualifying = list(qualifying_applications(program.pk).select_related("child", "group")
                          .order_by("pk"))
        share = 0.05 if index == len(chosen) - 1 else rng.uniform(0.3, 0.7)
        base = rng.choice((3, 4, 4, 5, 5))
        for number, application in enumerate(qualifying[:max(1 if share < .1 else 3, round(len(qualifying) * share))]):
            guardian = (Guardianship.objects.filter(child_id=application.child_id, confirmed_at__isnull=False)
                        .exclude(parent=demo_parent).select_related("parent").first())
            if guardian is None:
                continue
            # a later school-year day qualifies more enrolments than there are comments
            text, decision = next(comments, ("", None)) if rng.random() < 0.35 else ("", None)
            if program == showcase and number == 0:
                text, decision = RATING_COMMENTS[1]  # the one the showcase provider answers
            rating = ratings.rate_program(guardian.parent, application, _marks(rng, base), text)
            if text and decision is not None:
                ratings.moderate(operator, rating, publish=decision,
                                 reason="" if decision else "Персональные данные педагога в комментарии.")
    _parents_end_contracts_early(ctx, chosen)
    _demo_parent_finished(ctx, demo_parent, chosen)
    answered = (Rating.objects.filter(program__organization=staff.organization,
                                      comment_status=CommentStatus.PUBLISHED).order_by("pk").first())
    if answered is not None:
        ratings.answer(staff, answered, ANSWER)


EARLY_ENDINGS = 2  # programs where parents end certificate contracts early, two each


def _parents_end_contracts_early(ctx, programs) -> None:
    """In two rated programs with certificate contracts, parents end two contracts before
    their last day (the provider expels the child «по заявлению родителя» through the
    enrollment service, which closes the contract): the public rating shows the penalty."""
    today = ctx.today
    done = 0
    for program in programs:
        running = list(Contract.objects.filter(module__program=program, status=ContractStatus.ACTIVE,
                                               ends_on__gt=today, application__status=ApplicationStatus.ENROLLED,
                                               application__enrolled_on__lt=today)
                       .select_related("application").order_by("pk")[:2])
        staff = (User.objects.filter(role=Role.ORGANIZATION_STAFF, is_active=True,
                                     organization=program.organization_id).order_by("pk").first())
        if not running or staff is None:
            continue
        for contract in running:
            enrollment_services.expel(staff, contract.application, "По заявлению родителя: переезд семьи.",
                                      today, by_parent=True)
        done += 1
        if done == EARLY_ENDINGS:
            return


def _demo_parent_finished(ctx, parent, programs) -> None:
    """The demo parent's second child finished a short course in a rated program this
    autumn, so «Оценить программу» is there to try."""
    children = list(Child.objects.filter(guardianships__parent=parent).order_by("pk"))
    today = ctx.today
    for child in reversed(children):
        age = today.year - child.birth_date.year - ((today.month, today.day) < (child.birth_date.month,
                                                                                 child.birth_date.day))
        group = (Group.objects.filter(module__program__in=programs, is_active=True,
                                      start_date__lte=today - dt.timedelta(days=60),
                                      age_min__lte=age, age_max__gte=age)
                 .exclude(applications__child=child).order_by("start_date", "pk").first())
        if group is None:
            continue
        staff = User.objects.filter(role=Role.ORGANIZATION_STAFF,
                                    organization=group.module.program.organization_id).order_by("pk").first()
        ended = today - dt.timedelta(days=6)
        filed = ctx.moment(group.start_date - dt.timedelta(days=10), 10)
        application = Application.objects.create(
            uuid=deterministic_uuid(ctx.rng("quality:demo-parent")), child=child, group=group,
            status=ApplicationStatus.COMPLETED, channel=Channel.CABINET, created_by=parent,
            enrolled_on=group.start_date, ended_on=ended, reason="Освоил модуль программы.",
            status_changed_at=ctx.moment(ended, 17))
        Application.objects.filter(pk=application.pk).update(created_at=filed, updated_at=ctx.moment(ended, 17))
        audit.record_many([
            audit.event(parent, "enrollment.application.submitted", application, to_state=ApplicationStatus.NEW,
                        at=filed),
            audit.event(staff, "enrollment.application.confirmed", application, from_state=ApplicationStatus.NEW,
                        to_state=ApplicationStatus.ENROLLED,
                        at=ctx.moment(group.start_date - dt.timedelta(days=8), 11)),
            audit.event(staff, "enrollment.application.completed", application, from_state=ApplicationStatus.ENROLLED,
                        to_state=ApplicationStatus.COMPLETED, reason=application.reason, at=ctx.moment(ended, 17)),
        ])
        return
