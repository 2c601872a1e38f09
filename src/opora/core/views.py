from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST


@require_POST
def toggle_accessible(request):
    """Switch the version for the visually impaired on or off (kept in a cookie for a year)."""
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    if request.COOKIES.get("accessible") == "1":
        response.delete_cookie("accessible")
    else:
        response.set_cookie("accessible", "1", max_age=365 * 24 * 3600, samesite="Lax")
    return response

