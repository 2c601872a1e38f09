"""The date a child was enrolled, which coverage on a reference date needs.

Existing rows take it from the audit trail (the moment the application became
«enrolled»); where the trail has no such event, from the status change of an enrolled
application, and from the filing date of one that has since ended."""

from django.db import migrations, models
from django.db.models import Case, CharField, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Cast, Coalesce, TruncDate


def fill(apps, schema_editor):
    Application = apps.get_model("enrollment", "Application")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    enrolled_at = (AuditEvent.objects
                   .filter(target_type="enrollment.application", to_state="enrolled",
                           target_id=Cast(OuterRef("pk"), CharField()))
                   .order_by("created_at").values("created_at")[:1])
    fallback = Case(When(status="enrolled", then=F("status_changed_at")), default=F("created_at"))
    (Application.objects
     .filter(Q(status="enrolled") | Q(status__in=("expelled", "completed")))
     .update(enrolled_on=TruncDate(Coalesce(Subquery(enrolled_at), fallback))))


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
        ("enrollment", "0003_seat_counters"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="enrolled_on",
            field=models.DateField(blank=True, null=True, verbose_name="дата зачисления"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
