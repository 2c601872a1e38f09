"""The catalog index follows every change made through the registry's services."""

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from opora.navigator import index
from opora.navigator.catalog import search_catalog
from opora.navigator.filters import Filters
from opora.navigator.models import CatalogEntry
from opora.registry import services
from opora.registry.choices import FundingSource
from opora.registry.models import Group
from tests import factories as f


def catalog_titles(**kw):
    return sorted(p.title for p in search_catalog(Filters(page_size=100, **kw), with_facets=False).items)


def payments_of(program):
    return CatalogEntry.objects.get(program=program).payment


def _group_data(program, start_in_days=15):
    today = timezone.localdate()
    return {"name": "Группа А", "start_date": today + dt.timedelta(days=start_in_days),
            "end_date": today + dt.timedelta(days=200), "hours_per_year": 72, "capacity_max": 12,
            "age_min": program.age_min, "age_max": program.age_max}


SCHEDULE = [{"weekdays": 2, "time_from": dt.time(16), "time_to": dt.time(17), "lesson_minutes": 45}]


def test_published_program_enters_the_catalog_and_leaves_it_when_archived(program, staff, operator):
    assert catalog_titles() == []
    services.submit_program(staff, program)
    assert catalog_titles() == []
    services.publish_program(operator, program)
    assert catalog_titles() == [program.title]
    services.archive_program(operator, program, "Не набрали группу")
    assert catalog_titles() == []
    assert not CatalogEntry.objects.filter(program=program).exists()


def test_changing_a_public_field_keeps_the_published_version_until_approved(program, staff, operator):
    services.submit_program(staff, program)
    services.publish_program(operator, program)
    title = program.title
    services.update_program(staff, program, {"title": "Робототехника и электроника"})
    assert catalog_titles() == [title]
    services.publish_program(operator, program)
    assert catalog_titles() == ["Робототехника и электроника"]


def test_deactivated_organization_takes_its_programs_out_and_back(program, staff, operator, provider):
    services.submit_program(staff, program)
    services.publish_program(operator, program)
    services.set_organization_active(operator, provider, False, "Лицензия приостановлена")
    assert catalog_titles() == []
    services.set_organization_active(operator, provider, True)
    assert catalog_titles() == [program.title]


def test_group_funding_changes_the_payment_badges_and_price(program, staff, operator):
    services.submit_program(staff, program)
    services.publish_program(operator, program)
    module = program.modules.get()
    group = services.save_group(staff, module, _group_data(program), schedule=SCHEDULE,
                                funding=[{"source": FundingSource.BUDGET}])
    assert payments_of(program) == 1
    services.save_group(staff, module, _group_data(program), schedule=SCHEDULE, group=group, funding=[
        {"source": FundingSource.CERTIFICATE, "monthly_price": Decimal("1800")},
        {"source": FundingSource.PAID, "monthly_price": Decimal("2500")}])
    entry = CatalogEntry.objects.get(program=program)
    # the new prices of a published program wait for the МОЦ
    assert (entry.payment, entry.min_price, entry.min_paid_price) == (1, Decimal("0"), None)
    services.approve_prices(operator, program)
    entry.refresh_from_db()
    assert (entry.payment, entry.min_price, entry.min_paid_price) == (2 | 4, Decimal("1800"), Decimal("2500"))
    assert (entry.next_start, entry.free_seats) == (group.start_date, 12)
    services.delete_group(staff, group)
    entry.refresh_from_db()
    assert (entry.payment, entry.min_price, entry.next_start, entry.free_seats) == (0, None, None, 0)


def test_rebuild_gives_the_same_index_as_the_step_by_step_refreshes(catalog):
    def snapshot():
        return sorted(CatalogEntry.objects.values_list(
            "program_id", "municipality_id", "direction", "levels", "forms", "payment", "ovz_kinds",
            "seasonal", "is_rural", "age_min", "age_max", "title", "min_price", "min_paid_price",
            "next_start", "free_seats"))

    before = snapshot()
    assert len(before) == 6
    CatalogEntry.objects.all().delete()
    index.rebuild()
    assert snapshot() == before
    index.rebuild()
    assert snapshot() == before


def test_deleting_a_published_program_leaves_no_entry(catalog):
    catalog.dance.delete()
    assert catalog_titles(q="танцы") == []
    assert not CatalogEntry.objects.filter(program_id=catalog.dance.pk).exists()


def test_new_words_join_the_search_vocabulary(provider):
    program = f.program(provider, title="Квиллинг", status="published", direction="arts")
    assert catalog_titles(q="квилинг") == ["Квиллинг"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM navigator_searchword WHERE word = 'квиллинг'")
            assert cursor.fetchone()[0] == 1
    assert program.pk


def test_the_old_generated_search_column_is_gone(db):
    """Navigator migration 0007 dropped ``registry_program.search_vector``: nothing reads it."""
    from django.db import connection

    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, "registry_program")}
    assert "title" in columns and "search_vector" not in columns


def test_a_group_filling_up_refreshes_the_entry_but_not_the_search_document(program, staff, operator):
    services.submit_program(staff, program)
    services.publish_program(operator, program)
    group = services.save_group(staff, program.modules.get(), _group_data(program), schedule=SCHEDULE,
                                funding=[{"source": FundingSource.BUDGET}])
    assert CatalogEntry.objects.get(program=program).free_seats == 12
    found = catalog_titles(q=program.title.split()[0])
    Group.objects.filter(pk=group.pk).update(seats_taken=12)  # as the seat counter moves

    with CaptureQueriesContext(connection) as queries:
        index.refresh_groups([group.pk])

    assert CatalogEntry.objects.get(program=program).free_seats == 0
    assert not [q for q in queries if "searchdoc" in q["sql"].lower()]
    assert catalog_titles(q=program.title.split()[0]) == found == [program.title]
