"""Use cases of children: registration with the parent's consent, one record per
child, walk-ins recorded by providers, and the МОЦ's merging of duplicates.
(Applications and seats: ``opora.enrollment.services``.)

- ``register_child(actor, data, consent, channel=ConsentChannel.PARENT)
  -> (Child, created)`` — a parent adds a child. Like ``get_or_create``: when the
  child already exists (same СНИЛС, or the same normalized name and birth date) no
  second record is made and ``created`` is False; the parent's link to another
  family's record waits for the МОЦ's confirmation and gives no access until then
  (``selectors.is_guardian``). A СНИЛС of another family's child typed with another
  birth date makes no link, and the caller cannot tell the two apart. A parent's
  attempts are limited per day (``Throttled``). ``data`` holds the fields of
  ``CHILD_FIELDS`` (``municipality`` a Municipality).
- ``confirm_guardianship(actor, guardianship)`` / ``reject_guardianship(actor,
  guardianship, reason)`` — the МОЦ of the child's municipality, after checking the
  parent's documents.
- ``update_child(actor, child, data) -> Child`` — a guardian corrects the card.
- ``enrol_walk_in(actor, child_data, group, parent_data, consent) -> Application`` —
  staff record a child brought in person, on the parent's behalf, with the consent:
  always a record of its own (never another family's), see ``enrol_walk_in``.
- ``accept_walk_in(actor, guardianship)`` — a parent confirms a child a provider
  recorded on their e-mail.
- ``merge_children(actor, keep, duplicate, reason) -> Child`` — the МОЦ.
- ``mark_distinct(actor, first, second)`` — the МОЦ: not duplicates after all.

A child is never stored without a guardian whose consent is recorded in the same
transaction.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opora import audit, locking
from opora.accounts import scope
from opora.accounts.models import Role, User
from opora.enrollment import rules, seats, selectors, services
from opora.enrollment.models import (
    LIVE,
    Application,
    ApplicationStatus,
    Channel,
    Child,
    ConsentChannel,
    DistinctChildren,
    Guardianship,
)
from opora.errors import InvalidTransition, NotFound, PermissionDenied, Throttled, ValidationFailed
from opora.registry.models import Group

CHILD_FIELDS = ("last_name", "first_name", "patronymic", "birth_date", "sex", "municipality",
                "is_rural", "has_ovz", "is_disabled", "difficult_situation", "snils")
NAME_FIELDS = ("last_name", "first_name", "patronymic")
MAX_AGE = 18


def _consent_required(consent: bool) -> None:
    if consent is not True:
        raise ValidationFailed({"consent": [_(
            "Без согласия на обработку персональных данных сведения о ребёнке сохранить "
            "нельзя.")]})


def _messages(error: ValidationError) -> dict[str, list[str]]:
    return {field: [str(m) for e in errors for m in e.messages]
            for field, errors in error.error_dict.items()}


def _apply(child: Child, data: dict) -> Child:
    unknown = set(data) - set(CHILD_FIELDS)
    if unknown:
        raise ValueError(f"unknown child fields: {sorted(unknown)}")
    for name, value in data.items():
        if name in NAME_FIELDS:
            value = " ".join(str(value or "").split())
        setattr(child, name, value)
    try:
        child.snils = rules.normalize_snils(child.snils)
    except ValueError as error:
        raise ValidationFailed({"snils": [str(error)]}) from None
    try:
        child.full_clean(exclude=["identity_key"], validate_unique=False,
                         validate_constraints=False)
    except ValidationError as error:
        raise ValidationFailed(_messages(error)) from None
    today = timezone.localdate()
    if child.birth_date > today:
        raise ValidationFailed({"birth_date": [_("Дата рождения не может быть в будущем.")]})
    if rules.age_on(child.birth_date, today) > MAX_AGE:
        raise ValidationFailed({"birth_date": [_(
            "Ребёнку больше 18 лет: в навигаторе записывают детей до 18 лет.")]})
    child.identity_key = rules.identity_key(child.last_name, child.first_name, child.patronymic,
                                            child.birth_date)
    return child


def _existing(child: Child) -> tuple[Child | None, bool]:
    """The record of the same child, and whether what was typed agrees with it: by
    СНИЛС when given (a record with another СНИЛС is another child; a record with this
    СНИЛС and another birth date does not agree), else by the normalized name and birth
    date. The oldest wins."""
    if child.snils:
        found = Child.objects.filter(snils=child.snils).first()
        if found is not None:
            return found, found.birth_date == child.birth_date
        return (Child.objects.filter(identity_key=child.identity_key, snils="")
                .order_by("pk").first(), True)
    return Child.objects.filter(identity_key=child.identity_key).order_by("pk").first(), True


# What a parent may do in a day (``OPORA_CHILD_CLAIMS_PER_DAY``, ``OPORA_CHILDREN_PER_DAY``):
# attempts to link a child another family registered — whether the typed data agreed
# with the record or not — and new children. Counted from the audit trail, which every
# worker process shares.
CLAIMS = ("enrollment.guardianship.requested", "enrollment.guardianship.mismatched")
REGISTRATIONS = ("enrollment.child.registered",)


def _throttle(parent: User) -> None:
    """Refuse a parent who reached a day's limit, before anything is looked up: the
    refusal must not depend on whose data the parent typed this time."""
    since = timezone.now() - dt.timedelta(days=1)
    if (audit.count(parent, CLAIMS, since) >= settings.OPORA_CHILD_CLAIMS_PER_DAY
            or audit.count(parent, REGISTRATIONS, since) >= settings.OPORA_CHILDREN_PER_DAY):
        raise Throttled(_(
            "Слишком много запросов на добавление детей за сутки. Попробуйте завтра или "
            "обратитесь в муниципальный опорный центр."))


def _register(parent: User, data: dict, channel: str) -> tuple[Child, bool]:
    child = _apply(Child(), data)
    with transaction.atomic():
        # One parent's attempts one after another (the day's count must hold), and the
        # same child's registrations one after another (the second finds the first).
        locking.advisory("identity", f"account:{parent.pk}", child.identity_key,
                                child.snils and f"snils:{child.snils}")
        _throttle(parent)
        found, agrees = _existing(child)
        if found is None:
            try:
                with transaction.atomic():
                    child.save()
            except IntegrityError:
                if not child.snils:
                    raise
                found = Child.objects.get(snils=child.snils)
                agrees = found.birth_date == child.birth_date
        if found is None:
            now = timezone.now()
            # Whoever registers a new child is its first guardian.
            Guardianship.objects.create(parent=parent, child=child, consent_at=now,
                                        consent_by=parent, consent_channel=channel,
                                        confirmed_at=now, confirmed_by=parent)
            audit.record(parent, "enrollment.child.registered", child, channel=channel,
                         parent_id=parent.pk)
            return child, True
        if selectors.is_guardian(parent, found):
            if agrees and child.snils and not found.snils:
                found.snils = child.snils
                found.save(update_fields=["snils", "updated_at"])
            return found, False
        # Another family's record. The caller is answered the same whether the typed data
        # agreed with it or not; only an agreeing attempt leaves a link, which waits for
        # the МОЦ (see Guardianship.confirmed_at). Every attempt counts towards the limit.
        if agrees:
            _link, linked = Guardianship.objects.get_or_create(
                parent=parent, child=found,
                defaults={"consent_at": timezone.now(), "consent_by": parent,
                          "consent_channel": channel})
            audit.record(parent, "enrollment.guardianship.requested", found, to_state="pending",
                         channel=channel, parent_id=parent.pk, repeated=not linked)
        else:
            audit.record(parent, "enrollment.guardianship.mismatched", found, channel=channel,
                         parent_id=parent.pk)
    return found, False


def register_child(actor, data: dict, consent: bool,
                   channel: str = ConsentChannel.PARENT) -> tuple[Child, bool]:
    """A parent adds a child with the consent to process its data; an existing record
    of the same child is linked instead of a second one being created."""
    if not (actor.is_authenticated and actor.is_active and actor.role == Role.PARENT):
        raise PermissionDenied(_("Добавить ребёнка может родитель в личном кабинете."))
    if channel not in (ConsentChannel.PARENT, ConsentChannel.API):
        raise ValueError("provider staff record children with enrol_walk_in")
    _consent_required(consent)
    return _register(actor, data, channel)


def update_child(actor, child: Child, data: dict) -> Child:
    """A guardian corrects a child's card; the identity follows the new name."""
    if not selectors.is_guardian(actor, child):
        raise NotFound(_("Ребёнок не найден."))
    with transaction.atomic():
        child = locking.row(Child, child.pk, guard="seats")
        before = {name: getattr(child, name) for name in data}
        _apply(child, data)
        changed = sorted(name for name in data if getattr(child, name) != before[name])
        if not changed:
            return child
        if child.snils and Child.objects.filter(snils=child.snils).exclude(pk=child.pk).exists():
            raise ValidationFailed({"snils": [_(
                "Ребёнок с таким СНИЛС уже есть в системе: обратитесь в муниципальный опорный "
                "центр, чтобы объединить записи.")]})
        child.save()
        audit.record(actor, "enrollment.child.updated", child, fields=changed)
    return child


