"""The catalog page of anonymous visitors, rendered once per catalog version.

A visitor who is not signed in sees the same catalog page as every other such visitor
for the same address, language and version for the visually impaired — except for the
CSRF token of the header's forms (the language switch, the version for the visually
impaired) and of htmx's requests. The page is rendered with ``PLACEHOLDER`` for that token
and kept in Django's cache (per worker process by default); each answer puts the
visitor's own token in its place (``serve``), so a kept page holds nothing of the
visitor who caused it and the forms keep their CSRF protection.

The key: the catalog's version (``catalog.version``, which every refresh of the index
changes — a program, a group, its seats, a financing source, an organization, the search
dictionary; read at most once per ``OPORA_CATALOG_VERSION_SECONDS`` by a process, so a
kept page usually costs no statement), the language, the accessibility settings, whether htmx asked for the
results only, and the whole path with its query string as sent (the page repeats it in
the forms' ``next``). An entry lives at most ``OPORA_CATALOG_PAGE_SECONDS`` and never
past the next moment enrolment opens or closes somewhere or the next local midnight
(the cards say «open», «classes are running»), as the facet counts do. Signed-in users
(a parent's cards carry the favourite stars, the header names the user), visitors with
messages to show, and pages with a wrong filter value are rendered every time.

The catalog's API answer (``GET /api/v1/programs``) is kept the same way under its own
key: it names no caller and holds no token, so one answer serves every caller of the same
address, language and version.
"""

import hashlib

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

from opora.core.accessibility import COOKIE, Accessibility
from opora.navigator import catalog

# what the kept page holds where the visitor's CSRF token goes (letters only: it is
# written unchanged by ``{% csrf_token %}`` and by ``{{ csrf_token }}``)
PLACEHOLDER = "oporaCsrfTokenPlaceholderOfTheCataloguePage"


def key_for(request, partial: bool) -> str | None:
    """The cache key of this request's page, or ``None`` when it is not kept: the cache
    is switched off, the visitor is signed in or has messages waiting, or not a GET."""
    seconds = settings.OPORA_CATALOG_PAGE_SECONDS
    if seconds <= 0 or request.method not in ("GET", "HEAD") or request.user.is_authenticated:
        return None
    if len(get_messages(request)):
        return None
    accessibility = Accessibility.from_cookie(request.COOKIES.get(COOKIE))
    return _key("page", request, accessibility.cookie() if accessibility else "", int(partial))


def answer_key(request) -> str | None:
    """The cache key of this request's API answer, or ``None`` when the cache is off."""
    if settings.OPORA_CATALOG_PAGE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return None
    return _key("api", request)


def _key(kind: str, request, *parts) -> str:
    """``navigator:<kind>:<version>:<language>:<parts…>:<address>`` (``put`` reads the version)."""
    path = hashlib.sha1(request.get_full_path().encode()).hexdigest()
    return ":".join(map(str, ("navigator", kind, catalog.version(), get_language(), *parts, path)))


def get(key: str | None) -> str | None:
    return cache.get(key) if key else None


def put(key: str | None, html: str) -> None:
    """Keep the page (rendered with ``PLACEHOLDER``) or the answer for as long as it holds."""
    if not key:
        return
    version = int(key.split(":")[2])
    now = timezone.now()
    _size, change = catalog.catalog_facts(version, now)
    seconds = min(settings.OPORA_CATALOG_PAGE_SECONDS, catalog.seconds_until(now, change))
    if seconds > 0:
        cache.set(key, html, seconds)


def context(key: str | None) -> dict:
    """What the page is rendered with when it is to be kept: the placeholder for the token."""
    return {"csrf_token": PLACEHOLDER} if key else {}


def serve(request, html: str) -> HttpResponse:
    """The kept page with this visitor's CSRF token (and its cookie, set by the
    middleware as for any page that shows a token)."""
    return HttpResponse(html.replace(PLACEHOLDER, get_token(request)))
