"""End to end, staff development: the МОЦ operator creates and publishes a seminar; an
organization registers two of its teachers; on the day the МОЦ marks attendance; the
teacher's record shows the hours and the certificate opens, and anyone can check its code."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opora.accounts.models import Role
from opora.training.models import Registration, RegistrationStatus
from tests import factories as f
from tests.e2e.steps import log_in, log_out, open_section

PASSWORD = "e2e-Pass-2030"


def _label(text):
    return re.compile(rf"^{re.escape(text)}:?$")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_publish_register_mark_attendance_and_open_the_certificate(page):
    city = f.municipality(name="Городской округ Мытищи")
    provider = f.organization(city, short_name="МБУ ДО «Дом творчества»")
    operator = f.user(Role.SUPPORT_CENTRE, municipality=city, email="moc@example.org", password=PASSWORD)
    f.user(Role.ORGANIZATION_STAFF, organization=provider, municipality=city, email="ddt@example.org",
           password=PASSWORD)
    f.teacher(provider, last_name="Антонова", first_name="Елена", patronymic="Сергеевна")
    f.teacher(provider, last_name="Борисова", first_name="Ольга", patronymic="Ивановна")
    f.teacher(provider, last_name="Волкова", first_name="Ирина", patronymic="Петровна")
    today = timezone.localdate().isoformat()

    log_in(page, operator.email, PASSWORD)
    open_section(page, "Мероприятия для педагогов")
    page.get_by_role("button", name="Новое мероприятие").click()
    page.get_by_label(_label("Вид")).select_option(label="Семинар")
    page.get_by_label(_label("Тема")).fill("Проектирование модульных программ")
    page.get_by_label(_label("Начало")).fill(today)
    page.get_by_label(_label("Часов")).fill("4")
    page.get_by_label(_label("Место проведения")).fill("МОЦ, ул. Мира, 1")
    page.get_by_label(_label("Мест")).fill("20")
    page.get_by_role("button", name="Сохранить").click()
    page.get_by_role("button", name="Опубликовать").click()
    expect(page.get_by_test_id("event-status")).to_have_text("опубликовано")
    event_url = page.url
    log_out(page)

    log_in(page, "ddt@example.org", PASSWORD)
    open_section(page, "Мероприятия для педагогов")
    page.get_by_role("link", name="Проектирование модульных программ").click()
    page.get_by_label("Антонова Елена Сергеевна", exact=True).check()
    page.get_by_label("Борисова Ольга Ивановна", exact=True).check()
    page.get_by_role("button", name="Записать", exact=True).click()
    expect(page.get_by_text("Записано педагогов: 2.")).to_be_visible()
    expect(page.get_by_test_id("seats")).to_contain_text("записано 2 из 20")
    log_out(page)

    log_in(page, operator.email, PASSWORD)
    page.goto(event_url)
    page.get_by_label("Борисова Ольга Ивановна присутствовал(а)").uncheck()
    page.get_by_role("button", name="Сохранить посещаемость").click()
    expect(page.get_by_text("присутствовали 1, не явились 1")).to_be_visible()
    expect(page.get_by_test_id("event-status")).to_have_text("проведено")
    log_out(page)

    log_in(page, "ddt@example.org", PASSWORD)
    open_section(page, "Повышение квалификации")
    page.get_by_role("link", name="Антонова Елена Сергеевна").click()
    expect(page.get_by_test_id("hours")).to_have_text("4")
    expect(page.get_by_test_id("attended-row")).to_contain_text("Проектирование модульных программ")
    page.get_by_role("link", name=re.compile("^Сертификат ")).click()
    certificate = page.get_by_test_id("certificate")
    expect(certificate).to_contain_text("Антонова Елена Сергеевна")
    expect(certificate).to_contain_text("в объёме 4 ч.")
    code = page.get_by_test_id("certificate-code").inner_text()
    log_out_url = "/training/verify/?code=" + code
    page.goto(log_out_url)
    expect(page.get_by_test_id("verify-result")).to_contain_text("Сертификат действителен.")

    attended = Registration.objects.get(teacher__last_name="Антонова")
    assert attended.status == RegistrationStatus.ATTENDED and attended.certificate_code == code
    assert Registration.objects.get(teacher__last_name="Борисова").status == RegistrationStatus.ABSENT