def confirm_guardianship(actor, guardianship: Guardianship) -> Guardianship:
    """The МОЦ confirms that a parent who linked an existing child is its guardian."""
    scope.require(actor, "enrollment.confirm_guardians", guardianship)
    with transaction.atomic():
        guardianship = locking.row(Guardianship, guardianship.pk)
        if guardianship.confirmed_at is not None:
            return guardianship
        guardianship.confirmed_at, guardianship.confirmed_by = timezone.now(), actor
        guardianship.save(update_fields=["confirmed_at", "confirmed_by"])
        audit.record(actor, "enrollment.guardianship.confirmed", guardianship.child,
                     from_state="pending", to_state="confirmed",
                     parent_id=guardianship.parent_id)
    return guardianship


def reject_guardianship(actor, guardianship: Guardianship, reason: str) -> None:
    """The МОЦ refuses a pending link (the parent could not show the child's documents)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_("Укажите причину отказа.")]})
    scope.require(actor, "enrollment.confirm_guardians", guardianship)
    with transaction.atomic():
        guardianship = locking.row(Guardianship, guardianship.pk)
        if guardianship.confirmed_at is not None:
            raise InvalidTransition(_("Связь уже подтверждена."))
        audit.record(actor, "enrollment.guardianship.rejected", guardianship.child,
                     from_state="pending", to_state="rejected", reason=reason,
                     parent_id=guardianship.parent_id)
        guardianship.delete()


# --- walk-ins ------------------------------------------------------------------------

PARENT_FIELDS = ("email", "last_name", "first_name", "patronymic", "phone")


def _parent_account(actor, data: dict, municipality) -> tuple[User, bool]:
    """The parent's account by e-mail and whether this walk-in made it: made without a
    password when there is none (the parent sets one through «Забыли пароль?»)."""
    unknown = set(data) - set(PARENT_FIELDS)
    if unknown:
        raise ValueError(f"unknown parent fields: {sorted(unknown)}")
    email = (data.get("email") or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationFailed({"parent_email": [_("Укажите e-mail родителя.")]}) from None
    fields = {k: " ".join(str(data.get(k) or "").split()) for k in PARENT_FIELDS if k != "email"}
    if not fields["last_name"] or not fields["first_name"]:
        raise ValidationFailed({"parent_last_name": [_("Укажите фамилию и имя родителя.")]})
    existing, created = User.objects.filter(email__iexact=email).first(), False
    if existing is None:
        try:
            with transaction.atomic():
                existing = User.objects.create_user(email, None, role=Role.PARENT,
                                                    municipality=municipality, **fields)
        except IntegrityError:
            existing = User.objects.get(email__iexact=email)
        else:
            created = True
            audit.record(actor, "enrollment.parent.created", existing)
    if existing.role != Role.PARENT:
        raise ValidationFailed({"parent_email": [_(
            "Этот e-mail принадлежит служебной учётной записи: укажите личный e-mail родителя.")]})
    return existing, created


def _walk_in_child(actor, parent: User, parent_is_new: bool, data: dict) -> Child:
    """The record a walk-in files for: a child the organization already sees whose
    confirmed guardian is this parent (a second group for the same child), else a new
    record — never another family's, whatever name, birth date or СНИЛС was typed. A
    СНИЛС already on another record is left off the new one (the МОЦ merges duplicates);
    nothing in the answer tells staff so. The parent's link is confirmed only when the
    account was made by this walk-in; an existing account's owner confirms it (or the МОЦ)."""
    child = _apply(Child(), data)
    locking.advisory("identity", child.identity_key, child.snils and f"snils:{child.snils}")
    same = Q(identity_key=child.identity_key)
    if child.snils:
        same = Q(snils=child.snils) | (same & Q(snils=""))
    found = (selectors.visible_children(actor).filter(same).filter(
        pk__in=Guardianship.objects.filter(parent=parent, confirmed_at__isnull=False)
        .values("child_id")).order_by("pk").first())
    if found is not None:
        return found
    withheld = bool(child.snils) and Child.objects.filter(snils=child.snils).exists()
    if withheld:
        child.snils = ""
    try:
        with transaction.atomic():
            child.save()
    except IntegrityError:
        if not child.snils:
            raise
        withheld, child.snils = True, ""  # registered a moment ago by someone else
        child.save()
    now = timezone.now()
    Guardianship.objects.create(
        parent=parent, child=child, consent_at=now, consent_by=actor,
        consent_channel=ConsentChannel.PROVIDER, confirmed_at=now if parent_is_new else None,
        confirmed_by=actor if parent_is_new else None)
    audit.record(actor, "enrollment.child.registered", child, channel=ConsentChannel.PROVIDER,
                 parent_id=parent.pk, snils_withheld=withheld)
    return child


