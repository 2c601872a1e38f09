"""The demo portal: the РМЦ's region-wide news, normative documents and materials, and for
each municipality its МОЦ's contacts and structure, news with covers (drawn with Pillow),
methodical materials with DOCX and PDF files whose text is searchable, the centre's own
documents (Положение, приказ, plan as XLSX), one draft and one scheduled news item.
Written through ``portal.services`` in the editors' names, so the CMS shows each page's
revisions and history and the audit trail its publication."""

import datetime as dt
import io
import random

import docx
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image as PillowImage
from PIL import ImageDraw
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Page

from opora import audit
from opora.demo.accounts import ACCOUNTS
from opora.demo.organizations import PLACES
from opora.portal import services, tree
from opora.portal.models import (
    Attachment,
    DocumentPage,
    MaterialPage,
    MunicipalityPage,
    NewsPage,
    RegionPage,
    StaffMember,
)

PALETTES = [((33, 97, 140), (244, 180, 0)), ((46, 125, 50), (255, 241, 118)), ((123, 31, 162), (255, 138, 101)),
            ((0, 121, 107), (178, 235, 242)), ((191, 54, 12), (255, 224, 130)), ((40, 53, 147), (129, 212, 250))]

CONTACTS = {
    "city": ("+7 (3823) 52-14-07", "г. Северск, ул. Ленина, д. 38, каб. 12", "pn-pt 9:00–18:00, обед 13:00–14:00"),
    "town": ("+7 (35130) 2-41-16", "г. Озёрск, пр. Победы, д. 5", "pn-pt 8:30–17:30"),
    "rural": ("+7 (38241) 2-18-90", "пгт Лесной, ул. Школьная, д. 3", "pn-cht 9:00–17:00, pt 9:00–16:00"),
}
HOURS = {"pn-pt": "пн–пт", "pn-cht": "пн–чт", "pt": "пт"}
STAFF = {
    "city": [("methodist", "Орлова Светлана Петровна", "экспертиза программ, навигатор"),
             ("methodist", "Кузнецов Андрей Олегович", "техническая и естественнонаучная направленности"),
             ("organiser", "Миронова Дарья Алексеевна", "конкурсы и массовые мероприятия")],
    "town": [("methodist", "Павлова Елена Игоревна", "программы, сертификаты"),
             ("organiser", "Соколов Илья Романович", "мероприятия и конкурсы")],
    "rural": [("methodist", "Тарасова Галина Ивановна", "сельские школы, сетевые программы"),
              ("organiser", "Белоусова Марина Викторовна", "летняя кампания")],
}

REGION_NEWS = [
    ("Региональный этап конкурса «Педагог дополнительного образования»",
     "Приём заявок от муниципалитетов открыт до 15 февраля; финал пройдёт в апреле.",
     "<p>Конкурс проводится в номинациях: техническое творчество, художественное творчество, "
     "туризм и краеведение, физкультура и спорт, социально-гуманитарная деятельность.</p>"
     "<h2>Как участвовать</h2><ol><li>Пройти муниципальный этап.</li><li>МОЦ направляет заявку и "
     "материалы победителя.</li></ol>", (False, True, True), ["конкурсы", "педагоги"]),
    ("Совещание руководителей муниципальных опорных центров",
     "РМЦ подвёл итоги мониторинга охвата и обсудил с МОЦ план работы на следующее полугодие.",
     "<p>Охват детей дополнительным образованием в области составил 78 %. Муниципалитетам "
     "рекомендовано расширить сетевые и дистанционные программы для сельских школ.</p>",
     (False, False, True), ["совещание", "охват"]),
    ("Обновлён региональный навигатор: поиск с исправлением опечаток",
     "Навигатор понимает опечатки и сокращения: «робот», «ОФП», «питон» находят нужные программы.",
     "<p>Родители могут искать программы так, как говорят, а операторы МОЦ пополняют словарь поиска.</p>",
     (True, False, False), ["навигатор"]),
    ("Курсы повышения квалификации для методистов МОЦ",
     "72 часа, очно-заочно: экспертиза программ, сетевое взаимодействие, работа с навигатором.",
     "<p>Обучение бесплатное для сотрудников МОЦ и организаций дополнительного образования. "
     "Заявки принимает РМЦ.</p>", (False, True, True), ["обучение"]),
]

