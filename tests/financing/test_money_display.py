"""Pages show sums of money in Russian format, never a raw decimal («30000000.00»)."""

from decimal import Decimal

import pytest

from tests.financing.conftest import make_period


@pytest.mark.django_db
def test_period_pages_show_grouped_sums(client, authority, city):
    period = make_period(city, budget=Decimal("30000000.00"))
    client.force_login(authority)
    listing = client.get("/office/financing/periods/").content.decode()
    assert "30\xa0000\xa0000,00" in listing
    assert "30000000" not in listing and "30\xa0000,00\xa0₽" in listing  # the nominal
    page = client.get(f"/office/financing/periods/{period.pk}/").content.decode()
    assert "0,00\xa0₽ / 30\xa0000\xa0000,00\xa0₽" in page  # committed of the budget (the form's
    # number field keeps its machine value "30000000.00", as an <input type=number> must)
