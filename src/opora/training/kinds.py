"""The kinds of events for teachers and heads every deployment starts with (more can be
added in the admin) and the plan kind the municipality's plan of professional development
is kept as in ``opora.plans``."""

# code, title, produces a protocol, position
KINDS = [
    ("seminar", "Семинар", False, 1),
    ("webinar", "Вебинар", False, 2),
    ("course", "Курсы повышения квалификации", False, 3),
    ("conference", "Конференция", False, 4),
    ("master_class", "Мастер-класс для педагогов", False, 5),
    ("instruction", "Инструктивное совещание по работе в навигаторе", True, 6),
]

PLAN_KIND = ("training_plan", "План повышения квалификации педагогических и управленческих кадров")


def seed_kinds(model) -> None:
    """Create the starting kinds that are missing; ``model`` is ``TrainingKind``."""
    for code, title, produces_protocol, position in KINDS:
        model.objects.get_or_create(code=code, defaults={
            "title": title, "produces_protocol": produces_protocol, "position": position})


def seed_plan_kind(model) -> None:
    """The plan kind of ``opora.plans`` (``PlanKind``) the plan of professional development
    is; its items name their audience (where the model has that column: an early migration
    runs on the historical model without it)."""
    code, title = PLAN_KIND
    model.objects.get_or_create(code=code, defaults={"title": title, "position": 4})
    if any(field.name == "has_audience" for field in model._meta.get_fields()):
        model.objects.filter(code=code).update(has_audience=True)