def enrol_walk_in(actor, child_data: dict, group: Group, parent_data: dict,
                  consent: bool) -> Application:
    """Staff record a child brought in person to one of their groups, on the parent's
    behalf with the parent's consent: the same gates and queue as online, and a seat
    taken is confirmed at once. The child gets a record of its own (``_walk_in_child``)."""
    group = Group.objects.select_related("module__program__organization").get(pk=group.pk)
    if not scope.can(actor, "enrollment.process", group):
        raise PermissionDenied(_("Недостаточно прав для этого действия."))
    _consent_required(consent)
    with transaction.atomic():
        parent, parent_is_new = _parent_account(actor, parent_data, child_data.get("municipality"))
        child = _walk_in_child(actor, parent, parent_is_new, child_data)
        application = services.file_application(actor, child, group, Channel.PROVIDER)
        if application.status == ApplicationStatus.NEW:
            application = services.confirm_application(actor, application)
    return application


def walk_ins_to_accept(parent):
    """Links a provider made from a child it recorded to this parent's existing account,
    which the parent has not confirmed yet: only links that are the child's one
    guardianship (a record the provider typed, never another family's)."""
    if not (parent.is_authenticated and parent.is_active and parent.role == Role.PARENT):
        return Guardianship.objects.none()
    others = Guardianship.objects.filter(child_id=OuterRef("child_id")).exclude(parent=parent)
    return (Guardianship.objects.filter(parent=parent, confirmed_at__isnull=True,
                                        consent_channel=ConsentChannel.PROVIDER)
            .filter(~Exists(others))
            .select_related("child", "consent_by__organization").order_by("created_at", "pk"))


