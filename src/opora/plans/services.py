"""Use cases of the МОЦ's plans (docs/domain.md §7). Every function checks the actor's
right through ``opora.accounts.scope``, refuses bad input with a Russian message without
changing anything, and records what it changed in the audit trail.

The plan's life: draft → sent (``send``) → approved by the education authority
(``approve``: date and signatory) → agreed with the РМЦ (``agree``) → in execution
(``start``) → reported (``report``: handed in to the authority and the РМЦ) → report
accepted (``accept_report`` by each of them: accepted once both have); either may
return the report (``return_report``) and the plan is in execution again.
``return_plan`` sends a sent plan (the authority) or an approved one (the РМЦ) back to
the МОЦ with remarks; the МОЦ edits it and sends it again. Items are marked (``mark_item``) once the plan is approved.

Changes to an approved plan go through a numbered revision: ``open_revision`` → items
added, changed or removed as pending changes (``save_item``, ``import_rows``,
``delete_item``; ``discard_change`` takes one back) → ``send_revision`` →
``approve_revision`` by the authority, which makes the changes to the items, or
``return_revision`` with remarks, which leaves the plan as it was.

Each step is announced after the commit: by e-mail to whoever acts next
(``notifications``) and to the apps above through ``signals.plan_changed`` (the portal
publishes an approved plan).
"""

import datetime as dt
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from opora import audit, locking
from opora.accounts import scope
from opora.errors import InvalidTransition, ValidationFailed
from opora.plans import deadlines, importing, links, notifications, signals
from opora.plans.models import (
    CLOSED_STATUSES,
    Audience,
    ChangeKind,
    Channel,
    Evidence,
    Item,
    ItemStatus,
    PeriodKind,
    Plan,
    PlanKind,
    PlanStatus,
    Publication,
    Revision,
    RevisionChange,
    RevisionStatus,
    Section,
)

EDITABLE = (PlanStatus.DRAFT, PlanStatus.RETURNED)
EXECUTABLE = (PlanStatus.APPROVED, PlanStatus.AGREED, PlanStatus.IN_EXECUTION)
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
EVIDENCE_EXTENSIONS = {".pdf", ".doc", ".docx", ".odt", ".xls", ".xlsx", ".ods", ".ppt", ".pptx",
                       ".jpg", ".jpeg", ".png", ".txt", ".zip"}
ITEM_FIELDS = ("number", "title", "deadline_text", "starts_on", "ends_on", "recurrence",
               "responsible_names", "expected_result", "channel", "audience")


def _today():
    return timezone.localdate()


def _locked(plan: Plan) -> Plan:
    return locking.row(Plan, plan.pk)


def _text(errors, data, name, message, *, limit=300, required=True):
    value = str(data.get(name) or "").strip()
    if required and not value:
        errors.setdefault(name, []).append(message)
    elif len(value) > limit:
        errors.setdefault(name, []).append(_("Не длиннее %(limit)d знаков.") % {"limit": limit})
    return value


def _date(errors, data, name, *, required=True, not_after=None):
    value = data.get(name)
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip()) if value.strip() else None
        except ValueError:
            errors.setdefault(name, []).append(_("Дата в формате ГГГГ-ММ-ДД."))
            return None
    if value is None:
        if required:
            errors.setdefault(name, []).append(_("Укажите дату."))
        return None
    if not_after is not None and value > not_after:
        errors.setdefault(name, []).append(_("Дата не может быть в будущем."))
    return value


def _raise(errors):
    if errors:
        raise ValidationFailed(errors)


def _transition(actor, plan, to_status, action, notice=None, **data):
    before = plan.status
    plan.status = to_status
    plan.save()
    audit.record(actor, f"plans.plan.{action}", plan, from_state=before, to_state=to_status, **data)
    _announce(plan, notice)
    return plan


def _announce(plan: Plan, notice: str | None, **extra) -> None:
    """After the commit: tell the plan's readers by e-mail (``notifications``) and the apps
    above that publish plans (``signals.plan_changed``: the portal)."""
    if notice:
        notifications.queue(plan.pk, notice, **extra)
    signals.announce(plan.pk)


# --- plans ------------------------------------------------------------------------------


def create_plan(actor, municipality, kind: PlanKind, period_kind: str, year, title: str = "") -> Plan:
    scope.require(actor, "plans.edit", municipality)
    errors = {}
    if period_kind not in PeriodKind.values:
        errors["period_kind"] = [_("Выберите календарный или учебный год.")]
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2100:
        errors["year"] = [_("Год — число от 2000 до 2100.")]
    title = _text(errors, {"title": title}, "title", "", required=False) or kind.title
    _raise(errors)
    try:
        with transaction.atomic():
            plan = Plan.objects.create(municipality=municipality, kind=kind, period_kind=period_kind,
                                       year=year, title=title, created_by=actor)
            audit.record(actor, "plans.plan.created", plan, to_state=plan.status)
    except IntegrityError as error:
        raise ValidationFailed(_("План этого вида на этот период уже есть."), field="year") from error
    return plan


