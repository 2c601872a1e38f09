from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from opora.accounts import scope
from opora.office import dashboard as desk
from opora.office.nav import office_menu


@login_required
def dashboard(request):
    """«Рабочий стол» of a back-office role: the work waiting for it and, for the
    authority and the РМЦ, the key figures of their municipalities. A parent goes to the
    cabinet's first page, a role without a menu to the catalog."""
    menu = office_menu(request)
    if not menu:
        return redirect("navigator:home")
    if not scope.reads_back_office(request.user):
        return redirect(menu[0]["url"])
    return render(request, "office/dashboard.html", {
        "tasks": desk.tasks(request.user), "figures": desk.key_figures(request.user)})
