"""Pages of the parents' ratings (docs/domain.md §12): the parent's rating form (the
cabinet), the МОЦ's moderation of comments, the provider's answers, the РМЦ's versions of
the rules, and the public page of a program's rating with how it is computed."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opora.accounts import scope
from opora.accounts.decorators import section_page
from opora.core.forms import attach_errors
from opora.core.pages import page_of
from opora.errors import DomainError, NotFound
from opora.quality import ratings
from opora.quality.forms import MARK_LABELS, RatingRulesForm
from opora.quality.models import MARKS, CommentStatus, Rating, RatingRules


def _messages_of(error: DomainError) -> list[str]:
    problems = getattr(error, "errors", None) or {"": [error.message]}
    return [m for group in problems.values() for m in group]


# --- the parent --------------------------------------------------------------------------------


@section_page("cabinet")
def rate(request, uuid):
    user = request.user
    try:
        application = ratings.application_to_rate(user, uuid)
    except NotFound:
        raise Http404 from None
    program = application.group.module.program
    existing = Rating.objects.filter(application=application).first()
    errors: dict[str, list[str]] = {}
    values = {name: request.POST.get(name, "") for name in MARKS}
    comment = request.POST.get("comment", "")
    if request.method == "POST" and existing is not None:
        try:
            ratings.resubmit_comment(user, existing, comment)
        except DomainError as error:
            errors = getattr(error, "errors", None) or {"": [error.message]}
        else:
            messages.success(request, _("Комментарий отправлен на проверку МОЦ ещё раз."))
            return redirect("quality:rate", uuid=uuid)
    elif request.method == "POST":
        try:
            ratings.rate_program(user, application, values, comment)
        except DomainError as error:
            errors = getattr(error, "errors", None) or {"": [error.message]}
        else:
            messages.success(request, _("Спасибо! Оценка учтена. Комментарий появится на странице "
                                        "программы после проверки МОЦ.") if comment.strip()
                             else _("Спасибо! Оценка учтена."))
            return redirect("quality:rate", uuid=uuid)
    marks = [{"name": name, "label": label, "hint": hint, "value": values[name],
              "errors": errors.get(name, []),
              "given": getattr(existing, name) if existing else None}
             for name, label, hint in MARK_LABELS]
    return render(request, "quality/rate.html", {
        "application": application, "program": program, "rating": existing, "marks": marks,
        "comment_statuses": CommentStatus,
        "comment": comment, "comment_errors": errors.get("comment", []),
        "errors": [m for key, group in errors.items() if key not in (*MARKS, "comment") for m in group],
        "refusal": None if existing else ratings.refusal(application),
        "scale": range(1, 6),
    }, status=400 if errors else 200)


# --- the МОЦ ----------------------------------------------------------------------------------


@section_page("quality.moderate_ratings")
def moderation(request):
    user = request.user
    return render(request, "quality/rating_moderation.html", {
        "page": page_of(request, ratings.moderation_queue(user)),
        "recent": ratings.moderated_recently(user),
    })


@require_POST
@section_page("quality.moderate_ratings")
def moderation_decide(request, pk):
    user = request.user
    found = get_object_or_404(scope.actionable(user, "quality.moderate_ratings", Rating.objects.all()), pk=pk)
    publish = request.POST.get("decision") == "publish"
    try:
        ratings.moderate(user, found, publish=publish, reason=request.POST.get("reason", ""))
    except DomainError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, _("Комментарий опубликован.") if publish else _("Комментарий отклонён."))
    return redirect("quality:rating_moderation")


# --- the provider -------------------------------------------------------------------------------


@section_page("quality.answer_ratings")
def provider_ratings(request):
    return render(request, "quality/provider_ratings.html", {
        "page": page_of(request, ratings.provider_ratings(request.user))})


@require_POST
@section_page("quality.answer_ratings")
def provider_answer(request, pk):
    user = request.user
    found = get_object_or_404(scope.actionable(user, "quality.answer_ratings", Rating.objects.all()), pk=pk)
    try:
        ratings.answer(user, found, request.POST.get("answer", ""))
    except DomainError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, _("Ответ опубликован под отзывом."))
    return redirect("quality:provider_ratings")


# --- the rules (the РМЦ edits, the МОЦ and the authority read) ----------------------------------------


@section_page("quality")
def rules(request):
    user = request.user
    may_edit = scope.holds(user, "quality.rating_rules")
    current = ratings.current_rules()
    form = None
    if may_edit:
        initial = {name: getattr(current, name) for name in (
            "weight_results", "weight_staff", "weight_means", "weight_overall", "early_penalty",
            "min_share", "min_ratings")} if current else {}
        form = RatingRulesForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                created = ratings.save_rules(user, form.cleaned_data)
            except DomainError as error:
                attach_errors(form, error)
            else:
                messages.success(request, _("Сохранена версия %(v)d правил. Рейтинги программ пересчитаны "
                                            "по ней.") % {"v": created.version})
                return redirect("quality:rating_rules")
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "quality/rating_rules.html", {
        "versions": RatingRules.objects.select_related("created_by").order_by("-version"),
        "current": current, "form": form,
    }, status=400 if form is not None and form.errors else 200)


# --- public ------------------------------------------------------------------------------------


def program_rating(request, pk):
    try:
        program = ratings.public_program(pk)
    except NotFound:
        raise Http404 from None
    stored = ratings.public_rating(program)
    labels = {name: label for name, label, _hint in MARK_LABELS}
    lines = []
    if stored is not None:
        weights = stored.rules.weights
        lines = [{"label": labels[name], "mean": Decimal(stored.means[name]), "weight": weights[name]}
                 for name in MARKS]
    return render(request, "quality/program_rating.html", {
        "program": program, "rating": stored, "lines": lines,
        "rules": stored.rules if stored else ratings.current_rules(),
        "early_share": (stored.early_by_parents * 100 / stored.contracts if stored and stored.contracts else 0),
        "page": page_of(request, ratings.public_comments(program)),
    })


urlpatterns = [
    path("office/quality/rate/<uuid:uuid>/", rate, name="rate"),
    path("office/quality/ratings/", moderation, name="rating_moderation"),
    path("office/quality/ratings/<int:pk>/decide/", moderation_decide, name="rating_decide"),
    path("office/quality/my/ratings/", provider_ratings, name="provider_ratings"),
    path("office/quality/my/ratings/<int:pk>/answer/", provider_answer, name="provider_answer"),
    path("office/quality/rating-rules/", rules, name="rating_rules"),
    path("quality/programs/<int:pk>/rating/", program_rating, name="program_rating"),
]
