"""The hotline and mailing pages speak English under the ``en`` language: only the data
(questions, answers, names of places and people) stay in Russian."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from opora.hotline import links, services
from opora.hotline.models import CalendarDay
from opora.mailing import services as mailing
from tests.hotline.conftest import public_question

pytestmark = pytest.mark.django_db

CYRILLIC = re.compile("[А-Яа-яЁё]")


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<[^>]*\blang="ru"[^>]*>.*?</[a-z]+>', " ", html, flags=re.S)  # the language switch
    return re.sub(r"<[^>]+>", " ", html)


def _left_in_russian(html, data):
    text = visible_text(html)
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return [w for w in text.split() if CYRILLIC.search(w)][:10]


def test_hotline_and_mailing_pages_in_english(client, city, provider, operator, parent):
    provider.email = "centre@example.org"
    provider.save()
    question = public_question(city)
    services.answer(operator, question, "Подайте заявление в кабинете.")
    question.refresh_from_db()
    entry = services.publish_faq(operator, question, {"title": "Как получить сертификат?",
                                                      "body": "Подайте заявление в кабинете."})
    sent = mailing.send_mailing(operator, {"subject": "Объявление", "body": "Текст объявления",
                                           "to_providers": True})
    data = {question.text, question.answer, question.name, entry.title, city.name, sent.subject,
            sent.body, operator.short_name, operator.full_name,
            *CalendarDay.objects.values_list("note", flat=True)}
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for url in (reverse("hotline:ask"), reverse("hotline:faq"),
                reverse("hotline:by_link", args=[links.token_of(question)])):
        assert _left_in_russian(client.get(url).content.decode(), data) == [], url
    client.force_login(operator)
    for url in (reverse("hotline:queue") + "?status=all", reverse("hotline:question", args=[question.pk]),
                reverse("hotline:report"), reverse("hotline:settings"), reverse("hotline:call"),
                reverse("hotline:faq_entries"), reverse("mailing:list"), reverse("mailing:create"),
                reverse("mailing:detail", args=[sent.pk])):
        assert _left_in_russian(client.get(url).content.decode(), data) == [], url
    client.force_login(parent)
    assert _left_in_russian(client.get(reverse("mailing:consent")).content.decode(), data) == []
