"""Pages of the МОЦ operator, the education authority and the РМЦ: the registry of
programs and organizations, the moderation queue, the inventory and the export."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path

from opora.accounts import scope
from opora.registry.models import Program


@login_required
def programs(request):
    qs = scope.visible(request.user, Program.objects.select_related("organization"))
    page = Paginator(qs.order_by("title"), 25).get_page(request.GET.get("page"))
    return render(request, "registry/office/programs.html", {"page": page})


urlpatterns = [
    path("programs/", programs, name="programs"),
]
