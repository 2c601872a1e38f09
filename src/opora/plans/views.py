"""Pages of the МОЦ's plans under ``office/plans/``: the list, a plan with its items and the
buttons of each role, import (paste or .xlsx → preview → confirm), an item (its content,
its execution and evidence), «Мой план», the printable plan with its stamps and the report
(printable and .xlsx)."""

import json
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opora import audit
from opora.accounts import scope
from opora.accounts.decorators import section_page
from opora.core.exporters import export_format
from opora.core.forms import attach_errors
from opora.core.http import found_or_404
from opora.errors import DomainError, ValidationFailed
from opora.plans import importing, links, selectors, services
from opora.plans.exporters import ReportExporter, plan_document, report_document
from opora.plans.forms import (
    EvidenceForm,
    ImportForm,
    ItemForm,
    MarkForm,
    PlanForm,
    PublicationForm,
    RemarksForm,
    RevisionForm,
    SignForm,
)
from opora.plans.models import CLOSED_STATUSES, ChangeKind, Evidence, PlanStatus, RevisionChange, RevisionStatus

ROW_FIELDS = ("number", "title", "deadline_text", "responsible_text", "expected_result")


def _with_flags(items, today=None):
    today = today or timezone.localdate()
    for item in items:
        item.overdue = item.is_overdue(today)
    return items


@section_page("plans")
def plans(request):
    listed = selectors.with_counts(selectors.plans_for(request.user))
    context = {"plans": listed, "may_create": scope.holds(request.user, "plans.edit")}
    if scope.holds_region(request.user, "plans.agree"):
        this_year = timezone.localdate().year
        try:
            year = int(request.GET.get("year", this_year))
        except ValueError:
            year = this_year
        if not this_year - 10 <= year <= this_year + 1:
            year = this_year
        context.update(year=year, years=range(this_year + 1, this_year - 4, -1),
                       comparison=selectors.comparison(request.user, year))
    return render(request, "plans/list.html", context)


@section_page("plans")
def plan_create(request):
    if not scope.holds(request.user, "plans.edit"):
        raise PermissionDenied
    form = PlanForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.create_plan(request.user, request.user.municipality, data["kind"],
                                        data["period_kind"], data["year"], data["title"])
        except DomainError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("План создан. Загрузите его таблицу."))
            return redirect("plans:import", pk=plan.pk)
    return render(request, "plans/create.html", {"form": form}, status=400 if form.errors else 200)


def _rights(user, plan):
    may_edit = scope.can(user, "plans.edit", plan)
    open_revision = plan.revisions.exclude(status=RevisionStatus.APPROVED).first()
    content = may_edit and (plan.status in services.EDITABLE or (
        plan.status in services.EXECUTABLE and open_revision is not None
        and open_revision.status == RevisionStatus.DRAFT))
    may_approve, may_agree = scope.can(user, "plans.approve", plan), scope.can(user, "plans.agree", plan)
    return {
        "may_edit": may_edit,
        "may_change_content": content,
        "may_approve": may_approve,
        "may_agree": may_agree,
        "open_revision": open_revision,
        "in_revision": content and plan.status in services.EXECUTABLE,
        # the report is accepted by both: each may accept while its own acceptance is missing
        "may_accept_report": plan.status == PlanStatus.REPORTED and (
            (may_approve and not plan.report_accepted_by_authority_on)
            or (may_agree and not plan.report_accepted_by_rmc_on)),
    }


@section_page("plans")
def plan_detail(request, pk):
    plan = found_or_404(selectors.plan_for, request.user, pk)
    items = _with_flags(list(plan.items.select_related("section").prefetch_related("evidence")))
    return render(request, "plans/detail.html", {
        "plan": plan, "items": items, **_rights(request.user, plan),
        "revisions": plan.revisions.order_by("-number").prefetch_related("changes__item"),
        "change_kinds": ChangeKind,
        "sign_form": SignForm(initial={"signed_on": timezone.localdate()}),
        "remarks_form": RemarksForm(), "revision_form": RevisionForm(),
        "summary": selectors.summary(plan), "events": audit.timeline(plan),
        "statuses": PlanStatus,
    })


def _change_of(revision, request) -> RevisionChange:
    change = revision.changes.filter(pk=request.POST.get("change") or 0).first() if (
        str(request.POST.get("change", "")).isdigit()) else None
    if change is None:
        raise Http404
    return change


