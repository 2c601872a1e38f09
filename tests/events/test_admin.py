"""An administrator adds a kind of event in the Django admin."""

import pytest

from opora.events.models import EventKind

pytestmark = pytest.mark.django_db


def test_an_administrator_adds_a_kind_of_event(admin_client):
    response = admin_client.post("/admin/events/eventkind/add/", {
        "code": "hackathon", "title": "Хакатон", "competitive": "on", "position": "20"})

    assert response.status_code == 302
    kind = EventKind.objects.get(code="hackathon")
    assert (kind.title, kind.competitive) == ("Хакатон", True)
