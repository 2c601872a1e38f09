"""The demo's events for children and the register of gifted children, built through the
events services so statuses, the audit trail and the diplomas are those of real use:

- the city МОЦ's festival «Северное сияние», held three weeks ago: its children took part,
  winners and prize-winners got diplomas and were proposed to the register of gifted
  children; the МОЦ confirmed two of them and gave them support measures;
- the showcase provider's master class (open, with registrations and a waiting list), a
  chess tournament waiting for moderation and a draft;
- the РМЦ's regional contest «Шаг в науку» with the city's municipal stage;
- an online olympiad, a paid winter profile shift;
- the demo parent's child registered for the master class and holding a diploma of the
  festival.
As the services stamp the present moment, a demo built for another day gets no events.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from opora.enrollment.models import ApplicationStatus, Child, Guardianship
from opora.events import gifted, services
from opora.events.models import (
    Event,
    EventKind,
    EventLevel,
    EventSession,
    GiftedRecord,
    Result,
)
from opora.registry.models import Teacher

FESTIVAL_TEXT = (
    "Ежегодный городской фестиваль детского творчества. Юные артисты, музыканты и художники "
    "организаций дополнительного образования показывают свои работы. Номинации: вокал, "
    "хореография, изобразительное искусство. Лучшие получают дипломы победителей и призёров, "
    "все участники — сертификаты.")
MASTER_CLASS_TEXT = (
    "За два часа соберём и запрограммируем робота, который едет по линии. Все детали и ноутбуки "
    "даём на месте. Подходит тем, кто ещё не занимался робототехникой.")


def _kind(code):
    return EventKind.objects.get(code=code)


def _sessions(start: dt.datetime, hours=3, place="", online_url=""):
    return [{"starts_at": start, "ends_at": start + dt.timedelta(hours=hours), "place": place,
             "online_url": online_url}]


def _published(author, moderator, data, sessions, nominations=(), age_categories=()):
    event = services.create_event(author, data, sessions=sessions, nominations=list(nominations),
                                  age_categories=list(age_categories))
    services.submit_event(author, event)
    return services.publish_event(moderator, event)


def _base(ctx, **kw):
    data = {"level": EventLevel.MUNICIPAL, "age_from": 7, "age_to": 17, "capacity": 40,
            "is_free": True, "price": None, "teams": False,
            "registration_from": ctx.now - dt.timedelta(days=2),
            "registration_to": ctx.now + dt.timedelta(days=20)}
    data.update(kw)
    return data


def _city_children(municipality, limit, lo=8, hi=15):
    """Children of the city with a confirmed guardian, ``lo`` to ``hi`` - 1 years old (safely
    inside the events' ages), with that guardian."""
    today = timezone.localdate()
    links = (Guardianship.objects.filter(child__municipality=municipality, confirmed_at__isnull=False,
                                         child__birth_date__lte=today.replace(year=today.year - lo),
                                         child__birth_date__gt=today.replace(year=today.year - hi))
             .select_related("child", "parent").order_by("child_id"))
    seen, found = set(), []
    for link in links:
        if link.child_id not in seen:
            seen.add(link.child_id)
            found.append((link.parent, link.child))
        if len(found) >= limit:
            break
    return found


def _festival(ctx, operator, demo_family):
    rng = ctx.rng("events:festival")
    festival = _published(operator, operator, _base(
        ctx, title="Городской фестиваль детского творчества «Северное сияние»",
        kind=_kind("festival"), direction="arts", capacity=60,
        description=FESTIVAL_TEXT), _sessions(ctx.now + dt.timedelta(days=30), hours=5,
                                              place="Дворец культуры «Современник», ул. Ленина, 12"),
        nominations=["Вокал", "Хореография", "Изобразительное искусство"])
    nominations = list(festival.nominations.all())
    people = _city_children(operator.municipality, 24)
    if demo_family and demo_family not in people:
        people.append(demo_family)
    made = []
    for parent, child in people:
        registration, _created = services.register_child(
            parent, festival, child, nomination=rng.choice(nominations).pk)
        made.append(registration)
    # The festival took place three weeks ago: move its dates back, as time would have.
    shift = dt.timedelta(days=51)
    Event.objects.filter(pk=festival.pk).update(registration_from=ctx.now - dt.timedelta(days=50),
                                                registration_to=ctx.now - dt.timedelta(days=24))
    EventSession.objects.filter(event=festival).update(
        starts_at=ctx.now + dt.timedelta(days=30) - shift,
        ends_at=ctx.now + dt.timedelta(days=30, hours=5) - shift)
    results = [Result.WINNER, Result.PRIZE_2, Result.PRIZE_3] + [Result.PARTICIPANT] * 40
    for number, registration in enumerate(made):
        services.confirm_registration(operator, registration, "Сбор участников в 9:30 у главного входа.")
        if number == 5:  # one family did not come
            continue
        services.mark_attendance(operator, registration)
        is_demo_child = demo_family is not None and registration.child_id == demo_family[1].pk
        services.set_result(operator, registration, Result.PRIZE_3 if is_demo_child else results[number])
    return festival


def _gifted(ctx, operator, showcase_staff):
    proposals = list(GiftedRecord.objects.filter(municipality=operator.municipality).order_by("pk"))
    teachers = list(Teacher.objects.filter(organization__municipality=operator.municipality)
                    .order_by("pk")[:5])
    for number, record in enumerate(proposals[:2]):
        gifted.confirm(operator, record, "Победитель муниципального фестиваля")
        if teachers:
            gifted.set_mentor(operator, record, teachers[number % len(teachers)])
        gifted.add_measure(operator, record, kind="route", title="Индивидуальный образовательный маршрут "
                           "по вокалу", starts_on=ctx.today - dt.timedelta(days=10))
    if proposals:
        gifted.add_measure(operator, proposals[0], kind="camp",
                           title="Путёвка в профильную смену «Созвездие талантов»",
                           starts_on=ctx.today + dt.timedelta(days=40),
                           ends_on=ctx.today + dt.timedelta(days=61))
    pupil = (Child.objects.filter(
        applications__group__module__program__organization_id=showcase_staff.organization_id,
        applications__status=ApplicationStatus.ENROLLED, gifted_record__isnull=True)
        .order_by("pk").first())
    if pupil is not None:
        mentor = Teacher.objects.filter(organization_id=showcase_staff.organization_id).first()
        gifted.nominate(showcase_staff, pupil, direction="technical", mentor=mentor,
                        grounds="Призёр регионального этапа олимпиады НТИ по робототехнике, "
                                "автор проекта «Умная теплица»; рекомендован педагогическим советом.")


def _provider_events(ctx, staff, operator, demo_family):
    master = _published(staff, operator, _base(
        ctx, title="Мастер-класс «Робот своими руками»", kind=_kind("master_class"),
        direction="technical", age_from=8, age_to=13, capacity=8, description=MASTER_CLASS_TEXT),
        _sessions(ctx.now + dt.timedelta(days=9), hours=2, place="Дом детского творчества, каб. 21"))
    for parent, child in _city_children(staff.organization.municipality, 40, lo=9, hi=12)[:10]:
        services.register_child(parent, master, child)
    if demo_family:
        services.register_child(demo_family[0], master, demo_family[1])
    first = master.registrations.order_by("pk").first()
    if first:
        services.confirm_registration(staff, first, "Ждём вас за 10 минут до начала.")
    chess = services.create_event(staff, _base(
        ctx, title="Открытый турнир по шахматам «Белая ладья»", kind=_kind("tournament"),
        direction="sports", age_from=7, age_to=15, capacity=32, teams=True,
        description="Турнир по швейцарской системе, 7 туров, контроль 15 минут + 5 секунд на ход."),
        sessions=_sessions(ctx.now + dt.timedelta(days=16), hours=6,
                           place="Шахматный клуб, ул. Победы, 3"),
        age_categories=[{"title": "До 10 лет", "age_from": 7, "age_to": 10},
                        {"title": "11–15 лет", "age_from": 11, "age_to": 15}])
    services.submit_event(staff, chess)
    services.create_event(staff, _base(
        ctx, title="Выставка работ студии «Палитра»", kind=_kind("exhibition"), direction="arts",
        description="Рисунки и живопись воспитанников студии за учебный год."),
        sessions=_sessions(ctx.now + dt.timedelta(days=40), place="Фойе Дома детского творчества"))


def _regional(ctx, regional, operator):
    contest = _published(regional, regional, _base(
        ctx, title="Областной конкурс юных исследователей «Шаг в науку»", kind=_kind("contest"),
        level=EventLevel.REGIONAL, direction="natural_science", age_from=10, age_to=17,
        capacity=300, registration_to=ctx.now + dt.timedelta(days=45),
        description="Конкурс исследовательских работ школьников. Муниципальные этапы проводят "
                    "опорные центры; победители и призёры этапов выходят в областной финал."),
        _sessions(ctx.now + dt.timedelta(days=60), hours=6, place="Областной центр детского "
                  "творчества, пр. Мира, 40"), nominations=["Биология", "Экология", "Физика"])
    stage = services.create_stage(operator, contest)
    EventSession.objects.filter(event=stage).update(
        starts_at=ctx.now + dt.timedelta(days=25), ends_at=ctx.now + dt.timedelta(days=25, hours=4),
        place="Гимназия № 2, ул. Школьная, 7")
    Event.objects.filter(pk=stage.pk).update(registration_to=ctx.now + dt.timedelta(days=20), capacity=60)
    services.submit_event(operator, stage)
    services.publish_event(operator, stage)
    _published(operator, operator, _base(
        ctx, title="Онлайн-олимпиада «Математический марафон»", kind=_kind("olympiad"),
        direction="natural_science", age_from=9, age_to=14, capacity=200,
        description="Три тура по 40 минут в браузере. Нужен компьютер с камерой."),
        _sessions(ctx.now + dt.timedelta(days=12), hours=2, online_url="https://olymp.example.ru/marathon"))
    _published(operator, operator, _base(
        ctx, title="Зимняя профильная смена «Инженерные каникулы»", kind=_kind("profile_shift"),
        direction="technical", age_from=11, age_to=16, capacity=30, is_free=False,
        price=Decimal("4500.00"), registration_to=ctx.now + dt.timedelta(days=18),
        description="Пять дней проектной работы: 3D-моделирование, электроника, "
                    "программирование. Обед включён."),
        _sessions(ctx.now + dt.timedelta(days=24), hours=7, place="Технопарк «Кванториум», "
                  "ул. Промышленная, 1"))


def build_events(ctx, users) -> None:
    if ctx.today != timezone.localdate():
        return
    operator, staff = users["moc@demo.opora"], users["staff@demo.opora"]
    regional, parent = users["rmc@demo.opora"], users["parent@demo.opora"]
    kids = list(Child.objects.filter(guardianships__parent=parent, guardianships__confirmed_at__isnull=False,
                                     birth_date__lte=ctx.today.replace(year=ctx.today.year - 8),
                                     birth_date__gt=ctx.today.replace(year=ctx.today.year - 13))
                .order_by("pk"))
    demo_family = (parent, kids[0]) if kids else None
    _festival(ctx, operator, demo_family)
    _gifted(ctx, operator, staff)
    _provider_events(ctx, staff, operator, demo_family)
    _regional(ctx, regional, operator)

