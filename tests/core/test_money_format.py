"""Sums of money in the reader's format: grouped thousands and kopecks, the sign after a
non-breaking space, the same filter on every page."""

from decimal import Decimal

import pytest
from django.utils import translation

from opora.money import amount
from opora.money import rubles as money


@pytest.mark.parametrize("value, russian, english", [
    (Decimal("30000000"), "30\xa0000\xa0000,00", "30,000,000.00"),
    (Decimal("43200.5"), "43\xa0200,50", "43,200.50"),
    (0, "0,00", "0.00"),
    (None, "—", "—"),
])
def test_amount_and_money(value, russian, english):
    with translation.override("ru"):
        assert amount(value) == russian
        assert money(value) == (russian if value is None else russian + "\xa0₽")
    with translation.override("en"):
        assert amount(value) == english

