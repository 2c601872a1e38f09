"""The invariant criteria of an expert sheet (docs/domain.md §12): the regional set every
municipality starts from. Used by the data migration that creates version 1."""

from decimal import Decimal

TITLE = "Экспертный лист независимой оценки качества программы"
PASS_THRESHOLD = Decimal(70)
REVISE_THRESHOLD = Decimal(50)

# (title, description, scale maximum, weight, knock-out)
CRITERIA = [
    ("Актуальность и отличительные особенности программы",
     "Обоснована актуальность программы для детей и территории; названы её новизна и отличия "
     "от программ той же направленности.", 2, Decimal(1), False),
    ("Наличие обязательных структурных элементов",
     "Комплекс основных характеристик (пояснительная записка, цель и задачи, содержание, "
     "планируемые результаты) и организационно-педагогических условий (учебный план, "
     "календарный учебный график, условия реализации, формы аттестации, оценочные и "
     "методические материалы).", 2, Decimal(1), True),
    ("Обоснованность цели и задач",
     "Цель конкретна и достижима за срок программы; задачи раскрывают путь к ней.",
     2, Decimal(1), False),
    ("Логичность и соответствие содержания, форм и методов цели и задачам",
     "Содержание разделов, формы занятий и методы ведут к заявленной цели; объём часов "
     "распределён последовательно.", 2, Decimal(1), False),
    ("Система оценки результатов",
     "Указаны формы контроля и аттестации, оценочные материалы и критерии; они проверяют "
     "планируемые результаты.", 2, Decimal(1), False),
    ("Конкретность описания",
     "Программа написана ясно и без общих фраз; родитель и ребёнок понимают, чему и как "
     "будут учиться.", 2, Decimal(1), False),
]


def create_default_set(criteria_set_model, criterion_model):
    """Version 1 of the regional set, once."""
    found = criteria_set_model.objects.filter(municipality=None, title=TITLE).order_by("version").first()
    if found is not None:
        return found
    created = criteria_set_model.objects.create(
        municipality=None, title=TITLE, version=1, pass_threshold=PASS_THRESHOLD,
        revise_threshold=REVISE_THRESHOLD)
    criterion_model.objects.bulk_create([
        criterion_model(criteria_set=created, position=position, title=title,
                        description=description, scale_max=scale_max, weight=weight,
                        is_knock_out=knock_out)
        for position, (title, description, scale_max, weight, knock_out)
        in enumerate(CRITERIA, start=1)])
    return created


# The first version of the parents' rating rules (docs/domain.md §12): the four marks
# weighted 0.3 / 0.2 / 0.2 / 0.3 (results and overall satisfaction count most), two points
# off at a 100 % share of contracts ended early by the parents, shown from 10 % of the
# qualifying enrolments rated and at least three ratings.
DEFAULT_RATING_RULES = {
    "version": 1, "weight_results": Decimal("0.30"), "weight_staff": Decimal("0.20"),
    "weight_means": Decimal("0.20"), "weight_overall": Decimal("0.30"),
    "early_penalty": Decimal("2.00"), "min_share": Decimal("10.00"), "min_ratings": 3,
}


def create_default_rating_rules(rules_model):
    if not rules_model.objects.exists():
        rules_model.objects.create(**DEFAULT_RATING_RULES)
