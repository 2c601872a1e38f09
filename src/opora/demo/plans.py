"""The demo МОЦ's plans: the work plan of the city's МОЦ for the current calendar year,
approved by the education authority, agreed with the РМЦ and being executed (items whose
deadline passed are done, one is left overdue, one is the showcase provider's), and a
draft media plan. Built through the plans services, so the history and the audit trail
are those of a real plan; as the services stamp the present moment, a demo built for
another day than today (tests of the school year) gets no plans.

The work plan has a revision sent to the authority: item 5 moved to November, a webinar
added, item 6 removed — pending until the authority approves them.

Once the events and the portal exist (``attach_evidence``), the approved plan is
published among the МОЦ's documents on the portal (as Opora does when it is approved
with the portal in place) and two items are proved by what Opora holds: the approval of
the plan by that document, the city's festival by its event (done on the festival's day) — when they
fall within the plan's year (a demo built in early January may miss the festival)."""

import datetime as dt

from django.utils import timezone

from opora.events.models import Event
from opora.plans import importing, links, services
from opora.plans.models import ItemStatus, Plan, PlanKind, Recurrence

HEAD = "Руководитель МОЦ Кравцова И.В."
WORK_PLAN_ROWS = [
    ["№ п/п", "Наименование мероприятия", "Сроки", "Ответственный", "Результат"],
    ["Организационная работа"],
    ["1.", "Утверждение плана работы МОЦ на год", "январь", HEAD, "Утверждённый план"],
    ["2.", "Совещание с руководителями организаций дополнительного образования", "ежеквартально",
     HEAD, "Протоколы совещаний"],
    ["3.", "Мониторинг охвата детей дополнительным образованием", "Февраль - март", "Методист МОЦ",
     "Аналитическая справка"],
    ["Методическая работа"],
    ["4.", "Экспертиза дополнительных общеобразовательных программ", "апрель - май", "Методист МОЦ",
     "не менее 30 % программ прошли экспертизу"],
    ["5.", "Семинар для педагогов «Современные программы дополнительного образования»", "октябрь",
     "Директор ДДТ Белова Н.С.", "Программа семинара, список участников"],
    ["6.", "Пополнение реестра программ в навигаторе", "постоянно", "Методист МОЦ", "Реестр программ"],
    ["7.", "Отчёт об исполнении плана работы МОЦ", "декабрь", HEAD, "Отчёт"],
    ["Массовые мероприятия"],
    ["8.", "Городской фестиваль детского творчества «Северное сияние»", "в течение года",
     "Педагог-организатор МОЦ Миронова Д.А.", "Не менее 20 участников"],
]
FESTIVAL = "Северное сияние"
WORK_PLAN = "".join("\t".join(row) + "\n" for row in WORK_PLAN_ROWS)

MEDIA_PLAN = """№ п/п\tМероприятия\tСроки\tОтветственный специалист МОЦ\tРезультат
1.\tНовости о деятельности МОЦ на портале\tежемесячно\tКравцова И.В.\tНе менее 2 новостей в месяц
2.\tВидеоролик о программах дополнительного образования\tсентябрь\tКравцова И.В.\tВидеоролик
"""


def _load(user, plan, text):
    preview = services.preview_import(plan, importing.read_text(text))
    return services.import_rows(user, plan, preview.rows)


def build_plans(ctx, users) -> None:
    if ctx.today != timezone.localdate():
        return
    operator, authority = users["moc@demo.opora"], users["authority@demo.opora"]
    regional, staff = users["rmc@demo.opora"], users["staff@demo.opora"]
    year = ctx.today.year
    plan = services.create_plan(operator, operator.municipality, PlanKind.objects.get(code="work_plan"),
                                "calendar", year)
    _load(operator, plan, WORK_PLAN)
    services.send(operator, plan)
    signed = {"approved_on": ctx.today, "agreed_on": ctx.today}
    services.approve(authority, plan, {**signed, "name": "Громов В.Н.",
                                       "position": "Начальник управления образования"})
    services.agree(regional, plan, {**signed, "name": "Лебедева О.И.", "position": "Руководитель РМЦ"})
    services.start(operator, plan)
    seminar = plan.items.get(number="5")
    seminar.responsible_users.add(staff)
    past = [item for item in plan.items.all()
            if item.recurrence == Recurrence.ONCE and item.ends_on < ctx.today]
    for item in past[:-1]:  # the last one stays overdue
        services.mark_item(operator, item, {
            "status": ItemStatus.DONE, "done_on": item.ends_on - dt.timedelta(days=3),
            "actual_result": item.expected_result})
    revision = services.open_revision(operator, plan, "Перенос семинара по просьбе Дома детского "
                                                      "творчества; вебинар для родителей")
    services.save_item(operator, plan, {
        "number": "5", "title": seminar.title, "deadline_text": "ноябрь",
        "responsible_names": seminar.responsible_names, "expected_result": seminar.expected_result,
        "responsible_users": [staff.pk], "section": seminar.section_id}, seminar)
    services.save_item(operator, plan, {
        "number": "9", "title": "Вебинар для родителей «Как записать ребёнка через навигатор»",
        "deadline_text": "ноябрь", "responsible_names": "Методист МОЦ",
        "expected_result": "Запись вебинара на портале"})
    services.delete_item(operator, plan.items.get(number="6"))
    services.send_revision(operator, revision)
    media = services.create_plan(operator, operator.municipality, PlanKind.objects.get(code="media_plan"),
                                 "calendar", year)
    _load(operator, media, MEDIA_PLAN)


def attach_evidence(ctx, users) -> None:
    """Prove item 1 by the МОЦ's plan on the portal and item 8 by the festival's event,
    picked from what ``plans.links`` offers the operator, as the item page would."""
    if ctx.today != timezone.localdate():
        return
    operator = users["moc@demo.opora"]
    plan = Plan.objects.filter(municipality=operator.municipality, kind__code="work_plan",
                               year=ctx.today.year).first()
    if plan is None:
        return
    from opora.portal.plans import publish_plan

    publish_plan(plan.pk)
    offers = links.offered(operator, plan)

    def offer(kind, words):
        return next((link for link in offers if link.kind == kind and words in link.title), None)

    document = offer("Документ портала", f"План работы МОЦ на {plan.year} год")
    if document is not None:
        services.add_evidence(operator, plan.items.get(number="1"), link=document.url)
    festival = offer("Мероприятие", FESTIVAL)
    event = Event.objects.filter(municipality=operator.municipality, title__contains=FESTIVAL).first()
    if festival is not None and event is not None:
        item = plan.items.get(number="8")
        held = timezone.localtime(event.sessions.order_by("starts_at").first().starts_at).date()
        services.mark_item(operator, item, {"status": ItemStatus.DONE, "done_on": held,
                                            "actual_result": "Фестиваль проведён, участников: "
                                                             f"{event.registrations.count()}"})
        services.add_evidence(operator, item, link=festival.url)
