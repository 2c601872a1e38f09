"""End to end, personified financing: a parent asks for a certificate for the child, the
МОЦ operator issues it from the register, the parent applies to a program certified for
certificate funding, the provider's staff confirm the application (a contract is made
and the certificate part reserved), the parent accepts the contract and sees the child
studying and the certificate's balance down by exactly the reserved amount."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opora.accounts.models import Role
from opora.audit.models import AuditEvent
from opora.enrollment.models import Application
from opora.enrollment.models import ApplicationStatus as S
from opora.financing import certificates as certificate_service
from opora.financing import pricing
from opora.financing.models import (
    Certificate,
    CertificateKind,
    CertificateLedger,
    CertificateStatus,
    Contract,
    ContractMonth,
    ContractStatus,
)
from opora.registry.choices import FundingSource, ProgramStatus
from opora.registry.models import GroupFunding
from tests import factories as f
from tests.e2e.steps import log_in, log_out, open_section
from tests.enrollment.conftest import add_child, born, open_group
from tests.financing.conftest import certify, make_period

PASSWORD = "e2e-Pass-2030"
CHILD = "Смирнова Алёна Игоревна"
NOMINAL = Decimal("30000.00")


def _label(text):
    """A field's label as rendered (Django adds a colon)."""
    return re.compile(rf"^{re.escape(text)}:?$")


def money(amount: Decimal):
    """An amount as a page shows it in Russian — «25 123,45 ₽» — whether or not the
    thousands are grouped (by a space or a no-break space)."""
    whole, kopecks = f"{amount:.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return re.compile(r"(?<![\d,])(?<!\d\s)" + r"\s?".join(groups) + "," + kopecks + r"\s?₽")


def fact(scope, term):
    """The value (``<dd>``) of a term (``<dt>``) of a list of facts."""
    return scope.get_by_role("term").filter(
        has_text=re.compile(rf"^\s*{re.escape(term)}\s*$")).locator("xpath=following-sibling::dd[1]")



