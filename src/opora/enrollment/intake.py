"""The opening-day intake: an application accepted into an outbox and settled in
batches (docs/decisions.md, «An outbox for the opening day»).

- ``accept(actor, child, group, channel)`` — a guardian's application, written as one
  ``Submission`` row and nothing else: the request is answered «принята» (the API's
  202) while the seats are settled by
- ``settle(limit=BATCH)`` — one batch of the outbox in order of arrival, in one
  transaction of a fixed number of statements whatever the batch's size: the facts of
  every submission (child, guardianship, group, the child's live applications) in one,
  the gates in Python (``rules``, as the synchronous path checks them), the seats of
  every group touched in one UPDATE (``seats.hold_seats``), then one INSERT each of the
  applications, their audit events and their mail tasks, and one UPDATE of the
  submissions. Returns how many were settled; 0 when nothing waits or another
  process is settling (one settler at a time keeps the order of arrival);
- ``run(...)`` — the settler's loop (``opora settle``);
- ``help_if_behind(submission)`` — the accepting request settles a batch itself when the
  settler has fallen behind (``HELP_BACKLOG``);
- ``forget(days)`` — delete what was settled long ago (``opora settle --forget``);
- ``submission_for(actor, key)`` — the submission as its sender sees it; one still
  waiting is settled by this call if no settler is at work, so a submission is never
  left waiting for want of the settler process.

The outcome of a submission is the outcome ``services.submit_application`` would have
given at the moment it is settled: the application holding a seat or waitlisted, the
live application already there (a repeat), or the refusal of the first gate it fails
(``refusal_code``: a gate of ``rules.refusals``, ``child_not_found`` /
``group_not_found``, or ``not_settled`` for one that could not be settled at all).
"""

import contextlib
import datetime as dt
import logging
import time
from uuid import UUID

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, IntegrityError, close_old_connections, connection
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opora import audit, locking, logs, rows
from opora.accounts import scope
from opora.enrollment import notifications, seats, selectors
from opora.enrollment.models import LIVE, Application, Channel, Child, Guardianship, Submission
from opora.enrollment.models import ApplicationStatus as S
from opora.errors import NotFound, Throttled
from opora.registry.models import Group

log = logging.getLogger(__name__)

BATCH = 500  # submissions per settling transaction
IDLE_WAIT = 0.02  # seconds the settler waits when the outbox is empty
GATHER, GATHER_WAIT = 50, 0.05  # a batch smaller than this: wait so long before the next
KEEP_DAYS = 30  # days a settled submission is kept for its sender to look at
WAITING_PER_PARENT = 20  # a sender's submissions that may wait at once
HELP_BACKLOG = 100  # submissions waiting before a new one for its request to settle a batch
FAILED_WAIT = 1.0  # seconds it waits after a batch failed (the database away, say)
_BIGINT = 2**63 - 1


def _submissions() -> str:
    """The outbox's table, quoted."""
    return connection.ops.quote_name(Submission._meta.db_table)


_ACCEPT_SQL = {}


def _accept_sql(by_uuid: bool) -> str:
    """The submission's INSERT, made only for a child the sender is a confirmed guardian
    of and while fewer than ``WAITING_PER_PARENT`` of the sender's wait, returning its
    key and the oldest waiting submission's: one statement."""
    key = (connection.vendor, by_uuid)
    if key not in _ACCEPT_SQL:
        q = connection.ops.quote_name
        meta = Submission._meta
        columns = ["key", "parent_id", "child_id_sent", "child_uuid_sent", "group_id_sent",
                   "channel", "accepted_at", "refusal_code", "refusal"]
        _ACCEPT_SQL[key] = (
            f"INSERT INTO {q(meta.db_table)} ({', '.join(q(c) for c in columns)}) "
            f"SELECT {', '.join(['%s'] * len(columns))} WHERE EXISTS (SELECT 1 FROM "
            f"{q(Guardianship._meta.db_table)} gu JOIN {q(Child._meta.db_table)} c "
            f"ON c.id = gu.child_id WHERE gu.parent_id = %s AND gu.confirmed_at IS NOT NULL "
            f"AND c.{'uuid' if by_uuid else 'id'} = %s) "
            f"AND (SELECT count(*) FROM {q(meta.db_table)} WHERE parent_id = %s "
            f"AND settled_at IS NULL) < %s "
            f"RETURNING id, (SELECT min(id) FROM {q(meta.db_table)} WHERE settled_at IS NULL)")
    return _ACCEPT_SQL[key]


