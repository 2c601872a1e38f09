"""The demo's bank of best practices: the showcase provider's network school of robotics
for village pupils — reviewed by two experts, published, forwarded to the РМЦ and marked
regional — and its other practices in review (``expert@demo.opora`` has a sheet to fill),
returned with remarks and in draft; a published practice of another provider of the city,
one submitted and waiting for the МОЦ, and a published practice of Ozersk forwarded to the
РМЦ. Built through the practices services (the experts are the quality demo's), so the
cycle and the audit trail are real; like the quality demo, only for today."""

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from opora.accounts.models import Role, User
from opora.practices import services
from opora.registry.choices import ProgramStatus
from opora.registry.models import Program

PRACTICES = [
    # key, title, direction, target group, kind, summary, results, replication
    ("robotics", "Сетевая школа робототехники для сельских школьников", "technical", "rural", "network",
     "Педагоги центра раз в неделю приезжают в три сельские школы с передвижным комплектом "
     "конструкторов; между выездами дети работают над проектами с учителем технологии по "
     "видеосвязи. Весной команды школ выступают на муниципальных соревнованиях.",
     "За два года в школе занимались 126 детей из трёх сёл; 14 призёров муниципальных и 3 призёра "
     "областных соревнований; доля сельских детей в технической направленности выросла с 4 до 11 %.",
     "Нужны договор о сетевой форме со школой, передвижной комплект на 12 рабочих мест, автомобиль "
     "для выездов раз в неделю и учитель школы, готовый вести занятия между выездами."),
    ("inclusive", "Инклюзивная театральная студия «Вместе»", "arts", "ovz", "methodology",
     "Методика совместных занятий детей с ОВЗ и их сверстников: короткие этюды, визуальное "
     "расписание, роль тьютора в группе, итоговый спектакль для семей.",
     "За год — 2 спектакля, 18 детей с ОВЗ в смешанных группах; родители отмечают рост "
     "самостоятельности детей (анкета, 92 % ответивших).",
     "Нужны педагог, прошедший курс по инклюзии, тьютор на группу и зал с безбарьерным доступом."),
    ("online", "Дистанционный клуб юных исследователей", "natural_science", "gifted", "distance",
     "Еженедельные онлайн-встречи школьников с учёными вуза и исследовательские мини-проекты "
     "с домашними наборами.",
     "40 участников из 9 школ, 6 работ на региональной конференции.",
     "Нужны договор с вузом, платформа видеосвязи и наборы для опытов на дом."),
    ("quest", "Городской краеведческий квест «Улицы героев»", "tourism", "all", "event",
     "Командная игра по улицам города, названным в честь земляков; задания готовят школьники-волонтёры.",
     "Три сезона, 600 участников, маршрут вошёл в программу школьных экскурсий.",
     "Нужны карта маршрута, 10 волонтёров-станционных и согласование с администрацией."),
    ("mentors", "Наставничество молодых педагогов в сети организаций", "social", "all", "management",
     "Пары «опытный — молодой педагог» из разных организаций муниципалитета, взаимные посещения "
     "занятий и общий методический день раз в квартал.",
     "Из 12 молодых педагогов за два года ушли двое (раньше — половина); 5 открытых занятий.",
     "Нужны положение о наставничестве, доплата наставникам и календарь методических дней."),
    ("sport", "Семейные старты выходного дня", "sports", "difficult", "event",
     "Спортивные праздники для детей в трудной жизненной ситуации вместе с родителями в выходные.",
     "", ""),
]
TEXTS = {key: (title, direction, target, kind, summary, results, replication)
         for key, title, direction, target, kind, summary, results, replication in PRACTICES}
REMARKS = ("Подтвердите результаты: приложите протоколы соревнований и данные о числе детей по "
           "годам; опишите, кто ведёт занятия между выездами.")
