"""The register of talented and gifted children (docs/domain.md §11).

A child enters it two ways: a winner or prize-winner of an event of the municipal or a
higher level is proposed automatically (``propose_from_result``, called by the result's
service in its transaction), or a provider nominates its pupil with grounds. The МОЦ of
the child's municipality confirms or declines a proposal, names the mentor and records
the support measures. Who may read a record is ``selectors.gifted_for``.
"""

import logging

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from opora import audit, locking, logs
from opora.accounts import scope
from opora.errors import InvalidTransition, PermissionDenied, ValidationFailed
from opora.events import selectors
from opora.events.models import (
    GIFTED_LEVELS,
    Achievement,
    GiftedRecord,
    GiftedSource,
    GiftedStatus,
    MeasureKind,
    SupportMeasure,
)
from opora.registry.models import Teacher

log = logging.getLogger("opora.events")
G = GiftedStatus


def _record_for(child, *, source, direction, organization=None, grounds=""):
    """The child's record, made (proposed) when there is none; locked."""
    record = locking.first(GiftedRecord.objects.filter(child=child))
    if record is not None:
        return record, False
    record = GiftedRecord.objects.create(
        child=child, municipality_id=child.municipality_id, status=G.PROPOSED, source=source,
        direction=direction, proposed_by_organization=organization, grounds=grounds)
    return record, True


def propose_from_result(registration, event) -> GiftedRecord | None:
    """A winner or prize-winner of a municipal or higher event: the achievement is added to
    the child's record, which is proposed to the МОЦ if the child has none yet. A declined
    record is proposed again by a new distinction."""
    if event.level not in GIFTED_LEVELS:
        return None
    record, created = _record_for(registration.child, source=GiftedSource.RESULTS,
                                  direction=event.direction, organization=registration.organization)
    day = timezone.localtime(registration.result_at or timezone.now()).date()
    first_session = event.sessions.order_by("starts_at").first()
    if first_session:
        day = timezone.localtime(first_session.starts_at).date()
    Achievement.objects.update_or_create(registration=registration, defaults={
        "record": record, "title": event.title, "level": event.level,
        "result": registration.result, "achieved_on": day})
    if not created and record.status == G.DECLINED:
        record.status, record.decided_at, record.decided_by = G.PROPOSED, None, None
        record.save(update_fields=["status", "decided_at", "decided_by"])
    if created or record.status == G.PROPOSED:
        audit.record(None, "events.gifted.proposed", record, to_state=record.status,
                     registration_id=registration.pk)
        logs.state_change(log, "events.gifted.proposed", record_id=record.pk, status=record.status)
    return record


def drop_result(registration) -> None:
    """A result changed to plain participation: its achievement leaves the record; a
    proposal made of nothing else disappears."""
    achievement = Achievement.objects.filter(registration=registration).select_related("record").first()
    if achievement is None:
        return
    record = achievement.record
    achievement.delete()
    if (record.status == G.PROPOSED and record.source == GiftedSource.RESULTS
            and not record.achievements.exists()):
        record.delete()


def nominate(actor, child, *, direction: str, grounds: str, mentor=None, achievements=()) -> GiftedRecord:
    """A provider proposes its pupil to the register, with grounds (and the achievements it
    knows of: dicts of title, level, result, achieved_on)."""
    organization = actor.organization
    if organization is None or not scope.can(actor, "gifted.nominate", organization):
        raise PermissionDenied(_("Недостаточно прав для этого действия."))
    if not selectors.pupils_of(organization.pk).filter(pk=child.pk).exists():
        raise PermissionDenied(_("Представить можно только своего обучающегося."))
    grounds = (grounds or "").strip()
    if not grounds:
        raise ValidationFailed({"grounds": [_("Напишите, почему ребёнка стоит включить в реестр.")]})
    if mentor is not None and mentor.organization_id != organization.pk:
        raise ValidationFailed({"mentor": [_("Наставник — педагог вашей организации.")]})
    with locking.atomic():
        record, created = _record_for(child, source=GiftedSource.PROVIDER, direction=direction,
                                      organization=organization, grounds=grounds)
        if not created:
            if record.status == G.CONFIRMED:
                raise InvalidTransition(_("Ребёнок уже в реестре."))
            record.status, record.grounds = G.PROPOSED, grounds
            record.proposed_by_organization = organization
            record.save(update_fields=["status", "grounds", "proposed_by_organization"])
        if mentor is not None:
            record.mentor = mentor
            record.save(update_fields=["mentor"])
        for data in achievements:
            Achievement.objects.create(record=record, **data)
        audit.record(actor, "events.gifted.nominated", record, to_state=record.status)
    return record


def _decide(actor, record, to_state, comment, action):
    with locking.atomic():
        record = locking.row(GiftedRecord, record.pk)
        scope.require(actor, "gifted.manage", record)
        if record.status != G.PROPOSED:
            raise InvalidTransition(_("Решение по этому ребёнку уже принято."))
        before = record.status
        record.status, record.decided_by, record.decided_at = to_state, actor, timezone.now()
        record.decision_comment = (comment or "").strip()
        record.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
        audit.record(actor, action, record, from_state=before, to_state=to_state,
                     reason=record.decision_comment)
        logs.state_change(log, action, record_id=record.pk, status=to_state)
    return record


def confirm(actor, record: GiftedRecord, comment: str = "") -> GiftedRecord:
    """The МОЦ of the child's municipality includes the proposed child in the register."""
    return _decide(actor, record, G.CONFIRMED, comment, "events.gifted.confirmed")


def decline(actor, record: GiftedRecord, comment: str) -> GiftedRecord:
    if not (comment or "").strip():
        raise ValidationFailed({"comment": [_("Укажите причину.")]})
    return _decide(actor, record, G.DECLINED, comment, "events.gifted.declined")


def set_mentor(actor, record: GiftedRecord, mentor: Teacher | None, direction: str | None = None):
    with locking.atomic():
        record = locking.row(GiftedRecord, record.pk)
        scope.require(actor, "gifted.manage", record)
        record.mentor = mentor
        if direction:
            record.direction = direction
        record.save(update_fields=["mentor", "direction"])
        audit.record(actor, "events.gifted.mentor", record, mentor_id=mentor.pk if mentor else None)
    return record


def add_measure(actor, record: GiftedRecord, *, kind: str, title: str, starts_on, ends_on=None):
    """A support measure (individual route, grant, camp, scholarship) with its dates."""
    if kind not in MeasureKind.values:
        raise ValidationFailed({"kind": [_("Выберите меру поддержки.")]})
    with locking.atomic():
        record = locking.row(GiftedRecord, record.pk)
        scope.require(actor, "gifted.manage", record)
        if record.status != G.CONFIRMED:
            raise InvalidTransition(_("Меры поддержки назначают детям, включённым в реестр."))
        measure = SupportMeasure(record=record, kind=kind, title=(title or "").strip(),
                                 starts_on=starts_on, ends_on=ends_on, created_by=actor)
        try:
            measure.full_clean(exclude=["record", "created_by"])
        except ValidationError as error:
            raise ValidationFailed({k: [str(m) for m in v] for k, v in error.message_dict.items()}) from None
        measure.save()
        audit.record(actor, "events.gifted.measure_added", record, kind=kind)
    return measure

