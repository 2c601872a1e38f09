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
from opora.errors import DomainError
from opora.registry.forms import attach_errors

# The service names the password "password"; the form has two inputs for it.
_FIELD_OF = {"password": "password1"}


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
        return redirect(_next(request) or "core:dashboard")
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
            # The model backend directly: the new account has just proved its password.
            login(request, user, backend="opora.accounts.backends.UserBackend")
            return redirect("accounts:register_done")
    return render(request, "accounts/register.html", {"form": form, "next": next_url})


@login_required
def register_done(request):
    return render(request, "accounts/register_done.html")


def confirm_email(request, uidb64, token):
    try:
        user = services.confirm_email(uidb64, token)
    except DomainError as error:
        return render(request, "accounts/confirm_email.html",
                      {"error": error.message}, status=400)
    messages.success(request, _("Адрес электронной почты подтверждён. Теперь можно добавить "
                                "детей и записывать их на занятия."))
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