def _content_target(plan: Plan) -> Revision | None:
    """The open revision the changes go to, None for a draft; refuses otherwise."""
    if plan.status in EDITABLE:
        return None
    revision = plan.revisions.filter(status=RevisionStatus.DRAFT).first()
    if plan.status in EXECUTABLE and revision is not None:
        return revision
    if plan.status in EXECUTABLE:
        raise InvalidTransition(_("План утверждён: чтобы изменить его, начните изменения "
                                  "(новую редакцию), их утвердит управление образования."))
    raise InvalidTransition(_("План в статусе «%(status)s» изменить нельзя.")
                            % {"status": plan.get_status_display()})


def taken_numbers(plan: Plan) -> list[str]:
    """The numbers of the plan's items, as its open revision would leave them."""
    return _numbers_after(plan, plan.revisions.filter(status=RevisionStatus.DRAFT).first())


def preview_import(plan: Plan, records) -> importing.Preview:
    taken = taken_numbers(plan)
    return importing.preview(records, plan.period_start, plan.period_end, taken)


def import_rows(actor, plan: Plan, rows: list[importing.Row]) -> list:
    """Save the rows of a preview (as the operator corrected them) as items of the plan:
    all of them, or none when any row has an error. In an approved plan's open revision
    the rows are pending additions (the changes are returned) until it is approved."""
    scope.require(actor, "plans.edit", plan)
    with transaction.atomic():
        plan = _locked(plan)
        revision = _content_target(plan)
        importing.evaluate(rows, plan.period_start, plan.period_end, _numbers_after(plan, revision))
        broken = [row for row in rows if row.errors]
        if not rows:
            raise ValidationFailed(_("Нет ни одного мероприятия для сохранения."))
        if broken:
            first = broken[0]
            raise ValidationFailed(_("Строка %(line)d: %(problem)s Ничего не сохранено.")
                                   % {"line": first.line, "problem": first.errors[0]})
        position = (plan.items.aggregate(last=Max("position"))["last"] or 0)
        sections = {section.title: section for section in plan.sections.all()}
        people = _users_by_name(plan)
        items = []
        for row in rows:
            deadline = row.deadline
            linked = {people[key] for key in map(_name_key, row.responsible) if key in people}
            if revision is not None:  # pending: the rows become items when it is approved
                items.append(RevisionChange.objects.create(
                    revision=revision, kind=ChangeKind.ADDED, before={}, after=_stored({
                        "number": row.number, "title": row.title,
                        "deadline_text": row.deadline_text[:300], "starts_on": deadline.starts_on,
                        "ends_on": deadline.ends_on, "recurrence": deadline.recurrence,
                        "deadline_unknown": deadline.unknown,
                        "responsible_names": "\n".join(row.responsible),
                        "expected_result": row.expected_result, "channel": "",
                        "section_title": row.section[:500] if row.section else "",
                        "responsible_users": sorted(user.pk for user in linked)})))
                continue
            section = None
            if row.section:
                section = sections.get(row.section)
                if section is None:
                    section = sections[row.section] = Section.objects.create(
                        plan=plan, title=row.section[:500], position=len(sections) + 1)
            position += 1
            item = Item.objects.create(
                plan=plan, section=section, position=position, number=row.number,
                title=row.title, deadline_text=row.deadline_text[:300],
                starts_on=deadline.starts_on, ends_on=deadline.ends_on,
                recurrence=deadline.recurrence, deadline_unknown=deadline.unknown,
                responsible_names="\n".join(row.responsible),
                expected_result=row.expected_result)
            if linked:
                item.responsible_users.set(linked)
            items.append(item)
        audit.record(actor, "plans.plan.imported", plan, items=len(items),
                     revision=revision.number if revision else None)
    return items


def _name_key(text: str):
    """(surname, first initial, patronymic initial) of the last «Фамилия И.О.» in a text."""
    found = list(importing.NAME_RE.finditer(text))
    if not found:
        return None
    surname, initials = found[-1].group().split(maxsplit=1)
    letters = [letter for letter in initials if letter.isalpha()]
    return (surname.lower().replace("ё", "е"), *(letter.lower() for letter in letters[:2]))


def _users_by_name(plan: Plan) -> dict:
    """The plan's possible responsible users by their «Фамилия И.О.»; a name two users
    share links neither."""
    found, shared = {}, set()
    for user in responsible_candidates(plan):
        if not (user.last_name and user.first_name and user.patronymic):
            continue
        key = (user.last_name.lower().replace("ё", "е"), user.first_name[0].lower(),
               user.patronymic[0].lower())
        if key in found:
            shared.add(key)
        found[key] = user
    return {key: user for key, user in found.items() if key not in shared}


