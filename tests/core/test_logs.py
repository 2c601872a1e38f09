"""The two formats of ``opora.logs`` and the refusal of anything but plain values."""

import json
import logging

import pytest

from opora import logs


def record(**state):
    made = logging.LogRecord("opora.financing.settlement", logging.INFO, __file__, 1,
                             "invoice.status_changed", (), None)
    made.created = 1_800_000_000.25
    made.state = state
    return made


def test_json_lines_carry_the_event_and_its_fields():
    line = logs.JsonFormatter().format(record(invoice=7, from_status="draft", to_status="submitted"))

    assert "\n" not in line
    assert json.loads(line) == {"time": "2027-01-15T08:00:00.250+00:00", "level": "INFO",
                                "logger": "opora.financing.settlement", "event": "invoice.status_changed",
                                "invoice": 7, "from_status": "draft", "to_status": "submitted"}


def test_a_field_never_overwrites_the_line_s_own_keys():
    line = json.loads(logs.JsonFormatter().format(record(event="forged", level="DEBUG", invoice=7)))

    assert (line["event"], line["level"], line["invoice"]) == ("invoice.status_changed", "INFO", 7)


def test_text_lines_are_readable():
    line = logs.TextFormatter().format(record(invoice=7, to_status="paid"))

    assert line == ("2027-01-15T08:00:00.250+00:00 INFO opora.financing.settlement "
                    "invoice.status_changed invoice=7 to_status=paid")


def test_other_records_are_formatted_too():
    plain = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/x",), None)

    assert json.loads(logs.JsonFormatter().format(plain))["event"] == "Not Found: /x"
    assert logs.TextFormatter().format(plain).endswith("WARNING django.request Not Found: /x")


def test_only_plain_values_may_be_logged():
    with pytest.raises(TypeError, match="identifiers, statuses and amounts as strings only"):
        logs.state_change(logging.getLogger("opora.test"), "child.added", child=object())