def _signed(request, field):
    form = SignForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed({name: list(errors) for name, errors in form.errors.items()})
    data = form.cleaned_data
    return {field: data["signed_on"], "name": data["name"], "position": data["position"]}


@require_POST
@section_page("plans")
def plan_action(request, pk, action):
    plan = found_or_404(selectors.plan_for, request.user, pk)
    revision = plan.revisions.exclude(status=RevisionStatus.APPROVED).first()
    user = request.user
    actions = {
        "send": lambda: services.send(user, plan),
        "approve": lambda: services.approve(user, plan, _signed(request, "approved_on")),
        "agree": lambda: services.agree(user, plan, _signed(request, "agreed_on")),
        "return": lambda: services.return_plan(user, plan, request.POST.get("remarks", "")),
        "start": lambda: services.start(user, plan),
        "report": lambda: services.report(user, plan),
        "report_accept": lambda: services.accept_report(user, plan),
        "report_return": lambda: services.return_report(user, plan, request.POST.get("remarks", "")),
        "revision_open": lambda: services.open_revision(user, plan, request.POST.get("reason", "")),
        "revision_send": lambda: services.send_revision(user, revision),
        "revision_approve": lambda: services.approve_revision(user, revision,
                                                              _signed(request, "approved_on")),
        "revision_return": lambda: services.return_revision(user, revision,
                                                            request.POST.get("remarks", "")),
        "revision_discard": lambda: services.discard_change(user, _change_of(revision, request)),
    }
    if action not in actions or (action.startswith("revision_") and action != "revision_open"
                                 and revision is None):
        raise Http404
    try:
        actions[action]()
    except DomainError as error:
        problems = getattr(error, "errors", None) or {"": [error.message]}
        for problem in (message for messages_ in problems.values() for message in messages_):
            messages.error(request, problem)
    else:
        messages.success(request, _("Готово."))
    return redirect("plans:plan", pk=plan.pk)


# --- import ------------------------------------------------------------------------------


def _records_of(request, form):
    """Records of the pasted text or of the uploaded workbook; ValidationFailed if neither."""
    upload = form.cleaned_data.get("file")
    if upload is not None:
        suffix = Path(upload.name).suffix.lower()
        if suffix not in (".xlsx", ".ods", ".docx"):
            raise ValidationFailed(_("Загрузите таблицу Word (.docx), Excel (.xlsx) или LibreOffice Calc (.ods). "
                                     "Документ .doc или .odt пересохраните: в Word — «Файл → Сохранить как → "
                                     "Документ Word (.docx)», в LibreOffice — «Файл → Сохранить как → "
                                     "Word 2007–365 (.docx)»."), field="file")
        if upload.size > 5 * 1024 * 1024:
            raise ValidationFailed(_("Файл больше 5 МБ."), field="file")
        try:
            return importing.read_docx(upload) if suffix == ".docx" else importing.read_xlsx(upload)
        except ValueError as error:
            raise ValidationFailed(str(error), field="file") from error
    text = form.cleaned_data.get("text") or ""
    if not text.strip():
        raise ValidationFailed(_("Вставьте таблицу или выберите файл."), field="text")
    return importing.read_text(text)


def _posted_records(request):
    try:
        raw = json.loads(request.POST.get("records", ""))
        return [importing.Record(int(line), [str(cell) for cell in cells]) for line, cells in raw]
    except (ValueError, TypeError):
        raise ValidationFailed(_("Данные предпросмотра повреждены: вставьте таблицу снова.")) from None


@section_page("plans")
def plan_import(request, pk):
    plan = found_or_404(selectors.plan_for, request.user, pk)
    if not _rights(request.user, plan)["may_change_content"]:
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"plan": plan, "form": form}
    if request.method != "POST":
        return render(request, "plans/import.html", context)
    try:
        if "records" in request.POST:
            records = _posted_records(request)
        else:
            if not form.is_valid():
                return render(request, "plans/import.html", context, status=400)
            records = _records_of(request, form)
    except ValidationFailed as error:
        attach_errors(form, error)
        return render(request, "plans/import.html", context, status=400)
    preview = services.preview_import(plan, records)
    if "records" in request.POST:
        for index, row in enumerate(preview.rows):
            for name in ROW_FIELDS:
                key = f"row-{index}-{name}"
                if key in request.POST:
                    setattr(row, name, request.POST[key].strip())
        importing.evaluate(preview.rows, plan.period_start, plan.period_end, services.taken_numbers(plan))
        if request.POST.get("step") == "save" and preview.ok:
            try:
                items = services.import_rows(request.user, plan, preview.rows)
            except DomainError as error:
                preview.errors.append(error.message)
            else:
                messages.success(request, _("Сохранено мероприятий: %(count)d.") % {"count": len(items)})
                return redirect("plans:plan", pk=plan.pk)
    context.update(preview=preview, records=json.dumps([[r.line, r.cells] for r in records],
                                                       ensure_ascii=False))
    return render(request, "plans/preview.html", context)


