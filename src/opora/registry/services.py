"""Use cases of the program registry. Each checks permission through the scoping
helper, runs in one transaction, records its event and raises a DomainError
with a Russian message on bad input."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opora import audit, locking
from opora.accounts import scope
from opora.errors import InvalidTransition, PermissionDenied, ValidationFailed
from opora.registry import images, prices, revisions
from opora.registry.choices import ProgramStatus
from opora.registry.models import (
    Group,
    GroupFunding,
    Module,
    Organization,
    Program,
    ProgramRevision,
    ProposedFunding,
    ScheduleLine,
    Teacher,
)

S = ProgramStatus

# Called inside save_group's transaction once the group, its timetable and funding are
# saved. The registry imports no later app; the enrollment app registers here the rule
# that seats added by a raised capacity go to the waiting list (see its apps.py).
after_group_saved: list = []
# Called as ``hook(groups_queryset)``; each returns the Russian reason the terms of
# those groups are fixed now (live applications, live contracts), or None. Later apps
# register here; the registry adds «enrolment is open» itself (docs/domain.md §2).
group_edit_blockers: list = []
# Called as ``hook(module)`` inside save_module's transaction after an existing module's
# content changed: personified financing sends a certified module back to awaiting.
after_module_changed: list = []
# Called as ``hook(program_ids)`` after bulk writes that send no model signals (the
# Excel import): the navigator refreshes those programs' catalog entries.
after_bulk_write: list = []
# Called as ``hook(group_ids)`` once a transaction that filled the last seat of groups or
# freed a seat of full ones commits (the enrollment's seat counter): the navigator
# refreshes the catalog's «есть свободные места» of their programs, in one go.
after_seats_changed: list = []


def _messages(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {field: [str(m) for e in errs for m in e.messages]
                for field, errs in error.error_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}


def _validated(instance, exclude=None, prefix="", **checks):
    """full_clean; Django's errors become one ValidationFailed."""
    try:
        instance.full_clean(exclude=exclude, **checks)
    except ValidationError as error:
        messages = _messages(error)
        if prefix:
            messages = {f"{prefix}{k}": v for k, v in messages.items()}
        raise ValidationFailed(messages) from None
    return instance


def _validated_save(instance, exclude=None, prefix=""):
    """full_clean then save; Django's errors become one ValidationFailed."""
    _validated(instance, exclude, prefix)
    instance.save()
    return instance


def _apply(instance, data: dict):
    for name, value in data.items():
        setattr(instance, name, value)


def _new_photo(data: dict):
    """The photo uploaded with ``data``, checked; None when the photo is not changed."""
    upload = data.get("photo")
    if isinstance(upload, UploadedFile):
        images.check(upload)
        return upload
    return None


def _locked(model, pk):
    return locking.row(model, pk)


def _changed_fields(program: Program, data: dict, partners) -> set[str]:
    changed = {name for name, value in data.items() if getattr(program, name) != value}
    if partners is not None and program.pk and (
            {p.pk for p in partners} != set(program.partners.values_list("pk", flat=True))):
        changed.add("partners")
    return changed


# --- programs -----------------------------------------------------------------


@transaction.atomic
def create_program(actor, organization: Organization, data: dict, partners=()) -> Program:
    """A provider's staff create a draft program; its first module (year one) comes with it."""
    scope.require(actor, "registry.edit", organization)
    partners = _partners(organization, partners)
    photo = _new_photo(data)
    program = Program(organization=organization, status=S.INITIAL)
    _apply(program, data)
    _validated_save(program)
    if photo is not None:
        images.make_renditions(program.photo)
    program.partners.set(partners)
    Module.objects.create(
        program=program, year_of_study=1, hours=program.hours_total,
        title=_("%(title)s. %(year)s-й год обучения") % {"title": program.title, "year": 1},
    )
    audit.record(actor, "registry.program.created", program, to_state=program.status)
    return program


