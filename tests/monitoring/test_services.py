"""Population, targets, the population import and snapshots: rules, rights, bad input."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from opora import audit
from opora.errors import PermissionDenied, ValidationFailed
from opora.monitoring import services
from opora.monitoring.models import IndicatorTarget, Snapshot
from opora.registry.models import MunicipalityPopulation
from tests.monitoring.conftest import D, S, child, enrol, workbook

pytestmark = pytest.mark.django_db


def figures():
    return set(MunicipalityPopulation.objects.values_list("municipality__name", "year",
                                                           "children_5_17"))


def test_the_moc_and_the_authority_keep_their_municipality_and_each_change_is_recorded(
        city, district, operator, authority, other_operator, staff):
    row = services.save_population(operator, city, 2026, "12 500")
    services.save_population(authority, city, 2026, 12600)

    row.refresh_from_db()
    assert row.children_5_17 == 12600
    events = [(e.actor, e.data["before"], e.data["after"]) for e in audit.timeline(row)]
    assert events == [(operator, None, 12500), (authority, 12500, 12600)]
    with pytest.raises(PermissionDenied):
        services.save_population(other_operator, city, 2026, 1)
    with pytest.raises(PermissionDenied):
        services.save_population(staff, city, 2026, 1)


@pytest.mark.parametrize(("year", "children", "message"), [
    ("две тысячи", 10, "Год указывается числом"),
    (1990, 10, "между 2000 и 2100"),
    (2026, "много", "целым числом"),
    (2026, 0, "больше нуля"),
])
def test_bad_population_input_is_refused_with_a_message(city, operator, year, children, message):
    with pytest.raises(ValidationFailed, match=message):
        services.save_population(operator, city, year, children)
    assert not MunicipalityPopulation.objects.exists()


def test_the_rmc_imports_every_municipality_at_once(city, district, regional):
    MunicipalityPopulation.objects.create(municipality=city, year=2026, children_5_17=1)

    changed = services.import_population(regional, workbook(
        (city.oktmo, "", 2026, 12000), ("", district.name, 2026, 3000.0), (None, None, None, None)))

    assert changed == 2
    assert figures() == {(city.name, 2026, 12000), (district.name, 2026, 3000)}
    assert {e.data["source"] for e in audit.timeline(city.populations.get())} == {"import"}


def test_an_import_with_bad_rows_names_each_row_and_saves_nothing(city, district, regional):
    with pytest.raises(ValidationFailed) as refused:
        services.import_population(regional, workbook(
            (city.oktmo, "", 2026, 12000),
            ("99999999", "", 2026, 10),
            (district.oktmo, "", "", -5),
            (city.oktmo, "", 2026, 13000),
        ))

    messages = refused.value.errors["file"]
    assert messages[0] == "Строка 3: муниципалитет не найден."
    assert messages[1].startswith("Строка 4: год указывается числом")
    assert "численность детей должна быть больше нуля" in messages[1]
    assert messages[2] == "Строка 5: муниципалитет и год уже указаны в строке 2."
    assert figures() == set()


def test_the_import_wants_its_columns_and_the_rmc(city, operator, regional):
    with pytest.raises(ValidationFailed, match="столбцы"):
        services.import_population(regional, workbook((1, 2), header=("Код", "Число")))
    with pytest.raises(ValidationFailed, match="не читается"):
        services.import_population(regional, b"not a workbook")
    with pytest.raises(PermissionDenied):
        services.import_population(operator, workbook((city.oktmo, "", 2026, 1)))


def test_targets_of_a_municipality_and_of_the_region(city, operator, regional, other_operator):
    services.save_target(regional, None, 2026, "coverage", "81,5")
    services.save_target(operator, city, 2026, "coverage", 79)
    services.save_target(operator, city, 2026, "coverage", 78)

    assert set(IndicatorTarget.objects.values_list("municipality", "value")) == {
        (None, 81.5), (city.pk, 78)}
    own = city.indicator_targets.get()
    assert [(e.actor, e.action, e.data["before"], e.data["after"]) for e in audit.timeline(own)] == [
        (operator, "monitoring.target.saved", None, 79), (operator, "monitoring.target.saved", 79, 78)]
    with pytest.raises(PermissionDenied):
        services.save_target(operator, None, 2026, "coverage", 90)
    with pytest.raises(PermissionDenied):
        services.save_target(other_operator, city, 2026, "coverage", 90)
    with pytest.raises(ValidationFailed, match="от 0 до 100"):
        services.save_target(operator, city, 2026, "coverage", 120)
    with pytest.raises(ValidationFailed, match="из списка"):
        services.save_target(operator, city, 2026, "happiness", 10)


@pytest.fixture
def enrolled(world):
    g = world["groups"]
    today = timezone.localdate()
    g["tech"].start_date, g["tech"].end_date = today - dt.timedelta(days=60), today + dt.timedelta(days=60)
    g["tech"].save()
    a = enrol(child(world["city"]), g["tech"], on=today - dt.timedelta(days=30))
    enrol(child(world["city"]), g["tech"], on=today - dt.timedelta(days=30))
    return a


def test_snapshots_reproduce_after_the_data_change(world, enrolled, operator):
    city = world["city"]
    day = timezone.localdate() - dt.timedelta(days=1)

    assert services.take_snapshots() == 3  # the region and both municipalities
    frozen, snapshot = services.indicators_on(operator, day, city)
    # the data change afterwards: the child is expelled back-dated, the population is corrected
    type(enrolled).objects.filter(pk=enrolled.pk).update(status=S.EXPELLED,
                                                          ended_on=day - dt.timedelta(days=5))
    MunicipalityPopulation.objects.filter(municipality=city).update(children_5_17=1000)
    again, same = services.indicators_on(operator, day, city)

    assert same == snapshot and not snapshot.recomputed
    assert again == frozen
    assert again["indicators"]["coverage"]["numerator"] == 2
    assert services.indicators_on(operator, timezone.localdate(), city)[1] is None  # today: live


def test_a_past_date_without_a_snapshot_is_computed_and_marked_recomputed(world, operator,
                                                                           other_operator):
    values, snapshot = services.indicators_on(operator, D, world["city"])

    assert snapshot.recomputed and snapshot.on_date == D
    assert values["indicators"]["coverage"]["denominator"] == 100
    with pytest.raises(PermissionDenied):
        services.indicators_on(other_operator, D, world["city"])
    with pytest.raises(PermissionDenied):
        services.indicators_on(operator, D, None)
    with pytest.raises(ValidationFailed, match="раньше 2000 года"):
        services.indicators_on(operator, dt.date(1, 1, 1), world["city"])
    with pytest.raises(ValidationFailed, match="позже сегодняшней"):
        services.indicators_on(operator, timezone.localdate() + dt.timedelta(days=1), world["city"])


def test_the_command_and_the_task_take_the_snapshots(world):
    call_command("monitoring_snapshot", "--date", D.isoformat())
    call_command("monitoring_snapshot", "--background")  # the immediate backend in tests

    assert Snapshot.objects.filter(on_date=D, recomputed=True).count() == 3
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert Snapshot.objects.filter(on_date=yesterday, recomputed=False).count() == 3