def _audience(errors, value) -> int:
    """The categories of participants as their bits: an integer or a list of them."""
    try:
        bits = Audience.combine(int(v) for v in value) if isinstance(value, (list, tuple, set)) else int(value or 0)
    except (TypeError, ValueError):
        bits = -1
    if bits < 0 or bits & ~Audience.combine(Audience):
        errors["audience"] = [_("Неизвестная категория участников.")]
        return 0
    return bits


def _item_values(plan: Plan, data: dict, taken) -> dict:
    """An item's content checked and computed from the form's ``data``: its fields by name
    (the deadline's interval from its wording or the operator's dates), ``section`` (an id
    or None) and ``responsible_users`` (ids, only when ``data`` names them). ``taken``:
    the numbers of the plan's other items. Refuses bad input."""
    errors = {}
    number = _text(errors, data, "number", _("Укажите номер пункта."), limit=20)
    if number and not importing.NUMBER_RE.fullmatch(number):
        errors["number"] = [_("«%(number)s» не похоже на номер пункта.") % {"number": number}]
    number = number.rstrip(".")
    title = _text(errors, data, "title", _("Укажите наименование мероприятия."), limit=5000)
    deadline_text = _text(errors, data, "deadline_text", "", limit=300, required=False)
    starts_on = _date(errors, data, "starts_on", required=False)
    ends_on = _date(errors, data, "ends_on", required=False)
    channel = str(data.get("channel") or "")
    if channel and channel not in Channel.values:
        errors["channel"] = [_("Неизвестный канал.")]
    audience = _audience(errors, data.get("audience"))
    if (starts_on is None) != (ends_on is None):
        errors.setdefault("ends_on", []).append(_("Укажите и начало, и окончание, или ни то ни другое."))
    elif starts_on and ends_on and ends_on < starts_on:
        errors.setdefault("ends_on", []).append(_("Окончание раньше начала."))
    if number and number in set(taken):
        errors.setdefault("number", []).append(_("Пункт № %(number)s уже есть.") % {"number": number})
    _raise(errors)
    deadline = deadlines.parse(deadline_text, plan.period_start, plan.period_end)
    if starts_on is not None:  # the operator's interval wins over the wording
        recurrence = data.get("recurrence") or (deadline.recurrence if not deadline.unknown
                                                else deadlines.ONCE)
        deadline = deadlines.Deadline(deadline_text, starts_on, ends_on, recurrence)
    section_id = data.get("section")
    section = plan.sections.filter(pk=section_id).first() if section_id else None
    values = {
        "number": number, "title": title, "deadline_text": deadline_text,
        "starts_on": deadline.starts_on, "ends_on": deadline.ends_on,
        "recurrence": deadline.recurrence, "deadline_unknown": deadline.unknown,
        "responsible_names": "\n".join(importing.split_responsible(
            str(data.get("responsible_names") or ""))),
        "expected_result": str(data.get("expected_result") or "").strip(),
        "channel": channel, "section": section.pk if section else None,
    }
    if plan.kind.has_audience:  # as a plan of professional development: for whom
        values["audience"] = audience
    if "responsible_users" in data:
        values["responsible_users"] = list(responsible_candidates(plan).filter(
            pk__in=data["responsible_users"] or []).values_list("pk", flat=True))
    return values


def _snapshot(item: Item) -> dict:
    """An item's content as a revision keeps it (dates as ISO text)."""
    found = {name: (value.isoformat() if isinstance(value, dt.date) else value)
             for name in ITEM_FIELDS for value in [getattr(item, name)]}
    found["deadline_unknown"] = item.deadline_unknown
    found["section"] = item.section_id
    found["responsible_users"] = sorted(item.responsible_users.values_list("pk", flat=True))
    return found


def _stored(values: dict) -> dict:
    return {name: (value.isoformat() if isinstance(value, dt.date) else value)
            for name, value in values.items()}


def _apply(item: Item, values: dict) -> None:
    """Give an item the content of ``values`` (``_item_values`` or a stored snapshot) and
    save it."""
    plan = item.plan
    for name in (*ITEM_FIELDS, "deadline_unknown"):
        if name in values:
            value = values[name]
            if name in ("starts_on", "ends_on") and isinstance(value, str):
                value = dt.date.fromisoformat(value)
            setattr(item, name, value if value is not None or name in ("starts_on", "ends_on") else "")
    if values.get("section_title"):
        item.section = plan.sections.filter(title=values["section_title"]).first() or Section.objects.create(
            plan=plan, title=values["section_title"][:500], position=plan.sections.count() + 1)
    elif "section" in values:
        item.section = plan.sections.filter(pk=values["section"]).first() if values["section"] else None
    item.save()
    if "responsible_users" in values:
        item.responsible_users.set(responsible_candidates(plan).filter(pk__in=values["responsible_users"]))