def partner_choices(organization: Organization, program: Program | None = None):
    """The organizations a program of ``organization`` may name as network partners: the
    other active organizations of its municipality. Partners the program already has stay
    allowed even if they have moved or been switched off since. The page offers these,
    and every change of partners (page or API) is checked against them."""
    chosen = Q(pk__in=program.partners.values("pk")) if program is not None and program.pk else Q(pk__in=[])
    return (Organization.objects
            .filter(Q(is_active=True, municipality=organization.municipality_id) | chosen)
            .exclude(pk=organization.pk).order_by("short_name"))


def _partners(organization, partners, program=None) -> list:
    partners = list(partners or ())
    if any(p.pk == organization.pk for p in partners):
        raise ValidationFailed({"partners": [_("Организация не может быть партнёром своей программы.")]})
    allowed = set(partner_choices(organization, program).filter(pk__in=[p.pk for p in partners])
                  .values_list("pk", flat=True))
    refused = sorted({p.short_name for p in partners if p.pk not in allowed})
    if refused:
        raise ValidationFailed({"partners": [
            _("Партнёром может быть только действующая организация муниципалитета программы: "
              "%(names)s.") % {"names": ", ".join(refused)}]})
    return partners


@transaction.atomic
def update_program(actor, program: Program, data: dict, partners=None) -> Program:
    """Staff edit their program. On a published program an edit of what parents see is
    kept aside for the МОЦ (``ProgramRevision``) and the published version stays in the
    catalog; other fields change at once. Archived programs are read-only."""
    program = _locked(Program, program.pk)
    scope.require(actor, "registry.edit", program)
    if program.status == S.ARCHIVE:
        raise InvalidTransition(_("Программа в архиве: верните её в черновики, чтобы изменить."))
    if program.status == S.MODERATING:
        raise InvalidTransition(_("Программа на модерации: дождитесь решения МОЦ."))
    if partners is not None:
        partners = _partners(program.organization, partners, program)
    if program.status == S.PUBLISHED:
        return _propose(actor, program, data, partners)
    changed = _changed_fields(program, data, partners)
    if not changed:
        return program
    photo = _new_photo(data)
    before = program.status
    _apply(program, data)
    _validated_save(program)
    if photo is not None:
        images.make_renditions(program.photo)
    if partners is not None:
        program.partners.set(partners)
    audit.record(actor, "registry.program.updated", program, from_state=before,
                 to_state=program.status, fields=sorted(changed))
    return program


def _propose(actor, program: Program, data: dict, partners) -> Program:
    """The edit of a published program: internal fields are saved, public ones join the
    program's revision, which goes to the МОЦ (or is deleted when the edit is undone)."""
    revision = ProgramRevision.objects.filter(program=program).first()
    if revision is not None and revision.is_moderating:
        raise InvalidTransition(_("Изменения программы на модерации: дождитесь решения МОЦ."))
    public = set(Program.PUBLIC_FIELDS)
    internal = {name: value for name, value in data.items() if name not in public}
    wanted = {name: value for name, value in data.items() if name in public and name != "photo"}
    photo = _new_photo(data)
    # what the provider sees in the form: the published program with its edit so far
    candidate = revisions.proposed(program, revision)
    changed = {name for name, value in wanted.items() if getattr(candidate, name) != value}
    if photo is not None or (data.get("photo") == "" and candidate.photo):
        changed.add("photo")
    partner_ids = revisions.partner_ids(program, revision)
    if partners is not None and sorted(p.pk for p in partners) != sorted(partner_ids):
        changed.add("partners")
        partner_ids = sorted(p.pk for p in partners)
    internal_changed = {name for name, value in internal.items() if getattr(program, name) != value}
    if not changed and not internal_changed:
        return program
    _apply(candidate, internal)
    _apply(candidate, wanted)
    if data.get("photo") == "" and photo is None:
        candidate.photo = ""
    _validated(candidate, exclude=["photo"])
    if internal_changed:
        _apply(program, internal)
        _validated_save(program)
        audit.record(actor, "registry.program.updated", program, from_state=program.status,
                     to_state=program.status, fields=sorted(internal_changed))
    if not changed:
        return program
    published = revisions.public_values(program)
    values = {name: value for name, value in revisions.public_values(candidate).items()
              if value != published[name]}
    proposed_partners = partner_ids if partner_ids != revisions.partner_ids(program, None) else None
    new_photo = revision.photo.name if revision is not None and revision.photo else ""
    if photo is not None:
        new_photo = photo
    elif "photo" in changed:  # cleared
        new_photo = ""
        if program.photo:
            values["photo"] = ""
    if not values and proposed_partners is None and not new_photo:
        if revision is not None:
            revision.delete()
        audit.record(actor, "registry.program.revision_withdrawn", program,
                     fields=sorted(changed))
        return program
    if revision is None:
        revision = ProgramRevision(program=program)
    revision.values = values
    revision.partners = proposed_partners
    revision.photo = new_photo
    revision.status = ProgramRevision.Status.MODERATING
    revision.proposed_by = actor
    revision.proposed_at = timezone.now()
    revision.save()
    audit.record(actor, "registry.program.revision_submitted", program,
                 fields=sorted(changed))
    return program


