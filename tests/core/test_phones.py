"""A typed phone number becomes the address of a ``tel:`` link."""

import pytest

from opora.core.templatetags.phones import tel


@pytest.mark.parametrize(("typed", "dialled"), [
    ("8 (800) 100-20-30", "88001002030"),
    ("+7 (3822) 51.20.30 доб. 5", "+73822512030"),
    (" +7 3823 52-14-07 ", "+73823521407"),
    ("", ""),
    (None, ""),
])
def test_the_link_keeps_the_digits_and_a_leading_plus(typed, dialled):
    assert tel(typed) == dialled
