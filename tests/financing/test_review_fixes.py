"""Rules found missing in review: a period cannot end before its contracts, a frozen
certificate keeps its financing through the fallback, merging children carries the
certificate, a contract is not paid after the certificate expires, and bad input
answers with a message instead of an error page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from opora.accounts.models import Role
from opora.enrollment import children, services
from opora.errors import ValidationFailed
from opora.financing import certificates, periods
from opora.financing.models import Certificate, CertificateLedger, Contract
from tests import factories as f
from tests.enrollment.conftest import child_data, snils
from tests.financing.conftest import certificate_only, make_certificate, make_period

Y = timezone.localdate().year + 1


def test_period_cannot_end_before_its_contracts_end(operator, staff, parent, child, city, certified_program):
    period = make_period(city, title="P", starts_on=dt.date(Y, 1, 1), ends_on=dt.date(Y + 1, 8, 31))
    make_certificate(child, period)
    group = certificate_only(certified_program, dt.date(Y, 9, 1), dt.date(Y, 12, 31))
    services.confirm_application(staff, services.submit_application(parent, child, group)[0])

    with pytest.raises(ValidationFailed) as err:
        periods.save_period(operator, city, {"ends_on": dt.date(Y, 10, 31)}, period=period)

    assert "заканчиваются вне новых дат" in err.value.message
    period.refresh_from_db()
    assert period.ends_on == dt.date(Y + 1, 8, 31)


def test_a_frozen_certificate_keeps_its_financing_through_the_fallback(operator, child, city):
    today = timezone.localdate()
    period = make_period(city, starts_on=today - dt.timedelta(days=60), ends_on=today + dt.timedelta(days=300),
                         fallback_on=today - dt.timedelta(days=1))
    certificate = make_certificate(child, period)
    certificates.freeze_certificate(operator, certificate, "Проверка документов")

    certificates.fallback_unused(today)
    certificates.unfreeze_certificate(operator, certificate)

    certificate.refresh_from_db()
    ledger = CertificateLedger.objects.get(certificate=certificate)
    assert (certificate.kind, ledger.nominal, ledger.frozen_nominal) == ("financing", Decimal("30000.00"), None)


def _duplicates(parent, city):
    second = f.user(Role.PARENT, municipality=city, email="second.parent@example.org")
    keep, _ = children.register_child(parent, child_data(city, first_name="Алена"), consent=True)
    duplicate, _ = children.register_child(second, child_data(city, first_name="Алина", snils=snils(123456789)),
                                           consent=True)
    return keep, duplicate


def test_merging_moves_the_duplicates_certificate_to_the_kept_child(operator, parent, city):
    keep, duplicate = _duplicates(parent, city)
    certificate = make_certificate(duplicate, make_period(city))

    children.merge_children(operator, keep, duplicate, "Одна и та же девочка")

    certificate.refresh_from_db()
    assert (certificate.child_id, certificate.number) == (keep.pk, f"{duplicate.pk:010d}")


def test_merging_two_children_with_certificates_is_refused_and_changes_nothing(operator, parent, city):
    keep, duplicate = _duplicates(parent, city)
    period = make_period(city)
    make_certificate(keep, period, number="4500000001")
    make_certificate(duplicate, period, number="4500000002")

    with pytest.raises(ValidationFailed) as err:
        children.merge_children(operator, keep, duplicate, "Одна и та же девочка")

    assert "4500000001 и 4500000002" in err.value.message
    assert sorted(Certificate.objects.values_list("child_id", flat=True)) == sorted([keep.pk, duplicate.pk])


def test_a_contract_ends_when_the_certificate_does(staff, parent, child, city, certified_program):
    period = make_period(city, starts_on=dt.date(Y, 1, 1), ends_on=dt.date(Y, 12, 31))
    certificate = make_certificate(child, period)
    Certificate.objects.filter(pk=certificate.pk).update(valid_until=dt.date(Y, 10, 14))
    group = certificate_only(certified_program, dt.date(Y, 9, 1), dt.date(Y, 12, 31))

    services.confirm_application(staff, services.submit_application(parent, child, group)[0])

    contract = Contract.objects.get()
    assert (contract.starts_on, contract.ends_on) == (dt.date(Y, 9, 1), dt.date(Y, 10, 14))
    assert [m.month for m in contract.months.order_by("month")] == [dt.date(Y, 9, 1), dt.date(Y, 10, 1)]


def test_an_absurd_number_of_certificates_is_a_message(operator, city):
    data = {"title": "П", "starts_on": dt.date(Y, 1, 1), "ends_on": dt.date(Y, 12, 31), "budget": Decimal("1000"),
            "certificates_cap": 3_000_000_000, "nominal": Decimal("100")}
    with pytest.raises(ValidationFailed) as err:
        periods.save_period(operator, city, data)
    assert err.value.field == "certificates_cap"


def test_certification_post_with_a_bad_module_is_404(client, staff, certified_program):
    client.force_login(staff)
    response = client.post(reverse("financing:program_certification", args=[certified_program.pk]),
                           {"module": "abc", "price": "1000"})
    assert response.status_code == 404


def test_a_far_month_is_a_message_not_an_error(operator, city):
    from django.core.management import CommandError, call_command

    from opora.financing import settlement

    with pytest.raises(ValidationFailed):
        settlement.close_month(operator, city, dt.date(9999, 12, 1))
    with pytest.raises(CommandError):
        call_command("close_month", "--month", "9999-12")
