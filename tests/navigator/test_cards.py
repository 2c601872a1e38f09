"""Result cards as plain values (``catalog.cards``): what the catalog page and the API's
list show of a program, read by one statement, the same values the program's own page
reads through the ORM (``Card.of``)."""

import dataclasses
import datetime as dt
from decimal import Decimal

from django.core.files.storage import default_storage

from opora.navigator import selectors
from opora.navigator.catalog import Card, cards
from opora.registry.choices import ProgramStatus
from opora.registry.models import Organization, Program


def _loaded(program):
    return (selectors.public_programs()
            .select_related("organization__municipality", "specialisation", "catalog_entry")
            .get(pk=program.pk))


def test_cards_come_in_the_order_asked_and_only_of_programs_the_catalog_shows(catalog):
    asked = [catalog.dance, *catalog.hidden, catalog.robotics, catalog.english]
    found = cards([p.pk for p in asked] + [10**9])
    assert [c.pk for c in found] == [catalog.dance.pk, catalog.robotics.pk, catalog.english.pk]
    assert [c.title for c in found] == ["Танцевальная студия «Ритм»", "Робототехника", "Английский язык"]


def test_a_card_holds_what_the_program_page_reads_with_the_same_types(catalog):
    for program in catalog.public:
        (card,) = cards([program.pk])
        assert dataclasses.asdict(card) == dataclasses.asdict(Card.of(_loaded(program)))
    (chess,) = cards([catalog.chess.pk])
    # budget and paid groups: free, and paid from 900 a month; SQLite's numbers and dates
    # converted as the ORM converts them
    assert (chess.min_price, chess.min_paid_price) == (Decimal("0.00"), Decimal("900.00"))
    assert type(chess.min_price) is Decimal and type(chess.next_start) is dt.date
    assert (chess.organization_name, chess.municipality, chess.specialisation) == (
        "Сельская школа", catalog.district.name, "Шахматы")
    assert chess.direction == "sports" and str(chess.direction_label) == "Физкультурно-спортивная"
    (ecology,) = cards([catalog.ecology.pk])
    assert ecology.specialisation is None and ecology.free_seats == 8


def test_a_card_shows_the_photo_cropped_for_cards_or_the_drawing_of_its_direction(catalog):
    Program.objects.filter(pk=catalog.dance.pk).update(photo="programs/ritm.png")
    dance, robotics = cards([catalog.dance.pk, catalog.robotics.pk])
    assert dance.photo == "programs/ritm.png"
    assert dance.card_picture == default_storage.url("programs/card/ritm.jpg")
    assert robotics.photo == "" and robotics.card_picture.endswith("navigator/directions/technical.svg")


def test_cards_are_read_by_one_statement_and_none_asked_reads_nothing(catalog, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert len(cards([p.pk for p in catalog.public])) == 6
    with django_assert_num_queries(0):
        assert cards([]) == []


def test_an_entry_left_for_a_withdrawn_program_makes_no_card(catalog):
    # a refresh that raced the withdrawal (or an update that skipped the refresh)
    # leaves the entries; the cards still show only what is published
    Program.objects.filter(pk=catalog.dance.pk).update(status=ProgramStatus.ARCHIVE)
    Organization.objects.filter(pk=catalog.rural_provider.pk).update(is_active=False)
    found = cards([catalog.dance.pk, catalog.chess.pk, catalog.robotics.pk])
    assert [c.pk for c in found] == [catalog.robotics.pk]
