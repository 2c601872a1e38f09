"""The regional criteria of selecting a best practice (docs/domain.md §14), version 1 of
a ``quality.CriteriaSet`` of purpose «practices», created by this app's data migration."""

from decimal import Decimal

TITLE = "Критерии отбора лучших практик"
PURPOSE = "practices"
PASS_THRESHOLD = Decimal(70)
REVISE_THRESHOLD = Decimal(50)

# (title, description, scale maximum, weight, knock-out)
CRITERIA = [
    ("Актуальность и значимость для территории",
     "Практика отвечает на названную проблему детей, семей или организаций муниципалитета.",
     2, Decimal(1), False),
    ("Новизна и отличительные особенности",
     "Показано, чем практика отличается от распространённых решений.", 2, Decimal(1), False),
    ("Подтверждённые результаты",
     "Результаты измерены и подтверждены данными, отзывами, документами за срок не меньше года.",
     2, Decimal(1), True),
    ("Ресурсное обеспечение",
     "Названы кадры, помещения, оборудование и средства; они реалистичны для других организаций.",
     2, Decimal(1), False),
    ("Возможность тиражирования",
     "Описаны условия и шаги, по которым практику может повторить другая организация.",
     2, Decimal(1), False),
    ("Полнота и ясность описания",
     "Описание и материалы позволяют понять практику без её авторов.", 2, Decimal(1), False),
]


def create_default_set(criteria_set_model, criterion_model):
    """Version 1 of the regional set of the practices, once."""
    found = (criteria_set_model.objects.filter(municipality=None, title=TITLE, purpose=PURPOSE)
             .order_by("version").first())
    if found is not None:
        return found
    created = criteria_set_model.objects.create(
        municipality=None, title=TITLE, purpose=PURPOSE, version=1, pass_threshold=PASS_THRESHOLD,
        revise_threshold=REVISE_THRESHOLD)
    criterion_model.objects.bulk_create([
        criterion_model(criteria_set=created, position=position, title=title, description=description,
                        scale_max=scale_max, weight=weight, is_knock_out=knock_out)
        for position, (title, description, scale_max, weight, knock_out) in enumerate(CRITERIA, start=1)])
    return created
