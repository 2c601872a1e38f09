"""End to end: a provider creates a program with a group and submits it; the МОЦ of the
municipality publishes it; the program's card tells both steps."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from opora.accounts.models import Role
from opora.registry.choices import FundingSource, ProgramStatus, Weekday
from opora.registry.models import Program
from tests import factories as f
from tests.e2e.steps import DESKTOP, PHONE, log_in, log_out, open_section

PASSWORD = "e2e-Pass-2030"


def _label(text):
    """A field's label as rendered (Django adds a colon)."""
    return re.compile(rf"^{re.escape(text)}:?$")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_staff_create_and_submit_program_and_support_centre_publish_it(page):
    # given: a provider with its staff member and a teacher, and the МОЦ of its municipality
    city = f.municipality(name="Город Тестов")
    provider = f.organization(city, short_name="ДДТ «Радуга»")
    f.teacher(provider, last_name="Смирнова", first_name="Анна", patronymic="Ивановна")
    f.user(Role.ORGANIZATION_STAFF, organization=provider, municipality=city,
           email="staff@raduga.example", last_name="Иванова", first_name="Ольга", password=PASSWORD)
    f.user(Role.SUPPORT_CENTRE, municipality=city, email="moc@city.example",
           last_name="Сидоров", first_name="Олег", password=PASSWORD)

    # the staff member creates a program
    log_in(page, "staff@raduga.example", PASSWORD)
    expect(page.get_by_role("heading", name="Рабочий стол", level=1)).to_be_visible()
    open_section(page, "Мои программы")
    expect(page.get_by_role("heading", name="Мои программы", level=1)).to_be_visible()
    page.get_by_role("button", name="Добавить программу").click()
    page.get_by_label(_label("Название")).fill("Робототехника для начинающих")
    page.get_by_label(_label("Направленность")).select_option(label="Техническая")
    page.get_by_label(_label("Специализация")).select_option(label="Робототехника (значимая)")
    page.get_by_label("Стартовый (ознакомительный)").check()
    page.get_by_label(_label("Возраст от")).fill("8")
    page.get_by_label(_label("Возраст до")).fill("12")
    page.get_by_label(_label("Продолжительность, месяцев")).fill("9")
    page.get_by_label(_label("Объём, академических часов")).fill("72")
    page.get_by_label(_label("Описание")).fill("Собираем и программируем роботов из конструктора.")
    page.get_by_role("button", name="Создать программу").click()
    expect(page.get_by_role("status")).to_contain_text("создана как черновик")
    expect(page.get_by_role("heading", level=2,
                            name="Робототехника для начинающих. 1-й год обучения")).to_be_visible()

    # and adds a group to its first module, on a phone
    page.set_viewport_size(PHONE)
    page.get_by_role("button", name=re.compile("^Добавить группу")).click()
    expect(page.get_by_role("heading", name="Новая группа", level=1)).to_be_visible()
    page.get_by_label(_label("Название группы")).fill("Группа 1-А")
    page.get_by_label(_label("Начало занятий")).fill("2030-09-01")
    page.get_by_label(_label("Окончание занятий")).fill("2031-05-31")
    page.get_by_label("Смирнова Анна Ивановна").check()
    page.get_by_label("Запись открыта").check()
    first_line = page.get_by_role("group", name="Строка расписания 1")
    first_line.get_by_label("Пн").check()
    first_line.get_by_label("Ср").check()
    first_line.get_by_label(_label("Время с")).fill("15:00")
    first_line.get_by_label(_label("Время до")).fill("16:30")
    # a third timetable line through «Добавить строку»
    page.get_by_role("button", name="Добавить строку расписания").click()
    third_line = page.get_by_role("group", name="Строка расписания 3")
    third_line.get_by_label("Сб").check()
    third_line.get_by_label(_label("Время с")).fill("10:00")
    third_line.get_by_label(_label("Время до")).fill("11:00")
    funding = page.get_by_role("group", name="Источник финансирования 1")
    funding.get_by_label(_label("Источник")).select_option(label="Сертификат")
    funding.get_by_label(_label("Стоимость в месяц, ₽")).fill("1500")
    page.get_by_role("button", name="Сохранить группу").click()
    expect(page.get_by_role("status")).to_contain_text("Группа «Группа 1-А» сохранена.")
    expect(page.get_by_role("heading", name="Группа 1-А", level=3)).to_be_visible()

    # and sends the program to moderation
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name="Отправить на модерацию").click()
    expect(page.get_by_role("status")).to_contain_text("Программа отправлена на модерацию в МОЦ.")
    log_out(page)

    # the МОЦ operator finds it in the moderation queue and publishes it
    log_in(page, "moc@city.example", PASSWORD)
    open_section(page, "Модерация")
    expect(page.get_by_role("heading", name="Модерация программ", level=1)).to_be_visible()
    page.get_by_role("link", name="Робототехника для начинающих").click()
    page.get_by_role("button", name="Опубликовать", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Программа опубликована")

    # then the card's history shows both steps, with who took them
    history = page.get_by_role("region", name="История")
    expect(history.get_by_role("listitem").filter(has_text="Отправлена на модерацию")).to_contain_text(
        "Иванова О.")
    expect(history.get_by_role("listitem").filter(has_text="Опубликована")).to_contain_text(
        "Сидоров О.")

    program = Program.objects.get(title="Робототехника для начинающих")
    assert program.status == ProgramStatus.PUBLISHED
    group = program.modules.get().groups.get()
    assert (group.start_date, group.end_date, group.enrolment_open) == (
        dt.date(2030, 9, 1), dt.date(2031, 5, 31), True)
    assert [t.last_name for t in group.teachers.all()] == ["Смирнова"]
    assert [(s.weekdays, s.time_from, s.time_to) for s in group.schedule.order_by("time_from")] == [
        (Weekday.SAT, dt.time(10, 0), dt.time(11, 0)),
        (Weekday.MON | Weekday.WED, dt.time(15, 0), dt.time(16, 30)),
    ]
    assert [(x.source, x.monthly_price) for x in group.funding.all()] == [
        (FundingSource.CERTIFICATE, Decimal("1500.00"))]
