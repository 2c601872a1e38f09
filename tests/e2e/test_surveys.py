"""End to end, a data request on a phone (390 px): the РМЦ writes a request with a number
and a choice field and sends it to one municipality and its providers; the provider's
staff answer it; the МОЦ accepts the answer, adds its own figure and submits the
municipality's answer; the РМЦ accepts it and downloads the Excel file, whose rows hold
the sum."""

import io
import re
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from opora.accounts.models import Role
from opora.surveys.models import Reply, ReplyStatus, Survey
from tests import factories as f
from tests.e2e.steps import PHONE, log_in, log_out, open_section

PASSWORD = "e2e-Pass-2030"


def _label(text):
    return re.compile(rf"^{re.escape(text)}:?$")



@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_data_request_goes_up_and_comes_back_as_excel(page):
    # given: two municipalities, a provider of the city with its staff, the city's МОЦ and the РМЦ
    city = f.municipality(name="Город Тестов")
    f.municipality(name="Тестовский район")
    provider = f.organization(city, short_name="ДДТ «Радуга»")
    f.user(Role.ORGANIZATION_STAFF, organization=provider, municipality=city,
           email="staff@raduga.example", last_name="Иванова", first_name="Ольга", password=PASSWORD)
    f.user(Role.SUPPORT_CENTRE, municipality=city, email="moc@city.example",
           last_name="Сидоров", first_name="Олег", password=PASSWORD)
    f.user(Role.REGIONAL_CENTRE, email="rmc@region.example", last_name="Орлова", first_name="Нина",
           password=PASSWORD)
    deadline = timezone.localdate() + timezone.timedelta(days=10)
    page.set_viewport_size(PHONE)

    # 1. the РМЦ writes the request, adds two fields and sends it
    log_in(page, "rmc@region.example", PASSWORD)
    page.goto("/office/")
    open_section(page, "Запросы данных")
    page.get_by_role("button", name="Новый запрос").click()
    page.get_by_label(_label("Название")).fill("Кружки на 1 декабря")
    page.get_by_label(_label("Срок ответа")).fill(deadline.isoformat())
    page.get_by_label(_label("Всем муниципалитетам")).uncheck()
    page.get_by_label("Город Тестов").check()
    page.get_by_label(_label("Ответы заполняют и все организации муниципалитетов")).check()
    page.get_by_role("button", name="Сохранить черновик").click()
    expect(page.get_by_role("status")).to_contain_text("Запрос сохранён как черновик")
    for label, kind, options in (("Число кружков", "Число", ""), ("Есть бассейн", "Выбор из списка", "да\nнет")):
        page.get_by_text("Добавить поле", exact=True).first.click()
        page.get_by_label(_label("Вопрос")).fill(label)
        page.get_by_label(_label("Тип ответа")).select_option(label=kind)
        if options:
            page.get_by_label(re.compile("^Варианты")).fill(options)
        page.get_by_role("button", name="Добавить поле").click()
        expect(page.get_by_role("status")).to_contain_text("Поле добавлено.")
    page.get_by_role("button", name="Отправить запрос").click()
    expect(page.get_by_role("status")).to_contain_text("Запрос отправлен.")
    log_out(page)

    # 2. the provider answers
    log_in(page, "staff@raduga.example", PASSWORD)
    page.goto("/office/surveys/")
    page.get_by_role("link", name="Нет ответа").click()
    page.get_by_label("Число кружков").fill("12")
    page.get_by_label("Есть бассейн").select_option("да")
    page.get_by_role("button", name="Отправить на проверку").click()
    expect(page.get_by_role("status")).to_contain_text("Ответ отправлен.")
    log_out(page)

    # 3. the МОЦ accepts it, adds its own figure and submits the municipality's answer
    log_in(page, "moc@city.example", PASSWORD)
    page.goto("/office/")
    open_section(page, "Запросы данных")
    page.get_by_role("link", name="Кружки на 1 декабря").click()
    page.get_by_role("link", name="ДДТ «Радуга»").click()
    page.get_by_role("button", name="Принять").click()
    expect(page.get_by_role("status")).to_contain_text("Ответ принят.")
    page.get_by_role("link", name="← Кружки на 1 декабря").click()
    page.get_by_role("link", name="МОЦ (ответ муниципалитета)").click()
    expect(page.get_by_text("Сумма принятых ответов организаций: 12")).to_be_visible()
    page.get_by_label(re.compile("^Число кружков")).fill("3")
    page.get_by_label("Есть бассейн").select_option("нет")
    page.get_by_role("button", name="Отправить на проверку").click()
    expect(page.get_by_role("status")).to_contain_text("Ответ отправлен.")
    log_out(page)

    # 4. the РМЦ accepts the municipality's answer and downloads the Excel file
    log_in(page, "rmc@region.example", PASSWORD)
    page.goto("/office/surveys/")
    page.get_by_role("link", name="Кружки на 1 декабря").click()
    page.get_by_role("link", name="МОЦ (ответ муниципалитета)").click()
    page.get_by_role("button", name="Принять").click()
    expect(page.get_by_role("status")).to_contain_text("Ответ принят.")
    page.get_by_role("link", name="← Кружки на 1 декабря").click()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Скачать ответы в Excel").click()
    download = download_info.value
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))

    [sheet] = book.worksheets
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Кружки на 1 декабря"
    assert rows[2][6:] == ["Число кружков", "Есть бассейн"]
    assert [(r[0], r[1], r[2], r[6], r[7]) for r in rows[3:]] == [
        ("Город Тестов", "МОЦ (итого по муниципалитету)", "Принят", 15, "нет"),
        ("Город Тестов", "ДДТ «Радуга»", "Принят", 12, "да"),
    ]
    survey = Survey.objects.get()
    assert set(Reply.objects.filter(survey=survey).values_list("status", flat=True)) == {ReplyStatus.ACCEPTED}
