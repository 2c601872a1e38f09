"""The kinds of plans every deployment starts with (more can be added in the admin)."""

KINDS = [
    ("work_plan", "План работы МОЦ", False, 1),
    ("media_plan", "Медиаплан освещения деятельности МОЦ", True, 2),
    ("creation_plan", "План мероприятий по созданию МОЦ", False, 3),
]


def seed_kinds(model) -> None:
    """Create the starting kinds that are missing; ``model`` is ``PlanKind`` (or its
    historical version in a migration)."""
    for code, title, has_channels, position in KINDS:
        model.objects.get_or_create(code=code, defaults={
            "title": title, "has_channels": has_channels, "position": position})