def accept_walk_in(actor, guardianship: Guardianship) -> Guardianship:
    """The parent confirms that the child a provider recorded on their e-mail is theirs."""
    with transaction.atomic():
        locking.rows(Guardianship.objects.filter(pk=guardianship.pk), guard="seats")
        guardianship = walk_ins_to_accept(actor).filter(pk=guardianship.pk).first()
        if guardianship is None:
            raise NotFound(_("Запись не найдена."))
        guardianship.confirmed_at, guardianship.confirmed_by = timezone.now(), actor
        guardianship.save(update_fields=["confirmed_at", "confirmed_by"])
        audit.record(actor, "enrollment.guardianship.accepted", guardianship.child,
                     from_state="pending", to_state="confirmed", parent_id=actor.pk)
    return guardianship


# --- duplicates ----------------------------------------------------------------------


def _require_merge(actor, *children: Child) -> None:
    for child in children:
        scope.require(actor, "enrollment.merge_children", child)


# Called as ``hook(actor, keep, duplicate)`` inside a merge, before the duplicate is
# deleted: later apps move or refuse what of theirs still points at it (personified
# financing moves the duplicate's certificate to the kept child, or refuses when both
# have one). A hook refuses with a DomainError, which rolls the merge back.
before_merge_delete: list = []


def _typed_by_provider(link: Guardianship) -> bool:
    """A link a provider's walk-in made that no МОЦ confirmed: its confirmation (by the
    provider, or by the account's owner) covered only the record the provider typed."""
    return link.consent_channel == ConsentChannel.PROVIDER and (
        link.confirmed_by is None or link.confirmed_by.role != Role.SUPPORT_CENTRE)


