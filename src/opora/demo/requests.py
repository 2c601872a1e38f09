"""The demo's data requests from the РМЦ (мониторинговые исследования), made through the
surveys' services as the РМЦ and the МОЦ operators would make them: one request in
progress — a form with a prefilled number, a text and a choice, two municipalities
answered (one accepted, one returned for correction with remarks), the third not yet —
and one past its deadline: one municipality answered late, the others not at all (its
deadline and the days it was made and sent are moved into the past afterwards, as the
history of the demo does with dates, so it reads as sent three weeks ago and due five days
ago).
Deterministic; a handful of statements."""

import datetime as dt

from django.utils import timezone

from opora.surveys import services
from opora.surveys.models import Survey

FORM = [
    {"label": "Число обучающихся детей 5–17 лет", "kind": "number", "required": True,
     "prefill": "covered_children"},
    {"label": "Число педагогов с первой или высшей категорией", "kind": "number",
     "prefill": "teachers_categorised"},
    {"label": "Проводятся ли летние профильные смены", "kind": "choice",
     "options": ["Да", "Нет", "Планируются"], "required": True},
    {"label": "Комментарий муниципалитета", "kind": "text"},
]


def _answer(operator, reply, typed: dict):
    """The МОЦ's answer: the prefilled numbers as they stand, the rest typed by label."""
    values = {}
    for answer in reply.answers.select_related("field"):
        if answer.field.kind == "number":
            values[str(answer.field_id)] = "" if answer.number is None else str(answer.number)
        else:
            values[str(answer.field_id)] = typed.get(answer.field.label, "")
    return services.save_reply(operator, reply, values, submit=True)


def build_requests(ctx, users, operators: dict) -> list[Survey]:
    """The two requests of the РМЦ; ``operators``: place key -> the МОЦ operator."""
    if ctx.today != timezone.localdate():  # the services stamp the present moment
        return []
    rmc = users["rmc@demo.opora"]
    keys = sorted(operators)
    today = ctx.today
    current = services.save_survey(rmc, {
        "title": "Мониторинг охвата и кадров на 1 декабря",
        "description": "Проверьте предзаполненные числа и дополните сведения о сменах.",
        "deadline": today + dt.timedelta(days=10), "municipalities": None,
        "asks_providers": False, "fields": FORM})
    services.send_survey(rmc, current)
    Survey.objects.filter(pk=current.pk).update(
        created_at=ctx.moment(today - dt.timedelta(days=4), 10), sent_at=ctx.moment(today - dt.timedelta(days=4), 11))
    replies = {reply.municipality_id: reply for reply in current.replies.all()}
    first, second = (operators[key] for key in keys[:2])
    shifts, comment = FORM[2]["label"], FORM[3]["label"]
    accepted = _answer(first, replies[first.municipality_id],
                       {shifts: "Да", comment: "Сведения сверены с организациями."})
    services.review_reply(rmc, accepted, accept=True)
    returned = _answer(second, replies[second.municipality_id], {shifts: "Нет"})
    services.review_reply(rmc, returned, accept=False,
                          remarks="Число педагогов не сходится с реестром: проверьте совместителей.")

    overdue = services.save_survey(rmc, {
        "title": "Сведения о летней занятости детей",
        "description": "Ответ нужен для отчёта в министерство.",
        "deadline": today, "municipalities": None, "asks_providers": False,
        "fields": FORM[2:]})
    services.send_survey(rmc, overdue)
    Survey.objects.filter(pk=overdue.pk).update(
        deadline=today - dt.timedelta(days=5), created_at=ctx.moment(today - dt.timedelta(days=21), 10),
        sent_at=ctx.moment(today - dt.timedelta(days=21), 11))
    overdue.refresh_from_db()
    late = overdue.replies.get(municipality_id=operators[keys[-1]].municipality_id)
    answered = _answer(operators[keys[-1]], late,
                       {shifts: "Планируются", comment: "Ответ задержан: ждали данные школ."})
    return [current, overdue, answered]
