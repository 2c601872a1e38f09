"""The demo's hotline and mailing: a lived-in queue in each municipality — answered
questions (a few late), questions in work, one waiting for details, one escalated to the
РМЦ, some overdue (the head of the МОЦ already told) —, two questions of
``parent@demo.opora`` (one answered, one in work), one of ``staff@demo.opora``, the МОЦ
hotlines' phones and heads, a few FAQ entries published by the operators, parents who
agreed to news, and one mailing of the city's МОЦ sent to its providers.

Rows are written in bulk with past moments (the services stamp the present); deadlines
come from the same working-day rule and seeded calendar the services use."""

import datetime as dt

from opora import audit
from opora.accounts.models import Role, User
from opora.hotline import services as hotline
from opora.hotline.models import (
    Channel,
    Desk,
    FaqEntry,
    Message,
    MessageKind,
    Question,
    QuestionStatus,
)
from opora.mailing.models import Delivery, DeliveryStatus, Mailing, MailingStatus, NewsConsent
from opora.registry.models import Organization

# (topic, question, answer)
ASKED = [
    ("certificate", "Ребёнку исполнилось 5 лет. С какого момента можно получить сертификат и "
     "какие документы нужны?",
     "Сертификат выдаётся с 5 лет. Подайте заявление в личном кабинете навигатора, в разделе "
     "«Сертификаты»; понадобятся свидетельство о рождении и СНИЛС ребёнка."),
    ("certificate", "Чем сертификат учёта отличается от сертификата финансирования?",
     "Сертификат учёта даёт запись на бесплатные программы. Сертификат финансирования, кроме "
     "того, оплачивает обучение в сертифицированных программах в пределах номинала."),
    ("certificate", "Остался ли на сертификате остаток на следующий год, если мы ходили только "
     "полгода?",
     "Номинал действует в пределах периода финансирования; неиспользованный остаток на "
     "следующий период не переносится, в новом периоде номинал устанавливается заново."),
    ("application", "Подали заявку в секцию плавания, статус «В очереди». Как узнать, когда "
     "освободится место?",
     "Номер в очереди виден в разделе «Заявки». Когда место освободится, оно достанется "
     "первому в очереди, и вам придёт письмо."),
    ("application", "Можно ли записать ребёнка сразу в три кружка?",
     "Да, в пределах ограничения муниципалитета на число одновременных заявок; если расписание "
     "групп пересекается, организация может отказать."),
    ("application", "Организация отклонила заявку без объяснения. Куда обратиться?",
     "Причина отказа указывается в карточке заявки. Если её нет, напишите нам номер заявки — "
     "мы уточним у организации."),
    ("account", "Не приходит письмо для подтверждения e-mail при регистрации.",
     "Проверьте папку «Спам». Если письма нет, нажмите «Отправить ещё раз» на странице входа "
     "или напишите нам адрес, на который регистрировались."),
    ("account", "Как добавить второго ребёнка в личный кабинет?",
     "В разделе «Мои дети» нажмите «Добавить ребёнка» и укажите его СНИЛС и дату рождения."),
    ("program", "Наш кружок не отображается в навигаторе, хотя программа загружена.",
     "Программа появится в навигаторе после модерации МОЦ. Проверьте её статус в разделе «Мои "
     "программы»: если она возвращена на доработку, исправьте замечания."),
    ("program", "Как загрузить сразу несколько программ из Excel?",
     "Воспользуйтесь разделом «Импорт из Excel»: скачайте шаблон, заполните его и загрузите "
     "файл; ошибки покажутся с номерами строк."),
    ("other", "Будут ли летом работать кружки в пришкольном лагере?",
     "Сезонные программы публикуются в навигаторе к маю; подпишитесь на новости МОЦ в личном "
     "кабинете, чтобы не пропустить запись."),
    ("certificate", "Переехали из другого района области. Нужно ли получать сертификат заново?",
     "Сертификат действует по всей области; сообщите нам новый адрес, и мы переведём его в "
     "реестр нашего муниципалитета."),
]
NAMES = ["Ольга Кузнецова", "Дмитрий Волков", "Елена Морозова", "Сергей Павлов",
         "Наталья Соколова", "Андрей Попов", "Ирина Лебедева", "Татьяна Козлова",
         "Михаил Новиков", "Светлана Егорова", "Юлия Степанова", "Павел Орлов"]