def _approve_revision(actor, program: Program, revision: ProgramRevision) -> Program:
    fields = [change.field for change in revisions.changes(program, revision)]
    revision.apply_to(program)
    _validated(program, exclude=["photo"])
    program.save()
    if revision.photo:
        images.make_renditions(program.photo)
    if revision.partners is not None:
        program.partners.set(Organization.objects.filter(pk__in=revision.partners))
    revision.delete()
    audit.record(actor, "registry.program.revision_approved", program, fields=fields)
    return program


def _revision(program) -> ProgramRevision | None:
    """The edit waiting on a published program, read after locking the program's row."""
    program = _locked(Program, program.pk)
    if program.status != S.PUBLISHED:
        return None
    revision = ProgramRevision.objects.filter(program=program).first()
    if revision is not None:
        revision.program = program
    return revision


def _transition(actor, program, action, allowed_from, to_state):
    program = _locked(Program, program.pk)
    scope.require(actor, action, program)
    if program.status not in allowed_from:
        raise InvalidTransition(
            _("Действие недоступно для программы в статусе «%(status)s».")
            % {"status": program.get_status_display()}
        )
    before = program.status
    program.status = to_state
    return program, before


@transaction.atomic
def submit_program(actor, program: Program) -> Program:
    """Staff send a draft, or a program returned with remarks, to the МОЦ for moderation;
    or the returned edit of a published program, unchanged, again."""
    revision = _revision(program)
    if revision is not None and not revision.is_moderating:
        scope.require(actor, "registry.edit", program)
        revision.status = ProgramRevision.Status.MODERATING
        revision.proposed_at = timezone.now()
        revision.save(update_fields=["status", "proposed_at"])
        audit.record(actor, "registry.program.revision_submitted", program)
        return program
    program, before = _transition(actor, program, "registry.edit",
                                  {S.INITIAL, S.WAIT_FOR_EDITING}, S.MODERATING)
    if not program.modules.exists():
        raise ValidationFailed(_("Добавьте в программу хотя бы один модуль."))
    program.save(update_fields=["status", "updated_at"])
    audit.record(actor, "registry.program.submitted", program, from_state=before,
                 to_state=program.status)
    return program


@transaction.atomic
def publish_program(actor, program: Program) -> Program:
    """The МОЦ of the program's municipality publishes it in the navigator, or approves
    the edit of a published program waiting for it: the catalog then shows the edit."""
    revision = _revision(program)
    if revision is not None and revision.is_moderating:
        scope.require(actor, "registry.moderate", program)
        return _approve_revision(actor, revision.program, revision)
    program, before = _transition(actor, program, "registry.moderate",
                                  {S.MODERATING}, S.PUBLISHED)
    _apply_proposals(actor, program)
    program.moderation_remark = ""
    program.published_at = timezone.now()
    program.save(update_fields=["status", "moderation_remark", "published_at", "updated_at"])
    audit.record(actor, "registry.program.published", program, from_state=before,
                 to_state=program.status)
    return program