def accept(actor, child: int | UUID, group: int, channel: str = Channel.API) -> Submission:
    """A guardian's application to ``group`` for ``child`` (its key or uuid), accepted
    into the outbox in one INSERT: the group and the gates are the settler's, but a
    child the sender is not a confirmed guardian of is not found here already, as on
    the synchronous path (nobody queues rows for other families' children), and a sender
    with ``WAITING_PER_PARENT`` submissions waiting is asked to wait (``Throttled``).
    ``backlog`` on the returned submission is how many (by number) wait before it."""
    if channel not in (Channel.CABINET, Channel.API):
        raise ValueError("the intake takes guardians' applications only")
    by_uuid = isinstance(child, UUID)
    if not scope.is_parent(actor) or (not by_uuid and not 1 <= child <= _BIGINT):
        raise NotFound(_("Ребёнок не найден."), field="child")
    if not 1 <= group <= _BIGINT:
        raise NotFound(_("Группа не найдена."), field="group")
    submission = Submission(parent=actor, channel=channel, group_id_sent=group,
                            accepted_at=timezone.now(), child_uuid_sent=child if by_uuid else None,
                            child_id_sent=None if by_uuid else child)
    conn = rows.db()
    prepared = [Submission._meta.get_field(name).get_db_prep_save(getattr(submission, name),
                                                                  connection=conn)
                for name in ("key", "parent_id", "child_id_sent", "child_uuid_sent",
                             "group_id_sent", "channel", "accepted_at", "refusal_code", "refusal")]
    child_key = Child._meta.get_field("uuid").get_db_prep_value(child, conn) if by_uuid else child
    with rows.prepared_cursor() as cursor:
        cursor.execute(_accept_sql(by_uuid),
                       [*prepared, actor.pk, child_key, actor.pk, WAITING_PER_PARENT])
        made = cursor.fetchone()
        if made is None:
            cursor.execute(f"SELECT count(*) FROM {_submissions()} "
                           f"WHERE parent_id = %s AND settled_at IS NULL", [actor.pk])
            if cursor.fetchone()[0] >= WAITING_PER_PARENT:
                raise Throttled(_("Ваши заявки ещё рассматриваются: дождитесь ответа по ним и "
                                  "подайте следующую."))
            raise NotFound(_("Ребёнок не найден."), field="child")
    submission.pk, oldest = made
    submission._state.adding = False
    submission.backlog = 0 if oldest is None else submission.pk - oldest
    return submission


def help_if_behind(submission: Submission) -> bool:
    """Settle a batch in the request that has just accepted ``submission`` when at least
    ``HELP_BACKLOG`` submissions wait before it and nobody is settling: on a machine
    whose cores the web workers keep busy, the settler process gets too little of them
    to keep up, and the workers lend it their time. Whether this request settled one."""
    if submission.backlog < HELP_BACKLOG:
        return False
    with contextlib.suppress(locking.Busy, DatabaseError):  # it is accepted all the same
        return settle() > 0
    return False


def forget(days: int = KEEP_DAYS) -> int:
    """Delete the submissions settled more than ``days`` ago: their outcome is in the
    applications and the audit trail, and a child's key should not lie about for longer
    than its sender may want to look. Returns how many were deleted."""
    before = timezone.now() - dt.timedelta(days=days)
    return Submission.objects.filter(settled_at__lt=before).delete()[0]


# --- settling ------------------------------------------------------------------------

_BATCH_SQL = {}


def _batch_sql() -> str:
    """The batch and every fact its submissions need, in arrival order, one statement."""
    from opora.accounts.models import Role, User

    if connection.vendor not in _BATCH_SQL:
        q = connection.ops.quote_name
        columns, joins, _parts = selectors._facts_parts()
        child, submission = q(Child._meta.db_table), q(Submission._meta.db_table)
        _BATCH_SQL[connection.vendor] = (
            f"SELECT sub.id, sub.parent_id, sub.channel, sub.accepted_at, gu.id, "
            f"u.is_active AND u.role = '{Role.PARENT}' AND NOT u.is_superuser, {columns} "
            f"FROM (SELECT s.*, COALESCE(s.child_id_sent, (SELECT c2.id FROM {child} c2 "
            f"WHERE c2.uuid = s.child_uuid_sent)) AS child_key FROM {submission} s "
            f"WHERE s.settled_at IS NULL ORDER BY s.id LIMIT %s) sub "
            f"JOIN {q(User._meta.db_table)} u ON u.id = sub.parent_id "
            f"LEFT JOIN {child} c ON c.id = sub.child_key "
            f"LEFT JOIN {q(Guardianship._meta.db_table)} gu ON gu.child_id = c.id "
            f"AND gu.parent_id = sub.parent_id AND gu.confirmed_at IS NOT NULL "
            f"LEFT JOIN {q(Group._meta.db_table)} g ON g.id = sub.group_id_sent {joins}"
            f"ORDER BY sub.id")
    return _BATCH_SQL[connection.vendor]