OPEN = ["Сертификат заморожен, хотя мы ничего не меняли. Что случилось?",
        "Не могу войти в кабинет: пишет, что учётная запись заблокирована.",
        "Как подать заявление на сертификат, если у ребёнка нет СНИЛС?",
        "Хотим открыть новую группу по робототехнике: нужна ли повторная сертификация?",
        "Почему стоимость занятия в навигаторе отличается от договора?"]
DESKS = {"city": ("8 (38223) 5-10-20", "пн–пт 9:00–18:00, обед 13:00–14:00",
                  "Кравцова Ирина Владимировна", "head.moc@seversk-edu.example"),
         "town": ("8 (38224) 2-33-40", "пн–пт 9:00–17:00", "Фёдорова Анна Юрьевна", ""),
         "rural": ("8 (38225) 4-12-12", "пн–чт 9:00–17:00, пт 9:00–16:00", "Никитин Сергей Васильевич",
                   "")}
MAILING_SUBJECT = "Открыт приём заявлений на сертификаты финансирования"
MAILING_BODY = """Уважаемые коллеги!

С 1 декабря в навигаторе открыт приём заявлений на сертификаты финансирования на новый период.
Просим разместить объявление на сайтах организаций и в родительских чатах, проверить расписание
групп и актуальность стоимости программ в навигаторе до 15 декабря.

Вопросы можно задать на горячей линии МОЦ: 8 (38223) 5-10-20 или в разделе «Задать вопрос».

Муниципальный опорный центр городского округа Северск"""


def build_hotline(ctx, municipalities: dict, users: dict) -> None:
    rng = ctx.rng("hotline")
    operators = {key: next(u for u in users.values() if u.role == Role.SUPPORT_CENTRE
                           and u.municipality_id == m.pk) for key, m in municipalities.items()}
    regional = next(u for u in users.values() if u.role == Role.REGIONAL_CENTRE and not u.is_superuser)
    parent = users["parent@demo.opora"]
    staff = users["staff@demo.opora"]
    Desk.objects.bulk_create(Desk(municipality=municipalities[key], phone=phone, hours=hours,
                                  head_name=head, head_email=email)
                             for key, (phone, hours, head, email) in DESKS.items())

    rows, answers = [], []
    share = {"city": 1.0, "town": 0.6, "rural": 0.4}

    def add(key, topic, text, days_ago, hour, **extra):
        received = ctx.moment(ctx.today - dt.timedelta(days=days_ago), hour, rng.randint(0, 59))
        deadline = hotline.deadline_for(topic, received.date())
        name = extra.pop("name", None) or rng.choice(NAMES)
        question = Question(municipality=municipalities[key], topic=topic, name=name,
                            email=extra.pop("email", f"{rng.randint(1000, 9999)}@mail.example"),
                            text=text, received_at=received, deadline=deadline,
                            channel=extra.pop("channel", Channel.SITE), **extra)
        rows.append(question)
        return question

    for key in municipalities:
        count = round(len(ASKED) * share[key])
        for n, (topic, text, answer) in enumerate(rng.sample(ASKED, count)):
            question = add(key, topic, text, days_ago=rng.randint(6, 80), hour=rng.randint(8, 19),
                           channel=Channel.PHONE if n % 5 == 4 else Channel.SITE)
            late = n % 6 == 5
            answered = ctx.moment(question.deadline + dt.timedelta(days=2 if late else 0),
                                  rng.randint(10, 17)) if late else question.received_at + dt.timedelta(
                hours=rng.randint(2, 40))
            if not late and answered.date() > question.deadline:
                answered = ctx.moment(question.deadline, 16)
            question.status = QuestionStatus.ANSWERED
            question.answer, question.answered_at = answer, answered
            question.answered_by = question.taken_by = operators[key]
            question.answered_on_time = answered.date() <= question.deadline
            answers.append(question)
        # open ones: two new today, one in work, one overdue (reported), one overdue in work
        add(key, "certificate", OPEN[0], days_ago=0, hour=9)
        add(key, "account", OPEN[1], days_ago=1, hour=15, status=QuestionStatus.IN_WORK,
            taken_by=operators[key])
        add(key, "certificate", OPEN[2], days_ago=9, hour=11, overdue_reported_at=ctx.now)
        if key == "city":
            add(key, "program", OPEN[3], days_ago=12, hour=10, status=QuestionStatus.IN_WORK,
                taken_by=operators[key], overdue_reported_at=ctx.now)
            add(key, "application", OPEN[4], days_ago=2, hour=12,
                status=QuestionStatus.AWAITING_DETAILS, taken_by=operators[key])
            add(key, "certificate", "Положен ли сертификат ребёнку-инвалиду сверх номинала? "
                "В положении о ПФДО об этом ничего не сказано.", days_ago=1, hour=17,
                status=QuestionStatus.ESCALATED)
    # the demo parent's and the showcase provider's own questions
    mine = add("city", "certificate", "Сын получил сертификат учёта. Как перевести его в "
               "сертификат финансирования?", days_ago=5, hour=20, asker=parent,
               name=parent.full_name, email=parent.email, channel=Channel.CABINET,
               status=QuestionStatus.ANSWERED, answered_by=operators["city"],
               taken_by=operators["city"])
    mine.answer = ("Подайте заявление на сертификат финансирования в разделе «Сертификаты» "
                   "личного кабинета: МОЦ рассмотрит его в течение пяти рабочих дней.")
    mine.answered_at = mine.received_at + dt.timedelta(hours=15)
    mine.answered_on_time = True
    add("city", "application", "Дочь в очереди в «Школу танца» под номером 3. Есть ли похожие "
        "группы рядом с домом с записью сейчас?", days_ago=0, hour=8, asker=parent,
        name=parent.full_name, email=parent.email, channel=Channel.CABINET,
        status=QuestionStatus.IN_WORK, taken_by=operators["city"])
    add("city", "program", "Как указать в программе сетевую форму с партнёром-школой?",
        days_ago=3, hour=14, asker=staff, name=staff.full_name, email=staff.email,
        channel=Channel.CABINET)

    Question.objects.bulk_create(rows, batch_size=500)
    messages = [Message(question=q, kind=MessageKind.ANSWER, text=q.answer, author=q.answered_by,
                        created_at=q.answered_at) for q in rows if q.status == QuestionStatus.ANSWERED]
    for q in rows:
        if q.status == QuestionStatus.AWAITING_DETAILS:
            messages.append(Message(question=q, kind=MessageKind.DETAILS_REQUESTED, author=q.taken_by,
                                    created_at=q.received_at + dt.timedelta(hours=3),
                                    text="Уточните, пожалуйста, название программы и группы."))
        if q.status == QuestionStatus.ESCALATED:
            messages.append(Message(question=q, kind=MessageKind.ESCALATED, author=operators["city"],
                                    created_at=q.received_at + dt.timedelta(hours=16),
                                    text="Нужно разъяснение РМЦ по региональному положению о ПФДО."))
    Message.objects.bulk_create(messages)
    audit.record_many(audit.event(q.registered_by, "hotline.question.received", q, to_state="new",
                                  at=q.received_at) for q in rows)

    _faq(answers, operators, regional)
    _mailing(ctx, municipalities["city"], operators["city"], users)