def _numbers_after(plan: Plan, revision: Revision | None, *, item=None, change=None) -> list[str]:
    """The numbers the plan's items will have (after the revision's changes) besides the
    one being saved: ``item`` or the added item ``change``."""
    numbers = {i.pk: i.number for i in plan.items.exclude(pk=getattr(item, "pk", None)).only("number")}
    added = []
    if revision is not None:
        for other in revision.changes.exclude(pk=getattr(change, "pk", None)):
            if other.kind == ChangeKind.ADDED:
                added.append(other.after.get("number"))
            elif other.item_id in numbers:
                if other.kind == ChangeKind.REMOVED:
                    del numbers[other.item_id]
                else:
                    numbers[other.item_id] = other.after.get("number")
    return [*numbers.values(), *added]


def pending_change(plan: Plan, item: Item) -> RevisionChange | None:
    """The change of ``item`` the plan's open revision holds, if any."""
    return RevisionChange.objects.filter(revision__plan=plan, item=item).exclude(
        revision__status=RevisionStatus.APPROVED).first()


def save_item(actor, plan: Plan, data: dict, item: Item | None = None, *,
              change: RevisionChange | None = None):
    """Create or change an item's content: number, title, deadline (its text, or the
    interval the operator picks: ``starts_on`` and ``ends_on``), responsible people,
    expected result, channel.

    A draft (or a returned plan) changes in place and the item is returned. An approved
    plan changes only within its open revision, which holds the change pending — the item
    as it is and as it will be, or the item to add (``change``: an added item to edit
    again) — and the change is returned; the items change when the authority approves the
    revision."""
    scope.require(actor, "plans.edit", plan)
    with transaction.atomic():
        plan = _locked(plan)
        revision = _content_target(plan)
        if change is not None and (revision is None or change.revision_id != revision.pk
                                   or change.kind != ChangeKind.ADDED):
            raise InvalidTransition(_("Это изменение уже нельзя править."))
        if item is not None:
            item = locking.row(Item, item.pk)
        values = _item_values(plan, data, _numbers_after(plan, revision, item=item, change=change))
        if revision is None:
            action = "plans.item.saved" if item is not None else "plans.item.added"
            if item is None:
                last = plan.items.aggregate(last=Max("position"))["last"] or 0
                item = Item(plan=plan, position=last + 1)
            _apply(item, values)
            audit.record(actor, action, item)
            return item
        if item is None:
            if change is None:
                change = RevisionChange(revision=revision, kind=ChangeKind.ADDED, before={})
            change.after = {**change.after, **_stored(values)}
        else:
            if item.status in CLOSED_STATUSES:
                raise InvalidTransition(_("Мероприятие уже закрыто: его содержание не меняют."))
            change = pending_change(plan, item) or RevisionChange(
                revision=revision, kind=ChangeKind.CHANGED, item=item, before=_snapshot(item))
            if change.kind == ChangeKind.REMOVED:
                raise InvalidTransition(_("Мероприятие исключается этими изменениями: сначала "
                                          "отмените исключение."))
            change.after = {**change.before, **_stored(values)}
        change.save()
        audit.record(actor, "plans.revision.change_saved", plan, revision=revision.number,
                     change=change.kind, number=values["number"])
    return change


def delete_item(actor, item: Item):
    """Remove an item: from a draft or a returned plan at once; from an approved plan
    within its open revision, which holds the removal pending (the item is cancelled when
    the authority approves the revision: the report keeps it). Returns the pending change,
    or None when the item was deleted."""
    scope.require(actor, "plans.edit", item.plan)
    with transaction.atomic():
        plan = _locked(item.plan)
        item = locking.row(Item, item.pk)
        if plan.status in EDITABLE:
            audit.record(actor, "plans.item.deleted", plan, number=item.number, title=item.title[:200])
            item.delete()
            return None
        revision = plan.revisions.filter(status=RevisionStatus.DRAFT).first()
        if plan.status not in EXECUTABLE or revision is None:
            raise InvalidTransition(_("Удалить мероприятие можно только из черновика или "
                                      "возвращённого плана; из утверждённого его исключают "
                                      "изменениями плана."))
        if item.status in CLOSED_STATUSES:
            raise InvalidTransition(_("Мероприятие уже закрыто: его не исключают."))
        change = pending_change(plan, item)
        if change is None:
            change = RevisionChange(revision=revision, item=item, before=_snapshot(item))
        change.kind, change.after = ChangeKind.REMOVED, {}
        change.save()
        audit.record(actor, "plans.revision.change_saved", plan, revision=revision.number,
                     change=change.kind, number=item.number)
    return change


