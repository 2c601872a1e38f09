"""Reference lists the registry needs in every database: the standard specialisations
under each direction, as regional navigators list them. The data migration seeds them;
tests that flush the database (browser and race tests) seed them again."""

SPECIALISATIONS = {
    "technical": [("Робототехника", True), ("Программирование", True),
                  ("Беспилотные авиационные системы", True), ("3D-моделирование и прототипирование", True),
                  ("Электроника и радиотехника", False), ("Судо- и авиамоделирование", False),
                  ("Техническое творчество", False)],
    "natural_science": [("Экология", True), ("Химия", False), ("Физика", False),
                        ("Биология", False), ("Астрономия", False), ("Естественнонаучные исследования", True)],
    "arts": [("Изобразительное искусство", False), ("Декоративно-прикладное творчество", False),
             ("Хореография", False), ("Вокал", False), ("Инструментальная музыка", False),
             ("Театр", False), ("Кино и медиа", True), ("Дизайн", False)],
    "tourism": [("Спортивный туризм", False), ("Краеведение", True), ("Музейное дело", False),
                ("Экскурсоводство", False), ("Ориентирование", False)],
    "social": [("Иностранные языки", False), ("Журналистика и медиа", False),
               ("Волонтёрство", True), ("Патриотическое воспитание", True),
               ("Финансовая грамотность", True), ("Подготовка к школе", False),
               ("Лидерство и проектная деятельность", False), ("Психология и общение", False)],
    "sports": [("Футбол", False), ("Баскетбол", False), ("Волейбол", False), ("Плавание", False),
               ("Шахматы", True), ("Единоборства", False), ("Лёгкая атлетика", False),
               ("Гимнастика", False), ("ГТО и общая физическая подготовка", True), ("Лыжные гонки", False)],
}


def seed_specialisations(model) -> None:
    """Create the missing standard specialisations; ``model`` may be a migration's
    historical model."""
    model.objects.bulk_create(
        [model(direction=direction, name=name, is_significant=significant)
         for direction, items in SPECIALISATIONS.items() for name, significant in items],
        ignore_conflicts=True,
    )
