from django.shortcuts import render

from opora.accounts import scope
from opora.registry.models import Program


def home(request):
    programs = scope.visible(None, Program.objects.all())
    return render(request, "navigator/home.html", {"program_count": programs.count()})