# --- items -------------------------------------------------------------------------------


ITEM_FORM_FIELDS = ("number", "title", "deadline_text", "starts_on", "ends_on", "responsible_names",
                    "expected_result", "channel", "audience")


def _item_form(request, plan, item=None, change=None):
    """The item's content form: as the item is, or as the open revision will make it."""
    initial = {}
    if change is not None and change.kind == ChangeKind.CHANGED:
        initial = {name: change.after.get(name) for name in ITEM_FORM_FIELDS}
        initial["responsible_users"] = [str(pk) for pk in change.after.get("responsible_users", [])]
    elif item is not None:
        initial = {name: getattr(item, name) for name in ITEM_FORM_FIELDS}
        initial["responsible_users"] = [str(pk) for pk in item.responsible_users.values_list("pk", flat=True)]
    return ItemForm(request.POST if request.POST.get("form") == "content" else None, initial=initial,
                    candidates=services.responsible_candidates(plan), with_channel=plan.kind.has_channels,
                    with_audience=plan.kind.has_audience)


@section_page("plans")
def item_create(request, pk):
    plan = found_or_404(selectors.plan_for, request.user, pk)
    if not _rights(request.user, plan)["may_change_content"]:
        raise PermissionDenied
    form = _item_form(request, plan)
    if form.is_bound and form.is_valid():
        try:
            saved = services.save_item(request.user, plan, form.cleaned_data)
        except DomainError as error:
            attach_errors(form, error)
        else:
            if isinstance(saved, RevisionChange):
                messages.success(request, _("Мероприятие записано в изменения плана: оно появится "
                                            "в плане, когда изменения утвердят."))
                return redirect("plans:plan", pk=plan.pk)
            messages.success(request, _("Мероприятие добавлено."))
            if saved.deadline_unknown:
                messages.warning(request, _("Срок мероприятия не распознан: укажите даты начала и "
                                            "окончания, иначе план не отправить на утверждение."))
            return redirect("plans:item", pk=saved.pk)
    return render(request, "plans/item.html", {"plan": plan, "item": None, "form": form,
                                               "may_change_content": True,
                                               "in_revision": _rights(request.user, plan)["in_revision"]})


@section_page("back_office")
def item_detail(request, pk):
    item = found_or_404(selectors.item_for, request.user, pk)
    plan = item.plan
    rights = _rights(request.user, plan)
    may_mark = scope.can(request.user, "plans.execute", item) and plan.status in services.EXECUTABLE
    change = services.pending_change(plan, item) if rights["open_revision"] else None
    form = _item_form(request, plan, item, change) if rights["may_change_content"] else None
    mark_form = MarkForm(request.POST if request.POST.get("form") == "mark" else None, initial={
        "status": item.status, "done_on": item.done_on, "actual_result": item.actual_result,
        "reason": item.reason})
    offers = links.offered(request.user, plan) if may_mark else []
    evidence_form = EvidenceForm(request.POST if request.POST.get("form") == "evidence" else None,
                                 request.FILES or None, offers=offers)
    publication_form = PublicationForm(
        request.POST if request.POST.get("form") == "publication" else None,
        offers=links.publications(request.user, plan, offers) if plan.kind.has_channels else ())
    if request.method == "POST":
        kind = request.POST.get("form")
        if (kind == "content" and form is None) or (kind in ("mark", "evidence", "publication")
                                                    and not may_mark):
            raise PermissionDenied
        bound = {"content": form, "mark": mark_form, "evidence": evidence_form,
                 "publication": publication_form}.get(kind)
        if bound is not None and bound.is_valid():
            data = bound.cleaned_data
            try:
                if kind == "content":
                    saved = services.save_item(request.user, plan, data, item)
                    if isinstance(saved, RevisionChange):
                        messages.success(request, _("Изменение записано в изменения плана: пункт "
                                                    "изменится, когда их утвердят."))
                        return redirect("plans:item", pk=item.pk)
                elif kind == "mark":
                    services.mark_item(request.user, item, data)
                elif kind == "evidence":
                    services.add_evidence(request.user, item, file=data["file"], url=data["url"],
                                          note=data["note"], link=data.get("link", ""))
                else:
                    services.add_publication(request.user, item, data)
            except DomainError as error:
                attach_errors(bound, error)
            else:
                messages.success(request, _("Сохранено."))
                return redirect("plans:item", pk=item.pk)
    item.overdue = item.is_overdue()
    return render(request, "plans/item.html", {
        "plan": plan, "item": item, "form": form, "mark_form": mark_form, "may_mark": may_mark,
        "evidence_form": evidence_form, "publication_form": publication_form,
        "may_change_content": rights["may_change_content"], "events": audit.timeline(item),
        "may_delete": rights["may_change_content"] and (plan.status in services.EDITABLE or (
            item.status not in CLOSED_STATUSES and (change is None or change.kind != ChangeKind.REMOVED))),
        "in_revision": rights["in_revision"], "change": change,
    }, status=400 if request.method == "POST" else 200)