class _Outcome:
    __slots__ = ("submission", "parent", "channel", "accepted_at", "child", "group",
                 "application", "filed", "code", "message")

    def __init__(self, submitted: Submission, child, group):
        self.submission, self.parent = submitted.pk, submitted.parent_id
        self.channel, self.accepted_at = submitted.channel, submitted.accepted_at
        self.child, self.group = child, group
        self.application = self.filed = None
        self.code = self.message = ""

    def refuse(self, code, message):
        self.code, self.message = code, message


def _read_batch(limit: int) -> list[_Outcome]:
    # Planned anew for each batch (about a millisecond): every join is driven by the
    # batch's rows through a key, the child's too, so a prepared plan would be the same
    # plan, and preparing it measured no faster for the settler.
    with connection.cursor() as cursor:
        cursor.execute(_batch_sql(), [limit])
        found = cursor.fetchall()
    outcomes = []
    head = rows.columns(Submission, ["id", "parent", "channel", "accepted_at"])
    for row in found:
        submitted = rows.instance(Submission, head, row[:4])
        child, group = selectors.facts_from_row(row[6:])
        outcome = _Outcome(submitted, child, group)
        guardianship, may_apply = row[4], row[5]  # the sender as it is now
        if child is None or guardianship is None or not may_apply:
            outcome.refuse("child_not_found", _("Ребёнок не найден."))
        elif group is None:
            outcome.refuse("group_not_found", _("Группа не найдена."))
        outcomes.append(outcome)
    return outcomes


def _live_now(outcomes) -> tuple[dict, dict]:
    """The live applications of the batch's children read under the locks: their count
    per child and the application per (child, group). The batch's facts were read
    before the locks; a submission of the synchronous path may have filed since."""
    children = sorted({o.child.pk for o in outcomes if not o.code})
    count, pairs = {}, {}
    if not children:
        return count, pairs
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT child_id, group_id, id FROM {connection.ops.quote_name(Application._meta.db_table)} "
            f"WHERE child_id IN ({', '.join(['%s'] * len(children))}) "
            f"AND status IN ({', '.join(['%s'] * len(LIVE))})", [*children, *LIVE])
        found = cursor.fetchall()
    for child, group, pk in found:
        count[child] = count.get(child, 0) + 1
        pairs[child, group] = pk
    return count, pairs


def _decide(outcomes) -> dict[int, list[_Outcome]]:
    """Run the gates of every submission in order of arrival, counting what the earlier
    ones of the batch file; returns the submissions to file per group. The moment the
    gates are checked at is the submission's arrival: what was sent before the
    enrolment opened is refused however soon it is settled."""
    count, pairs = _live_now(outcomes)
    filing: dict[int, list[_Outcome]] = {}
    for outcome in outcomes:
        if outcome.code:
            continue
        child, group = outcome.child, outcome.group
        there = pairs.get((child.pk, group.pk))
        if there is not None:  # a repeat: the application already there is the answer
            outcome.application, outcome.filed = there, False
            continue
        group.live_application, group.child_live = None, count.get(child.pk, 0)
        refused = selectors.refusals_for(child, group, now=outcome.accepted_at)
        if refused:
            outcome.refuse(refused[0].code, refused[0].message)
            continue
        filing.setdefault(group.pk, []).append(outcome)
        pairs[child.pk, group.pk] = outcome  # a later repeat in this batch gets this one
        count[child.pk] = count.get(child.pk, 0) + 1
    return filing


