"""Who may do what in staff development, every role against every protected action."""

import pytest

from opora.accounts.models import Role
from opora.errors import PermissionDenied
from opora.training import services
from opora.training.models import Registration
from tests import factories as f
from tests.training.conftest import event_data, held, today

pytestmark = pytest.mark.django_db

PERSONAS = ["parent", "staff", "other_staff", "operator", "other_operator", "authority", "regional", "expert"]


@pytest.fixture
def persona(request, parent, staff, other_staff, operator, other_operator, authority, regional):
    people = {"parent": parent, "staff": staff, "other_staff": other_staff, "operator": operator,
              "other_operator": other_operator, "authority": authority, "regional": regional,
              "expert": f.user(Role.EXPERT)}
    return people[request.param]


def _attempt(action, actor, seminar, teacher):
    if action == "change":
        services.save_event(actor, event_data(title="Новая тема"), seminar)
    elif action == "register":
        services.register(actor, seminar, [teacher])
    elif action == "mark":
        registration, = services.register(seminar.created_by, seminar, [teacher])
        held(seminar)
        services.mark_attendance(actor, seminar, [registration.pk])
    elif action == "record":
        services.record_external(actor, teacher, {"title": "Курсы", "provider_name": "ИРО",
                                                  "finished_on": today(), "hours": "16", "document": "№ 1"})


ALLOWED = {
    # the РМЦ manages events across the region (its own and, as the methodical centre
    # above, those of every municipality)
    "change": {"operator", "regional"},
    "register": {"staff", "operator"},
    "mark": {"operator", "regional"},
    "record": {"staff", "operator"},
}


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_role_matrix(request, persona, action, operator, teachers):
    seminar = services.publish(operator, services.save_event(operator, event_data(capacity=5)))
    name = request.node.callspec.params["persona"]
    if name in ALLOWED[action]:
        _attempt(action, persona, seminar, teachers[0])
    else:
        before = Registration.objects.count()
        with pytest.raises(PermissionDenied):
            _attempt(action, persona, seminar, teachers[0])
        assert Registration.objects.count() == before + (1 if action == "mark" else 0)
