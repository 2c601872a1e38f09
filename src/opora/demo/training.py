"""The demo's staff development: a lived-in calendar of events for teachers and heads in
every municipality (held ones with attendance, certificates and a protocol, coming ones
with registrations, a draft), regional events of the РМЦ, courses teachers took
elsewhere, and the city's plan of professional development (a plan of ``opora.plans``)
approved and linked to its events; the demo teacher (``teacher@demo.opora``) attended
the city's past events for teachers and registered herself for a coming master class.
Built through the services, so the audit trail is a
real one; events in the past are created ahead and moved back, as their days went by."""

import datetime as dt

from django.utils import timezone

from opora.plans import importing
from opora.plans import services as plan_services
from opora.plans.models import PlanKind
from opora.registry.models import Organization, Teacher
from opora.training import services
from opora.training.kinds import PLAN_KIND
from opora.training.models import Registration, TrainingEvent, TrainingKind

METHODIST = "Методист МОЦ Соколова А.В."
PLAN_ROWS = [
    ["№ п/п", "Наименование мероприятия", "Сроки", "Ответственный", "Результат"],
    ["Для педагогов дополнительного образования"],
    ["1.", "Семинары по проектированию дополнительных общеобразовательных программ", "в течение года",
     METHODIST, "Не менее 60 педагогов"],
    ["2.", "Инструктивные совещания по работе в навигаторе и с сертификатами", "ежеквартально",
     METHODIST, "Протоколы совещаний"],
    ["3.", "Мастер-классы педагогов организаций муниципалитета", "в течение года", METHODIST,
     "Не менее 4 мастер-классов"],
    ["Для руководителей и методистов"],
    ["4.", "Вебинары по персонифицированному финансированию для руководителей", "февраль - май",
     "Руководитель МОЦ Кравцова И.В.", "Руководители всех организаций"],
    ["5.", "Муниципальная конференция «Дополнительное образование: практики муниципалитета»",
     "ноябрь", "Руководитель МОЦ Кравцова И.В.", "Сборник практик"],
    ["6.", "Направление педагогов на курсы повышения квалификации", "в течение года", METHODIST,
     "Доля педагогов, обученных за три года, — не менее 90 %"],
]

# for whom each item of the plan is (bits of opora.plans.models.Audience: 1 teachers, 2 heads,
# 4 methodists)
PLAN_AUDIENCE = {"1": 1, "2": 3, "3": 1, "4": 2, "5": 7, "6": 1}

# (kind, title, days from today to the start, days long, hours, format, audience, seats, plan item)
CITY_EVENTS = [
    ("seminar", "Проектирование разноуровневых дополнительных общеобразовательных программ", -150, 1, "4",
     "in_person", "t", 40, "1"),
    ("instruction", "Работа с заявками и сертификатами в навигаторе", -120, 1, "2", "mixed", "th", 60, "2"),
    ("webinar", "Персонифицированное финансирование: договоры, счета, отчёты", -90, 1, "2", "online", "hm", 100,
     "4"),
    ("master_class", "Робототехника на занятиях с младшими школьниками", -40, 1, "3", "in_person", "t", 20, "3"),
    ("conference", "Дополнительное образование: практики муниципалитета", -20, 1, "6", "in_person", "thm", 120,
     "5"),
    ("seminar", "Инклюзивные практики: дети с ОВЗ в объединениях дополнительного образования", 7, 1, "4",
     "in_person", "tm", 35, "1"),
    ("instruction", "Летняя кампания: смены и группы в навигаторе", 14, 1, "1.5", "online", "th", 80, "2"),
    ("master_class", "Театральная педагогика: упражнения для первого занятия", 10, 1, "2", "in_person", "t", 18,
     "3"),
    ("seminar", "Оценка результатов освоения программы: формы аттестации", 45, 1, "4", "in_person", "tm", 40,
     "1"),
]
REGIONAL_EVENTS = [
    ("course", "Современные технологии дополнительного образования детей", -75, 14, "72", "mixed", "t", 150),
    ("webinar", "Независимая оценка качества дополнительных общеобразовательных программ", 21, 1, "2", "online",
     "hm", 300),
    ("course", "Наставничество в дополнительном образовании детей", 30, 10, "36", "mixed", "tm", 100),
]
OTHER_EVENTS = [
    ("instruction", "Работа в навигаторе: новый учебный год", -60, 1, "2", "mixed", "th", 40),
    ("seminar", "Программы естественнонаучной направленности в сельской школе", 12, 1, "4", "in_person", "t", 25),
]
EXTERNAL = [
    ("Проектирование и реализация дополнительных общеобразовательных программ",
     "Институт развития образования Северной области", "72"),
    ("Цифровая образовательная среда в дополнительном образовании", "Педагогический университет", "36"),
    ("Оказание первой помощи", "Учебный центр «Безопасность»", "16"),
]
TIMES = {"1.5": "15:00–16:30", "2": "14:00–16:00", "3": "10:00–12:30", "4": "10:00–13:30",
         "6": "10:00–16:00", "12": "10:00–17:00"}
