"""The data request pages speak English under the ``en`` language: no Russian text of
the interface is left (the request's own title and answers are data, in Russian)."""

import re

from django.conf import settings
from django.urls import reverse

from tests.surveys.conftest import reply_of

CYRILLIC = re.compile("[А-Яа-яЁё]")


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<[^>]*\blang="ru"[^>]*>.*?</[a-z]+>', " ", html, flags=re.S)  # the language switch
    return re.sub(r"<[^>]+>", " ", html)


def test_pages_in_english_keep_only_the_data_in_russian(client, sent, operator, provider, city, studio):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(operator)
    data = {sent.title, sent.description, city.name, provider.short_name, studio.short_name,
            *(f.label for f in sent.fields.all()), "да", "нет", "Петров П.", "Петров Пётр"}

    for url in (reverse("surveys:list"), reverse("surveys:detail", args=[sent.pk]),
                reverse("surveys:reply", args=[reply_of(sent, municipality=city).pk]),
                reverse("surveys:reply", args=[reply_of(sent, provider).pk])):
        text = visible_text(client.get(url).content.decode())
        assert "Data requests" in text
        for value in sorted(data, key=len, reverse=True):
            text = text.replace(value, " ")
        assert not CYRILLIC.findall(text), (url, [w for w in text.split() if CYRILLIC.search(w)][:10])
