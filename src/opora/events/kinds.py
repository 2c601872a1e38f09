"""The kinds of events every deployment starts with (more can be added in the admin)."""

KINDS = [
    ("master_class", "Мастер-класс"),
    ("contest", "Конкурс"),
    ("olympiad", "Олимпиада"),
    ("tournament", "Турнир"),
    ("concert", "Концерт"),
    ("festival", "Фестиваль"),
    ("campaign", "Акция"),
    ("excursion", "Экскурсия"),
    ("exhibition", "Выставка"),
    ("quest", "Квест"),
    ("seasonal_school", "Сезонная школа"),
    ("profile_shift", "Профильная смена"),
]
# Kinds whose results are competitive: places, winners and prize-winners.
COMPETITIVE = {"contest", "olympiad", "tournament", "festival"}


def seed_kinds(model) -> None:
    """Create the starting kinds that are missing; ``model`` is ``EventKind`` (or its
    historical version in a migration)."""
    for position, (code, title) in enumerate(KINDS, start=1):
        model.objects.get_or_create(code=code, defaults={
            "title": title, "position": position, "competitive": code in COMPETITIVE})