PLACES = {"in_person": "МОЦ, ул. Советская, 12, конференц-зал", "mixed": "МОЦ, ул. Советская, 12, актовый зал"}
PROTOCOL = ("Присутствовали: руководители и педагоги организаций дополнительного образования.\n"
            "Слушали: о порядке подтверждения заявок и зачисления по сертификатам в навигаторе.\n"
            "Решили: 1. Подтверждать заявки в течение трёх рабочих дней. 2. Сверить расписание групп "
            "в навигаторе до 1-го числа следующего месяца.")


def _data(ctx, kind, title, start, days, hours, form, audience, seats, item=None):
    starts_on = ctx.today + dt.timedelta(days=max(start, 1))
    return {"kind": TrainingKind.objects.get(code=kind), "title": title, "starts_on": starts_on,
            "ends_on": starts_on + dt.timedelta(days=days - 1), "time_text": TIMES.get(hours, "") if days == 1 else "",
            "hours": hours, "format": form, "place": PLACES.get(form, ""),
            "online_link": "https://sferum.ru/?call_link=demo" if form != "in_person" else "",
            "for_teachers": "t" in audience, "for_heads": "h" in audience, "for_methodists": "m" in audience,
            "capacity": seats, "plan_item": item}


def _run(ctx, actor, data, start, teachers_by_actor, rng, attend=0.85, sure=()):
    """Create and publish an event, register teachers, and when its days are past, move it
    back and mark who came (``sure``: teachers who always did)."""
    event = services.publish(actor, services.save_event(actor, data))
    taken = 0
    for registrar, teachers in teachers_by_actor:
        room = event.capacity - taken
        chosen = teachers[:room]
        if chosen:
            services.register(registrar, event, chosen)
            taken += len(chosen)
    if start <= 0:
        shift = dt.timedelta(days=(event.starts_on - ctx.today).days - start)
        TrainingEvent.objects.filter(pk=event.pk).update(starts_on=event.starts_on - shift,
                                                         ends_on=event.ends_on - shift, registration_until=None)
        event.refresh_from_db()
        sure_ids = {teacher.pk for teacher in sure}
        present = [r.pk for r in event.registrations.all() if rng.random() < attend or r.teacher_id in sure_ids]
        services.mark_attendance(actor, event, present)
        if event.kind.produces_protocol:
            services.save_protocol(actor, event, text=PROTOCOL)
    return event


def _training_plan(ctx, operator, authority, regional):
    plan = plan_services.create_plan(operator, operator.municipality, PlanKind.objects.get(code=PLAN_KIND[0]),
                                     "calendar", ctx.today.year)
    text = "".join("\t".join(row) + "\n" for row in PLAN_ROWS)
    preview = plan_services.preview_import(plan, importing.read_text(text))
    plan_services.import_rows(operator, plan, preview.rows)
    for item in plan.items.all():  # for whom each item is: the operator marks it after the import
        data = {name: getattr(item, name) for name in plan_services.ITEM_FIELDS}
        plan_services.save_item(operator, plan, {**data, "section": item.section_id,
                                                 "audience": PLAN_AUDIENCE[item.number]}, item)
    plan_services.send(operator, plan)
    plan_services.approve(authority, plan, {"approved_on": ctx.today, "name": "Громов В.Н.",
                                            "position": "Начальник управления образования"})
    plan_services.agree(regional, plan, {"agreed_on": ctx.today, "name": "Лебедева О.И.",
                                         "position": "Руководитель РМЦ"})
    plan_services.start(operator, plan)
    return {item.number: item for item in plan.items.all()}


