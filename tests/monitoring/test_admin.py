"""The population is changed only through the monitoring's services (each change in the
audit trail): the admin shows a municipality's figures without letting anyone edit them."""

import pytest

from opora.registry.models import MunicipalityPopulation

pytestmark = pytest.mark.django_db


def test_the_admin_shows_the_population_read_only(admin_client, city):
    MunicipalityPopulation.objects.create(municipality=city, year=2026, children_5_17=1200)
    url = f"/admin/registry/municipality/{city.pk}/change/"

    page = admin_client.get(url).content.decode()
    admin_client.post(url, {
        "name": city.name, "kind": city.kind, "oktmo": city.oktmo, "region": city.region_id,
        "populations-TOTAL_FORMS": "2", "populations-INITIAL_FORMS": "1",
        "populations-MIN_NUM_FORMS": "0", "populations-MAX_NUM_FORMS": "1000",
        "populations-0-id": city.populations.get().pk, "populations-0-municipality": city.pk,
        "populations-0-year": "2026", "populations-0-children_5_17": "1",
        "populations-1-municipality": city.pk, "populations-1-year": "2027",
        "populations-1-children_5_17": "5"})

    assert "1200" in page and 'name="populations-0-children_5_17"' not in page
    assert list(city.populations.values_list("year", "children_5_17")) == [(2026, 1200)]
