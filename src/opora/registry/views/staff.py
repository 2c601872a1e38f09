"""Pages of a provider's staff: their programs, modules, groups and teachers."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from opora.accounts import scope
from opora.registry.models import Program


@login_required
def my_programs(request):
    qs = scope.actionable(request.user, "registry.edit", Program.objects.all())
    return render(request, "registry/staff/programs.html", {"programs": qs})


urlpatterns = [
    path("my/programs/", my_programs, name="my_programs"),
]
