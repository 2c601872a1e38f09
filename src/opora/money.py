"""Sums of money as Russians read them: «30 000 000,00 ₽» (grouped thousands, a comma
before kopecks, a non-breaking space before the sign), in the active language's format.
Pages use the ``amount`` and ``money`` template filters (``{% load money %}``), messages
and documents these functions: one format everywhere, never a raw «30000000.00»."""

from decimal import Decimal

from django.utils.formats import number_format

SIGN = "\u00a0₽"


def amount(value, *, kopecks: bool = True) -> str:
    """The number only: «30 000 000,00»; ``kopecks=False`` drops ``,00`` from whole
    sums («1 600», but «1 600,50»). ``None`` is «—»."""
    if value is None or value == "":
        return "—"
    value = Decimal(value)
    places = 2 if kopecks or value != value.to_integral_value() else 0
    return number_format(value, places, use_l10n=True, force_grouping=True)


def rubles(value, *, kopecks: bool = True) -> str:
    """The sum with its sign: «30 000 000,00 ₽»."""
    text = amount(value, kopecks=kopecks)
    return text if text == "—" else text + SIGN
