"""Demo regions built by the test itself: for another day, by the command, from the
reference lists; each on an empty database (the shared region of `region/` is not open here)."""

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from opora.audit.models import AuditEvent
from opora.demo import accounts, quality, texts
from opora.demo.generator import build_demo
from opora.enrollment.models import Application
from opora.quality.models import Rating
from opora.registry.models import Group, Program, Specialisation

from .conftest import SMALL


def test_a_demo_built_for_another_day_has_no_future_applications(db):
    day = dt.date(2026, 3, 10)
    build_demo(scale=SMALL, today=day)
    assert not Application.objects.filter(enrolled_on__gt=day).exists()
    assert not Application.objects.filter(ended_on__gt=day).exists()


def test_most_groups_of_the_school_year_have_started_and_some_start_later(db):
    day = dt.date(2026, 12, 5)
    build_demo(scale=SMALL, today=day)
    starts = list(Group.objects.filter(module__program__seasonal_kind="")
                  .values_list("start_date", flat=True))
    started = [s for s in starts if s == dt.date(2026, 9, 1)]
    assert len(started) > len(starts) / 2
    assert any(s > day for s in starts) or any(dt.date(2026, 9, 1) < s <= day for s in starts)


def test_ratings_beyond_the_written_comments_come_without_one(db, monkeypatch):
    # In December the full demo has more rated enrolments than written comments; the
    # build ran out of them and stopped (StopIteration). Two comments make a small region
    # run out too: each is given three times, and the showcase provider's one once more.
    monkeypatch.setattr(quality, "RATING_COMMENTS", quality.RATING_COMMENTS[:2])
    build_demo(scale=SMALL)
    assert Rating.objects.count() > 7
    assert Rating.objects.exclude(comment="").count() <= 7


def test_every_specialisation_has_texts_to_compose_programs(db):
    for specialisation in Specialisation.objects.all():
        text = texts.TEXTS[specialisation.direction][specialisation.name]
        assert len(text.titles) >= 3 and len(text.topics) >= 5 and len(text.skills) >= 4
        assert text.ages[0] < text.ages[1]


def test_groups_of_a_demo_built_in_spring_lie_in_that_school_year(db):
    build_demo(scale=0.05, today=dt.date(2026, 3, 10))
    periods = set(Group.objects.filter(is_active=True).values_list("start_date", "end_date"))
    assert (dt.date(2025, 9, 1), dt.date(2026, 5, 31)) in periods
    # the previous school year's groups are closed (demo/last_year.py)
    assert set(Group.objects.filter(start_date__lt=dt.date(2025, 9, 1))
               .values_list("start_date", "end_date", "is_active")) == {
        (dt.date(2024, 9, 1), dt.date(2025, 5, 31), False)}
    assert all(dt.date(2025, 9, 1) <= start < end <= dt.date(2026, 6, 30)
               for start, end in periods)
    assert not AuditEvent.objects.filter(
        created_at__gt=timezone.make_aware(dt.datetime(2026, 3, 10, 12, 0))).exists()


def test_command_prints_every_account_and_the_address(db):
    out = StringIO()
    call_command("demo", "--scale", str(SMALL), stdout=out)
    text = out.getvalue()

    assert "создан" in text
    for account in accounts.ACCOUNTS:
        line = next(line for line in text.splitlines() if f" {account.email} " in line)
        assert accounts.role_label(account) in line and accounts.PASSWORD in line
    assert "http://127.0.0.1:8000/" in text

    programs = Program.objects.count()
    out = StringIO()
    call_command("demo", stdout=out)
    assert "уже есть" in out.getvalue()
    assert Program.objects.count() == programs
