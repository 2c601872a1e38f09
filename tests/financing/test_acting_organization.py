"""«The МОЦ operator (or the organization acting for the municipality) confirms identity
and issues it»: the МОЦ authorises an organization (``issues_certificates``); its staff
then see the municipality's register and issue, refuse, freeze and unfreeze like the
МОЦ — and nobody else's staff do."""

import pytest
from django.urls import reverse

from opora.accounts.models import Role
from opora.errors import PermissionDenied
from opora.financing import certificates as service
from opora.financing.models import CertificateStatus
from opora.registry import services as registry
from tests import factories as f


@pytest.fixture
def acting(provider, operator):
    registry.save_organization(operator, {"issues_certificates": True}, provider)
    provider.refresh_from_db()
    return provider


def test_the_moc_authorises_an_organization_and_it_is_recorded(acting):
    assert acting.issues_certificates is True
    assert acting.history.first().issues_certificates is True


def test_staff_of_an_authorised_organization_issue_certificates(acting, staff, parent, child, period):
    certificate, _ = service.request_certificate(parent, child)

    service.issue_certificate(staff, certificate)

    certificate.refresh_from_db()
    assert (certificate.status, len(certificate.number), certificate.decided_by) == (
        CertificateStatus.ISSUED, 10, staff)


def test_staff_of_other_organizations_may_not(provider, staff, parent, child, period, district):
    certificate, _ = service.request_certificate(parent, child)
    elsewhere = f.organization(district, issues_certificates=True)
    elsewhere_staff = f.user(Role.ORGANIZATION_STAFF, organization=elsewhere, municipality=district)

    for actor in (staff, elsewhere_staff):  # not authorised; authorised in another municipality
        with pytest.raises(PermissionDenied):
            service.issue_certificate(actor, certificate)
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REQUESTED


def test_the_register_and_its_menu_open_only_to_authorised_staff(client, provider, staff, parent, child, period,
                                                                  operator):
    certificate, _ = service.request_certificate(parent, child)
    client.force_login(staff)
    assert client.get(reverse("financing:certificates")).status_code == 403
    assert ">Сертификаты</a>" not in client.get(reverse("registry:my_programs")).content.decode()

    registry.save_organization(operator, {"issues_certificates": True}, provider)

    register = client.get(reverse("financing:certificates"))
    assert register.status_code == 200 and "Смирнова" in register.content.decode()
    assert ">Сертификаты</a>" in client.get(reverse("registry:my_programs")).content.decode()
    response = client.post(reverse("financing:certificate", args=[certificate.pk]), {"action": "issue"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ISSUED
