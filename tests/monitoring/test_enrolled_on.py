"""The enrolment date coverage needs was added to existing applications by a data
migration (enrollment/migrations/0004): from the audit trail's «enrolled» event, else
the status change of an enrolled application, else the filing date of one that ended;
applications never enrolled keep none."""

import datetime as dt
import importlib

import pytest
from django.apps import apps

from opora import audit
from opora.audit.models import AuditEvent
from opora.enrollment.models import Application
from tests.monitoring.conftest import S, child, enrol, moment

pytestmark = pytest.mark.django_db

fill = importlib.import_module("opora.enrollment.migrations.0004_application_enrolled_on").fill


def test_existing_applications_get_their_enrolment_date(world, operator):
    group, city = world["groups"]["tech"], world["city"]
    trail = enrol(child(city), group, status=S.EXPELLED, ended_on=dt.date(2026, 2, 1))
    audit.record(operator, "enrollment.application.enrolled", trail, from_state=S.AWAITING_CONTRACT,
                 to_state=S.ENROLLED)
    # the event as if recorded on the day of the enrolment
    AuditEvent.objects.filter(target_id=str(trail.pk)).update(created_at=moment(dt.date(2025, 9, 12)))
    changed = enrol(child(city), group, changed=dt.date(2025, 9, 20))
    ended = enrol(child(city), group, status=S.COMPLETED, ended_on=dt.date(2026, 1, 15))
    Application.objects.filter(pk=ended.pk).update(created_at=moment(dt.date(2025, 8, 25)))
    waiting = enrol(child(city), group, status=S.WAITLISTED, on=None)
    Application.objects.update(enrolled_on=None)

    fill(apps, None)

    dates = dict(Application.objects.values_list("pk", "enrolled_on"))
    assert dates == {trail.pk: dt.date(2025, 9, 12), changed.pk: dt.date(2025, 9, 20),
                     ended.pk: dt.date(2025, 8, 25), waiting.pk: None}
