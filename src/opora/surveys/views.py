"""Pages of data requests under ``office/surveys/``: the list, a new request and its
draft (fields added one by one), a sent request with the state of its replies, one
reply (fill, submit, accept or return), the Excel download and the files of answers.
Every reader sees what ``selectors`` let them; every change goes through ``services``."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from opora import audit
from opora.accounts import scope
from opora.accounts.decorators import section_page
from opora.accounts.models import Role
from opora.core.exporters import sheets_response
from opora.core.forms import attach_errors
from opora.core.http import found_or_404
from opora.core.pages import page_of
from opora.errors import DomainError
from opora.surveys import exports, selectors, services
from opora.surveys.forms import FieldForm, ReviewForm, SurveyForm
from opora.surveys.models import FieldKind, ReplyStatus, SurveyStatus

app_name = "surveys"


def _regional(user) -> bool:
    return user.role != Role.SUPPORT_CENTRE


@section_page("surveys")
def survey_list(request):
    surveys = selectors.surveys_for(request.user).order_by("-created_at", "-pk")
    page = page_of(request, surveys)
    own = {r.survey_id: r for r in selectors.replies_for(request.user).filter(survey__in=list(page))
           if (r.organization_id == request.user.organization_id if request.user.organization_id
               else r.organization_id is None and r.municipality_id == request.user.municipality_id)}
    for survey in page:
        survey.own_reply = own.get(survey.pk)
    return render(request, "surveys/list.html", {
        "page": page, "may_create": scope.holds(request.user, "surveys.manage")})


@section_page("surveys.manage")
def survey_create(request):
    regional = _regional(request.user)
    form = SurveyForm(request.POST or None, regional=regional)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.save_survey(request.user, form.survey_data())
        except DomainError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Запрос сохранён как черновик: добавьте поля и отправьте его."))
            return redirect("surveys:detail", pk=survey.pk)
    return render(request, "surveys/form.html", {"form": form, "survey": None},
                  status=400 if form.errors else 200)


def _manages(user, survey) -> bool:
    return scope.can(user, "surveys.manage", survey)


@section_page("surveys")
def survey_edit(request, pk):
    survey = found_or_404(selectors.survey_for, request.user, pk)
    if not _manages(request.user, survey) or survey.status != SurveyStatus.DRAFT:
        raise PermissionDenied
    form = SurveyForm(request.POST or None, initial=SurveyForm.initial_of(survey),
                      regional=survey.is_regional)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_survey(request.user, form.survey_data(), survey=survey)
        except DomainError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Запрос сохранён."))
            return redirect("surveys:detail", pk=survey.pk)
    return render(request, "surveys/form.html", {"form": form, "survey": survey},
                  status=400 if form.errors else 200)


def _reply_rows(user, survey):
    replies = list(selectors.replies_for(user, survey)
                   .order_by("municipality__name", "organization__short_name"))
    replies.sort(key=lambda r: (r.municipality.name, r.organization_id is not None,
                                r.organization.short_name if r.organization else ""))
    if user.role == Role.REGIONAL_CENTRE or user.is_superuser:
        # the РМЦ follows the municipalities; their providers are on each municipality's page
        replies = [r for r in replies if r.is_municipal]
    return replies


@section_page("surveys")
def survey_detail(request, pk, field_form=None):
    user = request.user
    survey = found_or_404(selectors.survey_for, user, pk)
    manages = _manages(user, survey)
    replies = _reply_rows(user, survey) if survey.status == SurveyStatus.SENT else []
    reminds = survey.status == SurveyStatus.SENT and (
        (user.role == Role.SUPPORT_CENTRE and survey.asks_providers)
        or (scope.holds(user, "surveys.review") and survey.is_regional))
    return render(request, "surveys/detail.html", {
        "survey": survey, "fields": survey.fields.all(), "manages": manages,
        "is_draft": survey.status == SurveyStatus.DRAFT,
        "field_form": field_form or FieldForm(), "replies": replies,
        "counts": selectors.status_counts(replies), "reminds": reminds,
        "events": audit.timeline(survey) if manages else [],
    }, status=400 if field_form is not None and field_form.errors else 200)


def _post_only(request):
    if request.method != "POST":
        raise Http404


@section_page("surveys")
def field_add(request, pk):
    _post_only(request)
    survey = found_or_404(selectors.survey_for, request.user, pk)
    form = FieldForm(request.POST)
    if form.is_valid():
        try:
            services.add_field(request.user, survey, form.field_data())
        except DomainError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Поле добавлено."))
            return redirect("surveys:detail", pk=survey.pk)
    return survey_detail(request, pk, field_form=form)


def _act(request, action, success, target_url):
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect(target_url)


@section_page("surveys")
def field_remove(request, pk, field_pk):
    _post_only(request)
    survey = found_or_404(selectors.survey_for, request.user, pk)
    field = survey.fields.filter(pk=field_pk).first()
    if field is None:
        raise Http404
    return _act(request, lambda: services.remove_field(request.user, field), _("Поле удалено."),
                reverse("surveys:detail", args=[survey.pk]))


@section_page("surveys")
def survey_send(request, pk):
    _post_only(request)
    survey = found_or_404(selectors.survey_for, request.user, pk)
    try:
        services.send_survey(request.user, survey)
    except DomainError as error:
        for message in getattr(error, "errors", {}).values() or [[error.message]]:
            for text in message:
                messages.error(request, text)
    else:
        messages.success(request, _("Запрос отправлен."))
    return redirect("surveys:detail", pk=survey.pk)


@section_page("surveys")
def survey_remind(request, pk):
    _post_only(request)
    survey = found_or_404(selectors.survey_for, request.user, pk)
    try:
        count = services.remind(request.user, survey)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if count:
            messages.success(request, _("Напоминания отправлены: %(n)s.") % {"n": count})
        else:
            messages.info(request, _("Напоминать некому: все ответили или уже получили "
                                     "напоминание в течение часа."))
    return redirect("surveys:detail", pk=survey.pk)


def _workbook(request, surveys, name):
    """All answers to ``surveys`` as .xlsx (or .ods with ``?format=ods``)."""
    sheets = exports.sheets(request.user, surveys)
    return sheets_response(request, sheets, name, "surveys")


@section_page("surveys")
def survey_excel(request, pk):
    survey = found_or_404(selectors.survey_for, request.user, pk)
    return _workbook(request, [survey], _("Ответы на запрос %(n)s") % {"n": survey.pk})


@section_page("surveys")
def surveys_excel(request):
    surveys = selectors.surveys_for(request.user).filter(status=SurveyStatus.SENT).order_by("pk")
    return _workbook(request, surveys, _("Ответы на запросы данных"))


# --- one reply -----------------------------------------------------------------------


def _may_edit(user, reply) -> bool:
    action = "surveys.collect" if reply.is_municipal else "surveys.answer"
    return scope.can(user, action, reply) and reply.status in services.EDITABLE


def _may_review(user, reply) -> bool:
    if reply.is_municipal and reply.survey.is_regional:
        return scope.can(user, "surveys.review", reply) and reply.status in (
            ReplyStatus.SUBMITTED, ReplyStatus.ACCEPTED)
    action_ok = scope.can(user, "surveys.collect", reply)
    if reply.is_municipal:  # a МОЦ's own request: it may take its answer back
        return action_ok and reply.status == ReplyStatus.ACCEPTED
    return action_ok and reply.status in (ReplyStatus.SUBMITTED, ReplyStatus.ACCEPTED)


@section_page("surveys")
def reply_detail(request, pk):
    user = request.user
    reply = found_or_404(selectors.reply_for, user, pk)
    answers = selectors.answers_of(reply)
    errors = {}
    may_edit = _may_edit(user, reply)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        values = {a.field_id: request.POST.get(f"field_{a.field_id}") for a in answers
                  if a.field.kind != FieldKind.FILE}
        files = {a.field_id: request.FILES[f"field_{a.field_id}"] for a in answers
                 if f"field_{a.field_id}" in request.FILES}
        submit = "submit" in request.POST
        try:
            services.save_reply(user, reply, values, files, submit=submit)
        except DomainError as error:
            errors = getattr(error, "errors", None) or {"__all__": [error.message]}
            for answer in answers:  # show what was typed
                typed = request.POST.get(f"field_{answer.field_id}")
                if typed is not None:
                    answer.typed = typed
        else:
            messages.success(request, _("Ответ отправлен.") if submit else _("Черновик сохранён."))
            return redirect("surveys:reply", pk=reply.pk)
    for answer in answers:
        answer.errors = errors.get(f"field_{answer.field_id}", [])
        if not hasattr(answer, "typed"):
            answer.typed = (format(answer.number, "f") if answer.number is not None
                            else answer.text)
    providers, sums = [], {}
    if reply.is_municipal:
        providers = list(selectors.replies_for(user, reply.survey)
                         .filter(municipality=reply.municipality, organization__isnull=False)
                         .order_by("organization__short_name"))
        sums = services.provider_sums(reply)
        for answer in answers:
            answer.providers_sum = sums.get(answer.field_id)
    return render(request, "surveys/reply.html", {
        "reply": reply, "survey": reply.survey, "answers": answers, "may_edit": may_edit,
        "may_review": _may_review(user, reply), "review_form": ReviewForm(),
        "form_errors": errors.get("__all__", []), "providers": providers,
        "events": audit.timeline(reply),
    }, status=400 if errors else 200)


@section_page("surveys")
def reply_review(request, pk):
    _post_only(request)
    reply = found_or_404(selectors.reply_for, request.user, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Выберите решение."))
        return redirect("surveys:reply", pk=reply.pk)
    accept = form.cleaned_data["decision"] == "accept"
    return _act(request, lambda: services.review_reply(request.user, reply, accept,
                                                       form.cleaned_data["remarks"]),
                _("Ответ принят.") if accept else _("Ответ возвращён на доработку."),
                reverse("surveys:reply", args=[reply.pk]))


@section_page("surveys")
def answer_file(request, pk, answer_pk):
    reply = found_or_404(selectors.reply_for, request.user, pk)
    answer = reply.answers.filter(pk=answer_pk).exclude(file="").first()
    if answer is None:
        raise Http404
    name = answer.file.name.rsplit("/", 1)[-1]
    return FileResponse(answer.file.open("rb"), as_attachment=True, filename=name)


urlpatterns = [
    path("office/surveys/", survey_list, name="list"),
    path("office/surveys/new/", survey_create, name="create"),
    path("office/surveys/excel/", surveys_excel, name="excel_all"),
    path("office/surveys/<int:pk>/", survey_detail, name="detail"),
    path("office/surveys/<int:pk>/edit/", survey_edit, name="edit"),
    path("office/surveys/<int:pk>/fields/", field_add, name="field_add"),
    path("office/surveys/<int:pk>/fields/<int:field_pk>/remove/", field_remove, name="field_remove"),
    path("office/surveys/<int:pk>/send/", survey_send, name="send"),
    path("office/surveys/<int:pk>/remind/", survey_remind, name="remind"),
    path("office/surveys/<int:pk>/excel/", survey_excel, name="excel"),
    path("office/surveys/replies/<int:pk>/", reply_detail, name="reply"),
    path("office/surveys/replies/<int:pk>/review/", reply_review, name="reply_review"),
    path("office/surveys/replies/<int:pk>/files/<int:answer_pk>/", answer_file, name="answer_file"),
]
