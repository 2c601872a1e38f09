"""Coverage on D against a table computed by hand (see ``conftest`` for the world).

Child                                   lives     studies (direction, status)     counts
A  two programs                        city      tech + arts, enrolled            yes
B  merged with its duplicate B'        city      tech (B) + arts (B'), enrolled    yes, once
C  turns 5 on D                        city      arts                             yes (5–9)
E  turns 18 on D                       city      tech                             no
F  withdrawn (after enrolment) before D city      tech, changed 01.03              no
G  withdrawn after D                   city      tech, changed 20.03              yes
H  expelled before D                   city      arts, ended 01.03                no
I  expelled on D (last day)            city      arts, ended 15.03                yes
J  expelled after D, 15 years          city      tech, ended 20.03                yes (15–17)
K  completed before D                  city      tech, ended 10.03                no
L  completed after D, 7 years          city      tech, ended 31.03                yes (5–9)
M  group ended before D                city      old tech group                   no
N  lives in the district               district  tech in the city                 district
O  enrolled after D                    city      arts, enrolled 20.03             no
P  studies in the district, rural      city      sports (distance)                yes
Q  only waitlisted                     city      arts, no enrolment               no

City by residence: A B C G I J L P = 8 of 100 → 8.0 %; district by residence: N = 1 of
50; the region: 9 of 150 → 6.0 %. By the provider's municipality: the city's providers
teach A B C G I J L N = 8, the district's P = 1.
"""

import datetime as dt

import pytest

from opora.enrollment import children as children_service
from opora.enrollment.models import Sex
from opora.financing.models import CertificateKind
from opora.monitoring import indicators
from opora.registry.choices import Level
from tests import factories as f
from tests.monitoring.conftest import D, S, born, certificate, child, enrol

pytestmark = pytest.mark.django_db


@pytest.fixture
def population(world, operator):
    city, district, g = world["city"], world["district"], world["groups"]
    a = child(city, sex=Sex.MALE)
    enrol(a, g["tech"])
    enrol(a, g["arts"])
    b, b2 = child(city), child(city)
    enrol(b, g["tech"])
    enrol(b2, g["arts"])
    children_service.merge_children(operator, b, b2, "Одна и та же девочка")
    c = child(city, dt.date(2021, 3, 15), sex=Sex.MALE)
    enrol(c, g["arts"])
    e = child(city, dt.date(2008, 3, 15))
    enrol(e, g["tech"])
    enrol(child(city), g["tech"], status=S.WITHDRAWN, changed=dt.date(2026, 3, 1))
    enrol(child(city), g["tech"], status=S.WITHDRAWN, changed=dt.date(2026, 3, 20))
    enrol(child(city), g["arts"], status=S.EXPELLED, ended_on=dt.date(2026, 3, 1))
    enrol(child(city), g["arts"], status=S.EXPELLED, ended_on=D)
    enrol(child(city, born(15)), g["tech"], status=S.EXPELLED, ended_on=dt.date(2026, 3, 20))
    enrol(child(city), g["tech"], status=S.COMPLETED, ended_on=dt.date(2026, 3, 10))
    enrol(child(city, born(7)), g["tech"], status=S.COMPLETED, ended_on=dt.date(2026, 3, 31))
    enrol(child(city), g["old"])
    enrol(child(district), g["tech"])
    enrol(child(city), g["arts"], on=dt.date(2026, 3, 20))
    p = child(city, is_rural=True)
    enrol(p, g["sport"])
    enrol(child(city), g["arts"], status=S.WAITLISTED, on=None)
    certificate(a, CertificateKind.FINANCING, dt.date(2025, 10, 1))
    certificate(b, CertificateKind.ACCOUNTING, dt.date(2025, 10, 1))
    certificate(c, CertificateKind.FINANCING, dt.date(2026, 4, 1))  # after D: not yet
    return world


def test_coverage_of_the_city_by_residence(population):
    city = population["city"].pk

    result = indicators.coverage(D, city)

    rows = result["breakdowns"]
    assert result["children"] == 8
    assert rows["direction"] == {"technical": 5, "arts": 4, "sports": 1}  # B counts under both
    assert rows["sex"] == {"male": 2, "female": 6}
    assert rows["age_band"] == {"5-9": 2, "10-14": 5, "15-17": 1}
    assert rows["rural"] == {"yes": 1, "no": 7}
    assert rows["distance"] == {"yes": 1}
    assert rows["municipality"] == {str(city): 8}
    assert rows["funding"] == {"budget": 8}
    assert rows["provider_kind"] == {"supplementary": 8}


