"""The organization's coordinates in the Excel import (sheet «Организация»): a comma or a
dot, inside the region's box, both or neither; a bad value is a Russian row message and
changes nothing; the template carries the sheet with the coordinates the organization has."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opora.audit.models import AuditEvent
from opora.errors import PermissionDenied
from opora.registry import services
from opora.registry.excel_import import RowError
from opora.registry.excel_template import build_template
from opora.registry.models import Program
from tests import factories as f
from tests.registry.workbooks import ORG, xlsx


@pytest.fixture
def teachers(provider):
    return [f.teacher(provider)]


def _location(organization):
    organization.refresh_from_db()
    return organization.latitude, organization.longitude


@pytest.mark.parametrize(("latitude", "longitude"), [
    ("56,6014", "84,8862"), ("56.6014", "84.8862"), (56.6014, 84.8862), (" 56,6014° ", "84.8862°"),
])
def test_coordinates_with_a_comma_or_a_dot_are_saved_with_the_programs(
        provider, staff, teachers, latitude, longitude):
    upload = xlsx(programs=[{}], groups=[{}], organization=[{"latitude": latitude, "longitude": longitude}])

    result = services.import_programs(staff, provider, upload)

    assert result.errors == []
    assert result.programs_created == 1
    assert result.location == (56.6014, 84.8862)
    assert _location(provider) == (56.6014, 84.8862)
    event = AuditEvent.objects.get(action="registry.organization.located")
    assert (event.from_state, event.to_state) == ("", "56.601400,84.886200")
    assert provider.history.latest().history_change_reason == "Загружена из Excel"


def test_a_file_of_the_coordinates_alone_sets_them(provider, staff):
    upload = xlsx(with_programs_sheet=False, with_groups_sheet=False,
                  organization=[{"latitude": "57,1", "longitude": "85,2"}])

    result = services.import_programs(staff, provider, upload)

    assert (result.errors, result.programs_created, result.location) == ([], 0, (57.1, 85.2))
    assert _location(provider) == (57.1, 85.2)


def test_an_empty_sheet_leaves_the_coordinates_as_they_are(provider, staff, teachers):
    provider.latitude, provider.longitude = 56.5, 84.9
    provider.save()

    result = services.import_programs(staff, provider, xlsx(programs=[{}], groups=[{}], organization=[]))

    assert (result.errors, result.programs_created, result.location) == ([], 1, None)
    assert _location(provider) == (56.5, 84.9)
    assert not AuditEvent.objects.filter(action="registry.organization.located").exists()


@pytest.mark.parametrize(("row", "column", "message"), [
    ({"latitude": "56,6,1", "longitude": "84,8"}, "Широта",
     "Введите координату числом градусов, например 56,6014 или 56.6014."),
    ({"latitude": "56,6", "longitude": "восток"}, "Долгота",
     "Введите координату числом градусов, например 56,6014 или 56.6014."),
    ({"latitude": "84,88", "longitude": "84,88"}, "Широта", "Широта вне области: ожидается от 50,6 до 62,6."),
    ({"latitude": "56,6", "longitude": "30,3"}, "Долгота", "Долгота вне области: ожидается от 72,88 до 96,88."),
    ({"latitude": "56,6", "longitude": None}, "Долгота", "Укажите и широту, и долготу (или ни то, ни другое)."),
    ({"latitude": None, "longitude": "84,8"}, "Широта", "Укажите и широту, и долготу (или ни то, ни другое)."),
])
def test_a_bad_coordinate_is_a_row_message_and_nothing_is_saved(provider, staff, teachers, row, column, message):
    provider.latitude, provider.longitude = 56.5, 84.9
    provider.save()
    upload = xlsx(programs=[{}], groups=[{}], organization=[row])

    result = services.import_programs(staff, provider, upload)

    assert result.errors == [RowError(ORG, 2, column, message)]
    assert (result.programs_created, result.location) == (0, None)
    assert Program.objects.count() == 0
    assert _location(provider) == (56.5, 84.9)


def test_a_swapped_pair_names_both_columns(provider, staff):
    upload = xlsx(with_programs_sheet=False, with_groups_sheet=False,
                  organization=[{"latitude": "84,88", "longitude": "56,60"}])

    result = services.import_programs(staff, provider, upload)

    assert result.errors == [RowError(ORG, 2, "Широта", "Широта вне области: ожидается от 50,6 до 62,6."),
                             RowError(ORG, 2, "Долгота", "Долгота вне области: ожидается от 72,88 до 96,88.")]
    assert _location(provider) == (None, None)


def test_keeping_the_good_rows_does_not_keep_bad_coordinates(provider, staff, teachers):
    upload = xlsx(programs=[{}], groups=[{}], organization=[{"latitude": "10", "longitude": "84,8"}])

    result = services.import_programs(staff, provider, upload, keep_valid=True)

    assert [(e.sheet, e.column) for e in result.errors] == [(ORG, "Широта")]
    assert result.programs_created == 1
    assert _location(provider) == (None, None)


def test_a_second_filled_row_is_refused(provider, staff):
    upload = xlsx(with_programs_sheet=False, with_groups_sheet=False,
                  organization=[{"latitude": "57", "longitude": "85"}, {"latitude": "58", "longitude": "86"}])

    result = services.import_programs(staff, provider, upload)

    assert result.errors == [RowError(ORG, 2, "", "На листе «Организация» заполняется одна строка — строка 2; "
                                                "удалите строку 3.")]
    assert _location(provider) == (None, None)


def test_only_those_who_may_import_for_the_organization_set_its_coordinates(provider, other_staff, other_operator):
    upload = xlsx(with_programs_sheet=False, with_groups_sheet=False,
                  organization=[{"latitude": "57", "longitude": "85"}])

    for outsider in (other_staff, other_operator):
        with pytest.raises(PermissionDenied):
            services.import_programs(outsider, provider, upload)
    assert _location(provider) == (None, None)


def test_the_template_carries_the_organizations_coordinates_and_imports_them_back(provider, staff, teachers):
    provider.latitude, provider.longitude = 56.6014, 84.8862
    provider.save()
    workbook = openpyxl.load_workbook(io.BytesIO(build_template(provider)))

    sheet = workbook[ORG]
    assert [cell.value for cell in sheet[1]] == ["Широта", "Долгота"]
    assert [cell.value for cell in sheet[2]] == [56.6014, 84.8862]
    assert "Градусы с запятой или точкой" in sheet["A1"].comment.text
    sheet["A2"], sheet["B2"] = "57,25", "85,5"
    stream = io.BytesIO()
    workbook.save(stream)

    result = services.import_programs(staff, provider, SimpleUploadedFile("шаблон.xlsx", stream.getvalue()))

    assert result.errors == []
    assert _location(provider) == (57.25, 85.5)
