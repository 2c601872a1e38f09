from django.db import migrations

KINDS = [
    ("work_plan", "План работы МОЦ", False, 1),
    ("media_plan", "Медиаплан освещения деятельности МОЦ", True, 2),
    ("creation_plan", "План мероприятий по созданию МОЦ", False, 3),
]


def add_kinds(apps, schema_editor):
    PlanKind = apps.get_model("plans", "PlanKind")
    for code, title, has_channels, position in KINDS:
        PlanKind.objects.get_or_create(code=code, defaults={
            "title": title, "has_channels": has_channels, "position": position})


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]

    operations = [migrations.RunPython(add_kinds, migrations.RunPython.noop)]