def _faq(answers, operators, regional):
    by_topic = {}
    for question in answers:
        by_topic.setdefault((question.municipality_id, question.topic), question)
    chosen = [q for (m, topic), q in by_topic.items() if m == answers[0].municipality_id][:4]
    entries = [FaqEntry(question=q, municipality=q.municipality, topic=q.topic, title=q.text,
                        body=q.answer, published_by=q.answered_by, published_at=q.answered_at)
               for q in chosen]
    entries.append(FaqEntry(topic="certificate", title="Действует ли сертификат в другом "
                            "муниципалитете области?", body="Да: сертификат дополнительного "
                            "образования действует во всех муниципалитетах Северной области.",
                            published_by=regional))
    FaqEntry.objects.bulk_create(entries)


def _mailing(ctx, city, operator, users):
    parents = list(User.objects.filter(role=Role.PARENT, municipality=city).order_by("pk")[:400:3])
    NewsConsent.objects.bulk_create(NewsConsent(user=p, agreed_at=ctx.now) for p in parents)
    addresses = sorted({e.lower() for e in Organization.objects.filter(
        municipality=city, is_active=True).exclude(email="").values_list("email", flat=True)})
    sent_at = ctx.now - dt.timedelta(days=4)
    mailing = Mailing.objects.create(
        municipality=city, author=operator, subject=MAILING_SUBJECT, body=MAILING_BODY,
        to_providers=True, status=MailingStatus.SENT, recipients_count=len(addresses),
        delivered_count=max(len(addresses) - 1, 0), failed_count=min(1, len(addresses)),
        created_at=sent_at, finished_at=sent_at + dt.timedelta(minutes=2))
    Delivery.objects.bulk_create(
        Delivery(mailing=mailing, email=a,
                 status=DeliveryStatus.FAILED if i == 0 else DeliveryStatus.SENT,
                 error="550 5.1.1 mailbox unavailable" if i == 0 else "",
                 sent_at=None if i == 0 else sent_at) for i, a in enumerate(addresses))
