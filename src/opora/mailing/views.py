"""Pages of mailings: the МОЦ's list, a new mailing (with the count of its recipients
before it goes) and one mailing with its progress; the parent's consent to news in the
cabinet; the unsubscribe link of a letter (public, one click)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from opora.accounts import scope
from opora.accounts.decorators import section_page
from opora.core.forms import attach_errors
from opora.core.http import found_or_404
from opora.core.pages import page_of
from opora.errors import DomainError, NotFound
from opora.mailing import links, services
from opora.mailing.forms import ConsentForm, MailingForm
from opora.mailing.models import DeliveryStatus, Mailing, MailingStatus, NewsConsent

app_name = "mailing"


def _origin(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _mailings(user):
    return scope.territory(user, Mailing.objects.select_related("author", "municipality"))


def _mailing_for(user, pk):
    mailing = _mailings(user).filter(pk=pk).first()
    if mailing is None:
        raise NotFound(_("Рассылка не найдена."))
    return mailing


@section_page("mailing")
def mailing_list(request):
    page = page_of(request, _mailings(request.user).order_by("-created_at", "-pk"))
    return render(request, "mailing/list.html", {"page": page})


@section_page("mailing")
def mailing_create(request):
    form = MailingForm(request.POST or None)
    count = None
    if request.method == "POST" and form.is_valid():
        if "count" in request.POST:
            count = len(services.recipients(request.user.municipality, form.cleaned_data))
        else:
            try:
                mailing = services.send_mailing(request.user, form.cleaned_data, _origin(request))
            except DomainError as error:
                attach_errors(form, error)
            else:
                messages.success(request, _("Рассылка запущена: %(n)s получателей.")
                                 % {"n": mailing.recipients_count})
                return redirect("mailing:detail", pk=mailing.pk)
    return render(request, "mailing/form.html", {"form": form, "count": count},
                  status=400 if form.errors else 200)


@section_page("mailing")
def mailing_detail(request, pk):
    mailing = found_or_404(_mailing_for, request.user, pk)
    failed = mailing.deliveries.filter(status=DeliveryStatus.FAILED).order_by("email")[:100]
    template = "mailing/_progress.html" if request.headers.get("HX-Request") else "mailing/detail.html"
    return render(request, template, {"mailing": mailing, "failed": failed,
                                      "sending": mailing.status == MailingStatus.SENDING})


@section_page("cabinet")
def consent(request):
    agreed = NewsConsent.objects.filter(user=request.user).exists()
    form = ConsentForm(request.POST if request.method == "POST" else None, initial={"agree": agreed})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_consent(request.user, form.cleaned_data["agree"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Вы подписаны на новости опорного центра.")
                             if form.cleaned_data["agree"]
                             else _("Вы больше не будете получать новости опорного центра."))
        return redirect("mailing:consent")
    return render(request, "mailing/consent.html", {"form": form, "agreed": agreed})


@csrf_exempt  # RFC 8058: a mail client posts the one-click unsubscribe without our form
def unsubscribe(request, token):
    """One click: the address of the link is unsubscribed at once, by opening the link
    (GET) or by the mail client's one-click POST."""
    email = links.email_of(token)
    if email is not None:
        services.unsubscribe(email)
    return render(request, "mailing/unsubscribed.html", {"email": email},
                  status=200 if email else 400)


urlpatterns = [
    path("office/mailings/", mailing_list, name="list"),
    path("office/mailings/new/", mailing_create, name="create"),
    path("office/mailings/<int:pk>/", mailing_detail, name="detail"),
    path("cabinet/news/", consent, name="consent"),
    path("mailing/unsubscribe/<str:token>/", unsubscribe, name="unsubscribe"),
]
