"""Where the programs are: organizations' coordinates, the catalog sorted by distance from
a point on both databases, the map's markers from the API with the current filters, the
list that stands for the map without JavaScript, and bad points."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from opora.navigator import catalog as catalog_module
from opora.navigator import filters, selectors
from opora.registry.models import Organization

pytestmark = pytest.mark.django_db

CENTRE = (56.6000, 84.8800)


@pytest.fixture
def placed(catalog):
    """«Радуга» 1.1 km north of the centre, the rural school about 30 km away; the
    inactive centre has no coordinates (and no public programs)."""
    Organization.objects.filter(pk=catalog.provider.pk).update(latitude=56.6100, longitude=84.8800)
    Organization.objects.filter(pk=catalog.rural_provider.pk).update(latitude=56.8700, longitude=84.8800)
    return catalog


def titles(flt):
    return [p.title for p in catalog_module.search_catalog(flt).items]


def test_distance_sorts_the_nearest_organization_first(placed):
    found = titles(filters.Filters(near=CENTRE, sort="distance"))

    near = {"Робототехника", "Танцевальная студия «Ритм»", "Юный эколог", "Английский язык"}
    assert set(found[:4]) == near and set(found[4:]) == {"Клуб юных роботов", "Шахматы для начинающих"}
    assert set(titles(filters.Filters(near=(56.87, 84.88), sort="distance"))[:2]) == {
        "Клуб юных роботов", "Шахматы для начинающих"}


def test_programs_of_organizations_without_coordinates_come_last(placed):
    Organization.objects.filter(pk=placed.provider.pk).update(latitude=None, longitude=None)

    found = titles(filters.Filters(near=CENTRE, sort="distance"))

    assert set(found[:2]) == {"Клуб юных роботов", "Шахматы для начинающих"}


def test_without_a_point_distance_is_the_default_order(placed):
    flt = filters.Filters(sort="distance")
    assert flt.order == "start"
    assert titles(flt) == titles(filters.Filters())


def test_cards_say_how_far(placed, client):
    page = client.get(reverse("navigator:home"), {"near": "56.6,84.88", "sort": "distance"})

    distances = {card.title: card.distance_km for card in page.context["cards"]}
    assert round(distances["Робототехника"], 1) == 1.1
    assert round(distances["Шахматы для начинающих"], 0) == 30
    assert "1,1 км" in page.content.decode()
    assert ("distance", "по расстоянию от точки") in [(v, str(label)) for v, label in page.context["sorts"]]


@pytest.mark.parametrize("value", ["56.6", "север", "95,84", "56.6,190", "56.6,84.8,1"])
def test_a_bad_point_is_explained_and_ignored(placed, client, value):
    page = client.get(reverse("navigator:home"), {"near": value, "sort": "distance"})

    assert page.status_code == 200
    assert "near" in page.context["errors"]
    assert page.context["filters"].near is None
    api = client.get("/api/v1/programs", {"near": value})
    assert api.status_code == 422 and "near" in api.content.decode()


def test_the_map_api_gives_the_organizations_of_the_found_programs(placed, client):
    response = client.get(reverse("api:list_map_points"), {"q": "роботы"})

    points = {p["name"]: p for p in response.json()}
    assert set(points) == {"ДДТ «Радуга»", "Сельская школа"}
    assert (points["ДДТ «Радуга»"]["latitude"], points["ДДТ «Радуга»"]["programs"]) == (56.61, 1)
    assert points["Сельская школа"]["url"].startswith("/?q=") and "organization=" in points["Сельская школа"]["url"]
    direction = client.get(reverse("api:list_map_points"), {"direction": "arts"}).json()
    assert [p["name"] for p in direction] == ["ДДТ «Радуга»"]


def test_the_map_page_lists_what_it_shows(placed, client):
    Organization.objects.filter(pk=placed.rural_provider.pk).update(latitude=None, longitude=None)

    page = client.get(reverse("navigator:map"), {"q": "роботы"})

    html = page.content.decode()
    assert page.context["located"] == 1 and len(page.context["points"]) == 2
    assert "у остальных не указаны координаты" in html
    assert 'data-api="/api/v1/map"' in html and 'data-query="q=' in html
    assert "Сельская школа" in html  # in the list, though not on the map


def test_the_tile_server_is_allowed_by_the_content_policy(client, db):
    policy = client.get(reverse("navigator:map"))["Content-Security-Policy"]
    assert "img-src 'self' data: https://tile.openstreetmap.org" in policy


@pytest.mark.parametrize(("latitude", "longitude", "field"), [
    (56.6, None, "longitude"), (None, 84.8, "latitude"), (91, 84.8, "latitude"), (56.6, 181, "longitude")])
def test_coordinates_come_in_pairs_and_within_range(city, latitude, longitude, field):
    from tests import factories as f

    organization = f.organization(city)
    organization.latitude, organization.longitude = latitude, longitude
    with pytest.raises(ValidationError) as error:
        organization.full_clean()
    assert field in error.value.message_dict


def test_map_points_follow_the_text_as_the_catalog_reads_it(placed):
    points = selectors.map_points(filters.Filters(q="танцы для 8 лет"))
    assert [p["name"] for p in points] == ["ДДТ «Радуга»"]


def test_an_integral_number_written_with_a_point_is_a_whole_number(placed, client):
    """JSON Schema counts 7.0 as an integer, so the API takes it (and refuses 7.5)."""
    whole = client.get("/api/v1/organizations", {"municipality": f"{placed.city.pk}.0"})
    assert whole.status_code == 200 and whole.json()["count"] >= 1
    assert client.get("/api/v1/organizations", {"municipality": f"{placed.city.pk}.5"}).status_code == 422
    assert client.get("/api/v1/programs", {"age": "1e999999"}).status_code == 422


@pytest.mark.parametrize(("latitude", "longitude", "field", "message"), [
    (40.0, 84.8, "latitude", "Широта вне области: ожидается от 50,6 до 62,6."),
    (56.6, 30.5, "longitude", "Долгота вне области: ожидается от 72,88 до 96,88.")])
def test_coordinates_outside_the_region_are_refused_by_the_service(
        city, operator, latitude, longitude, field, message):
    from opora.errors import ValidationFailed
    from opora.registry import services
    from tests import factories as f

    organization = f.organization(city)
    with pytest.raises(ValidationFailed) as error:
        services.save_organization(operator, {"latitude": latitude, "longitude": longitude}, organization)
    assert error.value.errors[field] == [message]
    organization.refresh_from_db()
    assert organization.latitude is None

    services.save_organization(operator, {"latitude": 56.61234, "longitude": 84.9}, organization)
    organization.refresh_from_db()
    assert (organization.latitude, organization.longitude) == (56.61234, 84.9)


def test_the_organization_form_offers_the_map_picker(client, city, operator):
    from django.urls import reverse

    from tests import factories as f

    organization = f.organization(city, latitude=56.61, longitude=84.88)
    client.force_login(operator)
    page = client.get(reverse("registry:organization_edit", args=[organization.pk])).content.decode()
    assert 'id="coordinates-map"' in page and 'data-bounds="50.6,72.88,62.6,96.88"' in page
    assert "registry/coordinates.js" in page and 'value="56,61"' in page
    assert 'inputmode="decimal"' in page


@pytest.mark.parametrize(("latitude", "longitude"), [("56,6014", "84,8862"), ("56.6014", "84.8862")])
def test_the_organization_form_takes_coordinates_with_a_comma_or_a_dot(client, city, operator, latitude, longitude):
    from django.forms.models import model_to_dict
    from django.urls import reverse

    from opora.registry.forms_office import OrganizationForm
    from tests import factories as f

    organization = f.organization(city, licence_date=None)
    data = {name: value for name, value in model_to_dict(organization, fields=OrganizationForm.Meta.fields).items()
            if value is not None}
    client.force_login(operator)
    response = client.post(reverse("registry:organization_edit", args=[organization.pk]),
                           {**data, "latitude": latitude, "longitude": longitude})

    assert response.status_code == 302
    organization.refresh_from_db()
    assert (organization.latitude, organization.longitude) == (56.6014, 84.8862)


def test_the_organization_form_refuses_a_word_for_a_coordinate(client, city, operator):
    from django.urls import reverse

    from tests import factories as f

    organization = f.organization(city)
    client.force_login(operator)
    response = client.post(reverse("registry:organization_edit", args=[organization.pk]), {
        "full_name": organization.full_name, "short_name": organization.short_name, "inn": organization.inn,
        "kind": organization.kind, "sector": organization.sector, "ownership": organization.ownership,
        "address": organization.address, "latitude": "север", "longitude": "84,88"})

    assert response.status_code == 400
    assert "Введите число." in response.content.decode()
    organization.refresh_from_db()
    assert organization.latitude is None