def discard_change(actor, change: RevisionChange) -> None:
    """Take a change back out of an open revision: the item stays as the plan has it."""
    plan = change.revision.plan
    scope.require(actor, "plans.edit", plan)
    with transaction.atomic():
        _locked(plan)
        change = locking.row(RevisionChange, change.pk)
        revision = change.revision
        if revision.status != RevisionStatus.DRAFT:
            raise InvalidTransition(_("Отправленные изменения не правят."))
        audit.record(actor, "plans.revision.change_discarded", plan, revision=revision.number,
                     change=change.kind, number=change.number)
        change.delete()


def responsible_candidates(plan: Plan):
    """Users who may be named responsible: the МОЦ's operators and the staff of the
    municipality's organizations."""
    from opora.accounts.models import Role, User

    return User.objects.filter(is_active=True).filter(
        role__in=[Role.SUPPORT_CENTRE, Role.ORGANIZATION_STAFF],
        municipality_id=plan.municipality_id).order_by("last_name", "first_name")


def send(actor, plan: Plan) -> Plan:
    scope.require(actor, "plans.edit", plan)
    with transaction.atomic():
        plan = _locked(plan)
        if plan.status not in EDITABLE:
            raise InvalidTransition(_("На утверждение отправляется черновик или возвращённый план."))
        if not plan.items.exists():
            raise ValidationFailed(_("В плане нет ни одного мероприятия."))
        unknown = plan.items.filter(deadline_unknown=True).count()
        if unknown:
            raise ValidationFailed(_("У %(count)d мероприятий срок не распознан: задайте начало и "
                                     "окончание.") % {"count": unknown})
        return _transition(actor, plan, PlanStatus.SENT, "sent", notifications.SENT)


def approve(actor, plan: Plan, data: dict) -> Plan:
    """The education authority approves («УТВЕРЖДАЮ»): date, signatory and position."""
    scope.require(actor, "plans.approve", plan)
    errors = {}
    approved_on = _date(errors, data, "approved_on", not_after=_today())
    name = _text(errors, data, "name", _("Укажите, кто утвердил план."))
    position = _text(errors, data, "position", _("Укажите должность."))
    _raise(errors)
    with transaction.atomic():
        plan = _locked(plan)
        if plan.status != PlanStatus.SENT:
            raise InvalidTransition(_("Утвердить можно только план, отправленный на утверждение."))
        plan.approved_on, plan.approved_by_name, plan.approved_by_position = approved_on, name, position
        plan.remarks = ""
        return _transition(actor, plan, PlanStatus.APPROVED, "approved", notifications.APPROVED,
                           signatory=name)


def agree(actor, plan: Plan, data: dict) -> Plan:
    """The РМЦ agrees («СОГЛАСОВАНО») an approved plan."""
    scope.require(actor, "plans.agree", plan)
    errors = {}
    agreed_on = _date(errors, data, "agreed_on", not_after=_today())
    name = _text(errors, data, "name", _("Укажите, кто согласовал план."))
    position = _text(errors, data, "position", _("Укажите должность."))
    _raise(errors)
    with transaction.atomic():
        plan = _locked(plan)
        if plan.status != PlanStatus.APPROVED:
            raise InvalidTransition(_("Согласовать можно только утверждённый план."))
        plan.agreed_on, plan.agreed_by_name, plan.agreed_by_position = agreed_on, name, position
        return _transition(actor, plan, PlanStatus.AGREED, "agreed", notifications.AGREED,
                           signatory=name)


def return_plan(actor, plan: Plan, remarks: str) -> Plan:
    """Back to the МОЦ with remarks: a sent plan by the authority, an approved one by the
    РМЦ (its approval is then void)."""
    if not (scope.can(actor, "plans.approve", plan) or scope.can(actor, "plans.agree", plan)):
        scope.require(actor, "plans.approve", plan)
    remarks = str(remarks or "").strip()
    if not remarks:
        raise ValidationFailed(_("Напишите замечания: что исправить."), field="remarks")
    if len(remarks) > 5000:
        raise ValidationFailed(_("Не длиннее %(limit)d знаков.") % {"limit": 5000}, field="remarks")
    with transaction.atomic():
        plan = _locked(plan)
        if plan.status == PlanStatus.SENT:
            scope.require(actor, "plans.approve", plan)
        elif plan.status == PlanStatus.APPROVED:
            scope.require(actor, "plans.agree", plan)
        else:
            raise InvalidTransition(_("Вернуть можно только план на утверждении или на согласовании."))
        plan.remarks = remarks
        plan.approved_on, plan.approved_by_name, plan.approved_by_position = None, "", ""
        return _transition(actor, plan, PlanStatus.RETURNED, "returned", notifications.RETURNED,
                           reason=remarks)


def start(actor, plan: Plan) -> Plan:
    scope.require(actor, "plans.edit", plan)
    with transaction.atomic():
        plan = _locked(plan)
        if plan.status != PlanStatus.AGREED:
            raise InvalidTransition(_("К исполнению приступают после согласования с РМЦ."))
        return _transition(actor, plan, PlanStatus.IN_EXECUTION, "started")