def _merge_guardians(keep: Child, duplicate: Child) -> list[int]:
    """Move the duplicate's guardians to ``keep`` (one link per parent). A parent keeps a
    confirmed link if either record gave them one that is not ``_typed_by_provider``;
    a link typed by a provider goes back to pending, since the merged record holds the
    other record's data too. Returns the parents whose link went back to pending."""
    links = list(Guardianship.objects.filter(child__in=[keep, duplicate])
                 .select_related("confirmed_by"))
    trusted = {link.parent_id: link for link in links
               if link.confirmed_at is not None and not _typed_by_provider(link)}
    keep_parents = keep.guardianships.values("parent_id")
    duplicate.guardianships.exclude(parent_id__in=keep_parents).update(child=keep)
    unconfirmed = []
    for link in Guardianship.objects.filter(child=keep).select_related("confirmed_by"):
        source = trusted.get(link.parent_id)
        if source is not None and source.pk != link.pk:
            link.confirmed_at, link.confirmed_by = source.confirmed_at, source.confirmed_by
        elif source is None and link.confirmed_at is not None and _typed_by_provider(link):
            link.confirmed_at, link.confirmed_by = None, None
            unconfirmed.append(link.parent_id)
        else:
            continue
        link.save(update_fields=["confirmed_at", "confirmed_by"])
    return sorted(unconfirmed)


def merge_children(actor, keep: Child, duplicate: Child, reason: str) -> Child:
    """The МОЦ merges two records of one child into ``keep``: guardians (see
    ``_merge_guardians``) and applications move over; when both have a live application
    to the same group the one furthest along (then the earlier) stays and the other is
    withdrawn (its seat goes to the first in line); the duplicate is deleted. Recorded as
    ``enrollment.child.merged`` on the kept child."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_("Укажите, почему записи объединяются.")]})
    if keep.pk == duplicate.pk:
        raise ValidationFailed({"duplicate": [_("Выберите две разные записи.")]})
    _require_merge(actor, keep, duplicate)
    with locking.atomic():
        rows = {c.pk: c for c in locking.rows(Child.objects.filter(
            pk__in=[keep.pk, duplicate.pk]), guard="seats")}
        keep, duplicate = rows[keep.pk], rows[duplicate.pk]
        # Of two live applications to one group the one furthest along stays (a studying
        # child is never un-enrolled by a merge), then the earlier one.
        progress = {ApplicationStatus.ENROLLED: 0, ApplicationStatus.AWAITING_CONTRACT: 1,
                    ApplicationStatus.NEW: 2, ApplicationStatus.WAITLISTED: 3}
        live = sorted(Application.objects.filter(child__in=[keep, duplicate], status__in=LIVE)
                      .select_related("child"),
                      key=lambda a: (progress[a.status], a.created_at, a.pk))
        seats.lock_groups(a.group_id for a in live)
        first_of_group, withdrawn = {}, []
        for application in live:
            if application.group_id not in first_of_group:
                first_of_group[application.group_id] = application
                continue
            services.withdraw_for_merge(
                actor, application, _("Объединение записей о ребёнке: %(reason)s") % {
                    "reason": reason})
            withdrawn.append(application.pk)
        moved = list(duplicate.applications.order_by("pk").values_list("pk", flat=True))
        Application.objects.filter(pk__in=moved).update(child=keep, updated_at=timezone.now())
        unconfirmed = _merge_guardians(keep, duplicate)
        if duplicate.snils and not keep.snils:
            keep.snils, duplicate.snils = duplicate.snils, ""
            duplicate.save(update_fields=["snils"])
            keep.save(update_fields=["snils", "updated_at"])
        for hook in before_merge_delete:
            hook(actor, keep, duplicate)
        audit.record(actor, "enrollment.child.merged", keep, reason=reason,
                     duplicate_uuid=str(duplicate.uuid), duplicate_id=duplicate.pk,
                     moved_applications=moved, withdrawn_applications=withdrawn,
                     **({"unconfirmed_guardians": unconfirmed} if unconfirmed else {}))
        duplicate.delete()
    return keep


def mark_distinct(actor, first: Child, second: Child) -> None:
    """The МОЦ records that two similar children are different people."""
    if first.pk == second.pk:
        raise ValidationFailed({"second": [_("Выберите две разные записи.")]})
    _require_merge(actor, first, second)
    low, high = sorted((first, second), key=lambda c: c.pk)
    with transaction.atomic():
        _pair, created = DistinctChildren.objects.get_or_create(
            first=low, second=high, defaults={"decided_by": actor})
        if created:
            audit.record(actor, "enrollment.child.marked_distinct", low,
                         other_uuid=str(high.uuid))