def _file(filing: dict[int, list[_Outcome]], now) -> list[Application]:
    """Seats for the decided submissions, then their applications, audit events and
    mail tasks, one statement each."""
    given = seats.hold_seats({group: len(queue) for group, queue in filing.items()})
    applications = []
    User = get_user_model()
    for group_id, queue in filing.items():
        if group_id not in given:  # deleted since the batch was read
            for outcome in queue:
                outcome.refuse("group_not_found", _("Группа не найдена."))
            continue
        seats_given, first_number = given[group_id]
        for at, outcome in enumerate(queue):
            number = None if at < seats_given else first_number + at - seats_given
            outcome.application = Application(
                child=outcome.child, group=outcome.group, channel=outcome.channel,
                queue_number=number, status=S.NEW if number is None else S.WAITLISTED,
                created_by_id=outcome.parent, status_changed_at=now)
            outcome.filed = True
            applications.append(outcome.application)
    if not applications:
        return []
    rows.insert_many(applications)
    events = []
    for application in applications:
        actor = User(pk=application.created_by_id)
        action = "submitted" if application.queue_number is None else "waitlisted"
        events.append(audit.event(actor, f"enrollment.application.{action}", application,
                                  to_state=application.status, channel=application.channel,
                                  queue_number=application.queue_number, outbox=True))
    audit.record_many(events)
    notifications.statuses_changed(applications)
    for application in applications:
        logs.state_change(log, "application.filed", application=application.pk,
                          group=application.group_id, child=application.child_id,
                          to_status=application.status, queue_number=application.queue_number)
        if application.holds_seat:
            logs.state_change(log, "seat.taken", group=application.group_id,
                              application=application.pk)
    return applications


