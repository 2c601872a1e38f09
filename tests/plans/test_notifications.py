"""E-mail of the plans: the approvers when something waits for them, the МОЦ when they
decided; sent after the commit only; the portal hears of each change after the commit."""

import pytest
from django.core import mail

from opora.accounts.models import Role
from opora.plans import services, signals
from opora.plans.models import ItemStatus
from tests import factories as f
from tests.plans.conftest import signed


def _to(kind_words):
    return sorted(m.to[0] for m in mail.outbox if kind_words in m.subject)


@pytest.fixture
def rmc_second(db):
    return f.user(role=Role.REGIONAL_CENTRE, email="rmc2@example.org")


def test_each_step_mails_whoever_acts_next(operator, authority, regional, rmc_second, district,
                                           filled, django_capture_on_commit_callbacks):
    f.user(role=Role.EDUCATION_AUTHORITY, municipality=district, email="other-authority@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.send(operator, filled)
    assert _to("ждёт утверждения") == [authority.email]

    with django_capture_on_commit_callbacks(execute=True):
        services.approve(authority, filled, signed())
    assert _to("утверждён") == sorted([operator.email, regional.email, rmc_second.email])
    to_rmc = next(m for m in mail.outbox if m.to == [regional.email])
    assert "ждёт согласования РМЦ" in to_rmc.body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.return_plan(regional, filled, "Уточните сроки")
    assert [m.to[0] for m in mail.outbox] == [operator.email]
    assert "Замечания: Уточните сроки" in mail.outbox[0].body


def test_the_report_mails_both_readers_and_the_moc_hears_each_acceptance(
        operator, authority, regional, filled, django_capture_on_commit_callbacks):
    services.send(operator, filled)
    services.approve(authority, filled, signed())
    services.agree(regional, filled, signed())
    services.start(operator, filled)
    for item in filled.items.all():
        services.mark_item(operator, item, {"status": ItemStatus.CANCELLED, "reason": "Не понадобилось"})

    with django_capture_on_commit_callbacks(execute=True):
        services.report(operator, filled)
    assert _to("ждёт приёмки") == sorted([authority.email, regional.email])

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_report(authority, filled)
    assert [(m.to[0], m.subject) for m in mail.outbox] == [
        (operator.email, f"Отчёт по плану «{filled.title}»: принят управлением образования")]
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_report(regional, filled)
    assert mail.outbox[-1].subject == f"Отчёт по плану «{filled.title}» принят"


def test_a_revision_mails_the_authority_then_the_moc(operator, authority, filled,
                                                     django_capture_on_commit_callbacks):
    services.send(operator, filled)
    services.approve(authority, filled, signed())
    revision = services.open_revision(operator, filled, "Перенос")
    services.save_item(operator, filled, {"number": "11", "title": "Новое", "deadline_text": "июнь"})
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.send_revision(operator, revision)
    with django_capture_on_commit_callbacks(execute=True):
        services.return_revision(authority, revision, "Обоснуйте")

    assert [(m.to[0], m.subject.split(" плана")[0]) for m in mail.outbox] == [
        (authority.email, "Изменения № 1"), (operator.email, "Изменения № 1")]
    assert "возвращены" in mail.outbox[1].subject and "Замечания: Обоснуйте" in mail.outbox[1].body


def test_nothing_is_mailed_or_announced_before_the_commit(operator, filled, django_capture_on_commit_callbacks):
    heard = []

    def listener(sender, plan_id, **kwargs):
        heard.append(plan_id)

    signals.plan_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.send(operator, filled)
        assert (mail.outbox, heard) == ([], [])
        for callback in callbacks:
            callback()
    finally:
        signals.plan_changed.disconnect(listener)
    assert heard == [filled.pk] and len(mail.outbox) == 0  # no authority user in the city yet


def test_a_stale_letter_is_not_sent(operator, authority, filled):
    from opora.plans import notifications

    services.send(operator, filled)
    services.approve(authority, filled, signed())

    assert notifications.send_notice(filled.pk, notifications.SENT) == 0
