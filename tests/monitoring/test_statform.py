"""The form 1-ДОП on 31 December 2025 against a table computed by hand.

Child  sex  age on 31.12.2025   studies (org, direction)            counted
a      f    10                  Центр А tech + arts, Спорт Б sports   by both organizations
b      m    4                   Центр А tech                         «моложе 5 лет»
c      f    18                  Центр А arts                         «18 лет и старше»
d      f    15, rural, ОВЗ      Спорт Б sports (distance)            yes
g      m    12                  Центр А tech, withdrawn 01.02.2026   yes (after the date)
e      f    10                  Центр А tech, expelled 01.12.2025    no
h      f    10                  Центр А arts, enrolled 10.01.2026    no

Центр А (the city): a b c g = 4, of them girls a c; technical a b g, arts a c.
Спорт Б (the district): a d = 2. The region, summed over organizations: 6.
"""

import datetime as dt
from io import BytesIO

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opora.audit.models import AuditEvent
from opora.enrollment.models import Sex
from opora.errors import PermissionDenied, ValidationFailed
from opora.monitoring import services, statform
from opora.monitoring.models import StatFormLayout
from tests.monitoring.conftest import S, child, enrol

pytestmark = pytest.mark.django_db

YEAR = 2025


@pytest.fixture
def pupils(world):
    city, district, g = world["city"], world["district"], world["groups"]
    a = child(city, dt.date(2015, 7, 1))
    enrol(a, g["tech"])
    enrol(a, g["arts"])
    enrol(a, g["sport"])
    enrol(child(city, dt.date(2021, 3, 15), sex=Sex.MALE), g["tech"])
    enrol(child(city, dt.date(2007, 6, 1)), g["arts"])
    enrol(child(district, dt.date(2010, 1, 1), is_rural=True, has_ovz=True), g["sport"])
    enrol(child(city, dt.date(2013, 7, 1), sex=Sex.MALE), g["tech"], status=S.WITHDRAWN,
          changed=dt.date(2026, 2, 1))
    enrol(child(city, dt.date(2015, 7, 1)), g["tech"], status=S.EXPELLED,
          ended_on=dt.date(2025, 12, 1))
    enrol(child(city, dt.date(2015, 7, 1)), g["arts"], on=dt.date(2026, 1, 10))
    world["sport_org"] = g["sport"].module.program.organization
    return world


def table(sections, code):
    """Row code -> {column label: cell} of a section."""
    section = next(s for s in sections if s["code"] == code)
    labels = [c["label"] for c in section["columns"]]
    return {row["code"]: dict(zip(labels, row["cells"], strict=True)) for row in section["rows"]}


def test_children_of_an_organization_by_hand(pupils, regional):
    sections = services.statform(regional, YEAR, organization=pupils["centre"])

    children = table(sections, "2")
    assert children["01"]["Всего"] == 4
    assert children["01"]["из них девочки"] == 2
    assert children["01"]["моложе 5 лет"] == 1
    assert children["01"]["10–14 лет"] == 2
    assert children["01"]["18 лет и старше"] == 1
    assert children["01"]["5–9 лет"] == 0
    assert children["02"]["Всего"] == 3  # technical: a b g
    assert children["04"]["Всего"] == 2  # arts: a c
    assert children["04"]["из них девочки"] == 2
    assert children["07"]["Всего"] == 0  # sports: not at this organization


def test_programs_and_teachers_of_an_organization(pupils, regional):
    sections = services.statform(regional, YEAR, organization=pupils["centre"])

    programs = table(sections, "1")
    assert programs["01"]["Всего программ"] == 2
    assert programs["02"]["Всего программ"] == 1
    assert programs["01"]["реализуемых с применением дистанционных технологий"] == 0
    teachers = table(sections, "3")
    assert teachers["01"]["Всего"] == 2
    assert teachers["01"]["высшая категория"] == 1


def test_a_municipality_and_the_region_sum_their_organizations(pupils, regional):
    city = table(services.statform(regional, YEAR, municipality=pupils["city"]), "2")
    district = table(services.statform(regional, YEAR, municipality=pupils["district"]), "2")
    region = table(services.statform(regional, YEAR), "2")

    assert city["01"]["Всего"] == 4
    assert district["01"]["Всего"] == 2  # a and d study at Спорт Б
    assert district["01"]["проживают в сельской местности"] == 1
    assert district["01"]["с ОВЗ"] == 1
    assert district["01"]["с применением дистанционных технологий"] == 2
    assert region["01"]["Всего"] == 6  # a is counted by both organizations
    assert region["07"]["Всего"] == 2


def test_the_form_costs_one_query_per_section(pupils, regional):
    with CaptureQueriesContext(connection) as queries:
        services.statform(regional, YEAR)

    assert len(queries) == 1 + 3  # the stored layout, then a grouped query per section


# --- who sees what ---------------------------------------------------------------------


def test_staff_see_their_organization_only(pupils, staff, provider):
    assert services.statform(staff, YEAR, organization=provider)
    with pytest.raises(PermissionDenied):
        services.statform(staff, YEAR, organization=pupils["centre"])
    with pytest.raises(PermissionDenied):
        services.statform(staff, YEAR, municipality=pupils["city"])
    with pytest.raises(PermissionDenied):
        services.statform(staff, YEAR)


def test_the_moc_sees_its_municipality_and_its_organizations(pupils, operator, authority):
    for user in (operator, authority):
        assert services.statform(user, YEAR, municipality=pupils["city"])
        assert services.statform(user, YEAR, organization=pupils["centre"])
        with pytest.raises(PermissionDenied):
            services.statform(user, YEAR, municipality=pupils["district"])
        with pytest.raises(PermissionDenied):
            services.statform(user, YEAR, organization=pupils["sport_org"])
        with pytest.raises(PermissionDenied):
            services.statform(user, YEAR)