# scores of a sheet by criterion position (1–6), and comments on the lower ones
STRONG, GOOD = [2, 2, 2, 2, 2, 2], [2, 1, 2, 2, 2, 1]
COMMENT = "Описано недостаточно подробно: добавьте цифры и примеры."


def _results_table() -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Результаты"
    sheet.append(["Учебный год", "Детей", "Сёл", "Призёров муниципальных", "Призёров областных"])
    for row in (("2024/2025", 58, 2, 5, 1), ("2025/2026", 68, 3, 9, 2)):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("Результаты школы робототехники.xlsx", buffer.getvalue())


def _data(key, organization) -> dict:
    title, direction, target, kind, summary, results, replication = TEXTS[key]
    programs = list(Program.objects.filter(organization=organization, status=ProgramStatus.PUBLISHED,
                                           direction=direction).order_by("pk").values_list("pk", flat=True)[:2])
    return {"title": title, "authors": "Соколова Анна Викторовна, Белов Дмитрий Олегович",
            "direction": direction, "target_group": target, "kind": kind, "summary": summary,
            "goals": "Сделать дополнительное образование доступным детям, которым оно доступно меньше других.",
            "resources": "Педагоги центра, оборудование, партнёры практики.",
            "results": results, "replication": replication, "programs": programs,
            "links": ["https://example.org/praktiki/" + key]}


def _score(practice, rows):
    for index, assignment in enumerate(practice.assignments.filter(status="assigned").order_by("pk")):
        row = rows[index % len(rows)]
        sheet = {c.pk: (row[c.position - 1], "" if row[c.position - 1] == c.scale_max else COMMENT)
                 for c in practice.criteria_set.criteria.all()}
        services.save_sheet(assignment.expert, assignment, sheet, submit=True)
    practice.refresh_from_db()
    return practice


def _staff_of(municipality, *, exclude=None):
    return (User.objects.filter(role=Role.ORGANIZATION_STAFF, is_active=True, organization__municipality=municipality,
                                organization__is_support_centre=False)
            .exclude(organization=exclude).order_by("pk").first())


def build_practices(ctx, users) -> None:
    if ctx.today != timezone.localdate():
        return
    operator, staff, rmc = users["moc@demo.opora"], users["staff@demo.opora"], users["rmc@demo.opora"]
    demo_expert = users["expert@demo.opora"]
    showcase = staff.organization

    robotics = services.save_practice(staff, _data("robotics", showcase))
    services.add_file(staff, robotics, _results_table())
    robotics = services.start_review(operator, services.submit(staff, robotics))
    robotics = _score(robotics, [STRONG, GOOD])
    services.forward(operator, services.publish(operator, robotics))
    services.mark_regional(rmc, robotics)

    inclusive = services.save_practice(staff, _data("inclusive", showcase))
    second = User.objects.filter(email="expert.romanova@demo.opora").values_list("pk", flat=True).first()
    services.start_review(operator, services.submit(staff, inclusive),
                          experts=[pk for pk in (demo_expert.pk, second) if pk])

    returned = services.save_practice(staff, _data("online", showcase))
    services.return_practice(operator, services.submit(staff, returned), REMARKS)
    services.save_practice(staff, _data("sport", showcase))

    city = operator.municipality
    other = _staff_of(city, exclude=showcase)
    if other is not None:
        quest = services.save_practice(other, _data("quest", other.organization))
        quest = _score(services.start_review(operator, services.submit(other, quest)), [GOOD])
        services.publish(operator, quest)
        services.submit(other, services.save_practice(other, _data("mentors", other.organization)))

    moc_town = users.get("moc.ozersk@demo.opora")
    town_staff = _staff_of(moc_town.municipality) if moc_town is not None else None
    if town_staff is not None:
        mentors = services.save_practice(town_staff, _data("mentors", town_staff.organization))
        mentors = _score(services.start_review(moc_town, services.submit(town_staff, mentors)), [STRONG, GOOD])
        services.forward(moc_town, services.publish(moc_town, mentors))
