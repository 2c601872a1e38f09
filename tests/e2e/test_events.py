"""End to end: a provider publishes a contest (the МОЦ approves); a parent registers a
child; the organizer marks the child a winner; the child appears among the МОЦ's
proposals to the register of gifted children; the parent opens the diploma and anyone can
check its code."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opora.accounts.models import Role
from opora.enrollment.models import Child, Guardianship, Sex
from opora.enrollment.rules import identity_key
from opora.events.models import GiftedRecord, Registration
from tests import factories as f
from tests.e2e.steps import DESKTOP, PHONE, log_in, log_out, open_section

PASSWORD = "e2e-Pass-2030"
SHOTS = None


def _label(text):
    return re.compile(rf"^{re.escape(text)}:?$")


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_contest_registration_winner_gifted_proposal_and_diploma(page):
    city = f.municipality(name="Город Тестов")
    provider = f.organization(city, short_name="ДДТ «Радуга»")
    f.user(Role.ORGANIZATION_STAFF, organization=provider, municipality=city,
           email="staff@raduga.example", last_name="Иванова", first_name="Ольга", password=PASSWORD)
    f.user(Role.SUPPORT_CENTRE, municipality=city, email="moc@city.example",
           last_name="Сидоров", first_name="Олег", password=PASSWORD)
    parent = f.user(Role.PARENT, municipality=city, email="mama@example.org", last_name="Кузнецова",
                    first_name="Мария", password=PASSWORD)
    birth = dt.date(timezone.localdate().year - 11, 3, 15)
    child = Child.objects.create(last_name="Кузнецов", first_name="Миша", patronymic="Андреевич",
                                 birth_date=birth, sex=Sex.MALE, municipality=city,
                                 identity_key=identity_key("Кузнецов", "Миша", "Андреевич", birth))
    now = timezone.now()
    Guardianship.objects.create(parent=parent, child=child, consent_at=now, consent_by=parent,
                                consent_channel="parent", confirmed_at=now, confirmed_by=parent)
    local = timezone.localtime()

    # the provider's staff member drafts a contest and sends it to moderation
    log_in(page, "staff@raduga.example", PASSWORD)
    open_section(page, "Мероприятия")
    page.get_by_role("button", name="Новое мероприятие").click()
    page.get_by_label(_label("Название")).fill("Городской конкурс «Юный изобретатель»")
    page.get_by_label(_label("Вид")).select_option(label="Конкурс")
    page.get_by_label(_label("Направленность")).select_option(label="Техническая")
    page.get_by_label(_label("Возраст участников от, лет")).fill("8")
    page.get_by_label(_label("до, лет")).fill("14")
    page.get_by_label(_label("Мест")).fill("20")
    page.get_by_label(_label("Запись открывается")).fill((local - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label(_label("Запись закрывается")).fill((local + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label(_label("Описание")).fill("Покажите своё изобретение жюри.")
    page.get_by_label(_label("Номинации")).fill("Робототехника\nМоделирование")
    page.locator("[name=sessions-0-starts_at]").fill((local + dt.timedelta(days=10)).strftime("%Y-%m-%dT10:00"))
    page.locator("[name=sessions-0-ends_at]").fill((local + dt.timedelta(days=10)).strftime("%Y-%m-%dT14:00"))
    page.locator("[name=sessions-0-place]").fill("ДДТ «Радуга», актовый зал")
    _shot(page, "01-form")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("status")).to_contain_text("черновик")
    page.get_by_role("button", name="Отправить на модерацию").click()
    expect(page.get_by_role("status")).to_contain_text("отправлено на модерацию")
    log_out(page)

    # the МОЦ approves it from its moderation queue
    log_in(page, "moc@city.example", PASSWORD)
    open_section(page, "Модерация мероприятий")
    page.get_by_role("link", name="Городской конкурс «Юный изобретатель»").click()
    page.get_by_role("button", name="Опубликовать", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("опубликовано")
    log_out(page)

    # a parent finds it in «Мероприятия» on a phone and registers the child
    page.set_viewport_size(PHONE)
    log_in(page, "mama@example.org", PASSWORD)
    page.goto("/events/?q=изобретатель")
    _shot(page, "02-list-phone")
    page.get_by_role("link", name="Городской конкурс «Юный изобретатель»").click()
    page.get_by_label("Номинация").select_option(label="Робототехника")
    _shot(page, "03-detail-phone")
    page.get_by_role("button", name="Записать: Кузнецов Миша Андреевич").click()
    expect(page.get_by_role("status")).to_contain_text("Ребёнок записан")
    expect(page.get_by_role("article").filter(has_text="Юный изобретатель")).to_contain_text("Новая")
    log_out(page)

    # the organizer confirms, marks attendance and the result «winner»
    page.set_viewport_size(DESKTOP)
    log_in(page, "staff@raduga.example", PASSWORD)
    open_section(page, "Мероприятия")
    page.get_by_role("link", name="Городской конкурс «Юный изобретатель»").click()
    page.get_by_role("button", name="Подтвердить: Кузнецов Миша Андреевич").click()
    page.get_by_role("button", name="Участвовал: Кузнецов Миша Андреевич").click()
    page.get_by_label("Результат: Кузнецов Миша Андреевич").select_option(label="Победитель")
    page.get_by_role("button", name="Сохранить результат").click()
    expect(page.get_by_role("cell", name="Победитель диплом")).to_be_visible()
    _shot(page, "04-manage")
    log_out(page)

    # the child is among the МОЦ's proposals to the register of gifted children
    log_in(page, "moc@city.example", PASSWORD)
    open_section(page, "Одарённые дети")
    expect(page.get_by_role("status")).to_contain_text("Ждёт решения 1 предложение")
    page.get_by_role("link", name="Кузнецов Миша Андреевич").click()
    expect(page.get_by_role("listitem").filter(has_text="Юный изобретатель")).to_contain_text("Победитель")
    page.get_by_role("button", name="Включить в реестр").click()
    expect(page.get_by_role("status")).to_contain_text("включён в реестр")
    log_out(page)
    assert GiftedRecord.objects.get().status == "confirmed"

    # the parent opens the diploma from the cabinet; its code checks on the public page
    log_in(page, "mama@example.org", PASSWORD)
    open_section(page, "Мероприятия")
    page.get_by_role("button", name="Диплом").click()
    expect(page.get_by_text("Кузнецов Миша Андреевич")).to_be_visible()
    expect(page.get_by_text("победителя")).to_be_visible()
    _shot(page, "05-diploma")
    code = Registration.objects.get().diploma_code
    log_out_target = page.context.new_page()
    log_out_target.goto(f"/events/verify/?code={code}")
    expect(log_out_target.get_by_role("heading", name="Документ подлинный")).to_be_visible()