NEWS = [
    ("Открыта запись на зимние каникулярные программы в {where}",
     "Родители могут записать детей на программы зимних каникул через навигатор.",
     "<p>В навигаторе опубликованы программы зимних каникул: мастерские, походы выходного дня, "
     "интенсивы по робототехнике и шахматам.</p><h2>Как записаться</h2><ol><li>Найдите программу в "
     "навигаторе.</li><li>Выберите группу и подайте заявку.</li><li>Дождитесь подтверждения от "
     "организации.</li></ol>", (True, False, False), ["каникулы", "запись"]),
    ("Семинар для педагогов: программа, которая пройдёт экспертизу",
     "Методисты МОЦ разберут типичные ошибки в дополнительных общеобразовательных программах.",
     "<p>Семинар пройдёт очно с трансляцией. Разберём структуру программы, планируемые результаты и "
     "формы аттестации.</p><ul><li>Для педагогов и методистов.</li><li>Продолжительность: 2 часа.</li></ul>",
     (False, True, False), ["семинар", "программы"]),
    ("Итоги муниципального конкурса «Юный техник»",
     "Участвовали {n} школьников; лучшие проекты рекомендованы на региональный этап.",
     "<p>Жюри отметило проекты по робототехнике и 3D-моделированию. Поздравляем победителей и их "
     "наставников!</p>", (True, True, False), ["конкурсы", "техническое творчество"]),
    ("Как получить сертификат дополнительного образования",
     "Сертификат оформляется один раз и действует до 18 лет: рассказываем, что нужно.",
     "<p>Заявление на сертификат подаётся в личном кабинете навигатора. Понадобятся свидетельство о "
     "рождении или паспорт ребёнка и СНИЛС.</p><h3>Сроки</h3><p>Заявление рассматривается в течение "
     "пяти рабочих дней.</p>", (True, False, False), ["сертификат"]),
    ("Совещание руководителей организаций дополнительного образования",
     "Обсудили охват детей, сертификаты и план мероприятий на второе полугодие.",
     "<p>Представлены итоги мониторинга охвата и график экспертизы программ. Протокол направлен в "
     "организации.</p>", (False, False, True), ["совещание", "охват"]),
    ("Летняя оздоровительная кампания: программы для лагерей с дневным пребыванием",
     "МОЦ собрал краткосрочные программы для пришкольных лагерей: {n} программ уже в навигаторе.",
     "<p>Программы рассчитаны на 2–3 недели и подходят для лагерей при школах и учреждениях "
     "дополнительного образования.</p>", (True, True, False), ["лето", "сезонные программы"]),
]
WHERE = {"city": "Северске", "town": "Озёрске", "rural": "Лесном районе"}

MATERIALS = [
    ("Методические рекомендации по разработке дополнительных общеобразовательных программ", "recommendations",
     "", (False, True, True),
     "Рекомендации по структуре программы: пояснительная записка, учебный план, содержание, планируемые "
     "результаты, формы аттестации, оценочные материалы, методическое обеспечение."),
    ("Шаблон дополнительной общеразвивающей программы технической направленности", "program_template",
     "technical", (False, True, False),
     "Шаблон программы по робототехнике и программированию для детей 7–14 лет: модули, учебный план, "
     "календарный учебный график, материально-техническое обеспечение."),
    ("Презентация «Навигатор дополнительного образования для родителей»", "presentation", "", (True, False, False),
     "Как найти кружок или секцию в навигаторе, подать заявку, получить и использовать сертификат "
     "дополнительного образования."),
    ("Видеоурок «Сетевая форма реализации программ»", "video", "social", (False, True, True),
     "Договор о сетевой форме, распределение часов между организациями-партнёрами, зачёт результатов."),
]

