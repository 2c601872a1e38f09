"""End to end on a phone (390 px), the parents' rating: a parent whose child finished a
program rates it with the four marks and a comment; the МОЦ operator publishes the
comment; the program's public page shows the rating (the minimum share is reached) and the
comment; the provider answers under it in public."""

import datetime as dt
import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opora.accounts.models import Role
from opora.enrollment.models import Application, ApplicationStatus, Channel
from opora.quality import ratings
from opora.quality.defaults import create_default_rating_rules
from opora.quality.models import CommentStatus, Rating, RatingRules
from opora.registry.choices import ProgramStatus
from tests import factories as f
from tests.e2e.steps import DESKTOP, PHONE, log_in, log_out, open_section
from tests.enrollment.conftest import add_child, open_group

PASSWORD = "e2e-Pass-2030"
SHOTS = os.environ.get("OPORA_SCREENSHOTS")


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _completed(child, group):
    return Application.objects.create(
        child=child, group=group, status=ApplicationStatus.COMPLETED, channel=Channel.CABINET,
        status_changed_at=timezone.now(), enrolled_on=timezone.localdate() - dt.timedelta(days=200))


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_parent_rates_the_moc_publishes_the_provider_answers(browser, live_server):
    create_default_rating_rules(RatingRules)  # the data migration's rules (flushed between e2e tests)
    city = f.municipality(name="Городской округ Мытищи")
    provider = f.organization(city, short_name="МБУ ДО «Дом творчества»")
    program = f.program(provider, title="Робототехника для начинающих", status=ProgramStatus.PUBLISHED)
    group = open_group(program, name="Роботы-1", capacity_max=30)
    f.user(Role.SUPPORT_CENTRE, municipality=city, email="moc@example.org", password=PASSWORD)
    f.user(Role.ORGANIZATION_STAFF, organization=provider, municipality=city, email="staff@example.org",
           password=PASSWORD)
    parent = f.user(Role.PARENT, municipality=city, email="parent@example.org", password=PASSWORD)
    application = _completed(add_child(parent, first_name="Маша"), group)
    others = f.user(Role.PARENT, municipality=city)  # two earlier ratings without comments
    for name in ("Петя", "Оля"):
        ratings.rate_program(others, _completed(add_child(others, first_name=name), group),
                             {"results": 4, "staff": 4, "means": 3, "overall": 4})

    context = browser.new_context(base_url=live_server.url, locale="ru-RU", viewport=PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()

    log_in(page, "parent@example.org", PASSWORD)
    open_section(page, "Заявки")
    page.get_by_role("button", name="Оценить программу").first.click()
    expect(page.get_by_role("heading", name="Оценить программу")).to_be_visible()
    for line, mark in zip(page.locator("fieldset.sheet-line").all(), ("5", "4", "4", "5"), strict=True):
        line.get_by_label(mark, exact=True).check()
    page.get_by_label("Комментарий (необязательно)").fill("Маша собрала первого робота, педагог терпеливый.")
    _shot(page, "rating-form-phone")
    page.get_by_role("button", name="Отправить оценку").click()
    expect(page.get_by_text("Спасибо! Оценка учтена.")).to_be_visible()
    expect(page.get_by_text("Комментарий на проверке в МОЦ")).to_be_visible()
    rating = Rating.objects.get(application=application)
    assert (rating.results, rating.staff, rating.means, rating.overall, rating.comment_status) == (
        5, 4, 4, 5, CommentStatus.PENDING)
    log_out(page)

    page.goto(f"/quality/programs/{program.pk}/rating/")
    expect(page.get_by_text("Маша собрала первого робота")).to_have_count(0)  # not moderated yet

    log_in(page, "moc@example.org", PASSWORD)
    open_section(page, "Отзывы родителей")
    item = page.get_by_role("article").filter(has_text="Маша собрала первого робота")
    expect(item).to_contain_text("оценки 5, 4, 4, 5")
    _shot(page, "rating-moderation-phone")
    item.get_by_role("button", name="Опубликовать").click()
    expect(page.get_by_text("Комментарий опубликован.")).to_be_visible()
    log_out(page)

    log_in(page, "staff@example.org", PASSWORD)
    open_section(page, "Отзывы родителей")
    item = page.get_by_role("article").filter(has_text="Маша собрала первого робота")
    item.get_by_label("Ответ организации").fill("Спасибо! Ждём Машу в группе «Роботы-2».")
    item.get_by_role("button", name="Опубликовать ответ").click()
    expect(page.get_by_text("Ответ опубликован под отзывом.")).to_be_visible()
    log_out(page)

    page.goto(f"/programs/{program.pk}/")
    badge = page.get_by_role("link", name=re.compile(r"Оценка родителей: 4,1 из 5 \(оценок: 3\)"))
    expect(badge).to_be_visible()
    badge.click()
    expect(page.get_by_role("heading", name="Оценка родителей")).to_be_visible()
    expect(page.get_by_text("из 5 — рейтинг программы")).to_be_visible()
    comment = page.get_by_role("article").filter(has_text="Маша собрала первого робота")
    expect(comment).to_contain_text("Ответ организации: Спасибо! Ждём Машу в группе «Роботы-2».")
    _shot(page, "rating-public-phone")
    context.close()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_parent_rewrites_a_rejected_comment_and_the_moc_sees_it_again(page):
    create_default_rating_rules(RatingRules)
    city = f.municipality(name="Городской округ Мытищи")
    program = f.program(f.organization(city), title="Шахматы", status=ProgramStatus.PUBLISHED)
    operator = f.user(Role.SUPPORT_CENTRE, municipality=city, email="moc@example.org", password=PASSWORD)
    parent = f.user(Role.PARENT, municipality=city, email="parent@example.org", password=PASSWORD)
    application = _completed(add_child(parent), open_group(program, capacity_max=30))
    rating = ratings.rate_program(parent, application, {"results": 3, "staff": 2, "means": 4, "overall": 3},
                                  "Педагог Иванова И. И., тел. 8-900-000-00-00, часто опаздывает.")
    ratings.moderate(operator, rating, publish=False, reason="Персональные данные педагога.")

    log_in(page, "parent@example.org", PASSWORD)
    page.goto(f"/office/quality/rate/{application.uuid}/")
    expect(page.get_by_text("Персональные данные педагога.")).to_be_visible()
    page.get_by_label("Исправленный комментарий").fill("Занятия часто начинались с опозданием.")
    _shot(page, "rating-rewrite-desktop")
    if SHOTS:
        page.set_viewport_size(PHONE)
        _shot(page, "rating-rewrite-phone")
        page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name="Отправить на проверку снова").click()
    expect(page.get_by_text("Комментарий отправлен на проверку МОЦ ещё раз.")).to_be_visible()
    expect(page.get_by_text("Комментарий на проверке в МОЦ")).to_be_visible()
    log_out(page)

    log_in(page, "moc@example.org", PASSWORD)
    open_section(page, "Отзывы родителей")
    item = page.get_by_role("article").filter(has_text="Занятия часто начинались с опозданием.")
    expect(item).to_contain_text("исправлен родителем после отклонения")
    expect(item).to_contain_text("оценки 3, 2, 4, 3")
    _shot(page, "rating-moderation-desktop")
    item.get_by_role("button", name="Опубликовать").click()
    expect(page.get_by_text("Комментарий опубликован.")).to_be_visible()
    rating.refresh_from_db()
    assert (rating.comment_status, rating.results) == (CommentStatus.PUBLISHED, 3)