def build_training(ctx, users) -> None:
    if ctx.today != timezone.localdate():  # the services stamp the present moment
        return
    rng = ctx.rng("training")
    operator, staff, regional = users["moc@demo.opora"], users["staff@demo.opora"], users["rmc@demo.opora"]
    items = _training_plan(ctx, operator, users["authority@demo.opora"], regional)
    city = operator.municipality
    working = list(Teacher.objects.filter(is_active=True, organization__municipality=city,
                                          organization__is_active=True).order_by("pk"))
    teacher_account = users["teacher@demo.opora"]
    me = teacher_account.teacher  # the demo teacher: at every past event for teachers
    own = [t for t in working if t.organization_id == staff.organization_id and t != me]
    others = [t for t in working if t.organization_id != staff.organization_id]
    enrol_self = None
    for number, (kind, title, start, days, hours, form, audience, seats, item) in enumerate(CITY_EVENTS):
        data = _data(ctx, kind, title, start, days, hours, form, audience, seats, items.get(item))
        actor = operator
        if kind == "master_class":  # run by an organization of the city, the МОЦ publishes it
            host = Organization.objects.filter(municipality=city, is_active=True).exclude(
                pk=staff.organization_id).order_by("pk")[number % 3]
            data.update(organizer="organization", organization=host)
        wanted = max(2, int(seats * (0.9 if start <= 0 else rng.uniform(0.3, 0.7))))
        mine = rng.sample(own, min(len(own), max(1, wanted // 8)))
        if start <= 0 and "t" in audience:
            mine = [me, *mine]
        theirs = rng.sample(others, min(len(others), wanted - len(mine)))
        event = _run(ctx, actor, data, start, [(staff, mine), (operator, theirs)], rng, sure=(me,))
        if kind == "master_class" and start > 0:
            enrol_self = enrol_self or event
    for kind, title, start, days, hours, form, audience, seats in REGIONAL_EVENTS:
        data = _data(ctx, kind, title, start, days, hours, form, audience, seats)
        wanted = int(seats * (0.25 if start <= 0 else 0.1))
        _run(ctx, regional, data, start, [(operator, rng.sample(others, min(len(others), wanted)))], rng, 0.95)
    if enrol_self is not None:  # she registered herself for a coming master class
        services.enrol_self(teacher_account, enrol_self)
    draft = _data(ctx, "conference", "Методический фестиваль «Открытое занятие»", 75, 2, "12", "in_person", "thm",
                  150, items.get("5"))
    services.save_event(operator, draft)
    for email in ("moc.ozersk@demo.opora", "moc.lesnoy@demo.opora"):
        moc = users[email]
        teachers = list(Teacher.objects.filter(is_active=True, organization__municipality=moc.municipality,
                                               organization__is_active=True).order_by("pk"))
        for kind, title, start, days, hours, form, audience, seats in OTHER_EVENTS:
            chosen = rng.sample(teachers, min(len(teachers), seats // 2))
            _run(ctx, moc, _data(ctx, kind, title, start, days, hours, form, audience, seats), start,
                 [(moc, chosen)], rng)
    _external(ctx, rng, operator, working, users)


def _external(ctx, rng, operator, working, users) -> None:
    """Courses elsewhere for about a third of the city's teachers; some long ago, so that the
    list of those without training in three years is not empty but not everyone either."""
    trained = set(Registration.objects.filter(status="attended").values_list("teacher_id", flat=True))
    for teacher in working:
        if rng.random() > 0.35:
            continue
        title, provider, hours = rng.choice(EXTERNAL)
        back = rng.randint(30, 1500) if teacher.pk not in trained else rng.randint(200, 900)
        services.record_external(operator, teacher, {
            "title": title, "provider_name": provider, "finished_on": ctx.today - dt.timedelta(days=back),
            "hours": hours, "document": f"Удостоверение о повышении квалификации № {rng.randint(100000, 999999)}"})


def delete_training(region, account_emails) -> None:
    """On reset: the events of the region's municipalities and the regional ones the demo
    РМЦ created, with the audit trail of the events, registrations and teachers' courses."""
    from django.db.models import Q

    from opora import audit

    events = TrainingEvent.objects.filter(Q(municipality__region=region)
                                          | Q(municipality__isnull=True, created_by__email__in=account_emails))
    registrations = Registration.objects.filter(
        Q(event__in=events) | Q(teacher__organization__municipality__region=region))
    teachers = Teacher.objects.filter(organization__municipality__region=region)
    for model, pks in ((Registration, registrations.values_list("pk", flat=True)),
                       (TrainingEvent, events.values_list("pk", flat=True)),
                       (Teacher, teachers.values_list("pk", flat=True))):
        pks = list(pks)
        for start in range(0, len(pks), 1000):
            audit.forget(model, pks[start:start + 1000])
    registrations.delete()
    events.delete()