NORMATIVE = [
    ("Концепция развития дополнительного образования детей до 2030 года", "678-р", dt.date(2022, 3, 31),
     "Распоряжение Правительства Российской Федерации."),
    ("Порядок организации и осуществления образовательной деятельности по дополнительным "
     "общеобразовательным программам", "629", dt.date(2022, 7, 27), "Приказ Министерства просвещения РФ."),
    ("Целевая модель развития региональных систем дополнительного образования детей", "467",
     dt.date(2019, 9, 3), "Приказ Министерства просвещения РФ."),
]


def _png_cover(rng, width=1600, height=900) -> bytes:
    """An abstract cover: a two-colour gradient with circles and a band."""
    dark, light = rng.choice(PALETTES)
    image = PillowImage.new("RGB", (width, height), dark)
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 6):
        share = y / height
        shade = tuple(int(a + (b - a) * share * 0.6) for a, b in zip(dark, light, strict=True))
        draw.rectangle([0, y, width, y + 6], fill=shade)
    for _ in range(6):
        r = rng.randint(60, 260)
        x, y = rng.randint(0, width), rng.randint(0, height)
        draw.ellipse([x - r, y - r, x + r, y + r], outline=light, width=rng.randint(6, 18))
    draw.rectangle([0, height - 140, width, height - 110], fill=light)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _docx(title: str, text: str) -> bytes:
    document = docx.Document()
    document.add_heading(title, level=1)
    for sentence in text.split(": "):
        document.add_paragraph(sentence)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _pdf(rng) -> bytes:
    """A one-page PDF (a scanned-looking page: images carry no searchable text)."""
    buffer = io.BytesIO()
    PillowImage.open(io.BytesIO(_png_cover(rng, 1240, 1754))).save(buffer, "PDF", resolution=150)
    return buffer.getvalue()


def _document(collection, title, name, content) -> Document:
    return Document.objects.create(title=title, collection=collection, file=ContentFile(content, name=name))


def _cover(collection, rng, title) -> Image:
    return Image.objects.create(title=title, collection=collection,
                                file=ContentFile(_png_cover(rng), name="cover.jpg"))


def _fill(page, user, rng, today, place_key):
    collection = tree.collection_of(page)
    is_region = not place_key
    chosen = REGION_NEWS if is_region else rng.sample(NEWS, 5)
    for n, (title, lead, body, audience, tags) in enumerate(chosen):
        title = title.format(where=WHERE.get(place_key, ""))
        lead = lead.format(n=rng.randint(24, 96))
        item = NewsPage(title=title, lead=lead, body=body, for_parents=audience[0], for_teachers=audience[1],
                        for_heads=audience[2], cover=_cover(collection, rng, title),
                        date=today - dt.timedelta(days=2 + n * 9 + rng.randint(0, 5)))
        item.tags.add(*tags)
        services.add_content(user, page, item)
    for title, kind, direction, audience, text in MATERIALS:
        files = [Attachment(document=_document(collection, title, "material.docx", _docx(title, text)))]
        services.add_content(user, page, MaterialPage(
            title=title, lead=text.split(":")[0] + ".", kind=kind, direction=direction,
            for_parents=audience[0], for_teachers=audience[1], for_heads=audience[2],
            video_url="https://rutube.ru/" if kind == "video" else "",
            date=today - dt.timedelta(days=rng.randint(10, 120)), attachments=files))
    if is_region:
        for title, number, signed_on, lead in NORMATIVE:
            services.add_content(user, page, DocumentPage(
                title=title, kind="normative", number=number, signed_on=signed_on, lead=lead,
                date=signed_on, attachments=[Attachment(document=_document(collection, title, "document.pdf",
                                                                           _pdf(rng)))]))
    else:
        year = today.year
        for title, kind, name, content in (
            ("Положение о муниципальном опорном центре дополнительного образования детей", "regulation",
             "polozhenie.docx", _docx("Положение о МОЦ", "Общие положения: цели и задачи МОЦ: функции: "
                                      "организация деятельности")),
            ("Приказ о создании муниципального опорного центра", "order", "prikaz.pdf", _pdf(rng)),
        ):  # the МОЦ's approved plan is published by Opora itself (opora.portal.plans)
            services.add_content(user, page, DocumentPage(
                title=title, kind=kind, number=f"{rng.randint(10, 240)}-о" if kind == "order" else "",
                signed_on=dt.date(year, 1, rng.randint(9, 28)), date=dt.date(year, 1, 30),
                lead="Документ муниципального опорного центра.",
                attachments=[Attachment(document=_document(collection, title, name, content))]))
    # what an editor finds in progress: a draft and a news item waiting for its date
    services.add_content(user, page, NewsPage(title="Черновик: итоги летней кампании", lead="Готовится.",
                                              body="<p>Текст готовится.</p>"), publish=False)
    services.add_content(user, page, NewsPage(
        title="Старт приёма заявок на весенние интенсивы", lead="Приём заявок начнётся через неделю.",
        for_parents=True, date=today + dt.timedelta(days=7)),
        go_live_at=timezone.now() + dt.timedelta(days=7))


