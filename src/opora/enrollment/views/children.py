"""The МОЦ's side of children: the children of the territory, and the suspected duplicates
to merge or to mark as different children."""


from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opora.accounts import scope
from opora.accounts.decorators import section_page
from opora.core.pages import page_of
from opora.enrollment import children as children_service
from opora.enrollment import rules, selectors
from opora.enrollment.forms import MergeForm
from opora.enrollment.models import LIVE, Application, Child, Guardianship
from opora.errors import DomainError


@section_page("territory")
def children(request):
    q = request.GET.get("q", "").strip()
    listed = selectors.visible_children(request.user).select_related("municipality").annotate(
        live_applications=Count("applications", filter=Q(applications__status__in=LIVE),
                                distinct=True))
    for word in rules.normalize_name(q).split():
        listed = listed.filter(identity_key__contains=word)
    listed = listed.order_by("last_name", "first_name", "patronymic", "birth_date", "pk")
    page = page_of(request, listed)
    return render(request, "enrollment/office/children.html", {"page": page, "q": q})


def _counts(children_ids, model) -> dict[int, int]:
    return dict(model.objects.filter(child_id__in=children_ids).order_by()
                .values_list("child_id").annotate(n=Count("pk")))


@section_page("enrollment.merge_children")
def duplicates(request):
    pairs = selectors.suspected_duplicates(request.user)
    page = page_of(request, pairs)
    ids = {c.pk for pair in page for c in (pair.first, pair.second)}
    applications, guardians = _counts(ids, Application), _counts(ids, Guardianship)
    rows = [{"pair": pair, "children": [
        {"child": c, "applications": applications.get(c.pk, 0),
         "guardians": guardians.get(c.pk, 0)} for c in (pair.first, pair.second)]}
        for pair in page]
    return render(request, "enrollment/office/duplicates.html", {"page": page, "rows": rows})


def _pair(request, form):
    """The two children of a posted pair, among those the МОЦ may merge (else 404)."""
    own = scope.actionable(request.user, "enrollment.merge_children", Child.objects.all())
    return (get_object_or_404(own, uuid=form.cleaned_data["first"]),
            get_object_or_404(own, uuid=form.cleaned_data["second"]))


@require_POST
@section_page("enrollment.merge_children")
def merge(request):
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Выберите пару записей."))
        return redirect("enrollment:duplicates")
    first, second = _pair(request, form)
    if form.cleaned_data["keep"] not in ("first", "second"):
        messages.error(request, _("Выберите, какую запись оставить."))
        return redirect("enrollment:duplicates")
    keep, duplicate = (second, first) if form.cleaned_data["keep"] == "second" else (first, second)
    try:
        children_service.merge_children(request.user, keep, duplicate, form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Записи объединены: осталась запись «%(name)s», %(date)s.")
                         % {"name": keep.full_name, "date": keep.birth_date.strftime("%d.%m.%Y")})
    return redirect("enrollment:duplicates")


@require_POST
@section_page("enrollment.merge_children")
def mark_distinct(request):
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Выберите пару записей."))
        return redirect("enrollment:duplicates")
    first, second = _pair(request, form)
    try:
        children_service.mark_distinct(request.user, first, second)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Отмечено: %(first)s и %(second)s — разные дети.")
                         % {"first": first.full_name, "second": second.full_name})
    return redirect("enrollment:duplicates")


# --- parents waiting to be confirmed as guardians --------------------------------------


@section_page("enrollment.confirm_guardians")
def guardians(request):
    """Parents who linked a child someone else had registered; the МОЦ checks their
    documents and confirms or refuses the link."""
    pending = (scope.actionable(request.user, "enrollment.confirm_guardians",
                                Guardianship.objects.filter(confirmed_at__isnull=True))
               .select_related("parent", "child", "child__municipality")
               .order_by("created_at", "pk"))
    page = page_of(request, pending)
    return render(request, "enrollment/office/guardians.html", {"page": page})


@require_POST
@section_page("enrollment.confirm_guardians")
def guardian_decide(request, pk):
    link = get_object_or_404(scope.actionable(
        request.user, "enrollment.confirm_guardians",
        Guardianship.objects.filter(confirmed_at__isnull=True)), pk=pk)
    try:
        if request.POST.get("action") == "confirm":
            children_service.confirm_guardianship(request.user, link)
            messages.success(request, _("Законный представитель подтверждён."))
        else:
            children_service.reject_guardianship(request.user, link, request.POST.get("reason", ""))
            messages.success(request, _("В связи с ребёнком отказано."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("enrollment:guardians")
