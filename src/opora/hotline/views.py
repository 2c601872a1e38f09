"""Pages of the hotline. Public: the question form (``hotline/ask/``), the FAQ
(``hotline/faq/``) and a question read by its signed link. Cabinet: a parent's or a
provider's own questions. Back office: the МОЦ's queue, a question with the operator's
actions, phone calls, FAQ entries, the report and the settings. Every reader sees what
``selectors`` let them; every change goes through ``services``."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opora import audit
from opora.accounts import scope
from opora.accounts.decorators import section_page
from opora.accounts.middleware import client_ip
from opora.accounts.models import Role
from opora.core.forms import attach_errors
from opora.core.http import found_or_404
from opora.core.pages import page_of
from opora.errors import DomainError, Throttled
from opora.hotline import exports, links, selectors, services
from opora.hotline.forms import (
    AskForm,
    CalendarDayForm,
    CallForm,
    DeskForm,
    FaqForm,
    PeriodForm,
    TextForm,
)
from opora.hotline.models import (
    CalendarDay,
    Desk,
    QuestionStatus,
    Topic,
    TopicDeadline,
)
from opora.registry.models import Municipality

app_name = "hotline"


def _origin(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _asks_from_cabinet(user) -> bool:
    return user.is_authenticated and scope.may_open(user, "hotline.mine")


# --- public -----------------------------------------------------------------------------


def ask(request):
    """«Задать вопрос»: anyone; a signed-in parent or provider asks from their account."""
    user = request.user
    if user.is_authenticated and not _asks_from_cabinet(user):
        messages.info(request, _("Вопросы на горячую линию задают родители и организации; "
                                 "операторы работают с ними в разделе «Горячая линия»."))
        return redirect("office:dashboard")
    signed_in = user.is_authenticated
    initial = {"topic": request.GET.get("topic", "") if request.GET.get("topic") in Topic.values else ""}
    if signed_in:
        municipality_id = user.municipality_id or (user.organization.municipality_id
                                                   if user.organization_id else None)
        initial["municipality"] = municipality_id
    form = AskForm(request.POST or None, request.FILES or None, initial=initial, signed_in=signed_in)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            question = services.ask(user, form.question_data(), form.cleaned_data.get("attachment"),
                                    origin=_origin(request), client=client_ip(request))
        except DomainError as error:
            attach_errors(form, error)
            status = 429 if isinstance(error, Throttled) else 400
        else:
            if signed_in:
                messages.success(request, _("Вопрос № %(n)s принят. Ответим до %(date)s.") % {
                    "n": question.number, "date": question.deadline.strftime("%d.%m.%Y")})
                return redirect("hotline:mine_detail", pk=question.pk)
            return redirect("hotline:by_link", token=links.token_of(question))
    desks = {d.municipality_id: d for d in Desk.objects.all()}
    return render(request, "hotline/ask.html", {
        "form": form, "signed_in": signed_in, "desks": desks,
        "faq": selectors.public_faq(topic=initial["topic"])[:5],
    }, status=400 if form.errors and status == 200 else status)


def faq(request):
    topic = request.GET.get("topic", "")
    municipality = None
    raw = request.GET.get("municipality", "")
    if raw.isdigit():
        municipality = Municipality.objects.filter(pk=int(raw)).first()
    entries = selectors.public_faq(topic=topic, municipality=municipality)
    page = page_of(request, entries)
    return render(request, "hotline/faq.html", {
        "page": page, "topics": Topic.choices, "topic": topic if topic in Topic.values else "",
        "municipalities": Municipality.objects.order_by("name"), "municipality": municipality})


def _by_token(token):
    return found_or_404(selectors.by_uuid, links.uuid_of(token))


def by_link(request, token):
    """The asker without an account reads the question and answers a request for details."""
    question = _by_token(token)
    form = TextForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_details(request.user, question, form.cleaned_data["text"], by_link=True)
        except DomainError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Уточнение отправлено."))
            return redirect("hotline:by_link", token=token)
    return render(request, "hotline/asker_question.html", {
        "question": question, "thread": selectors.thread(question, internal=False),
        "form": form, "file_url": reverse("hotline:by_link_file", args=[token]),
        "link": request.build_absolute_uri(),
    }, status=400 if form.errors else 200)


def _file(question):
    if not question.attachment:
        raise Http404
    return FileResponse(question.attachment.open("rb"), as_attachment=True,
                        filename=question.attachment_name or "file")


def by_link_file(request, token):
    return _file(_by_token(token))


# --- the cabinet ------------------------------------------------------------------------


def _back_url(user) -> str:
    return reverse("hotline:mine" if scope.is_parent(user) else "hotline:asked")


def _own_list(request):
    page = page_of(request, selectors.own_questions(request.user).order_by("-received_at", "-pk"))
    return render(request, "hotline/mine.html", {"page": page})


# the same list in the parent's cabinet and under a provider's «Горячая линия»
mine = section_page("cabinet")(_own_list)
asked = section_page("hotline.asked")(_own_list)


@section_page("hotline.mine")
def mine_detail(request, pk):
    question = found_or_404(selectors.own_question, request.user, pk)
    form = TextForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_details(request.user, question, form.cleaned_data["text"])
        except DomainError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Уточнение отправлено."))
            return redirect("hotline:mine_detail", pk=question.pk)
    return render(request, "hotline/asker_question.html", {
        "question": question, "thread": selectors.thread(question, internal=False),
        "form": form, "file_url": reverse("hotline:mine_file", args=[question.pk]),
        "cabinet": True, "back_url": _back_url(request.user),
    }, status=400 if form.errors else 200)


@section_page("hotline.mine")
def mine_file(request, pk):
    return _file(found_or_404(selectors.own_question, request.user, pk))


# --- the back office: the queue and a question ------------------------------------------


def _regional(user) -> bool:
    return user.role == Role.REGIONAL_CENTRE or user.is_superuser


@section_page("hotline")
def queue(request):
    user = request.user
    default = "escalated" if _regional(user) else "open"
    status = request.GET.get("status", default)
    overdue = request.GET.get("overdue") == "1"
    mine_only = request.GET.get("mine") == "1"
    topic = request.GET.get("topic", "")
    questions = selectors.queue(user, status=status, topic=topic, overdue=overdue, mine=mine_only)
    page = page_of(request, questions)
    return render(request, "hotline/queue.html", {
        "page": page, "status": status, "topic": topic, "overdue": overdue, "mine": mine_only,
        "statuses": QuestionStatus.choices, "topics": Topic.choices,
        "counts": selectors.counts(user), "today": timezone.localdate(),
        "registers_calls": user.role == Role.SUPPORT_CENTRE,
    })


@section_page("hotline")
def question(request, pk, forms=None):
    user = request.user
    item = found_or_404(selectors.question_for, user, pk)
    works = services.may_work(user, item)
    forms = forms or {}
    return render(request, "hotline/question.html", {
        "question": item, "thread": selectors.thread(item, internal=True), "works": works,
        "regional": _regional(user),
        "answer_form": forms.get("answer") or TextForm(prefix="answer"),
        "details_form": forms.get("details") or TextForm(prefix="details"),
        "escalate_form": forms.get("escalate") or TextForm(prefix="escalate"),
        "may_publish": item.status == QuestionStatus.ANSWERED and scope.can(user, "hotline.publish", item),
        "faq_entries": item.faq_entries.all(),
        "events": audit.timeline(item),
    }, status=400 if any(f.errors for f in forms.values()) else 200)


def _act(request, pk, name, call, success):
    item = found_or_404(selectors.question_for, request.user, pk)
    form = TextForm(request.POST, prefix=name) if name else None
    if form is not None and not form.is_valid():
        return question(request, pk, forms={name: form})
    try:
        call(item, form.cleaned_data["text"] if form else None)
    except DomainError as error:
        if form is not None and getattr(error, "field", None) in ("text", "reason", None):
            form.add_error("text", error.message)
            return question(request, pk, forms={name: form})
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("hotline:question", pk=pk)


@require_POST
@section_page("hotline")
def take(request, pk):
    return _act(request, pk, None, lambda q, _t: services.take(request.user, q),
                _("Вопрос взят в работу."))


@require_POST
@section_page("hotline")
def answer(request, pk):
    return _act(request, pk, "answer",
                lambda q, text: services.answer(request.user, q, text, _origin(request)),
                _("Ответ отправлен автору."))


@require_POST
@section_page("hotline")
def request_details(request, pk):
    return _act(request, pk, "details",
                lambda q, text: services.request_details(request.user, q, text, _origin(request)),
                _("Запрос уточнения отправлен автору."))


@require_POST
@section_page("hotline")
def escalate(request, pk):
    if _regional(request.user):
        return _act(request, pk, "escalate",
                    lambda q, text: services.return_to_support_centre(request.user, q, text),
                    _("Вопрос возвращён в МОЦ."))
    return _act(request, pk, "escalate", lambda q, text: services.escalate(request.user, q, text),
                _("Вопрос передан в РМЦ."))


@section_page("hotline")
def question_file(request, pk):
    return _file(found_or_404(selectors.question_for, request.user, pk))


@section_page("hotline")
def call(request):
    if request.user.role != Role.SUPPORT_CENTRE:
        raise PermissionDenied
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.register_call(request.user, form.question_data(), _origin(request))
        except DomainError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Звонок зарегистрирован: вопрос № %(n)s, ответить до %(date)s.")
                             % {"n": item.number, "date": item.deadline.strftime("%d.%m.%Y")})
            return redirect("hotline:question", pk=item.pk)
    return render(request, "hotline/call.html", {"form": form}, status=400 if form.errors else 200)


# --- FAQ entries -------------------------------------------------------------------------


@section_page("hotline")
def faq_create(request, pk):
    item = found_or_404(selectors.question_for, request.user, pk)
    if item.status != QuestionStatus.ANSWERED or not scope.can(request.user, "hotline.publish", item):
        raise PermissionDenied
    form = FaqForm(request.POST or None, initial={"title": item.text[:300], "body": item.answer,
                                                  "topic": item.topic})
    if request.method == "POST" and form.is_valid():
        try:
            services.publish_faq(request.user, item, form.cleaned_data)
        except DomainError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Ответ опубликован в разделе «Частые вопросы»."))
            return redirect("hotline:faq_entries")
    return render(request, "hotline/faq_form.html", {"form": form, "question": item, "entry": None},
                  status=400 if form.errors else 200)


@section_page("hotline")
def faq_entries(request):
    page = page_of(request, selectors.managed_faq(request.user))
    return render(request, "hotline/faq_entries.html", {"page": page})


@section_page("hotline")
def faq_edit(request, pk):
    entry = found_or_404(selectors.faq_entry_for, request.user, pk)
    form = FaqForm(request.POST or None, initial={"title": entry.title, "body": entry.body,
                                                  "topic": entry.topic})
    if request.method == "POST":
        if "withdraw" in request.POST or "restore" in request.POST:
            try:
                services.withdraw_faq(request.user, entry, publish="restore" in request.POST)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Запись снята с публикации.") if "withdraw" in request.POST
                                 else _("Запись снова опубликована."))
            return redirect("hotline:faq_entries")
        if form.is_valid():
            try:
                services.edit_faq(request.user, entry, form.cleaned_data)
            except DomainError as error:
                attach_errors(form, error)
            else:
                messages.success(request, _("Запись сохранена."))
                return redirect("hotline:faq_entries")
    return render(request, "hotline/faq_form.html", {"form": form, "question": entry.question,
                                                     "entry": entry},
                  status=400 if form.errors else 200)


# --- the report and the settings ----------------------------------------------------------


def _period(request):
    today = timezone.localdate()
    default = {"start": today.replace(month=1, day=1), "end": today}
    form = PeriodForm(request.GET or None, initial=default)
    if request.GET and form.is_valid() and form.cleaned_data["start"] <= form.cleaned_data["end"]:
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, default["start"], default["end"]


@section_page("hotline.report")
def report(request):
    form, start, end = _period(request)
    rows = selectors.report_rows(request.user, start, end)
    if request.GET.get("format") == "xlsx":
        return exports.HotlineReport(rows).response("xlsx")
    return render(request, "hotline/report.html", {
        "form": form, "rows": rows, "overall": selectors.report_overall(request.user, start, end),
        "start": start, "end": end})


@section_page("hotline.configure")
def settings_page(request):
    user = request.user
    desk = None
    desk_form = None
    if user.role == Role.SUPPORT_CENTRE:
        desk = Desk.objects.filter(municipality_id=user.municipality_id).first()
        desk_form = DeskForm(request.POST if request.POST.get("form") == "desk" else None,
                             initial={k: getattr(desk, k) for k in ("phone", "hours", "head_name",
                                                                    "head_email")} if desk else None)
    day_form = CalendarDayForm(request.POST if request.POST.get("form") == "day" else None)
    if request.method == "POST":
        kind = request.POST.get("form")
        try:
            if kind == "desk" and desk_form is not None and desk_form.is_valid():
                services.save_desk(user, user.municipality, desk_form.cleaned_data)
                messages.success(request, _("Сведения о горячей линии сохранены."))
                return redirect("hotline:settings")
            if kind == "deadline":
                services.set_topic_deadline(user, request.POST.get("topic"),
                                            request.POST.get("working_days"))
                messages.success(request, _("Срок ответа сохранён."))
                return redirect("hotline:settings")
            if kind == "day" and day_form.is_valid():
                data = day_form.cleaned_data
                services.set_calendar_day(user, data["date"], data["is_working"], data["note"])
                messages.success(request, _("Календарь сохранён."))
                return redirect("hotline:settings")
            if kind == "remove_day":
                day = CalendarDay.objects.filter(pk=request.POST.get("day")).first()
                if day is not None:
                    services.remove_calendar_day(user, day)
                    messages.success(request, _("День убран из календаря."))
                return redirect("hotline:settings")
        except DomainError as error:
            target = desk_form if kind == "desk" else day_form
            if target is not None and kind in ("desk", "day"):
                attach_errors(target, error)
            else:
                messages.error(request, error.message)
                return redirect("hotline:settings")
    year = timezone.localdate().year
    deadlines = dict(TopicDeadline.objects.values_list("topic", "working_days"))
    topics = [{"code": code, "label": label,
               "days": deadlines.get(code, services.DEFAULT_WORKING_DAYS)} for code, label in Topic.choices]
    days = CalendarDay.objects.filter(date__gte=dt.date(year, 1, 1), date__lte=dt.date(year + 1, 12, 31))
    errors = bool(day_form.errors or (desk_form is not None and desk_form.errors))
    return render(request, "hotline/settings.html", {
        "desk_form": desk_form, "day_form": day_form, "topics": topics, "days": days,
    }, status=400 if errors else 200)


urlpatterns = [
    path("hotline/ask/", ask, name="ask"),
    path("hotline/faq/", faq, name="faq"),
    path("hotline/q/<str:token>/", by_link, name="by_link"),
    path("hotline/q/<str:token>/file/", by_link_file, name="by_link_file"),
    path("cabinet/questions/", mine, name="mine"),
    path("office/hotline/asked/", asked, name="asked"),
    path("cabinet/questions/<int:pk>/", mine_detail, name="mine_detail"),
    path("cabinet/questions/<int:pk>/file/", mine_file, name="mine_file"),
    path("office/hotline/", queue, name="queue"),
    path("office/hotline/call/", call, name="call"),
    path("office/hotline/report/", report, name="report"),
    path("office/hotline/settings/", settings_page, name="settings"),
    path("office/hotline/faq/", faq_entries, name="faq_entries"),
    path("office/hotline/faq/<int:pk>/", faq_edit, name="faq_edit"),
    path("office/hotline/<int:pk>/", question, name="question"),
    path("office/hotline/<int:pk>/take/", take, name="take"),
    path("office/hotline/<int:pk>/answer/", answer, name="answer"),
    path("office/hotline/<int:pk>/details/", request_details, name="request_details"),
    path("office/hotline/<int:pk>/escalate/", escalate, name="escalate"),
    path("office/hotline/<int:pk>/file/", question_file, name="question_file"),
    path("office/hotline/<int:pk>/faq/", faq_create, name="faq_create"),
]
