"""The coordinates picker of the organization card, in the browser: a click on the map
fills in the latitude and the longitude, numbers typed in them move the marker, and
saving keeps them. The tiles are refused, as when the tile server cannot be reached:
the map and the form still work."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from opora.accounts.models import Role
from tests import factories as f
from tests.e2e.steps import log_in

PASSWORD = "e2e-Pass-2030"

# How far (in pixels) the marker's tip may be from where it is expected.
NEAR = 3


def _marker_offset(page):
    """Where the marker's tip is, relative to the map's centre, in pixels."""
    return page.evaluate("""() => {
        const box = document.getElementById("coordinates-map").getBoundingClientRect();
        const icon = document.querySelector("#coordinates-map .leaflet-marker-icon").getBoundingClientRect();
        return [icon.left + icon.width / 2 - (box.left + box.width / 2),
                icon.bottom - (box.top + box.height / 2)];
    }""")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_map_sets_the_coordinates_typing_moves_the_marker_and_saving_keeps_them(page):
    city = f.municipality(name="Город Тестов")
    provider = f.organization(city, short_name="ДДТ «Радуга»")
    f.user(Role.SUPPORT_CENTRE, municipality=city, email="moc@city.example", password=PASSWORD)
    tiles = []
    page.context.route(re.compile(r"^https://tile\.openstreetmap\.org/"),
                       lambda route: (tiles.append(route.request.url), route.abort()))

    log_in(page, "moc@city.example", PASSWORD)
    page.goto(reverse("registry:organization_detail", args=[provider.pk]))
    page.get_by_role("button", name="Редактировать").click()
    latitude, longitude = page.get_by_label("Широта"), page.get_by_label("Долгота")
    picker = page.get_by_role("application", name=re.compile("Карта: щёлкните, где находится организация"))
    expect(picker).to_be_visible()
    expect(page.locator("#coordinates-map .leaflet-marker-icon")).to_have_count(0)
    assert (latitude.input_value(), longitude.input_value()) == ("", "")

    # a click right of and below the map's centre (56.60, 84.88) puts the marker there
    box = picker.bounding_box()
    picker.click(position={"x": box["width"] / 2 + 60, "y": box["height"] / 2 + 40})
    expect(page.locator("#coordinates-map .leaflet-marker-icon")).to_have_count(1)
    expect(latitude).to_have_value(re.compile(r"^56,\d{5}$"))
    clicked = float(latitude.input_value().replace(",", ".")), float(longitude.input_value().replace(",", "."))
    assert 56.4 < clicked[0] < 56.6 < 84.88 < clicked[1] < 85.1
    dx, dy = _marker_offset(page)
    assert abs(dx - 60) <= NEAR and abs(dy - 40) <= NEAR

    # numbers typed, with a comma as in Russian, move the marker to the map's centre
    latitude.fill("56,48")
    longitude.fill("84,95")
    page.wait_for_function(f"""() => {{
        const box = document.getElementById("coordinates-map").getBoundingClientRect();
        const icon = document.querySelector("#coordinates-map .leaflet-marker-icon").getBoundingClientRect();
        return Math.abs(icon.left + icon.width / 2 - box.left - box.width / 2) <= {NEAR}
            && Math.abs(icon.bottom - box.top - box.height / 2) <= {NEAR};
    }}""")

    # a point typed outside the region does not move the marker; the server refuses it
    longitude.fill("30,3")
    page.wait_for_timeout(300)
    assert all(abs(value) <= NEAR for value in _marker_offset(page))
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Долгота вне области: ожидается от 72,88 до 96,88.")).to_be_visible()
    provider.refresh_from_db()
    assert (provider.latitude, provider.longitude) == (None, None)

    # the point written with dots, as online maps give it, is saved
    page.get_by_label("Долгота").fill("84.95")
    page.get_by_label("Широта").fill("56.48")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Изменения сохранены.")).to_be_visible()
    provider.refresh_from_db()
    assert (provider.latitude, provider.longitude) == (56.48, 84.95)

    # opened again, the form and the marker show the saved point
    page.get_by_role("button", name="Редактировать").click()
    expect(page.get_by_label("Широта")).to_have_value("56,48")
    expect(page.get_by_label("Долгота")).to_have_value("84,95")
    expect(page.locator("#coordinates-map .leaflet-marker-icon")).to_have_count(1)
    assert all(abs(value) <= NEAR for value in _marker_offset(page))
    assert tiles  # the map asked for tiles and went on without them
