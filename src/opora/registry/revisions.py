"""The edit of a published program waiting for the МОЦ (``ProgramRevision``): what it
changes, computed against the published row, and how the changes read, field by field.

The published program's row is never touched by an edit; the services keep here only
the public fields whose proposed value differs from the published one, so an edit that
is undone leaves nothing to moderate."""

from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from opora.registry.choices import Level, OvzKind
from opora.registry.models import Organization, Program, ProgramRevision, Specialisation

FLAGS = {"levels": Level, "ovz_kinds": OvzKind}


def public_values(program: Program) -> dict:
    """{attname: value} of the program's public fields but the photo, as JSON keeps them."""
    values = {}
    for name in Program.PUBLIC_FIELDS:
        if name == "photo":
            continue
        field = Program._meta.get_field(name)
        value = field.value_from_object(program)
        if isinstance(value, int) and not isinstance(value, bool):
            value = int(value)
        values[field.attname] = value
    return values


def proposed(program: Program, revision: ProgramRevision | None) -> Program:
    """A copy of the program showing its edit: what the provider's form starts from."""
    copy = Program.objects.get(pk=program.pk) if program.pk else program
    if revision is not None:
        revision.apply_to(copy)
    return copy


def partner_ids(program: Program, revision: ProgramRevision | None) -> list[int]:
    if revision is not None and revision.partners is not None:
        return list(revision.partners)
    return sorted(program.partners.values_list("pk", flat=True))


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    published: str
    proposed: str


def _shown(name, value) -> str:
    field = Program._meta.get_field(name)
    if value in (None, ""):
        return "—"
    if name in FLAGS:
        return ", ".join(str(label) for label in FLAGS[name].labels_of(value)) or "—"
    if name == "specialisation":
        return str(Specialisation.objects.filter(pk=value).first() or "—")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("да") if value else _("нет")
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    return str(value)


def changes(program: Program, revision: ProgramRevision) -> list[Change]:
    """The edit, field by field in the order of the card: label, published, proposed."""
    published = public_values(program)
    rows = []
    for name in Program.PUBLIC_FIELDS:
        field = Program._meta.get_field(name)
        label = str(field.verbose_name)
        label = label[:1].upper() + label[1:]
        if name == "photo":
            if revision.photo:
                rows.append(Change(name, label, _("есть") if program.photo else "—",
                                   _("новая фотография")))
            elif "photo" in revision.values:
                rows.append(Change(name, label, _("есть"), _("удалена")))
            continue
        if field.attname in revision.values:
            rows.append(Change(name, label, _shown(name, published[field.attname]),
                               _shown(name, revision.values[field.attname])))
    if revision.partners is not None:
        def names(ids):
            return ", ".join(Organization.objects.filter(pk__in=ids).order_by("short_name")
                             .values_list("short_name", flat=True)) or "—"
        rows.append(Change("partners", _("Организации-партнёры"),
                           names(program.partners.values("pk")), names(revision.partners)))
    return rows


def field_label(name: str) -> str:
    if name == "partners":
        return _("организации-партнёры")
    try:
        return str(Program._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a field of an older version of the card
        return name


def revision_event_details(data: dict) -> str:
    """The fields an edit of a published program changed, for the card's history."""
    fields = data.get("fields") or []
    if not fields:
        return ""
    return _("Поля: %(fields)s") % {"fields": ", ".join(field_label(f) for f in fields)}
