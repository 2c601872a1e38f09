"""A group paid only by certificate: the apply page tells the parent, before they submit,
which child has no certificate, and offers to ask for one on the spot (then comes back
to the group); a child with a requested or frozen certificate is told where it stands;
groups with another source say nothing."""

import re

import pytest
from django.urls import reverse

from opora.financing.models import Certificate, CertificateStatus
from opora.registry.choices import FundingSource
from tests.enrollment.conftest import add_child, open_group
from tests.financing.conftest import make_certificate, paid_only_by


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.fixture
def apply_url(certificate_group):
    return reverse("enrollment:apply", args=[certificate_group.pk])


def test_a_child_without_a_certificate_is_offered_one_on_the_spot(client, parent, child, apply_url):
    client.force_login(parent)
    page = client.get(apply_url)
    assert "оплачивается только сертификатом" in text(page) and child.full_name in text(page)
    request_url = reverse("financing:certificate_request", args=[child.uuid])
    assert f'action="{request_url}"' in page.content.decode()

    response = client.post(request_url, {"wants_financing": "on", "next": apply_url})
    assert response.status_code == 302 and response["Location"] == apply_url
    assert Certificate.objects.get(child=child).status == CertificateStatus.REQUESTED

    page = client.get(apply_url)
    assert "подано и ждёт решения МОЦ" in text(page)
    assert f'action="{request_url}"' not in page.content.decode()
    assert "Записаться" in text(page)  # the application can still be filed


def test_a_child_with_an_issued_certificate_hears_nothing(client, parent, child, period, apply_url):
    make_certificate(child, period)
    client.force_login(parent)
    page = text(client.get(apply_url))
    assert "оплачивается только сертификатом" not in page
    assert "ждёт решения МОЦ" not in page and "заморожен" not in page
    assert 'role="note" class="notice"' not in client.get(apply_url).content.decode()


def test_a_frozen_certificate_is_named(client, parent, child, period, apply_url):
    certificate = make_certificate(child, period)
    Certificate.objects.filter(pk=certificate.pk).update(status=CertificateStatus.FROZEN)
    client.force_login(parent)
    assert "заморожен" in text(client.get(apply_url))


def test_each_child_gets_its_own_notice(client, parent, child, period, apply_url):
    sister = add_child(parent, first_name="Вера")
    make_certificate(child, period)
    client.force_login(parent)
    page = text(client.get(apply_url))
    assert page.count("оплачивается только сертификатом") == 1 and sister.full_name in page


def test_a_group_with_a_free_or_paid_source_says_nothing(client, parent, child, certified_program):
    group = paid_only_by(open_group(certified_program, name="Платная"), FundingSource.PAID,
                         monthly_price=1000)
    client.force_login(parent)
    assert "оплачивается только сертификатом" not in text(
        client.get(reverse("enrollment:apply", args=[group.pk])))


def test_next_outside_the_site_goes_to_the_cabinet(client, parent, child):
    client.force_login(parent)
    response = client.post(reverse("financing:certificate_request", args=[child.uuid]),
                           {"next": "https://evil.example/"})
    assert response["Location"] == reverse("financing:cabinet_certificate")
