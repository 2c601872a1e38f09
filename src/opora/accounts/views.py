"""Pages of a parent's own account: registration, the e-mail confirmation link and the
«send the letter again» button. Sign-in and passwords are Django's own views."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opora.accounts import services
from opora.accounts.forms import RegistrationForm
from opora.core.forms import attach_errors
from opora.errors import DomainError

# The service names the password "password"; the form has two inputs for it.
_FIELD_OF = {"password": "password1"}

# What the session remembers of a registration: the address to show on «check your mail»
# and, for a new account only, its id, so that the link opened in this browser signs it in.
_REGISTRATION = "opora.registration"


def _origin(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return ""


def register(request):
    if request.user.is_authenticated:
        return redirect(_next(request) or "office:dashboard")
    form = RegistrationForm(request.POST or None)
    next_url = _next(request)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.register_parent(**form.service_data(), origin=_origin(request),
                                            next_url=next_url)
        except DomainError as error:
            errors = getattr(error, "errors", None) or {error.field or "__all__": [error.message]}
            error.errors = {_FIELD_OF.get(k, k): v for k, v in errors.items()}
            attach_errors(form, error)
        else:
            # The same answer whether the address was free or already had an account (its
            # owner then gets a letter): no sign-in here, so nothing tells the two apart.
            request.session[_REGISTRATION] = {"email": form.cleaned_data["email"],
                                              "user": user.pk if user else None}
            return redirect("accounts:register_done")
    return render(request, "accounts/register.html", {"form": form, "next": next_url})


def register_done(request):
    registration = request.session.get(_REGISTRATION)
    if registration is None:
        return redirect("accounts:register")
    return render(request, "accounts/register_done.html", {"email": registration["email"]})


def confirm_email(request, uidb64, token):
    try:
        user = services.confirm_email(uidb64, token)
    except DomainError as error:
        return render(request, "accounts/confirm_email.html",
                      {"error": error.message}, status=400)
    messages.success(request, _("Адрес электронной почты подтверждён. Теперь можно добавить "
                                "детей и записывать их на занятия."))
    registration = request.session.get(_REGISTRATION) or {}
    if not request.user.is_authenticated and registration.get("user") == user.pk:
        # The browser that registered this account (and so knows its password) opened
        # the link: the model backend directly, as at a sign-in.
        del request.session[_REGISTRATION]
        login(request, user, backend="opora.accounts.backends.UserBackend")
    if request.user.is_authenticated and request.user.pk == user.pk:
        return redirect(_next(request) or reverse("enrollment:cabinet"))
    login_url = reverse("accounts:login")
    target = _next(request)
    return redirect(f"{login_url}?{urlencode({'next': target})}" if target else login_url)


@require_POST
@login_required
def resend_confirmation(request):
    try:
        services.send_confirmation(request.user, _origin(request), _next(request))
    except DomainError as error:
        messages.info(request, error.message)
    else:
        messages.success(request, _("Письмо отправлено на %(email)s. Откройте ссылку из него.")
                         % {"email": request.user.email})
    return redirect(_next(request) or reverse("enrollment:cabinet"))
