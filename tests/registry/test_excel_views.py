"""The import pages: template download, upload, the result, and who may reach them."""

import io

import openpyxl
import pytest
from django.urls import reverse

from opora.accounts.models import Role
from opora.registry.models import Program
from tests import factories as f
from tests.registry.workbooks import xlsx


@pytest.fixture
def teachers(provider):
    return [f.teacher(provider)]


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks):
    """Post the import form; the import's task runs (inline, as in the demo) once the
    upload commits, and the page the upload leads to is returned."""
    def post(data):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("registry:import"), data)
        if response.status_code != 302:
            return response
        assert response["Location"].startswith(reverse("registry:import"))
        return client.get(response["Location"])
    return post


def test_staff_see_their_organization_without_a_choice(client, staff, provider):
    client.force_login(staff)
    response = client.get(reverse("registry:import"))
    page = response.content.decode()
    assert response.status_code == 200
    assert provider.short_name in page
    assert 'name="organization"' not in page
    assert 'name="keep_valid"' in page
    assert reverse("registry:import_template") in page
    assert "Файл — до 5 МБ, до 5000 строк и 60 столбцов на листе." in page


def test_staff_download_the_template_of_their_organization(client, staff, provider, teachers):
    client.force_login(staff)
    response = client.get(reverse("registry:import_template"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        "attachment; filename=\"programs-import-template.xlsx\"; filename*=UTF-8''")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Программы", "Группы", "Организация", "Справочники"]


def test_staff_upload_a_good_file_and_see_the_created_programs(client, staff, provider, teachers, upload):
    client.force_login(staff)
    response = upload({"file": xlsx(programs=[{}], groups=[{}])})
    program = Program.objects.get(organization=provider)
    page = response.content.decode()
    assert response.status_code == 200
    assert f'href="{reverse("registry:program_detail", args=[program.pk])}"' in page
    assert "Шахматы для начинающих" in page


def test_a_bad_file_shows_every_error_in_a_table_and_saves_nothing(client, staff, provider, teachers, upload):
    client.force_login(staff)
    response = upload({"file": xlsx(programs=[{"title": None}],
                                    groups=[{"program": "Нет такой", "teachers": "Кто-то"}])})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Файл не загружен: найдено ошибок: 3. Ничего не сохранено" in page
    assert "<td>Программы</td><td>2</td><td>Название</td><td>Заполните это поле.</td>" in page
    assert ("<td>Группы</td><td>2</td><td>Педагоги</td>"
            "<td>Педагог «Кто-то» не найден среди педагогов организации.</td>") in page
    assert Program.objects.count() == 0


def test_keep_valid_checkbox_keeps_the_good_rows(client, staff, provider, teachers, upload):
    client.force_login(staff)
    response = upload({"file": xlsx(programs=[{}, {"title": "Плохая", "age_min": 20}]), "keep_valid": "on"})
    assert response.status_code == 200
    assert list(Program.objects.values_list("title", flat=True)) == ["Шахматы для начинающих"]
    assert "<td>Программы</td><td>3</td><td>Возраст от</td>" in response.content.decode()


def test_a_corrupt_file_is_shown_next_to_the_file_field(client, staff):
    client.force_login(staff)
    upload = io.BytesIO(b"not a spreadsheet")
    upload.name = "программы.xlsx"
    response = client.post(reverse("registry:import"), {"file": upload})
    assert response.status_code == 400
    assert ("Файл не является таблицей Excel (.xlsx) или LibreOffice Calc (.ods) или повреждён. "
           "Откройте его и сохраните заново.") in response.content.decode()
    assert Program.objects.count() == 0


def test_support_centre_chooses_among_organizations_of_its_municipality(
        client, operator, provider, other_provider, city, upload):
    neighbour = f.organization(city)
    client.force_login(operator)
    page = client.get(reverse("registry:import")).content.decode()
    assert f'<option value="{provider.pk}">' in page and f'<option value="{neighbour.pk}">' in page
    assert f'<option value="{other_provider.pk}">' not in page

    template = client.get(reverse("registry:import_template"), {"organization": neighbour.pk})
    assert template.status_code == 200
    assert client.get(reverse("registry:import_template"), {"organization": other_provider.pk}).status_code == 404

    response = upload({"organization": neighbour.pk, "file": xlsx(programs=[{}])})
    assert response.status_code == 200
    assert Program.objects.get().organization == neighbour


def test_support_centre_cannot_import_into_another_municipality(client, operator, provider, other_provider):
    client.force_login(operator)
    response = client.post(reverse("registry:import"), {"organization": other_provider.pk,
                                                        "file": xlsx(programs=[{}])})
    assert response.status_code == 400
    assert "Выберите корректный вариант" in response.content.decode()
    assert Program.objects.count() == 0


@pytest.mark.parametrize("role", [Role.PARENT, Role.EDUCATION_AUTHORITY, Role.REGIONAL_CENTRE, Role.EXPERT])
def test_roles_without_import_rights_are_refused(client, city, role):
    client.force_login(f.user(role, municipality=city))
    assert client.get(reverse("registry:import")).status_code == 403
    assert client.get(reverse("registry:import_template")).status_code == 403
    assert client.post(reverse("registry:import"), {"file": xlsx(programs=[{}])}).status_code == 403
    assert Program.objects.count() == 0


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(reverse("registry:import"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
