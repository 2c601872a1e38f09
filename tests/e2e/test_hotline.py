"""End to end, the hotline: a parent signed in asks a question about a certificate from
the navigator's «Задать вопрос»; the МОЦ operator finds it in the queue, takes it and
answers; the parent reads the answer under «Мои вопросы» in the cabinet. Screenshots at
phone and desktop width go to ``$OPORA_SCREENSHOTS`` when it is set."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from opora.accounts.models import Role
from opora.hotline.models import Question, QuestionStatus
from tests import factories as f
from tests.e2e.steps import DESKTOP, log_in, log_out, open_section

PASSWORD = "e2e-Pass-2030"
PHONE_360 = {"width": 360, "height": 740}
SHOTS = os.environ.get("OPORA_SCREENSHOTS", "")


def _shot(page, name):
    """A full-page screenshot into $OPORA_SCREENSHOTS, when it is set (to look at the pages)."""
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(SHOTS) / f"hotline-{name}.png"), full_page=True)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_parent_asks_about_a_certificate_and_reads_the_answer_in_the_cabinet(page):
    # given: the city with its МОЦ operator and a parent of the city
    city = f.municipality(name="Город Тестов")
    f.municipality(name="Тестовский район")
    f.user(Role.SUPPORT_CENTRE, municipality=city, email="moc@city.example",
           last_name="Сидоров", first_name="Олег", password=PASSWORD)
    f.user(Role.PARENT, municipality=city, email="mama@example.org", last_name="Петрова",
           first_name="Мария", password=PASSWORD)

    # 1. the parent opens «Задать вопрос» in the navigator's header, on a phone
    page.set_viewport_size(PHONE_360)
    log_in(page, "mama@example.org", PASSWORD)
    page.goto("/")
    page.get_by_role("link", name="Задать вопрос").first.click()
    expect(page.get_by_role("heading", name="Задать вопрос на горячую линию")).to_be_visible()
    page.get_by_label("Тема").select_option(label="Сертификат дополнительного образования")
    page.get_by_label("Вопрос").fill("Сын получил сертификат учёта. Как перевести его в "
                                     "сертификат финансирования?")
    _shot(page, "ask-phone")
    page.get_by_role("button", name="Отправить вопрос").click()
    expect(page.get_by_role("status")).to_contain_text("принят")
    question = Question.objects.get()
    expect(page.get_by_role("heading", name=f"Вопрос № {question.number}")).to_be_visible()
    log_out(page)

    # 2. the МОЦ operator finds it in the queue, takes it and answers, at desktop width
    page.set_viewport_size(DESKTOP)
    log_in(page, "moc@city.example", PASSWORD)
    page.goto("/office/")
    open_section(page, "Горячая линия")
    _shot(page, "queue-desktop")
    page.get_by_role("link", name="Сын получил сертификат учёта").click()
    page.get_by_role("button", name="Взять в работу").click()
    expect(page.get_by_role("status")).to_contain_text("Вопрос взят в работу")
    page.get_by_label("Ответ автору").fill(
        "Подайте заявление на сертификат финансирования в разделе «Сертификаты» личного "
        "кабинета; МОЦ рассмотрит его в течение пяти рабочих дней.")
    page.get_by_role("button", name="Ответить", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Ответ отправлен автору")
    _shot(page, "question-desktop")
    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED and question.answered_on_time
    log_out(page)

    # 3. the parent reads the answer under «Мои вопросы», on a phone
    page.set_viewport_size(PHONE_360)
    log_in(page, "mama@example.org", PASSWORD)
    page.goto("/office/")
    open_section(page, "Мои вопросы")
    expect(page.get_by_text("Отвечен")).to_be_visible()
    page.get_by_role("link", name="Сын получил сертификат учёта").click()
    expect(page.get_by_role("heading", name="Ответ")).to_be_visible()
    expect(page.get_by_text("Подайте заявление на сертификат финансирования")).to_be_visible()
    _shot(page, "answer-phone")