def build_portal(ctx, users) -> None:
    """The portal of the demo region, written by the demo МОЦ operators and the РМЦ."""
    tree.ensure_portal()
    rng = random.Random(f"{ctx.seed}:portal")
    today = ctx.today
    by_place = {a.place: users[a.email] for a in ACCOUNTS if a.organization == "support_centre"}
    head_of = {a.place: " ".join(a.name) for a in ACCOUNTS if a.organization == "support_centre"}
    region_user = users[next(a.email for a in ACCOUNTS if a.email.startswith("rmc@"))]
    region_page = RegionPage.objects.get()
    address = "г. Северск, пр. Коммунистический, д. 1"
    services.edit_content(
        region_user, region_page, phone="+7 (3822) 90-11-22", email="rmc@demo.opora", address=address,
        centre_name="Региональный модельный центр дополнительного образования детей Северной области",
        hours="пн–пт 9:00–18:00", map_url="https://yandex.ru/maps/?text=" + address.replace(" ", "+"),
        staff=[StaffMember(position="head", name="Лебедева Ольга Игоревна")])
    services.publish(region_user, region_page)
    _fill(RegionPage.objects.get(), region_user, rng, today, "")
    for place in PLACES:
        user = by_place[place.key]
        page = MunicipalityPage.objects.get(municipality__name=place.name)
        phone, address, hours = CONTACTS[place.key]
        for latin, russian in HOURS.items():
            hours = hours.replace(latin, russian)
        services.edit_content(
            user, page, phone=phone, address=address, hours=hours, email=user.email,
            map_url="https://yandex.ru/maps/?text=" + address.replace(" ", "+"),
            about=("<p>Муниципальный опорный центр обеспечивает методическое, организационное и "
                   "информационное сопровождение организаций дополнительного образования, ведёт навигатор "
                   "и персонифицированное финансирование.</p>"),
            staff=[StaffMember(position="head", name=head_of[place.key], phone=phone),
                   *(StaffMember(position=p, name=n, duties=d) for p, n, d in STAFF[place.key])])
        services.publish(user, page)
        _fill(MunicipalityPage.objects.get(pk=page.pk), user, rng, today, place.key)
    # the services recorded the portal's audit trail now; the demo's portal was made on its day
    for model, pks in _by_model(Page.objects.all()).items():
        audit.restamp(model, pks, ctx.moment(today))


def forget(region) -> None:
    """Delete the region's portal pages, their images and documents (the demo's reset),
    with the audit trail of the pages."""
    pages = list(MunicipalityPage.objects.filter(municipality__region=region)) + list(RegionPage.objects.all())
    trail = _by_model(Page.objects.filter(pk__in=[
        pk for page in pages
        for pk in Page.objects.descendant_of(page, inclusive=True).values_list("pk", flat=True)]))
    for page in pages:
        collection = tree.collection_of(page)
        for child in page.get_children():
            child.delete()
        Image.objects.filter(collection=collection).delete()
        Document.objects.filter(collection=collection).delete()
        Page.objects.get(pk=page.pk).delete()
    for model, pks in trail.items():
        audit.forget(model, pks)


def _by_model(pages) -> dict:
    """The pages' ids by their own model: the audit trail names a page by its kind."""
    found = {}
    for pk, content_type in pages.values_list("pk", "content_type"):
        found.setdefault(ContentType.objects.get_for_id(content_type).model_class(), []).append(pk)
    return found