def test_a_parent_sees_nothing(pupils, parent):
    with pytest.raises(PermissionDenied):
        services.statform(parent, YEAR, municipality=pupils["city"])


@pytest.mark.parametrize("year", ["двадцать", None, 1999, 2999])
def test_bad_years_are_refused(pupils, regional, year):
    with pytest.raises(ValidationFailed):
        services.statform(regional, year)


# --- the layout ------------------------------------------------------------------------

LAYOUT = """\
раздел А | Сельские дети | дети
строка 1 | Всего |
строка 2 | спортивные | направленность=Физкультурно-спортивная
столбец 1 | всего |
столбец 2 | сельские девочки | сельские, пол=ж
"""


def test_the_rmc_changes_the_layout_and_the_form_follows(pupils, regional):
    services.save_statform_layout(regional, LAYOUT)

    sections = services.statform(regional, YEAR, municipality=pupils["district"])
    assert [s["code"] for s in sections] == ["А"]
    assert table(sections, "А") == {"1": {"всего": 2, "сельские девочки": 1},
                                    "2": {"всего": 2, "сельские девочки": 1}}
    assert AuditEvent.objects.filter(action="monitoring.statform_layout.saved").count() == 1

    services.reset_statform_layout(regional)
    assert [s["code"] for s in services.statform(regional, YEAR)] == ["1", "2", "3"]


@pytest.mark.parametrize("text, problem", [
    ("", "нет ни одного раздела"),
    ("раздел 1 | Дети | кошки\nстрока 1 | a |\nстолбец 1 | b |", "«дети», «программы» или «педагоги»"),
    ("строка 1 | a |", "до первого раздела"),
    ("раздел 1 | Дети | дети\nстрока 1 | a | цвет=синий\nстолбец 1 | b |", "неизвестное условие «цвет»"),
    ("раздел 1 | Дети | дети\nстрока 1 | a | пол=x\nстолбец 1 | b |", "значение «x» условия «пол»"),
    ("раздел 1 | Дети | дети\nстрока 1 | a | возраст=9-5\nстолбец 1 | b |", "условия «возраст»"),
    ("раздел 1 | Дети | дети\nстрока 1 | a | ОВЗ=да\nстолбец 1 | b |", "не бывает значения"),
    ("раздел 1 | Педагоги | педагоги\nстрока 1 | a | пол=ж\nстолбец 1 | b |", "не относится к разделу"),
    ("раздел 1 | Дети | дети\nстрока 1 | a |\nстрока 1 | c |\nстолбец 1 | b |", "повторяется"),
    ("раздел 1 | Дети | дети\nстрока 1 | a |", "хотя бы одна строка и один столбец"),
    ("раздел 1 Дети дети", "Строка 1: ожидается"),
])
def test_a_bad_layout_is_refused_with_its_line_and_changes_nothing(regional, text, problem):
    with pytest.raises(ValidationFailed) as error:
        services.save_statform_layout(regional, text)

    assert problem in str(error.value.errors["text"])
    assert not StatFormLayout.objects.exists()


def test_only_the_rmc_changes_the_layout(operator):
    with pytest.raises(PermissionDenied):
        services.save_statform_layout(operator, LAYOUT)
    with pytest.raises(PermissionDenied):
        services.reset_statform_layout(operator)
    assert not StatFormLayout.objects.exists()


def test_the_default_layout_parses():
    layout = statform.parse(statform.DEFAULT_LAYOUT)
    assert [len(s["rows"]) for s in layout["sections"]] == [7, 7, 1]


# --- pages -----------------------------------------------------------------------------


def test_staff_open_their_form_and_its_excel(client, pupils, staff, provider):
    client.force_login(staff)

    response = client.get(reverse("monitoring:statform"), {"year": YEAR})
    assert response.status_code == 200
    assert response.context["subject"] == provider.short_name
    export = client.get(reverse("monitoring:statform_export"), {"year": YEAR})
    book = openpyxl.load_workbook(BytesIO(b"".join(export.streaming_content)))
    assert book.sheetnames == ["Раздел 1", "Раздел 2", "Раздел 3"]
    heading = [cell for row in book["Раздел 2"].iter_rows(max_row=4, values_only=True) for cell in row if cell]
    assert heading[1:3] == [f"Организация или территория: {provider.short_name}",
                            "По состоянию на: 31.12.2025"]


def test_the_moc_form_is_its_municipality_and_its_excel_has_the_cells(client, pupils, operator):
    client.force_login(operator)

    response = client.get(reverse("monitoring:statform"), {"year": YEAR})
    assert "Город Тестов" in response.context["subject"]
    export = client.get(reverse("monitoring:statform_export"), {"year": YEAR})
    sheet = openpyxl.load_workbook(BytesIO(b"".join(export.streaming_content)))["Раздел 2"]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=6, values_only=True)}
    assert rows["01"][2] == 4  # «Всего» of the row «Всего»
    assert client.get(reverse("monitoring:statform_layout")).status_code == 403


def test_the_rmc_edits_the_layout_on_its_page(client, regional):
    client.force_login(regional)
    url = reverse("monitoring:statform_layout")

    assert "направленность" in client.get(url).content.decode()
    bad = client.post(url, {"text": "раздел 1 | Дети | кошки"})
    assert bad.status_code == 200
    assert "«дети», «программы» или «педагоги»" in bad.content.decode()
    assert not StatFormLayout.objects.exists()
    assert client.post(url, {"text": LAYOUT}).status_code == 302
    assert StatFormLayout.objects.get().layout["sections"][0]["title"] == "Сельские дети"