@transaction.atomic
def return_program(actor, program: Program, remark: str) -> Program:
    """The МОЦ returns a program to its provider with remarks to fix."""
    remark = (remark or "").strip()
    if not remark:
        raise ValidationFailed({"remark": [_("Напишите, что нужно исправить.")]})
    revision = _revision(program)
    if revision is not None and revision.is_moderating:
        scope.require(actor, "registry.moderate", program)
        revision.status = ProgramRevision.Status.RETURNED
        revision.remark = remark
        revision.save(update_fields=["status", "remark"])
        audit.record(actor, "registry.program.revision_returned", revision.program, reason=remark)
        return revision.program
    program, before = _transition(actor, program, "registry.moderate",
                                  {S.MODERATING}, S.WAIT_FOR_EDITING)
    program.moderation_remark = remark
    program.save(update_fields=["status", "moderation_remark", "updated_at"])
    for group in _proposing_groups(program):
        prices.drop(actor, program, group, "registry.group.price_returned", remark)
    audit.record(actor, "registry.program.returned", program, from_state=before,
                 to_state=program.status, reason=remark)
    return program


@transaction.atomic
def archive_program(actor, program: Program, reason: str = "") -> Program:
    """A published program leaves the navigator: by its provider or by the МОЦ."""
    program = _locked(Program, program.pk)
    if not (scope.can(actor, "registry.edit", program)
            or scope.can(actor, "registry.moderate", program)):
        raise PermissionDenied(_("Недостаточно прав для этого действия."))
    if program.status != S.PUBLISHED:
        raise InvalidTransition(_("В архив можно перенести только опубликованную программу."))
    program.status = S.ARCHIVE
    program.save(update_fields=["status", "updated_at"])
    ProgramRevision.objects.filter(program=program).delete()
    for group in _proposing_groups(program):
        prices.drop(actor, program, group, "registry.group.price_withdrawn", (reason or "").strip())
    audit.record(actor, "registry.program.archived", program, from_state=S.PUBLISHED,
                 to_state=S.ARCHIVE, reason=(reason or "").strip())
    return program


@transaction.atomic
def restore_program(actor, program: Program) -> Program:
    """Staff take an archived program back into drafts to renew it."""
    program, before = _transition(actor, program, "registry.edit", {S.ARCHIVE}, S.INITIAL)
    program.save(update_fields=["status", "updated_at"])
    audit.record(actor, "registry.program.restored", program, from_state=before,
                 to_state=program.status)
    return program


# --- prices waiting for the МОЦ ---------------------------------------------------


def _proposing_groups(program):
    """The program's groups with a proposed price, locked (after the program's row)."""
    return locking.rows(Group.objects.filter(module__program=program,
                                             pk__in=ProposedFunding.objects.values("group_id")))


def _apply_proposals(actor, program) -> int:
    """Publish the proposed prices of the program's groups; refused, changing nothing, if
    one of those groups' terms are fixed now (enrolment open, live applications)."""
    groups = _proposing_groups(program)
    for group in groups:
        reason = _terms_blocker(Group.objects.filter(pk=group.pk))
        if reason:
            raise InvalidTransition(
                _("Новую стоимость группы «%(group)s» сейчас применить нельзя: %(reason)s. "
                  "Её можно утвердить, когда организация закроет запись, или вернуть "
                  "с замечанием.") % {"group": group.name, "reason": reason})
    for group in groups:
        prices.apply(actor, program, group)
    return len(groups)


@transaction.atomic
def approve_prices(actor, program: Program) -> Program:
    """The МОЦ approves the prices proposed for a published program's groups: from now
    on the catalog shows them and the program stays published."""
    program = _locked(Program, program.pk)
    scope.require(actor, "registry.moderate", program)
    if program.status != S.PUBLISHED:
        raise InvalidTransition(_("Стоимость утверждается отдельно только у опубликованной "
                                  "программы; у программы на модерации — вместе с ней."))
    if not _apply_proposals(actor, program):
        raise InvalidTransition(_("Новой стоимости на проверке нет."))
    return program