def _record(outcomes, now) -> None:
    """The outcome of every submission of the batch, one UPDATE."""
    for outcome in outcomes:
        first = outcome.application
        if isinstance(first, _Outcome):  # a repeat of one filed in this batch
            outcome.application = first.application
            if first.code:
                outcome.filed = None
                outcome.refuse(first.code, first.message)
    settled_at = Submission._meta.get_field("settled_at").get_db_prep_value(now, connection)
    values = [[outcome.submission for outcome in outcomes],
              [getattr(outcome.application, "pk", outcome.application) for outcome in outcomes],
              [outcome.filed for outcome in outcomes],
              [outcome.code for outcome in outcomes],
              [outcome.message for outcome in outcomes]]
    if connection.vendor == "postgresql":
        # one array per column: the same text for any batch, prepared once per connection
        with rows.prepared_cursor() as cursor:
            cursor.execute(
                f"UPDATE {_submissions()} s SET settled_at = %s, application_id = v.application, "
                f"filed = v.filed, refusal_code = v.code, refusal = v.message "
                f"FROM UNNEST((%b)::bigint[], (%b)::bigint[], (%b)::boolean[], (%b)::varchar[], "
                f"(%b)::text[]) AS v (id, application, filed, code, message) WHERE s.id = v.id",
                [settled_at, *values])
        return
    # elsewhere, a CASE per column, whose text grows with the batch
    ids, *columns = values
    cases = " ".join(["WHEN %s THEN %s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_submissions()} SET settled_at = %s, "
            f"application_id = CAST(CASE id {cases} END AS bigint), "
            f"filed = CAST(CASE id {cases} END AS boolean), "
            f"refusal_code = CASE id {cases} END, refusal = CASE id {cases} END "
            f"WHERE id IN ({', '.join(['%s'] * len(ids))})",
            [settled_at, *(value for column in columns for pair in zip(ids, column, strict=True)
                           for value in pair), *ids])


def _settle_batch(limit: int) -> int:
    """One batch in one transaction (``settle``); a synchronous submission of the same
    child and group that commits between the batch's reading and its INSERT rolls it
    back, and it is read again."""
    for attempt in range(3):
        try:
            with locking.atomic():
                if not locking.try_advisory("intake"):
                    return 0
                outcomes = _read_batch(limit)
                if not outcomes:
                    return 0
                now = timezone.now()
                limited = sorted({o.child.pk for o in outcomes
                                  if not o.code and o.group.live_limit is not None})
                if limited:  # the count of a child's live applications made exact (seats)
                    locking.rows(Child.objects.filter(pk__in=limited).only("pk"), guard="seats")
                filing = _decide(outcomes)
                _file(filing, now)
                _record(outcomes, now)
            return len(outcomes)
        except IntegrityError:
            if attempt == 2:
                raise
    return 0


def _set_aside_oldest(error: Exception) -> int:
    """The oldest waiting submission cannot be settled (``error``, not a lock held too
    long): it is answered «не удалось рассмотреть» so that it stops the others no longer.
    Returns 1, or 0 when another settler is at work."""
    with locking.atomic():
        if not locking.try_advisory("intake"):
            return 0
        oldest = (Submission.objects.filter(settled_at__isnull=True).order_by("pk")
                  .values_list("pk", flat=True).first())
        if oldest is None:
            return 0
        log.error("intake.submission_set_aside", exc_info=error,
                  extra={"state": {"submission": oldest}})
        Submission.objects.filter(pk=oldest).update(
            settled_at=timezone.now(), refusal_code="not_settled",
            refusal=_("Заявку не удалось рассмотреть. Подайте её ещё раз; если ответ "
                      "повторится, обратитесь в опорный центр."))
    return 1


def settle(limit: int = BATCH) -> int:
    """Settle up to ``limit`` submissions waiting in the outbox, in order of arrival, in
    one transaction; the number settled (0: none waits, or another process is settling
    now). Refusal messages are written in the site's language, whoever's request
    settles. A batch that fails (not for a lock held too long: ``Busy`` is raised, the
    batch waits) is settled again one submission at a time, and the one that fails
    alone is set aside with a refusal, so that one bad row never stops the queue."""
    with translation.override(settings.LANGUAGE_CODE):
        try:
            return _settle_batch(limit)
        except locking.Busy:
            raise
        except Exception as error:  # noqa: BLE001 — narrowed to one submission below
            if limit > 1:
                log.warning("intake.batch_failed", exc_info=error)
                return settle(1)
            return _set_aside_oldest(error)


def waiting() -> bool:
    """Whether a submission waits: the settler's cheap look before the batch's statement,
    whose planning alone costs more than this whole query."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {_submissions()} "
                       f"WHERE settled_at IS NULL LIMIT 1")
        return cursor.fetchone() is not None


def run(*, stop=lambda: False, batch: int = BATCH, idle_wait: float = IDLE_WAIT,
        gather_wait: float = GATHER_WAIT) -> int:
    """The settler: settle batches until ``stop()`` says so, waiting ``idle_wait``
    seconds whenever the outbox is empty, and ``gather_wait`` after a batch of fewer
    than ``GATHER`` (a batch's statements cost about as much for five submissions as for
    fifty: under a steady stream, waiting a moment makes the batches larger and the
    settler's share of the processor smaller). Returns the number settled."""
    settled = 0
    while not stop():
        if not connection.in_atomic_block:  # (a test's transaction is left alone)
            close_old_connections()  # a connection lost or past its age is opened anew
        try:
            done = settle(batch) if waiting() else 0
        except locking.Busy:
            done = 0
        except Exception:  # noqa: BLE001 — logged; the batch is tried again, the loop goes on
            log.exception("the settler's batch failed")
            time.sleep(FAILED_WAIT)
            continue
        settled += done
        if not done:
            time.sleep(idle_wait)
        elif done < GATHER:
            time.sleep(gather_wait)
    return settled


# --- reading -------------------------------------------------------------------------


def submission_for(actor, key: UUID) -> Submission:
    """The sender's own submission by its key, with its application; NotFound for
    anybody else's. One still waiting is settled now unless a settler is at work."""
    submissions = Submission.objects.filter(key=key, parent_id=getattr(actor, "pk", None))
    submission = submissions.only("settled_at").first()
    if submission is None:
        raise NotFound(_("Заявка не найдена."), field="key")
    if submission.settled_at is None:
        with contextlib.suppress(locking.Busy, DatabaseError):  # it stays «принята» now
            settle()
    submission = submissions.select_related(*(f"application__{path}" for path in
                                              selectors.APPLICATION_RELATED)).get()
    # An outcome speaks of the child (its application, or a gate such as its age): it
    # is shown while the sender is the child's confirmed guardian today — after the
    # guardianship ended, went back to awaiting confirmation or the child was merged
    # away, the submission is not found, like any row outside the sender's view.
    if submission.settled_at is not None and submission.refusal_code != "child_not_found":
        sent = (Q(pk=submission.child_id_sent) if submission.child_id_sent is not None
                else Q(uuid=submission.child_uuid_sent))
        if not selectors.children_of(actor).filter(sent).exists():
            raise NotFound(_("Заявка не найдена."), field="key")
    return submission
