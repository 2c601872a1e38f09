"""One log line per state change of seats, with identifiers only, written once the
transaction commits (``opora.logs``)."""

import json
import logging

import pytest
from django.db import transaction

from opora.enrollment import services
from opora.enrollment.models import ApplicationStatus as S
from opora.logs import JsonFormatter
from tests.enrollment.conftest import add_child, open_group


@pytest.fixture
def lines(caplog):
    """The state-change records of the ``opora`` loggers, as (event, fields)."""
    caplog.set_level(logging.INFO, logger="opora")

    def read():
        return [(r.getMessage(), r.state) for r in caplog.records if hasattr(r, "state")]
    return read


def personal_data(child, parent):
    return [value for value in (child.last_name, child.first_name, child.patronymic, child.snils,
                                child.birth_date.isoformat(), parent.email, parent.get_full_name())
            if value]


def test_filing_logs_the_application_and_its_seat_after_commit(parent, child, group, lines, caplog,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application, _created = services.submit_application(parent, child, group)
        assert lines() == []  # not before the commit

    ids = {"application": application.pk, "group": group.pk}
    assert lines() == [
        ("application.filed", {**ids, "child": child.pk, "to_status": S.NEW, "queue_number": None}),
        ("seat.taken", ids),
    ]
    written = [json.loads(JsonFormatter().format(r)) for r in caplog.records if hasattr(r, "state")]
    assert written[1] == {"time": written[1]["time"], "level": "INFO", "logger": "opora.enrollment.services",
                          "event": "seat.taken", **ids}
    text = " ".join(JsonFormatter().format(r) for r in caplog.records)
    assert not [value for value in personal_data(child, parent) if value in text]


def test_a_status_change_is_one_line_and_a_released_seat_another(parent, child, group, lines,
                                                                  django_capture_on_commit_callbacks):
    application, _created = services.submit_application(parent, child, group)

    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_application(parent, application)

    ids = {"application": application.pk, "group": group.pk}
    assert lines() == [
        ("application.status_changed", {**ids, "from_status": S.NEW, "to_status": S.WITHDRAWN}),
        ("seat.released", ids),
    ]


def test_a_waitlisted_filing_takes_no_seat(parent, published, lines, django_capture_on_commit_callbacks):
    full = open_group(published, name="Полная", capacity_max=1)
    services.submit_application(parent, add_child(parent, first_name="Анна"), full)

    with django_capture_on_commit_callbacks(execute=True):
        services.submit_application(parent, add_child(parent, first_name="Борис"), full)

    assert [event for event, _fields in lines()] == ["application.filed"]
    assert lines()[0][1]["to_status"] == S.WAITLISTED


def test_a_change_rolled_back_logs_nothing(parent, child, group, lines, django_capture_on_commit_callbacks):
    with (django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError),
          transaction.atomic()):
        services.submit_application(parent, child, group)
        raise RuntimeError("the caller's transaction fails later")

    assert callbacks == [] and lines() == []