@transaction.atomic
def return_prices(actor, program: Program, remark: str) -> Program:
    """The МОЦ returns the prices proposed for a published program's groups with a remark:
    the published prices stay."""
    remark = (remark or "").strip()
    if not remark:
        raise ValidationFailed({"remark": [_("Напишите, что нужно исправить.")]})
    program = _locked(Program, program.pk)
    scope.require(actor, "registry.moderate", program)
    groups = _proposing_groups(program) if program.status == S.PUBLISHED else []
    if not groups:
        raise InvalidTransition(_("Новой стоимости на проверке нет."))
    for group in groups:
        prices.drop(actor, program, group, "registry.group.price_returned", remark)
    return program


# --- modules and groups ---------------------------------------------------------


def _require_editable_program(actor, program):
    scope.require(actor, "registry.edit", program)
    if program.status == S.ARCHIVE:
        raise InvalidTransition(_("Программа в архиве: её модули и группы не меняются."))


# What a family applied for: fixed while applications or contracts hang on a group or
# its enrolment is open. Seats (through the waiting list), teachers, the name and the
# enrolment switch and windows stay editable, so the provider can close enrolment.
GROUP_TERMS = ("start_date", "end_date", "hours_per_year", "age_min", "age_max", "address")
MODULE_TERMS = ("title", "hours", "year_of_study", "description")


def _terms_blocker(groups) -> str | None:
    """Why the terms of these groups cannot change now, or None."""
    for hook in group_edit_blockers:
        reason = hook(groups)
        if reason:
            return reason
    if groups.filter(enrolment_open=True).exists():
        return _("в группу открыта запись — сначала закройте её")
    return None


def _refuse_terms(what, reason):
    raise ValidationFailed(_("%(what)s нельзя изменить: %(reason)s. Можно менять число мест, "
                             "педагогов, название и запись в группу.") % {"what": what, "reason": reason})


@transaction.atomic
def save_module(actor, program: Program, data: dict, module: Module | None = None) -> Module:
    """Add a module (year of study) to a program, or change one. The content of a module
    is fixed while one of its groups has live applications or contracts or takes
    applications (docs/domain.md §2)."""
    _require_editable_program(actor, program)
    if module is not None and module.program_id != program.pk:
        raise PermissionDenied(_("Модуль относится к другой программе."))
    if module is not None and any(name in data and data[name] != getattr(module, name)
                                  for name in MODULE_TERMS):
        reason = _terms_blocker(Group.objects.filter(module=module))
        if reason:
            _refuse_terms(_("Модуль"), reason)
    changed = module is not None and any(name in data and data[name] != getattr(module, name)
                                         for name in MODULE_TERMS)
    module = module or Module(program=program)
    _apply(module, data)
    _validated_save(module)
    if changed:
        for hook in after_module_changed:
            hook(module)
    return module


def _schedule_key(lines) -> list:
    fields = ("weekdays", "time_from", "time_to", "lesson_minutes", "break_minutes", "address")
    return sorted(tuple(str(line.get(f) if isinstance(line, dict) else getattr(line, f)) for f in fields)
                  for line in lines)


def _check_group_terms(group: Group, data: dict, schedule, lines) -> None:
    # Keeping a proposal waiting for the МОЦ, or going back to the published prices,
    # changes nothing the families see.
    kept = {tuple(sorted(prices.terms(found).items())) for found in (
        GroupFunding.objects.filter(group=group), ProposedFunding.objects.filter(group=group))}
    changed = (any(name in data and data[name] != getattr(group, name) for name in GROUP_TERMS)
               or _schedule_key(schedule) != _schedule_key(group.schedule.all())
               or tuple(sorted(prices.terms(lines).items())) not in kept)
    if changed:
        reason = _terms_blocker(Group.objects.filter(pk=group.pk))
        if reason:
            _refuse_terms(_("Сроки, возраст, адрес, расписание и стоимость группы"), reason)


