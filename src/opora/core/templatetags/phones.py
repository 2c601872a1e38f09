"""``{{ phone|tel }}``: the number as typed («8 (800) 100-20-30», «+7 3822 51-20-30») for a
``tel:`` link — its digits and a leading plus, which every phone dials, up to the first
word («доб. 5», «приёмная»), which a phone cannot dial."""

import re

from django import template

register = template.Library()


@register.filter
def tel(phone) -> str:
    text = re.split(r"[^\d\s()+\-.]", str(phone or ""))[0].strip()
    return ("+" if text.startswith("+") else "") + re.sub(r"\D", "", text)