def report(actor, plan: Plan) -> Plan:
    """The МОЦ hands in the report: every item must be closed (done, done late, not done
    with a reason, or cancelled)."""
    scope.require(actor, "plans.edit", plan)
    with transaction.atomic():
        plan = _locked(plan)
        if plan.status != PlanStatus.IN_EXECUTION:
            raise InvalidTransition(_("Отчёт сдаётся по исполняемому плану."))
        if plan.revisions.exclude(status=RevisionStatus.APPROVED).exists():
            raise InvalidTransition(_("Изменения плана ещё не утверждены."))
        open_items = plan.items.exclude(status__in=CLOSED_STATUSES).count()
        if open_items:
            raise ValidationFailed(_("Отметьте исполнение всех мероприятий: открыто %(count)d.")
                                   % {"count": open_items})
        plan.report_accepted_by_authority_on = plan.report_accepted_by_rmc_on = None
        return _transition(actor, plan, PlanStatus.REPORTED, "reported", notifications.REPORT_SENT)


def _report_reader(actor, plan: Plan) -> list[str]:
    """Whom ``actor`` reads a plan's report for: ``authority`` (the education authority
    of its municipality), ``rmc`` (the РМЦ), or both (an administrator)."""
    found = [who for who, right in (("authority", "plans.approve"), ("rmc", "plans.agree"))
             if scope.can(actor, right, plan)]
    if not found:
        scope.require(actor, "plans.approve", plan)
    return found


def accept_report(actor, plan: Plan) -> Plan:
    """The education authority or the РМЦ accepts the report handed in to both; it is
    accepted (``report_accepted``) once both have (docs/decisions.md). Until then it
    stays handed in, and either may still return it."""
    readers = _report_reader(actor, plan)
    with transaction.atomic():
        plan = _locked(plan)
        if plan.status != PlanStatus.REPORTED:
            raise InvalidTransition(_("Принять можно только сданный отчёт."))
        fields = {"authority": "report_accepted_by_authority_on", "rmc": "report_accepted_by_rmc_on"}
        if all(getattr(plan, fields[who]) for who in readers):
            raise InvalidTransition(_("Вы уже приняли этот отчёт."))
        for who in readers:
            setattr(plan, fields[who], _today())
        audit.record(actor, "plans.plan.report_accepted_by", plan, by=",".join(readers))
        if plan.report_accepted_by_authority_on and plan.report_accepted_by_rmc_on:
            plan.remarks = ""
            return _transition(actor, plan, PlanStatus.REPORT_ACCEPTED, "report_accepted",
                               notifications.REPORT_ACCEPTED)
        plan.save()
        _announce(plan, notifications.REPORT_ACCEPTED_BY, by=readers[0])
    return plan


def return_report(actor, plan: Plan, remarks: str) -> Plan:
    """The authority or the РМЦ returns the report with remarks (even after the other
    accepted it): the plan is executed again (items can be corrected) until the МОЦ
    hands the report in anew, to both again."""
    _report_reader(actor, plan)
    remarks = str(remarks or "").strip()
    if not remarks:
        raise ValidationFailed(_("Напишите замечания: что исправить."), field="remarks")
    with transaction.atomic():
        plan = _locked(plan)
        if plan.status != PlanStatus.REPORTED:
            raise InvalidTransition(_("Вернуть можно только сданный отчёт."))
        plan.remarks = remarks[:5000]
        plan.report_accepted_by_authority_on = plan.report_accepted_by_rmc_on = None
        return _transition(actor, plan, PlanStatus.IN_EXECUTION, "report_returned",
                           notifications.REPORT_RETURNED, reason=remarks)


# --- execution --------------------------------------------------------------------------


def mark_item(actor, item: Item, data: dict) -> Item:
    """Mark an item: in progress, done (on ``done_on``, today by default: done late when
    after the interval's end), not done or cancelled (with a reason), or planned again;
    with the actual result."""
    scope.require(actor, "plans.execute", item)
    errors = {}
    status = str(data.get("status") or "")
    if status not in ItemStatus.values:
        errors["status"] = [_("Выберите статус.")]
    actual = _text(errors, data, "actual_result", "", limit=5000, required=False)
    reason = _text(errors, data, "reason", _("Укажите причину."), limit=5000,
                   required=status in (ItemStatus.NOT_DONE, ItemStatus.CANCELLED))
    done_on = None
    if status in (ItemStatus.DONE, ItemStatus.DONE_LATE):
        done_on = _date(errors, data, "done_on", required=False, not_after=_today()) or _today()
    _raise(errors)
    with transaction.atomic():
        plan = _locked(item.plan)
        if plan.status not in EXECUTABLE:
            raise InvalidTransition(_("Исполнение отмечается в утверждённом плане."))
        item = locking.row(Item, item.pk)
        before = item.status
        if done_on is not None:
            status = (ItemStatus.DONE_LATE if item.ends_on is not None and done_on > item.ends_on
                      else ItemStatus.DONE)
        item.status, item.actual_result, item.done_on = status, actual, done_on
        item.reason = reason if status in (ItemStatus.NOT_DONE, ItemStatus.CANCELLED) else ""
        item.save()
        audit.record(actor, "plans.item.marked", item, from_state=before, to_state=status,
                     reason=item.reason)
    return item


