"""Login throttling behind a reverse proxy: every request comes from the proxy's address,
so the client's address is taken from the header the proxy sets — but only when the
deployment names that header, else a client could pick its own address."""

import pytest
from django.test import Client
from django.urls import reverse

from opora.accounts.middleware import client_ip
from opora.accounts.models import Role
from tests import factories as f

PASSWORD = "test-pass-123"
PROXY = "10.0.0.2"


@pytest.fixture
def member(city):
    return f.user(Role.SUPPORT_CENTRE, municipality=city, email="operator@example.org")


def behind_proxy(client_address, sent_by_client=""):
    """A browser at ``client_address`` whose requests reach Django through nginx
    (``$proxy_add_x_forwarded_for``: what the client sent, then the client's address)."""
    forwarded = f"{sent_by_client}, {client_address}" if sent_by_client else client_address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def login(client, password):
    return client.post(reverse("accounts:login"), {"username": "operator@example.org", "password": password})


def test_an_attacker_behind_the_proxy_does_not_lock_out_the_operator(settings, member):
    settings.OPORA_CLIENT_IP_HEADER = "X-Forwarded-For"
    attacker, operator = behind_proxy("203.0.113.7"), behind_proxy("198.51.100.20")

    answers = [login(attacker, "wrong-password").status_code for _ in range(5)]
    signed_in = login(operator, PASSWORD)

    assert answers == [200, 200, 200, 200, 429]
    assert login(attacker, PASSWORD).status_code == 429  # the attacker's address stays locked
    assert (signed_in.status_code, signed_in.url) == (302, reverse("office:dashboard"))


def test_addresses_a_client_puts_in_the_header_itself_are_ignored(settings, member):
    settings.OPORA_CLIENT_IP_HEADER = "X-Forwarded-For"
    attacker = behind_proxy("203.0.113.7", sent_by_client="198.51.100.20")

    for _ in range(5):
        login(attacker, "wrong-password")

    # locked under its real address, not the one it claimed
    assert login(behind_proxy("198.51.100.20"), PASSWORD).status_code == 302
    assert login(behind_proxy("203.0.113.7"), PASSWORD).status_code == 429


def test_without_the_setting_the_header_is_ignored(member):
    # no proxy configured: X-Forwarded-For may be forged, so the lock follows REMOTE_ADDR
    attacker, other = behind_proxy("203.0.113.7"), behind_proxy("198.51.100.20")

    for _ in range(5):
        login(attacker, "wrong-password")

    assert login(other, PASSWORD).status_code == 429


class Request:
    def __init__(self, **meta):
        self.META = meta


@pytest.mark.parametrize(("header", "proxies", "expected"), [
    ("", 1, PROXY),                                   # not configured
    ("203.0.113.7", 1, "203.0.113.7"),
    ("198.51.100.20, 203.0.113.7", 1, "203.0.113.7"),  # the left entry came from the client
    ("198.51.100.20, 203.0.113.7, 10.0.0.9", 2, "203.0.113.7"),  # two proxies: a CDN, then nginx
    ("203.0.113.7", 2, PROXY),                        # fewer entries than proxies: not through them
    ("not-an-address", 1, PROXY),
    ("2001:db8::1", 1, "2001:db8::1"),
])
def test_client_ip_takes_the_entry_the_farthest_trusted_proxy_wrote(settings, header, proxies, expected):
    settings.OPORA_CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.OPORA_TRUSTED_PROXIES = proxies
    meta = {"REMOTE_ADDR": PROXY}
    if header:
        meta["HTTP_X_FORWARDED_FOR"] = header

    assert client_ip(Request(**meta)) == expected


def test_client_ip_is_the_remote_address_when_no_header_is_configured(settings):
    settings.OPORA_CLIENT_IP_HEADER = ""

    assert client_ip(Request(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")) == PROXY