@transaction.atomic
def save_group(actor, module: Module, data: dict, *, schedule: list[dict],
               funding: list[dict], teachers=(), group: Group | None = None) -> Group:
    """Create or change a group with its timetable, financing sources and teachers,
    all or nothing. A changed price of a group of a published program (or one under
    moderation) waits for the МОЦ (``prices``)."""
    program = _locked(Program, module.program_id)
    _require_editable_program(actor, program)
    if group is not None and group.module.program_id != program.pk:
        raise PermissionDenied(_("Группа относится к другой программе."))
    teachers = list(teachers or ())
    if any(t.organization_id != program.organization_id for t in teachers):
        raise ValidationFailed({"teachers": [_("Педагог работает в другой организации.")]})
    if not funding:
        raise ValidationFailed({"funding": [_("Укажите хотя бы один источник финансирования.")]})
    sources = [line.get("source") for line in funding]
    if len(set(sources)) != len(sources):
        raise ValidationFailed({"funding": [_("Источник финансирования указан дважды.")]})

    # Prices are checked first: the terms rule compares them as numbers. (source, group)
    # is unique among the saved lines, which are updated in place (``prices``).
    lines = [_validated(GroupFunding(**line), exclude={"group"}, prefix=f"funding-{number}-",
                        validate_unique=False, validate_constraints=False)
             for number, line in enumerate(funding, start=1)]
    created = group is None
    if not created:
        _check_group_terms(_locked(Group, group.pk), data, schedule, lines)
    group = group or Group(module=module)
    group.module = module
    _apply(group, data)
    _validated_save(group)
    group.teachers.set(teachers)

    group.schedule.all().delete()
    for number, line in enumerate(schedule, start=1):
        _validated_save(ScheduleLine(group=group, **line), prefix=f"schedule-{number}-")
    prices.save(actor, program, group, lines, created=created)
    for hook in after_group_saved:
        hook(group)
    return group


@transaction.atomic
def delete_group(actor, group: Group) -> None:
    """Staff remove a group nobody has applied to; a group with applications keeps its
    history and is switched off instead."""
    _require_editable_program(actor, group.module.program)
    try:
        with transaction.atomic():
            group.delete()
    except ProtectedError:
        raise InvalidTransition(_(
            "В группу уже подавали заявки: её нельзя удалить. Закройте запись или сделайте "
            "группу неактивной.")) from None


# --- teachers and organizations --------------------------------------------------


@transaction.atomic
def save_teacher(actor, organization: Organization, data: dict,
                 teacher: Teacher | None = None) -> Teacher:
    """Staff keep the list of their organization's teachers."""
    scope.require(actor, "registry.edit", organization)
    if teacher is not None and teacher.organization_id != organization.pk:
        raise PermissionDenied(_("Педагог работает в другой организации."))
    teacher = teacher or Teacher(organization=organization)
    _apply(teacher, data)
    return _validated_save(teacher)


@transaction.atomic
def save_organization(actor, data: dict, organization: Organization | None = None
                      ) -> Organization:
    """The МОЦ keeps the organizations of its municipality."""
    creating = organization is None
    organization = organization or Organization()
    _apply(organization, data)
    scope.require(actor, "registry.manage_organizations", organization)
    if organization.is_support_centre:
        clash = Organization.objects.filter(municipality_id=organization.municipality_id,
                                            is_support_centre=True).exclude(pk=organization.pk)
        if clash.exists():
            raise ValidationFailed({"is_support_centre": [
                _("МОЦ этого муниципалитета уже назначен: %(organization)s.")
                % {"organization": clash.first()}]})
    _validated_save(organization)
    audit.record(actor, "registry.organization.created" if creating
                 else "registry.organization.updated", organization)
    return organization