def add_evidence(actor, item: Item, *, file=None, url: str = "", note: str = "",
                 link: str = "") -> Evidence:
    """A file, a link, or something Opora holds (``link``: an address ``links.offered``
    gives the actor for the item's plan) showing the item was done."""
    scope.require(actor, "plans.execute", item)
    url, note, link = str(url or "").strip(), str(note or "").strip()[:300], str(link or "").strip()
    if link:
        found = next((offer for offer in links.offered(actor, item.plan) if offer.url == link), None)
        if found is None:
            raise ValidationFailed(_("Выберите документ Опоры из списка."), field="link")
        if file is not None or url:
            raise ValidationFailed(_("Выберите что-то одно: файл, ссылку или документ Опоры."),
                                   field="link")
        url, note = link, note or f"{found.kind}: {found.title}"[:300]
    if file is None and not url:
        raise ValidationFailed(_("Приложите файл или укажите ссылку."), field="file")
    if url and not link:
        _http_url(url, "url")
    if file is not None:
        if file.size > MAX_EVIDENCE_BYTES:
            raise ValidationFailed(_("Файл больше 20 МБ."), field="file")
        if Path(file.name).suffix.lower() not in EVIDENCE_EXTENSIONS:
            raise ValidationFailed(_("Такой вид файла не принимается: PDF, документы, таблицы, "
                                     "презентации, изображения, архив ZIP."), field="file")
    with transaction.atomic():
        if _locked(item.plan).status not in EXECUTABLE:
            raise InvalidTransition(_("Исполнение отмечается в утверждённом плане."))
        evidence = Evidence.objects.create(item=item, file=file or "", url=url, note=note,
                                           added_by=actor)
        audit.record(actor, "plans.item.evidence_added", item, evidence=evidence.pk)
    return evidence


def _http_url(url: str, field: str) -> None:
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as error:
        raise ValidationFailed(_("Ссылка должна начинаться с http:// или https://."),
                               field=field) from error


def add_publication(actor, item: Item, data: dict) -> Publication:
    """A publication of a media plan's item: typed (date, channel, title, an http(s) link,
    reach) or picked (``link``: a publication ``links.publications`` offers the actor for
    the item's plan — a news item of the МОЦ on the portal), which gives the date, the
    title and the address, on the portal's channel; the reach is typed either way."""
    scope.require(actor, "plans.execute", item)
    if not PlanKind.objects.filter(plans=item.plan_id, has_channels=True).exists():
        raise InvalidTransition(_("Публикации ведутся в медиаплане."))
    errors = {}
    link = str(data.get("link") or "").strip()
    if link:
        found = next((offer for offer in links.publications(actor, item.plan) if offer.url == link),
                     None)
        if found is None:
            raise ValidationFailed(_("Выберите публикацию портала из списка."), field="link")
        published_on, channel, title, url = found.day, Channel.PORTAL, found.headline[:500], found.url
        if item.publications.filter(url=url).exists():
            raise ValidationFailed(_("Эта публикация уже добавлена."), field="link")
    else:
        published_on = _date(errors, data, "published_on", not_after=_today())
        channel = str(data.get("channel") or "")
        if channel not in Channel.values:
            errors["channel"] = [_("Выберите канал.")]
        title = _text(errors, data, "title", _("Укажите заголовок."), limit=500)
        url = _text(errors, data, "url", "", limit=500, required=False)
    reach = data.get("reach")
    if reach not in (None, ""):
        try:
            reach = int(reach)
            if reach < 0:
                raise ValueError
        except (TypeError, ValueError):
            errors["reach"] = [_("Охват — целое неотрицательное число.")]
    else:
        reach = None
    _raise(errors)
    if url and not link:
        _http_url(url, "url")
    with transaction.atomic():
        if _locked(item.plan).status not in EXECUTABLE:
            raise InvalidTransition(_("Исполнение отмечается в утверждённом плане."))
        publication = Publication.objects.create(item=item, published_on=published_on,
                                                 channel=channel, title=title, url=url, reach=reach)
        audit.record(actor, "plans.item.published", item, publication=publication.pk)
    return publication


# --- revisions --------------------------------------------------------------------------