def test_coverage_of_the_district_the_region_and_the_providers_view(population):
    city, district = population["city"].pk, population["district"].pk

    assert indicators.coverage(D, district, breakdowns=False)["children"] == 1
    assert indicators.coverage(D, None, breakdowns=False)["children"] == 9
    assert indicators.coverage(D, city, "provider", breakdowns=False)["children"] == 8
    assert indicators.coverage(D, district, "provider", breakdowns=False)["children"] == 1


def test_headline_indicators_with_numerator_denominator_target_and_last_year(population):
    city = population["city"].pk

    result = indicators.headline(D, city)

    values = result["indicators"]
    assert values["coverage"] == {"numerator": 8, "denominator": 100, "value": 8.0}
    assert values["coverage_by_provider"] == {"numerator": 8, "denominator": 100, "value": 8.0}
    assert values["certificates"] == {"numerator": 2, "denominator": 100, "value": 2.0}
    assert values["financing_certificates"] == {"numerator": 1, "denominator": 100, "value": 1.0}
    # programs of the city's providers: technical and arts; teachers: one of two categorised
    assert values["technical_programs"] == {"numerator": 1, "denominator": 2, "value": 50.0}
    assert values["teacher_category"] == {"numerator": 1, "denominator": 2, "value": 50.0}
    assert values["children_per_teacher"] == {"numerator": 8, "denominator": 2, "value": 4.0}
    assert indicators.targets(D.year, city) == {"coverage": 80.0, "financing_certificates": 30.0, "gifted": 1.0}


def test_the_region_side_by_side(population):
    rows = {row["name"]: row for row in indicators.by_municipality(D)}

    city, district = rows[population["city"].name], rows[population["district"].name]
    assert (city["children"], city["population"], city["coverage"]) == (8, 100, 8.0)
    assert (district["children"], district["provider_children"], district["coverage"]) == (1, 1, 2.0)
    assert indicators.headline(D, None, with_breakdowns=False)["indicators"]["coverage"] == {
        "numerator": 9, "denominator": 150, "value": 6.0}


def test_no_population_figure_leaves_the_share_empty(world):
    other = f.municipality()

    values = indicators.headline(D, other.pk, with_breakdowns=False)["indicators"]

    assert values["coverage"] == {"numerator": 0, "denominator": None, "value": None}
    assert indicators.headline(dt.date(2025, 3, 15), None, with_breakdowns=False)[
        "population"] is None


def test_children_with_certificates_by_kind_status_date_age_and_territory(world):
    """``certificates``: children of the territory aged 5–17 on D holding an issued (or
    frozen) certificate decided by D; those with a financing one among them."""
    from opora.financing.models import CertificateStatus

    city, district = world["city"], world["district"]
    october = dt.date(2025, 10, 1)

    def holding(municipality, kind, status=CertificateStatus.ISSUED, decided=october, birth=None):
        made = certificate(child(municipality, birth), kind, decided)
        if status != CertificateStatus.ISSUED:
            made.status = status
            made.save(update_fields=["status"])

    holding(city, CertificateKind.FINANCING)
    holding(city, CertificateKind.FINANCING, CertificateStatus.FROZEN)
    holding(city, CertificateKind.ACCOUNTING)
    holding(city, CertificateKind.FINANCING, decided=dt.date(2026, 4, 1))  # after D
    holding(city, CertificateKind.FINANCING, birth=dt.date(2008, 3, 15))  # 18 on D
    holding(city, CertificateKind.FINANCING, CertificateStatus.REFUSED)
    holding(district, CertificateKind.FINANCING)

    assert indicators.certificates(D, city.pk) == {"any": 3, "financing": 2}
    assert indicators.certificates(D, district.pk) == {"any": 1, "financing": 1}
    assert indicators.certificates(D) == {"any": 4, "financing": 3}


def test_programs_by_direction_level_and_form_and_places_against_applications(population):
    """The city's providers publish a technical and an arts program (level «start»); the
    district's a distance sports one. On D the city's technical and arts groups of 15
    places study (the old technical group has ended); waiting now: Q on the arts list
    and a new application to the technical group."""
    city, district, g = population["city"].pk, population["district"].pk, population["groups"]
    enrol(child(population["city"]), g["tech"], status=S.NEW, on=None)

    programs = indicators.programs(D, city)
    places = indicators.places(D, city)

    assert (programs["total"], programs["stem"], programs["direction"]) == (
        2, 1, {"technical": 1, "arts": 1})
    assert programs["level"] == {str(level.value): 2 if level == Level.START else 0
                                 for level in indicators.LEVELS}
    assert sum(programs["study_form"].values()) == 2
    assert (programs["distance"], indicators.programs(D, district)["distance"]) == (0, 1)
    assert places == {
        "technical": {"places": 15, "taken": 0, "applications": 1, "waitlisted": 0},
        "arts": {"places": 15, "taken": 0, "applications": 1, "waitlisted": 1}}
    assert indicators.places(D, district) == {"sports": {"places": 15, "taken": 0}}