@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_parent_gets_a_certificate_and_pays_for_studies_with_it(page):
    # given: the city's current financing period (30 000 ₽ a certificate), a program whose
    # module is certified (36 000 ₽, normative cost 30 000 ₽) with a group paid for by
    # certificates only, the МОЦ operator, the provider's staff and a parent with a child
    city = f.municipality(name="Город Тестов")
    district = f.municipality(name="Тестовский район")
    provider = f.organization(city, short_name="ДДТ «Радуга»")
    program = f.program(provider, title="Робототехника ПФДО", status=ProgramStatus.PUBLISHED,
                        age_min=7, age_max=14)
    certification = certify(program.modules.get(), price=Decimal("36000.00"),
                            normative=Decimal("30000.00"))
    group = open_group(program, name="Роботы-сертификат", capacity_max=5)
    # the period holds today and the group's start but ends two months before the group
    period = make_period(city, title="ПФДО Города Тестов", nominal=NOMINAL,
                         ends_on=group.end_date - dt.timedelta(days=61))
    group.funding.all().delete()
    GroupFunding.objects.create(group=group, source=FundingSource.CERTIFICATE,
                                monthly_price=Decimal("4000.00"), total_price=Decimal("36000.00"))
    f.user(Role.SUPPORT_CENTRE, municipality=city, email="moc@testov.example",
           last_name="Кузнецова", first_name="Анна", password=PASSWORD)
    f.user(Role.ORGANIZATION_STAFF, organization=provider, municipality=city,
           email="staff@raduga.example", last_name="Иванова", first_name="Ольга", password=PASSWORD)
    parent = f.user(Role.PARENT, municipality=city, email="olga.smirnova@example.org",
                    last_name="Смирнова", first_name="Ольга", password=PASSWORD,
                    email_confirmed_at=timezone.now())
    child = add_child(parent, birth_date=born(10, group.start_date))
    # other requests in the register: one of the city (the operator must pick the right
    # one), one of another municipality (the operator must not see it)
    for municipality, last_name in ((city, "Петров"), (district, "Сидоров")):
        neighbour = f.user(Role.PARENT, municipality=municipality)
        certificate_service.request_certificate(
            neighbour, add_child(neighbour, last_name=last_name, first_name="Иван",
                                 patronymic="Ильич"))

    # the contract will run from the group's start (a month ahead) to the end of the
    # financing period, priced by the rules of docs/domain.md §4
    today = timezone.localdate()
    start = max(group.start_date, today)
    end = pricing.contract_end(group.end_date, period.ends_on)
    assert (start, end) == (group.start_date, period.ends_on)
    price = pricing.price_contract(group_start=group.start_date, group_end=group.end_date,
                                   start=start, end=end, module_price=certification.price,
                                   normative_cost=certification.normative_cost, balance=NOMINAL)
    assert price.certificate_part == price.normative < price.total  # the parent pays a share too
    assert price.parent_part > 0

    # 1. the parent asks for a certificate in the cabinet
    log_in(page, "olga.smirnova@example.org", PASSWORD)
    page.goto("/cabinet/")
    open_section(page, "Сертификаты")
    expect(page.get_by_role("heading", level=1,
                            name="Сертификаты дополнительного образования")).to_be_visible()
    card = page.get_by_role("article", name=CHILD)
    expect(card.get_by_text("Сертификата пока нет.")).to_be_visible()
    expect(card.get_by_label("Прошу сертификат финансирования (с номиналом на оплату обучения)")
           ).to_be_checked()
    card.get_by_role("button", name="Подать заявление на сертификат").click()
    expect(page.get_by_role("status").first).to_contain_text(
        f"Заявление на сертификат для ребёнка {CHILD} подано.")
    card = page.get_by_role("article", name=CHILD)
    expect(card.get_by_text("Заявление подано", exact=True)).to_be_visible()
    log_out(page)

    # 2. the МОЦ operator finds the request in the register and issues the certificate
    log_in(page, "moc@testov.example", PASSWORD)
    open_section(page, "Сертификаты")
    expect(page.get_by_role("heading", level=1, name="Реестр сертификатов")).to_be_visible()
    register = page.get_by_role("table")
    expect(register.get_by_role("row").filter(has_text="Петров Иван Ильич")).to_have_count(1)
    expect(register).not_to_contain_text("Сидоров")
    # on a wide screen the filters are unfolded
    page.get_by_label(_label("Номер или ФИО ребёнка")).fill("Смирнова")
    page.get_by_label(_label("Статус")).select_option(label="Заявление подано")
    page.get_by_role("button", name="Показать").click()
    rows = page.get_by_role("table").get_by_role("row").filter(has_text=CHILD)
    expect(rows).to_have_count(1)
    expect(page.get_by_role("table")).not_to_contain_text("Петров")
    rows.get_by_role("link", name="без номера").click()
    expect(page.get_by_role("heading", level=1, name="Заявление на сертификат")).to_be_visible()
    expect(fact(page, "Ребёнок")).to_contain_text(CHILD)
    page.get_by_role("button", name="Выдать сертификат").click()
    expect(page.get_by_role("status").first).to_contain_text("Сертификат выдан.")
    certificate = Certificate.objects.get(child=child)
    number = certificate.number
    assert number is not None and re.fullmatch(r"\d{10}", number), number
    expect(page.get_by_role("heading", level=1, name=f"Сертификат № {number}")).to_be_visible()
    expect(fact(page, "Вид")).to_have_text("Сертификат финансирования")
    log_out(page)

    # 3. the parent sees the number and the nominal, finds the program and applies
    log_in(page, "olga.smirnova@example.org", PASSWORD)
    page.goto("/cabinet/")
    open_section(page, "Сертификаты")
    card = page.get_by_role("article", name=CHILD)
    expect(fact(card, "Номер")).to_have_text(number)
    expect(fact(card, "Вид")).to_have_text("Сертификат финансирования")
    expect(fact(card, "Статус")).to_have_text("Выдан")
    expect(card.get_by_role("heading", name="Текущий период: ПФДО Города Тестов")).to_be_visible()
    expect(fact(card, "Номинал")).to_have_text(money(NOMINAL))
    expect(fact(card, "Зарезервировано")).to_have_text(money(Decimal("0.00")))
    expect(fact(card, "Остаток")).to_have_text(money(NOMINAL))

    page.goto("/")
    page.get_by_label("Что ищете").fill("робот")
    page.get_by_label("Что ищете").press("Enter")
    # the results come in place of the catalog's (htmx), and the search's address is
    # pushed into the history then: a click before that could be lost to the push
    expect(page).to_have_url(re.compile(r"q=%D1%80%D0%BE%D0%B1%D0%BE%D1%82"))
    page.get_by_role("link", name="Робототехника ПФДО").click()
    expect(page.get_by_role("heading", level=1, name="Робототехника ПФДО")).to_be_visible()
    page.get_by_role("button", name="Записаться").click()
    expect(page).to_have_url(re.compile(rf"/enrol/{group.pk}/$"))
    page.get_by_label(CHILD).check()
    page.get_by_role("button", name="Записаться").click()
    expect(page.get_by_role("heading", level=1, name="Место забронировано")).to_be_visible()
    log_out(page)

    # 4. the provider's staff confirm the application: a contract is offered
    application = Application.objects.get(child=child)
    log_in(page, "staff@raduga.example", PASSWORD)
    open_section(page, "Заявки")
    expect(page.get_by_role("heading", level=1, name="Заявки")).to_be_visible()
    page.get_by_label(f"Выбрать заявку № {application.pk}").check()
    page.get_by_label(_label("Действие")).select_option(label="Подтвердить")
    page.get_by_role("button", name="Выполнить").click()
    expect(page.get_by_role("status").first).to_contain_text("Подтверждена 1 заявка.")
    contract = Contract.objects.get(application=application)
    assert (contract.status, contract.starts_on, contract.ends_on) == (
        ContractStatus.CONFIRMED, start, end)
    assert (contract.total, contract.normative, contract.certificate_part, contract.parent_part) == (
        price.total, price.normative, price.certificate_part, price.parent_part)
    assert contract.number == f"{number}-1"
    open_section(page, "Договоры")
    row = page.get_by_role("row").filter(has_text=contract.number)
    expect(row).to_contain_text(CHILD)
    expect(row).to_contain_text("Оферта направлена (средства зарезервированы)")
    log_out(page)

    # 5. the parent reads the contract and accepts it
    log_in(page, "olga.smirnova@example.org", PASSWORD)
    page.goto("/cabinet/")
    open_section(page, "Заявки")
    page.get_by_role("link", name="Робототехника ПФДО").click()
    expect(page.get_by_role("heading", level=1, name="Заявка: Ожидает договора")).to_be_visible()
    open_section(page, "Договоры")
    offer = page.get_by_role("article", name=f"Договор № {contract.number}")
    expect(offer).to_contain_text("ждёт вашего решения")
    expect(fact(offer, "Сертификатом")).to_have_text(money(price.certificate_part))
    expect(fact(offer, "Родителем")).to_have_text(money(price.parent_part))
    offer.get_by_role("link", name=f"Договор № {contract.number}").click()
    expect(page.get_by_role("heading", level=1, name=f"Договор № {contract.number}")).to_be_visible()
    expect(fact(page, "Номер договора")).to_have_text(contract.number)
    expect(fact(page, "Сертификат")).to_have_text(f"№\u00a0{number}")
    expect(fact(page, "Ребёнок")).to_have_text(CHILD)
    expect(fact(page, "Программа")).to_have_text("Робототехника ПФДО")
    expect(fact(page, "Срок обучения")).to_have_text(
        f"с {start:%d.%m.%Y} по {end:%d.%m.%Y}")
    expect(fact(page, "Стоимость обучения")).to_have_text(money(price.total))
    expect(fact(page, "Оплачивается сертификатом")).to_have_text(money(price.certificate_part))
    expect(fact(page, "Оплачивается родителем")).to_have_text(money(price.parent_part))
    schedule = page.get_by_role("region", name="График платежей")
    expect(schedule.get_by_role("row")).to_have_count(len(price.months) + 2)  # head, months, total
    decision = page.get_by_role("region", name="Ваше решение")
    expect(decision).to_contain_text(re.compile(
        "ваша часть оплаты — " + money(price.parent_part).pattern))
    decision.get_by_role("button", name="Принять договор").click()
    expect(page.get_by_role("status").first).to_contain_text(
        f"Договор № {contract.number} принят: ребёнок зачислен в группу.")
    expect(page.get_by_text("Договор действует: ребёнок зачислен в группу.")).to_be_visible()
    expect(page.get_by_role("button", name="Принять договор")).to_have_count(0)

    # the printable contract: «Напечатать» opens the browser's print dialog, «Вернуться» goes back
    page.get_by_role("button", name="Версия для печати").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Договор об образовании № {contract.number}")
    page.evaluate("window.print = () => { window.printed = true; }")
    page.get_by_role("button", name="Напечатать").click()
    assert page.evaluate("window.printed === true")
    page.get_by_role("link", name="Вернуться").click()
    expect(page.get_by_role("heading", level=1, name=f"Договор № {contract.number}")).to_be_visible()

    # the child studies, and the certificate's balance is down by the reserved part
    page.get_by_role("link", name="Заявка", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Заявка: Обучается")).to_be_visible()
    open_section(page, "Сертификаты")
    card = page.get_by_role("article", name=CHILD)
    expect(fact(card, "Номинал")).to_have_text(money(NOMINAL))
    expect(fact(card, "Зарезервировано")).to_have_text(money(price.certificate_part))
    expect(fact(card, "Оплачено")).to_have_text(money(Decimal("0.00")))
    expect(fact(card, "Остаток")).to_have_text(money(NOMINAL - price.certificate_part))
    contracts = card.get_by_role("table")
    expect(contracts.get_by_role("row").filter(has_text=contract.number)).to_contain_text("Действует")

    # the rows agree
    certificate.refresh_from_db()
    assert (certificate.status, certificate.kind, certificate.number) == (
        CertificateStatus.ISSUED, CertificateKind.FINANCING, number)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE and contract.accepted_at is not None
    ledger = CertificateLedger.objects.get(certificate=certificate, period=period)
    assert (ledger.nominal, ledger.reserved, ledger.paid, ledger.balance) == (
        NOMINAL, price.certificate_part, Decimal("0.00"), NOMINAL - price.certificate_part)
    period.refresh_from_db()
    assert (period.committed, period.financing_places) == (price.certificate_part, 1)
    months = list(ContractMonth.objects.filter(contract=contract).order_by("month")
                  .values_list("month", "certificate_amount", "parent_amount"))
    assert months == [(m.month, m.certificate, m.parent) for m in price.months]
    application.refresh_from_db()
    assert (application.status, application.group) == (S.ENROLLED, group)
    assert list(AuditEvent.objects.filter(target_type="financing.contract", target_id=str(contract.pk))
                .order_by("pk").values_list("action", flat=True)) == [
        "financing.contract.created", "financing.contract.accepted"]


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_parent_studies_on_a_social_certificate(page):
    # given: a group paid for by social certificates only (189-ФЗ), its module certified
    # (36 000 ₽, normative cost 30 000 ₽), a child whose certificate on the register is an
    # accounting one (no money of its own), the provider's staff and the parent
    city = f.municipality(name="Город Тестов")
    provider = f.organization(city, short_name="ДДТ «Радуга»")
    program = f.program(provider, title="Робототехника соцзаказ", status=ProgramStatus.PUBLISHED,
                        age_min=7, age_max=14)
    certification = certify(program.modules.get(), price=Decimal("36000.00"),
                            normative=Decimal("30000.00"))
    group = open_group(program, name="Роботы-соцзаказ", capacity_max=5)
    period = make_period(city, title="ПФДО Города Тестов", nominal=NOMINAL,
                         ends_on=group.end_date + dt.timedelta(days=30))
    group.funding.all().delete()
    GroupFunding.objects.create(group=group, source=FundingSource.SOCIAL,
                                monthly_price=Decimal("4000.00"), total_price=Decimal("36000.00"))
    f.user(Role.ORGANIZATION_STAFF, organization=provider, municipality=city,
           email="staff@raduga.example", last_name="Иванова", first_name="Ольга", password=PASSWORD)
    parent = f.user(Role.PARENT, municipality=city, email="olga.smirnova@example.org",
                    last_name="Смирнова", first_name="Ольга", password=PASSWORD,
                    email_confirmed_at=timezone.now())
    child = add_child(parent, birth_date=born(10, group.start_date))
    now = timezone.now()
    certificate = Certificate.objects.create(
        child=child, municipality=city, kind=CertificateKind.ACCOUNTING, status=CertificateStatus.ISSUED,
        number="4500000777", requested_at=now, decided_at=now,
        valid_until=certificate_service.valid_until(child.birth_date))
    price = pricing.price_contract(group_start=group.start_date, group_end=group.end_date,
                                   start=group.start_date, end=group.end_date,
                                   module_price=certification.price,
                                   normative_cost=certification.normative_cost,
                                   balance=certification.normative_cost)
    social_number = "4500000777-С1"

    # 1. the parent applies
    log_in(page, "olga.smirnova@example.org", PASSWORD)
    page.goto(f"/enrol/{group.pk}/")
    page.get_by_label(CHILD).check()
    page.get_by_role("button", name="Записаться").click()
    expect(page.get_by_role("heading", level=1, name="Место забронировано")).to_be_visible()
    log_out(page)

    # 2. the provider's staff confirm: a social certificate is formed with the contract
    application = Application.objects.get(child=child)
    log_in(page, "staff@raduga.example", PASSWORD)
    open_section(page, "Заявки")
    page.get_by_label(f"Выбрать заявку № {application.pk}").check()
    page.get_by_label(_label("Действие")).select_option(label="Подтвердить")
    page.get_by_role("button", name="Выполнить").click()
    expect(page.get_by_role("status").first).to_contain_text("Подтверждена 1 заявка.")
    contract = Contract.objects.get(application=application)
    assert (contract.certificate_part, contract.parent_part) == (price.certificate_part, price.parent_part)
    log_out(page)

    # 3. the parent reads the offer with its social certificate and accepts it
    log_in(page, "olga.smirnova@example.org", PASSWORD)
    page.goto("/cabinet/")
    open_section(page, "Договоры")
    page.get_by_role("link", name=f"Договор № {contract.number}").click()
    expect(fact(page, "Социальный сертификат")).to_contain_text(social_number)
    expect(fact(page, "Оплачивается сертификатом")).to_have_text(money(price.certificate_part))
    page.get_by_role("region", name="Ваше решение").get_by_role("button", name="Принять договор").click()
    expect(page.get_by_role("status").first).to_contain_text(
        f"Договор № {contract.number} принят: ребёнок зачислен в группу.")
    open_section(page, "Сертификаты")
    card = page.get_by_role("article", name=CHILD)
    row = card.get_by_role("table").get_by_role("row").filter(has_text=contract.number)
    expect(row).to_contain_text(f"социальный сертификат № {social_number}")
    expect(row).to_contain_text("Действует")

    # the service's money came from the period's budget, not from the child's certificate
    contract.refresh_from_db()
    ledger = contract.ledger
    assert ledger.social_certificate.number == social_number and ledger.certificate_id is None
    assert (ledger.nominal, ledger.reserved) == (price.certificate_part, price.certificate_part)
    assert not CertificateLedger.objects.filter(certificate=certificate).exists()
    period.refresh_from_db()
    assert (period.committed, period.financing_places) == (price.certificate_part, 0)