@transaction.atomic
def set_organization_active(actor, organization: Organization, active: bool,
                            reason: str = "") -> Organization:
    """Switch a provider off (its programs leave the navigator) or back on."""
    organization = _locked(Organization, organization.pk)
    scope.require(actor, "registry.manage_organizations", organization)
    if organization.is_active == active:
        return organization
    organization.is_active = active
    organization.save(update_fields=["is_active", "updated_at"])
    audit.record(actor, "registry.organization.activated" if active
                 else "registry.organization.deactivated", organization,
                 from_state="inactive" if active else "active",
                 to_state="active" if active else "inactive", reason=reason)
    return organization


# --- removals a provider may make --------------------------------------------------


@transaction.atomic
def delete_module(actor, module: Module) -> None:
    """Staff remove a module that has no groups; a program keeps at least one module."""
    program = _locked(Program, module.program_id)
    _require_editable_program(actor, program)
    if module.groups.exists():
        raise InvalidTransition(_("В модуле есть группы: сначала удалите их."))
    if not program.modules.exclude(pk=module.pk).exists():
        raise InvalidTransition(_("В программе должен остаться хотя бы один модуль."))
    module.delete()


@transaction.atomic
def delete_program(actor, program: Program) -> None:
    """Staff delete a draft that has never been published; anything the navigator has
    shown goes to the archive instead, so its history stays."""
    program = _locked(Program, program.pk)
    scope.require(actor, "registry.edit", program)
    if program.status != S.INITIAL or program.published_at is not None:
        raise InvalidTransition(_("Удалить можно только черновик, который ещё не публиковался."))
    audit.record(actor, "registry.program.deleted", program, from_state=program.status)
    program.delete()


# --- Excel import ---


def import_programs(actor, organization: Organization, file, keep_valid: bool = False, progress=None):
    """Staff of an organization, or the МОЦ of its municipality, load programs (as
    drafts, each with its first module) and groups from an xlsx file, and the
    organization's coordinates from its sheet «Организация». Every bad row
    is reported; a file with errors changes nothing unless ``keep_valid`` asks to
    keep the good programs with their good groups. Returns an ``ImportResult``.

    The rows are checked outside the transaction, so ``progress(checked, total)`` is
    seen by others while it runs; the writing then locks the organization (one import
    per organization at a time: two uploads of the same file must not both pass the
    check for duplicate titles) and checks the rows again only if what they refer to
    has changed meanwhile. Runs in the background (``import_jobs``)."""
    from django.utils import translation

    from opora.registry import excel_import as excel

    scope.require(actor, "registry.import", organization)
    # The file's headers and values are Russian whatever language the page is in.
    with translation.override("ru"):
        book = excel.read_workbook(file)
        plan = excel.plan_import(organization, book, keep_valid=keep_valid, progress=progress)
        with transaction.atomic():
            organization = _locked(Organization, organization.pk)
            if not excel.plan_is_current(plan, organization):
                plan = excel.plan_import(organization, book, keep_valid=keep_valid)
            if plan.errors and not keep_valid:
                return excel.ImportResult(errors=plan.errors)
            before = (organization.latitude, organization.longitude)
            location = plan.location if excel.save_location(plan, organization) else None
            if location is not None:
                audit.record(actor, "registry.organization.located", organization,
                             from_state=_coordinates_text(*before), to_state=_coordinates_text(*location),
                             file=getattr(file, "name", "") or "")
            programs, groups_created = excel.save_plan(plan, actor)
            for program in programs:
                audit.record(actor, "registry.program.imported", program, to_state=program.status,
                             file=getattr(file, "name", "") or "")
            prices.record_new(actor, [(row.group.module.program, row.group, [row.funding])
                                      for row in plan.groups if row.ok and row.group.pk is not None])
            touched = {p.pk for p in programs} | {r.existing_module.program_id for r in plan.groups
                                                   if r.ok and r.existing_module is not None}
            for hook in after_bulk_write:
                hook(sorted(touched))
    return excel.ImportResult(programs=programs, groups_created=groups_created, errors=plan.errors,
                              location=location)


def _coordinates_text(latitude, longitude) -> str:
    return "" if latitude is None or longitude is None else f"{latitude:.6f},{longitude:.6f}"
