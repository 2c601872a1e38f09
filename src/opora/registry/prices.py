"""The prices of groups: their published financing lines and the changes proposed to the МОЦ.

A group's ``GroupFunding`` lines are its published prices: the catalog, the program page,
the open API and the parents' cabinet read them. They are changed in place — a line is
updated, added or removed by its source, never deleted and recreated — so the lines'
history keeps every price, and each added, removed or repriced source writes one
``registry.group.price_changed`` event on the program with its old and new values.

While the МОЦ has a program in hand (published, or under moderation) a change of an
existing group's financing is only proposed: the complete proposed list is kept as the
group's ``ProposedFunding`` rows, one ``registry.group.price_proposed`` event per source
it changes, and the published lines stay in force — in the catalog and in anything made
meanwhile — until the МОЦ approves (the lines take the proposed values) or returns the
proposal (its rows are deleted). A draft's prices, and those of a group just created,
change at once: the whole draft goes through moderation anyway.

The use cases that call these (permission, locks, the terms rule) are in ``services``.
"""

from decimal import Decimal

from django.utils.translation import gettext

from opora import audit
from opora.money import rubles
from opora.registry.choices import FundingSource, ProgramStatus
from opora.registry.models import Group, GroupFunding, ProposedFunding

# Program statuses in which a changed price waits for the МОЦ.
MODERATED = (ProgramStatus.PUBLISHED, ProgramStatus.MODERATING)
KOPECK = Decimal("0.01")
PRICE_FIELDS = ("monthly_price", "total_price")


def _amount(value) -> str:
    return str(Decimal(str(value or 0)).quantize(KOPECK))


def terms(lines) -> dict[str, tuple[str, str]]:
    """Source → (monthly price, total price) as strings with kopecks."""
    return {str(line.source): (_amount(line.monthly_price), _amount(line.total_price))
            for line in lines}


def changes(before: dict, after: dict) -> list[dict]:
    """One entry per source added, removed or repriced between two ``terms``."""
    found = []
    for source in FundingSource.values:
        old, new = before.get(source), after.get(source)
        if old != new:
            found.append({"source": source,
                          "old": old[0] if old else None, "new": new[0] if new else None,
                          "old_total": old[1] if old else None,
                          "new_total": new[1] if new else None})
    return found


def _data(group, found, **extra) -> list[dict]:
    return [{"group": group.pk, "group_name": group.name, **change, **extra} for change in found]


def _record(actor, action, program, group, found, **extra):
    for data in _data(group, found, **extra):
        audit.record(actor, action, program, **data)


def _sync(group, lines) -> None:
    """Make the group's published lines those of ``lines`` (validated, unsaved), in place."""
    wanted = {str(line.source): line for line in lines}
    for current in GroupFunding.objects.filter(group=group):
        line = wanted.pop(current.source, None)
        if line is None:
            current.delete()
        elif terms([current]) != terms([line]):
            for name in PRICE_FIELDS:
                setattr(current, name, getattr(line, name))
            current.save(update_fields=list(PRICE_FIELDS))
    for line in wanted.values():
        GroupFunding.objects.create(group=group, source=line.source,
                                    monthly_price=line.monthly_price,
                                    total_price=line.total_price)


def record_new(actor, groups) -> None:
    """Record, in one INSERT, the prices of new groups written in bulk (the Excel
    import): ``groups`` are (program, group, lines) triples."""
    audit.record_many(
        audit.event(actor, "registry.group.price_changed", program, **data)
        for program, group, lines in groups for data in _data(group, changes({}, terms(lines))))


def save(actor, program, group, lines, *, created: bool) -> bool:
    """Set a group's financing to ``lines`` (validated, unsaved): at once for a draft or a
    new group, as a proposal to the МОЦ otherwise. Returns whether a proposal waits."""
    published = terms(GroupFunding.objects.filter(group=group))
    wanted = terms(lines)
    if created or program.status not in MODERATED:
        ProposedFunding.objects.filter(group=group).delete()
        _sync(group, lines)
        _record(actor, "registry.group.price_changed", program, group,
                changes(published, wanted))
        return False
    proposed = terms(ProposedFunding.objects.filter(group=group))
    if wanted == (proposed or published):
        return bool(proposed)
    ProposedFunding.objects.filter(group=group).delete()
    if wanted == published:  # the provider went back to the published prices
        audit.record(actor, "registry.group.price_withdrawn", program, group=group.pk,
                     group_name=group.name)
        return False
    ProposedFunding.objects.bulk_create([
        ProposedFunding(group=group, source=line.source, monthly_price=line.monthly_price,
                        total_price=line.total_price, proposed_by=actor)
        for line in lines])
    _record(actor, "registry.group.price_proposed", program, group, changes(published, wanted))
    return True


def apply(actor, program, group) -> None:
    """The МОЦ approved: the group's proposed lines become its published ones."""
    proposal = list(ProposedFunding.objects.filter(group=group))
    found = changes(terms(GroupFunding.objects.filter(group=group)), terms(proposal))
    proposed_by = next((line.proposed_by_id for line in proposal), None)
    _sync(group, proposal)
    ProposedFunding.objects.filter(group=group).delete()
    _record(actor, "registry.group.price_changed", program, group, found,
            proposed_by=proposed_by)


def drop(actor, program, group, action: str, reason: str = "") -> None:
    """The proposal is returned (or the program left the catalog): the published
    lines stay as they are."""
    ProposedFunding.objects.filter(group=group).delete()
    audit.record(actor, action, program, reason=reason, group=group.pk, group_name=group.name)


def _rub(value) -> str:
    return rubles(value, kopecks=False)


def price_change(change: dict) -> str:
    """One source's change of price, as the card and its history show it: «Сертификат:
    1 600 ₽ → 9 999 ₽ в месяц», a source added or removed, and the price for the
    whole course when it changed too."""
    source = dict(FundingSource.choices).get(change["source"], change["source"])
    old, new = change.get("old"), change.get("new")
    if old is None:
        return gettext("%(source)s: добавлен, %(new)s в месяц, %(total)s за обучение") % {
            "source": source, "new": _rub(new), "total": _rub(change["new_total"])}
    if new is None:
        return gettext("%(source)s: убран (было %(old)s в месяц)") % {"source": source, "old": _rub(old)}
    text = gettext("%(source)s: %(old)s → %(new)s в месяц") % {
        "source": source, "old": _rub(old), "new": _rub(new)}
    if change.get("old_total") != change.get("new_total"):
        text += gettext("; за обучение %(old)s → %(new)s") % {
            "old": _rub(change["old_total"]), "new": _rub(change["new_total"])}
    return text


def price_event_details(data: dict) -> str:
    """The readable details of a ``registry.group.price_*`` event in the timeline (see
    ``audit.labels.DETAIL_WRITERS``)."""
    group = gettext("группа «%(name)s»") % {"name": data.get("group_name", "")}
    if "source" not in data:
        return str(group)
    return f"{group}, {price_change(data)}"


def pending(program) -> list[tuple]:
    """(group, readable changes) for each of the program's groups with a proposal: what
    the МОЦ and the provider read on the card. Three queries, or one without proposals."""
    groups = (Group.objects.filter(module__program=program,
                                   pk__in=ProposedFunding.objects.values("group_id"))
              .select_related("module").prefetch_related("funding", "proposed_funding")
              .order_by("module__year_of_study", "start_date", "pk"))
    return [(group, [price_change(change) for change in
                     changes(terms(group.funding.all()), terms(group.proposed_funding.all()))])
            for group in groups]