def open_revision(actor, plan: Plan, reason: str) -> Revision:
    scope.require(actor, "plans.edit", plan)
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Укажите причину изменений."), field="reason")
    with transaction.atomic():
        plan = _locked(plan)
        if plan.status not in EXECUTABLE:
            raise InvalidTransition(_("Изменения вносятся в утверждённый план; черновик правится "
                                      "напрямую."))
        if plan.revisions.exclude(status=RevisionStatus.APPROVED).exists():
            raise InvalidTransition(_("Предыдущие изменения ещё не утверждены."))
        number = (plan.revisions.aggregate(last=Max("number"))["last"] or 0) + 1
        revision = Revision.objects.create(plan=plan, number=number, reason=reason[:5000])
        audit.record(actor, "plans.revision.opened", plan, revision=number, reason=reason)
    return revision


def send_revision(actor, revision: Revision) -> Revision:
    scope.require(actor, "plans.edit", revision.plan)
    with transaction.atomic():
        plan = _locked(revision.plan)
        revision = locking.row(Revision, revision.pk)
        if revision.status != RevisionStatus.DRAFT:
            raise InvalidTransition(_("Эти изменения уже отправлены."))
        changes = list(revision.changes.all())
        if not changes:
            raise ValidationFailed(_("В изменениях нет ни одного изменённого мероприятия."))
        unknown = sum(1 for change in changes
                      if change.kind != ChangeKind.REMOVED and change.after.get("deadline_unknown"))
        if unknown:
            raise ValidationFailed(_("У %(count)d мероприятий срок не распознан: задайте начало и "
                                     "окончание.") % {"count": unknown})
        revision.status = RevisionStatus.SENT
        revision.save()
        audit.record(actor, "plans.revision.sent", plan, revision=revision.number,
                     from_state=RevisionStatus.DRAFT, to_state=RevisionStatus.SENT)
        _announce(plan, notifications.REVISION_SENT, revision=revision.number)
    return revision


def _carry_out(actor, plan: Plan, revision: Revision) -> None:
    """Make the revision's pending changes to the plan's items: add, change, cancel."""
    position = plan.items.aggregate(last=Max("position"))["last"] or 0
    for change in revision.changes.select_related("item").order_by("pk"):
        if change.kind == ChangeKind.ADDED:
            position += 1
            item = Item(plan=plan, position=position)
            _apply(item, change.after)
            change.item = item
            change.save(update_fields=["item"])
        elif change.kind == ChangeKind.CHANGED:
            item = change.item
            _apply(item, change.after)
        else:
            item = change.item
            if item.status in CLOSED_STATUSES:
                continue
            item.status = ItemStatus.CANCELLED
            item.reason = (_("Исключено из плана изменениями № %(number)s: %(reason)s")
                           % {"number": revision.number, "reason": revision.reason})[:5000]
            item.save()
        audit.record(actor, f"plans.item.{change.kind}_by_revision", item, revision=revision.number)


def approve_revision(actor, revision: Revision, data: dict) -> Revision:
    """The authority approves the revision: only now its changes reach the items."""
    scope.require(actor, "plans.approve", revision.plan)
    errors = {}
    approved_on = _date(errors, data, "approved_on", not_after=_today())
    name = _text(errors, data, "name", _("Укажите, кто утвердил изменения."))
    _raise(errors)
    with transaction.atomic():
        plan = _locked(revision.plan)
        revision = locking.row(Revision, revision.pk)
        if revision.status != RevisionStatus.SENT:
            raise InvalidTransition(_("Утвердить можно только отправленные изменения."))
        _carry_out(actor, plan, revision)
        revision.status, revision.approved_on, revision.approved_by_name = (
            RevisionStatus.APPROVED, approved_on, name)
        revision.remarks = ""
        revision.save()
        audit.record(actor, "plans.revision.approved", plan, revision=revision.number,
                     from_state=RevisionStatus.SENT, to_state=RevisionStatus.APPROVED, signatory=name)
        _announce(plan, notifications.REVISION_APPROVED, revision=revision.number)
    return revision


def return_revision(actor, revision: Revision, remarks: str) -> Revision:
    """Back to the МОЦ with remarks: the plan stays as it was, the changes stay pending
    for the МОЦ to correct and send again."""
    scope.require(actor, "plans.approve", revision.plan)
    remarks = str(remarks or "").strip()
    if not remarks:
        raise ValidationFailed(_("Напишите замечания: что исправить."), field="remarks")
    with transaction.atomic():
        plan = _locked(revision.plan)
        revision = locking.row(Revision, revision.pk)
        if revision.status != RevisionStatus.SENT:
            raise InvalidTransition(_("Вернуть можно только отправленные изменения."))
        revision.status, revision.remarks = RevisionStatus.DRAFT, remarks[:5000]
        revision.save()
        audit.record(actor, "plans.revision.returned", plan, revision=revision.number,
                     from_state=RevisionStatus.SENT, to_state=RevisionStatus.DRAFT, reason=remarks)
        _announce(plan, notifications.REVISION_RETURNED, revision=revision.number)
    return revision