@require_POST
@section_page("plans")
def item_delete(request, pk):
    item = found_or_404(selectors.item_for, request.user, pk)
    plan = item.plan
    try:
        change = services.delete_item(request.user, item)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("plans:item", pk=item.pk)
    if change is not None:
        messages.success(request, _("Исключение мероприятия записано в изменения плана: его отменят, "
                                    "когда изменения утвердят."))
    else:
        messages.success(request, _("Мероприятие удалено."))
    return redirect("plans:plan", pk=plan.pk)


@section_page("back_office")
def evidence_file(request, pk):
    evidence = Evidence.objects.filter(pk=pk).exclude(file="").select_related("item").first()
    if evidence is None:
        raise Http404
    found_or_404(selectors.item_for, request.user, evidence.item_id)
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.filename)


@section_page("plans.mine")
def mine(request):
    items = _with_flags(list(selectors.my_items(request.user)))
    return render(request, "plans/mine.html", {"items": items})


# --- print and report --------------------------------------------------------------------


@section_page("plans")
def plan_print(request, pk):
    plan = found_or_404(selectors.plan_for, request.user, pk)
    items = plan.items.select_related("section").order_by("position", "pk")
    if request.GET.get("format") == "docx":
        return plan_document(plan, items).response(f"{plan.title}.docx", "plan.docx")
    return render(request, "plans/print.html", {"plan": plan, "items": items})


@section_page("plans")
def plan_report(request, pk):
    plan = found_or_404(selectors.plan_for, request.user, pk)
    items = selectors.report_items(plan)
    if request.GET.get("format") in ("xlsx", "ods"):
        return ReportExporter(items, plan, request.build_absolute_uri).response(export_format(request))
    if request.GET.get("format") == "docx":
        document = report_document(plan, items, selectors.summary(plan), request.build_absolute_uri)
        return document.response(f"{_('Отчёт об исполнении плана')}.docx", "plan-report.docx")
    return render(request, "plans/report.html", {
        "plan": plan, "items": _with_flags(list(items)), "summary": selectors.summary(plan)})


app_name = "plans"
urlpatterns = [
    path("office/plans/", plans, name="plans"),
    path("office/plans/new/", plan_create, name="plan_create"),
    path("office/plans/mine/", mine, name="mine"),
    path("office/plans/<int:pk>/", plan_detail, name="plan"),
    path("office/plans/<int:pk>/import/", plan_import, name="import"),
    path("office/plans/<int:pk>/items/new/", item_create, name="item_create"),
    path("office/plans/<int:pk>/print/", plan_print, name="print"),
    path("office/plans/<int:pk>/report/", plan_report, name="report"),
    path("office/plans/<int:pk>/<slug:action>/", plan_action, name="action"),
    path("office/plans/items/<int:pk>/", item_detail, name="item"),
    path("office/plans/items/<int:pk>/delete/", item_delete, name="item_delete"),
    path("office/plans/evidence/<int:pk>/", evidence_file, name="evidence"),
]
