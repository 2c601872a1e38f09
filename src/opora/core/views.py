from django.http import HttpResponsePermanentRedirect, HttpResponseRedirect
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from opora.core.accessibility import COOKIE, COOKIE_AGE, Accessibility


@require_POST
def accessible(request):
    """The version for the visually impaired: ``toggle`` switches it on (with the defaults)
    or off; any other choice (size, scheme, images, spacing) changes that setting and keeps
    the version on. Kept in a cookie for a year."""
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    current = Accessibility.from_cookie(request.COOKIES.get(COOKIE))
    if "toggle" in request.POST:
        settings = None if current else Accessibility()
    else:
        settings = (current or Accessibility()).changed(request.POST)
    if settings is None:
        response.delete_cookie(COOKIE)
    else:
        response.set_cookie(COOKIE, settings.cookie(), max_age=COOKIE_AGE, samesite="Lax")
    return response


def favicon(request):
    """Browsers ask for ``/favicon.ico`` whatever the page links: send them to the icon."""
    return HttpResponsePermanentRedirect(static("opora/favicon.svg"))
