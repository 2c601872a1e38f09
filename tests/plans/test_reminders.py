"""Reminders: a week before a check point and the day after a missed deadline, to the
responsible users and the МОЦ; once per check point; only for plans being executed."""

import datetime as dt

from django.core import mail
from django.core.management import call_command

from opora.plans import reminders, services
from opora.plans.models import ItemStatus
from tests.plans.conftest import approve


def test_a_week_before_the_deadline(operator, authority, staff, filled):
    approve(operator, authority, filled)
    filled.items.get(number="7").responsible_users.add(staff)
    week_before = dt.date(filled.year, 3, 24)

    due = reminders.due(week_before)
    sent = reminders.send_due(week_before)

    # items 1–7 end on 31 March, item 9 («ежемесячно») is checked at the end of March
    assert sorted(item.number for item, kind, _ in due) == ["1", "2", "3", "4", "5", "6", "7", "9"]
    assert {kind for _, kind, _ in due} == {"upcoming"}
    assert sent == 2 and {message.to[0] for message in mail.outbox} == {operator.email, staff.email}
    to_staff = next(message for message in mail.outbox if message.to == [staff.email])
    assert "пункт 7" in to_staff.body and "пункт 1:" not in to_staff.body
    assert "Через неделю, 31.03." in to_staff.body


def test_the_head_of_the_moc_gets_them_not_every_operator(operator, authority, staff, city, filled):
    from opora.accounts.models import Role, User
    from tests import factories as f

    head = f.user(role=Role.SUPPORT_CENTRE, municipality=city, email="head@example.org", is_centre_head=True)
    approve(operator, authority, filled)
    filled.items.get(number="7").responsible_users.add(staff)

    reminders.send_due(dt.date(filled.year, 3, 24))

    assert sorted(message.to[0] for message in mail.outbox) == sorted([head.email, staff.email])
    assert User.objects.centre_heads(city.pk) == [head]


def test_one_head_per_municipality_and_only_an_operator(operator, city):
    import pytest
    from django.db import IntegrityError, transaction

    from opora.accounts.models import Role
    from tests import factories as f

    operator.is_centre_head = True
    operator.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        f.user(role=Role.SUPPORT_CENTRE, municipality=city, is_centre_head=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        f.user(role=Role.EDUCATION_AUTHORITY, municipality=city, is_centre_head=True, email="a@example.org")


def test_the_day_after_a_missed_deadline(operator, authority, filled):
    approve(operator, authority, filled)
    services.mark_item(operator, filled.items.get(number="1"),
                       {"status": ItemStatus.DONE, "done_on": dt.date(filled.year, 3, 1)})

    due = reminders.due(dt.date(filled.year, 4, 1))

    assert sorted(item.number for item, kind, _ in due) == ["2", "3", "4", "5", "6", "7"]
    assert {kind for _, kind, _ in due} == {"missed"}


def test_each_reminder_is_sent_once(operator, authority, filled):
    approve(operator, authority, filled)
    day = dt.date(filled.year, 3, 24)

    assert reminders.send_due(day) == 1
    assert reminders.send_due(day) == 0
    call_command("plans_reminders", "--date", day.isoformat())
    assert len(mail.outbox) == 1


def test_drafts_do_not_remind(operator, filled):
    assert reminders.due(dt.date(filled.year, 3, 24)) == []


def test_the_task_runs_the_same(operator, authority, filled):
    approve(operator, authority, filled)

    reminders.send_reminders.enqueue(dt.date(filled.year, 3, 24).isoformat())

    assert len(mail.outbox) == 1
