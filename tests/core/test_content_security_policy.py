"""The content security policy's header: built once from the settings for a response
that asks for no policy of its own, and the same, header for header, as django-csp's own
middleware sends for every kind of response."""

import pytest
from csp.constants import NONCE
from csp.middleware import CSPMiddleware
from django.http import HttpResponse, JsonResponse
from django.test import RequestFactory, override_settings

from opora.core.middleware import ContentSecurityPolicyMiddleware

HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")


def _page(request):
    return HttpResponse("<p>страница</p>")


def _api(request):
    return JsonResponse({"detail": "ok"})


def _own_policy(request):
    response = HttpResponse()
    response._csp_update = {"script-src": ["'unsafe-inline'"], "img-src": ["blob:"]}
    return response


def _with_nonce(request):
    return HttpResponse(f'<script nonce="{request.csp_nonce}"></script>')


def _exempt(request):
    response = HttpResponse()
    response._csp_exempt = True
    return response


def _missing(request):
    return HttpResponse(status=404)


def _answer(middleware_class, view, path="/"):
    middleware = middleware_class(view)
    request = RequestFactory().get(path)
    response = middleware(request)
    return {header: response.get(header) for header in HEADERS}, request


@pytest.mark.parametrize("view", [_page, _api, _own_policy, _with_nonce, _exempt, _missing])
@pytest.mark.parametrize("debug", [False, True])
def test_the_headers_are_django_csps_own(view, debug):
    with override_settings(DEBUG=debug):
        ours, request = _answer(ContentSecurityPolicyMiddleware, view)
        theirs, _request = _answer(CSPMiddleware, view)
    if view is _with_nonce:  # a nonce of its own each time, where the policy names it
        ours = {h: v and v.replace(str(request.csp_nonce), "N") for h, v in ours.items()}
        theirs = {h: v and v.replace(str(_request.csp_nonce), "N") for h, v in theirs.items()}
    assert ours == theirs
    if view in (_page, _api) or (view is _missing and not debug):
        assert "default-src 'self'" in ours[HEADERS[0]]


def test_a_nonce_asked_for_after_the_header_is_an_error():
    _headers, request = _answer(ContentSecurityPolicyMiddleware, _page)
    with pytest.raises(Exception, match="not available after the CSP header"):
        str(request.csp_nonce)


def test_the_header_follows_the_settings():
    policy = {"DIRECTIVES": {"default-src": ["'none'"]}, "EXCLUDE_URL_PREFIXES": ["/skip/"]}
    before, _r = _answer(ContentSecurityPolicyMiddleware, _page)
    with override_settings(CONTENT_SECURITY_POLICY=policy,
                           CONTENT_SECURITY_POLICY_REPORT_ONLY={"DIRECTIVES": {"img-src": ["'self'"]}}):
        changed, _r = _answer(ContentSecurityPolicyMiddleware, _page)
        skipped, _r = _answer(ContentSecurityPolicyMiddleware, _page, "/skip/page")
        theirs, _r = _answer(CSPMiddleware, _page, "/skip/page")
    after, _r = _answer(ContentSecurityPolicyMiddleware, _page)

    assert changed[HEADERS[0]] == "default-src 'none'"
    assert set(changed[HEADERS[1]].split("; ")) == {"default-src 'self'", "img-src 'self'"}
    assert skipped == theirs and skipped[HEADERS[0]] is None and skipped[HEADERS[1]]
    assert before == after != changed


@override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"script-src": ["'self'", NONCE]}})
def test_a_page_that_uses_its_nonce_names_it_in_the_header():
    headers, request = _answer(ContentSecurityPolicyMiddleware, _with_nonce)
    plain, _r = _answer(ContentSecurityPolicyMiddleware, _page)

    assert f"'nonce-{request.csp_nonce}'" in headers[HEADERS[0]]
    assert "nonce" not in plain[HEADERS[0]]
