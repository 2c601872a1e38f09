"""End to end: a parent finds a program, registers from its apply page, confirms the e-mail
by the link in the letter, adds a child with the consent and applies; the provider's staff
confirm the application; the parent sees «Обучается»."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from opora.accounts.models import Role, User
from opora.enrollment.models import Application, Guardianship
from opora.enrollment.models import ApplicationStatus as S
from opora.registry.choices import ProgramStatus
from tests import factories as f
from tests.e2e.steps import PHONE, log_in, log_out, open_section
from tests.enrollment.conftest import born, open_group

PASSWORD = "e2e-Pass-2030"
LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm/\S+)")


def _label(text):
    """A field's label as rendered (Django adds a colon)."""
    return re.compile(rf"^{re.escape(text)}:?$")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_parent_registers_applies_and_sees_the_child_enrolled(page):
    # given: a published program with a group open for enrolment, and the provider's staff
    city = f.municipality(name="Город Тестов")
    f.municipality(name="Тестовский район")
    provider = f.organization(city, short_name="ДДТ «Радуга»")
    program = f.program(provider, title="Робототехника", status=ProgramStatus.PUBLISHED,
                        age_min=7, age_max=14)
    group = open_group(program, name="Роботы-1", capacity_max=2)
    f.user(Role.ORGANIZATION_STAFF, organization=provider, municipality=city,
           email="staff@raduga.example", last_name="Иванова", first_name="Ольга", password=PASSWORD)
    apply_path = f"/enrol/{group.pk}/"

    # the parent finds the program in the navigator, on a phone
    page.set_viewport_size(PHONE)
    page.goto("/")
    page.get_by_label("Что ищете").fill("робот")
    page.get_by_label("Что ищете").press("Enter")
    # the results come in place of the catalog's (htmx), and the search's address is
    # pushed into the history then: a click before that could be lost to the push
    expect(page).to_have_url(re.compile(r"q=%D1%80%D0%BE%D0%B1%D0%BE%D1%82"))
    page.get_by_role("link", name="Робототехника").click()
    expect(page.get_by_role("heading", level=1, name="Робототехника")).to_be_visible()

    # presses «Записаться» on the group and is asked to sign in or register
    page.get_by_role("button", name="Записаться").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(apply_path)}$"))
    expect(page.get_by_text("Свободно мест: 2 из 2.")).to_be_visible()
    page.get_by_role("button", name="Зарегистрироваться").click()

    # registers
    expect(page.get_by_role("heading", level=1, name="Регистрация родителя")).to_be_visible()
    page.get_by_label(_label("Муниципалитет, где вы живёте")).select_option(label="Город Тестов")
    page.get_by_label(_label("Фамилия")).fill("Смирнова")
    page.get_by_label(_label("Имя")).fill("Ольга")
    page.get_by_label(_label("Отчество")).fill("Игоревна")
    page.get_by_label(_label("Телефон")).fill("+7 900 123-45-67")
    page.get_by_label(_label("E-mail")).fill("olga.smirnova@example.org")
    page.get_by_label(_label("Пароль")).fill(PASSWORD)
    page.get_by_label(_label("Пароль ещё раз")).fill(PASSWORD)
    page.get_by_label("Даю согласие на обработку моих персональных данных").check()
    page.get_by_role("button", name="Зарегистрироваться").click()
    expect(page.get_by_role("heading", level=1, name="Подтвердите e-mail")).to_be_visible()

    # confirms the e-mail by the link in the letter, and comes back to the apply page
    letter = mail.outbox[-1]
    assert letter.to == ["olga.smirnova@example.org"]
    page.goto(LINK.search(letter.body).group(1))
    expect(page.get_by_role("status")).to_contain_text("Адрес электронной почты подтверждён.")
    expect(page).to_have_url(re.compile(rf"{re.escape(apply_path)}$"))

    # adds a child with the consent to process the child's data
    page.get_by_role("button", name="Добавить ребёнка").click()
    page.get_by_label(_label("Фамилия")).fill("Смирнова")
    page.get_by_label(_label("Имя")).fill("Алёна")
    page.get_by_label(_label("Отчество")).fill("Игоревна")
    page.get_by_label(_label("Дата рождения")).fill(born(10, group.start_date).isoformat())
    page.get_by_label("Женский").check()
    page.get_by_label("Даю согласие на обработку персональных данных ребёнка").check()
    page.get_by_role("button", name="Добавить ребёнка").click()
    expect(page.get_by_role("status")).to_contain_text("Ребёнок добавлен: Смирнова Алёна Игоревна.")

    # and applies
    expect(page).to_have_url(re.compile(rf"{re.escape(apply_path)}$"))
    page.get_by_label("Смирнова Алёна Игоревна").check()
    page.get_by_role("button", name="Записаться").click()
    expect(page.get_by_role("heading", level=1, name="Место забронировано")).to_be_visible()
    log_out(page)

    # the staff member confirms the application from the list
    application = Application.objects.get()
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "staff@raduga.example", PASSWORD)
    open_section(page, "Заявки")
    expect(page.get_by_role("heading", level=1, name="Заявки")).to_be_visible()
    page.get_by_label(f"Выбрать заявку № {application.pk}").check()
    page.get_by_label(_label("Действие")).select_option(label="Подтвердить")
    page.get_by_role("button", name="Выполнить").click()
    expect(page.get_by_role("status").first).to_contain_text("Подтверждена 1 заявка.")
    log_out(page)

    # the parent sees the child studying
    log_in(page, "olga.smirnova@example.org", PASSWORD)
    page.goto("/cabinet/")
    open_section(page, "Заявки")
    expect(page.get_by_text("Обучается", exact=True)).to_be_visible()
    page.get_by_role("link", name="Робототехника").click()
    expect(page.get_by_role("heading", level=1, name="Заявка: Обучается")).to_be_visible()
    history = page.get_by_role("region", name="История")
    expect(history.get_by_role("listitem").filter(
        has_text="Заявка подтверждена организацией")).to_be_visible()
    expect(history).not_to_contain_text("Иванова")

    parent = User.objects.get(email="olga.smirnova@example.org")
    assert (parent.role, parent.municipality, parent.email_confirmed_at is not None) == (
        Role.PARENT, city, True)
    assert Guardianship.objects.get().parent == parent
    application.refresh_from_db()
    assert (application.status, application.group, application.child.full_name) == (
        S.ENROLLED, group, "Смирнова Алёна Игоревна")
