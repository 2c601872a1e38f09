"""Read-side queries of the registry shared by the back-office pages and the exports:
filters of the program and organization registers, the moderation queue and the
inventory (counts of programs by direction, level, form, funding and ОВЗ).

Permission comes from ``scope.visible``; the functions here only narrow what it
returns. Filter parameters arrive from a URL: each is parsed by a small form, and a
bad value is left out of the filter (the form keeps its Russian error for the page)
instead of failing the request.
"""

from django import forms
from django.db import connection
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from opora import audit
from opora.accounts import scope
from opora.accounts.models import Role
from opora.registry.choices import (
    Direction,
    FounderSector,
    FundingSource,
    Level,
    OrganizationKind,
    OvzKind,
    Ownership,
    ProgramStatus,
    StudyForm,
)
from opora.registry.models import (
    GroupFunding,
    Municipality,
    Organization,
    Program,
    ProgramRevision,
    ProposedFunding,
)


def free_seats_expression():
    """Seats a group still offers: its capacity less the seats applications hold
    (``Group.seats_taken``, kept in the seat transaction), never below zero."""
    return Greatest(F("capacity_max") - F("seats_taken"), 0)


ANY = [("", _("Все"))]
YES_NO = [("", _("Все")), ("yes", _("Да")), ("no", _("Нет"))]

# Extra forms of study next to the three of StudyForm: flags of a program.
DISTANCE = "distance"
NETWORK = "network"
FORM_CHOICES = [
    *StudyForm.choices,
    (DISTANCE, _("С применением дистанционных технологий")),
    (NETWORK, _("Сетевая форма")),
]

OVZ_ANY = "any"
OVZ_DISABLED = "disabled"
OVZ_CHOICES = [
    (OVZ_ANY, _("Любые нарушения")),
    *[(str(kind.value), kind.label) for kind in OvzKind],
    (OVZ_DISABLED, _("Дети-инвалиды")),
]


def chooses_municipality(user) -> bool:
    """Only the region-wide roles pick a municipality; everyone else has one."""
    return bool(user is not None and (user.is_superuser or user.role == Role.REGIONAL_CENTRE))


class _TerritoryForm(forms.Form):
    """A filter form whose municipality field exists only for region-wide users."""

    municipality = forms.ModelChoiceField(
        label=_("Муниципалитет"), queryset=Municipality.objects.all(), required=False,
        empty_label=_("Все"))

    def __init__(self, data=None, *, user=None, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        if user is not None and not chooses_municipality(user):
            del self.fields["municipality"]

    def values(self) -> dict:
        """The parameters that passed validation; the others are ignored."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items()
                if value not in (None, "", [])}

    def ignored(self) -> list[str]:
        """Russian notes on the parameters that were left out of the filter."""
        self.is_valid()
        notes = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else name
            notes.append(_("Фильтр «%(label)s» не применён: %(error)s")
                         % {"label": label, "error": " ".join(errors)})
        return notes


# --- programs ---------------------------------------------------------------------


class ProgramFilterForm(_TerritoryForm):
    q = forms.CharField(label=_("Название"), required=False, max_length=200)
    organization = forms.ModelChoiceField(
        label=_("Организация"), queryset=Organization.objects.all(), required=False,
        empty_label=_("Все"))
    direction = forms.ChoiceField(label=_("Направленность"), required=False,
                                  choices=ANY + Direction.choices)
    level = forms.TypedChoiceField(label=_("Уровень"), required=False, coerce=int,
                                   empty_value=None, choices=ANY + Level.choices())
    form = forms.ChoiceField(label=_("Форма обучения"), required=False,
                             choices=ANY + FORM_CHOICES)
    funding = forms.ChoiceField(label=_("Источник финансирования"), required=False,
                                choices=ANY + FundingSource.choices)
    status = forms.ChoiceField(label=_("Статус"), required=False,
                               choices=ANY + ProgramStatus.choices)
    rural = forms.ChoiceField(label=_("Сельская местность"), required=False, choices=YES_NO)
    ovz = forms.ChoiceField(label=_("Для детей с ОВЗ"), required=False,
                            choices=ANY + OVZ_CHOICES)

    def __init__(self, data=None, *, user=None, **kwargs):
        super().__init__(data, user=user, **kwargs)
        if user is not None:
            organizations = scope.territory(user, Organization.objects.all())
            chosen = (data or {}).get("municipality")
            if "municipality" in self.fields and chosen and str(chosen).isdigit():
                # The list of a region's providers is long: narrow it to the chosen area.
                organizations = organizations.filter(municipality_id=int(chosen))
            self.fields["organization"].queryset = organizations.only("pk", "short_name")

    def filter(self, queryset):
        v = self.values()
        if "q" in v:
            queryset = queryset.filter(_title_contains(v["q"].strip()))
        if "municipality" in v:
            queryset = queryset.filter(organization__municipality=v["municipality"])
        if "organization" in v:
            queryset = queryset.filter(organization=v["organization"])
        if "direction" in v:
            queryset = queryset.filter(direction=v["direction"])
        if "level" in v:
            queryset = queryset.filter(levels__hasflag=v["level"])
        if "form" in v:
            queryset = queryset.filter(_form_q(v["form"]))
        if "funding" in v:
            queryset = queryset.filter(_has_funding(v["funding"]))
        if "status" in v:
            queryset = queryset.filter(status=v["status"])
        if "rural" in v:
            queryset = queryset.filter(organization__is_rural=v["rural"] == "yes")
        if "ovz" in v:
            queryset = queryset.filter(_ovz_q(v["ovz"]))
        return queryset


def _title_contains(text: str) -> Q:
    query = Q(title__icontains=text)
    if connection.vendor == "sqlite":
        # SQLite folds case of ASCII letters only; cover how Russian titles are written.
        for variant in {text.lower(), text.capitalize(), text.upper()}:
            query |= Q(title__contains=variant)
    return query


def _form_q(form: str) -> Q:
    if form == DISTANCE:
        return Q(is_distance=True)
    if form == NETWORK:
        return Q(is_network=True)
    return Q(study_form=form)


def _has_funding(source: str) -> Exists:
    return Exists(GroupFunding.objects.filter(group__module__program=OuterRef("pk"),
                                              source=source))


def _ovz_q(value: str) -> Q:
    if value == OVZ_ANY:
        return Q(ovz_kinds__gt=0)
    if value == OVZ_DISABLED:
        return Q(is_for_disabled=True)
    return Q(ovz_kinds__hasflag=int(value))


def program_filter_form(params, user=None) -> ProgramFilterForm:
    return ProgramFilterForm(params if params is not None else {}, user=user)


def filter_programs(queryset, params, user=None):
    """``queryset`` narrowed by the registry filters in ``params`` (a GET query or a
    ``ProgramFilterForm``); parameters that do not validate are ignored."""
    form = params if isinstance(params, ProgramFilterForm) else program_filter_form(params, user)
    return form.filter(queryset)


def registry_programs(user):
    """The programs of the user's territory (the registry page and its export)."""
    return scope.territory(user, Program.objects.all())


def program_rows(queryset):
    """What a row of the registry page shows, joined in the page's one query."""
    return (queryset.select_related("organization")
            .annotate(group_count=Count("modules__groups")))


# --- moderation queue -------------------------------------------------------------


def moderation_queue(user):
    """Programs awaiting moderation in the user's territory, and published programs with
    an edit of the card (``revision_pending``) or a new price of a group to approve
    (``prices_pending``), oldest submission first. The submission moment is the latest
    event that moved the card to moderation, the moment the edit was sent, or the first
    price proposed; cards without one fall back to their last change."""
    submitted = audit.latest_moment(Program, to_state=ProgramStatus.MODERATING)
    proposals = ProposedFunding.objects.filter(group__module__program=OuterRef("pk"))
    first_proposal = proposals.order_by("proposed_at").values("proposed_at")[:1]
    revision = ProgramRevision.objects.filter(program=OuterRef("pk"),
                                              status=ProgramRevision.Status.MODERATING)
    waiting = (Q(status=ProgramStatus.MODERATING)
               | (Q(status=ProgramStatus.PUBLISHED) & (Exists(proposals) | Exists(revision))))
    return (scope.territory(user, Program.objects.filter(waiting))
            .select_related("organization", "organization__municipality")
            .annotate(prices_pending=Exists(proposals),
                      revision_pending=Exists(revision),
                      submitted_at=Case(
                          When(status=ProgramStatus.MODERATING,
                               then=Coalesce(submitted, "updated_at")),
                          default=Coalesce(Subquery(revision.values("proposed_at")[:1]),
                                           Subquery(first_proposal), "updated_at")))
            .order_by("submitted_at", "pk"))


# --- inventory --------------------------------------------------------------------


class InventoryFilterForm(_TerritoryForm):
    STATUS_ALL = "all"
    status = forms.ChoiceField(
        label=_("Статус программ"), required=False,
        choices=[("", _("Опубликованные")), (STATUS_ALL, _("Все статусы")),
                 *ProgramStatus.choices])

    def filter(self, queryset):
        v = self.values()
        status = v.get("status") or ProgramStatus.PUBLISHED
        if status != self.STATUS_ALL:
            queryset = queryset.filter(status=status)
        if "municipality" in v:
            queryset = queryset.filter(organization__municipality=v["municipality"])
        return queryset


def _rows(counts: dict, labels, total: int) -> list[dict]:
    return [{"code": code, "label": label, "count": counts.get(code, 0),
             "share": round(100 * counts.get(code, 0) / total, 1) if total else 0.0}
            for code, label in labels]


def inventory(queryset) -> dict:
    """Counts of the programs in ``queryset`` by each dimension of the inventory, with
    their share of all programs. Three queries whatever the number of programs: one
    aggregate for the totals and every flag dimension, one grouping by direction and
    one by the kind of organization. A program with several levels or ОВЗ kinds counts
    under each, so those shares may add up to more than 100 %."""
    flags = {
        "total": Count("pk"),
        "organizations": Count("organization", distinct=True),
        "rural": Count("pk", filter=Q(organization__is_rural=True)),
    }
    for level in Level:
        flags[f"level_{level.value}"] = Count("pk", filter=Q(levels__hasflag=level.value))
    for code, _label in FORM_CHOICES:
        flags[f"form_{code}"] = Count("pk", filter=_form_q(code))
    for source in FundingSource:
        flags[f"funding_{source.value}"] = Count("pk", filter=Q(_has_funding(source.value)))
    flags["funding_none"] = Count("pk", filter=~Q(Exists(
        GroupFunding.objects.filter(group__module__program=OuterRef("pk")))))
    for code, _label in OVZ_CHOICES:
        flags[f"ovz_{code}"] = Count("pk", filter=_ovz_q(code))
    totals = queryset.order_by().aggregate(**flags)
    total = totals["total"]

    by_direction = {row["direction"]: row["n"] for row in
                    queryset.order_by().values("direction").annotate(n=Count("pk"))}
    by_kind = {row["organization__kind"]: row["n"] for row in
               queryset.order_by().values("organization__kind").annotate(n=Count("pk"))}

    def flag_rows(prefix, labels):
        return _rows({code: totals[f"{prefix}_{code}"] for code, _label in labels}, labels, total)

    return {
        "total": total,
        "organizations": totals["organizations"],
        "rural": totals["rural"],
        "tables": [
            {"key": "direction", "title": _("По направленности"),
             "rows": _rows(by_direction, Direction.choices, total)},
            {"key": "level", "title": _("По уровню"),
             "rows": flag_rows("level", [(lv.value, lv.label) for lv in Level])},
            {"key": "form", "title": _("По форме обучения"),
             "rows": flag_rows("form", FORM_CHOICES)},
            {"key": "funding", "title": _("По источнику финансирования"),
             "rows": flag_rows("funding", [*FundingSource.choices,
                                           ("none", _("Не указан (нет групп)"))])},
            {"key": "ovz", "title": _("Для детей с ОВЗ и детей-инвалидов"),
             "rows": flag_rows("ovz", OVZ_CHOICES)},
            {"key": "kind", "title": _("По типу организации"),
             "rows": _rows(by_kind, OrganizationKind.choices, total)},
        ],
    }


# --- organizations ----------------------------------------------------------------


class OrganizationFilterForm(_TerritoryForm):
    q = forms.CharField(label=_("Наименование или ИНН"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Тип организации"), required=False,
                             choices=ANY + OrganizationKind.choices)
    sector = forms.ChoiceField(label=_("Ведомственная принадлежность"), required=False,
                               choices=ANY + FounderSector.choices)
    ownership = forms.ChoiceField(label=_("Форма собственности"), required=False,
                                  choices=ANY + Ownership.choices)
    rural = forms.ChoiceField(label=_("Сельская местность"), required=False, choices=YES_NO)
    active = forms.ChoiceField(label=_("Активна"), required=False, choices=YES_NO)

    def filter(self, queryset):
        v = self.values()
        if "q" in v:
            text = v["q"].strip()
            queryset = queryset.filter(Q(inn=text) | _name_contains(text))
        if "municipality" in v:
            queryset = queryset.filter(municipality=v["municipality"])
        for name in ("kind", "sector", "ownership"):
            if name in v:
                queryset = queryset.filter(**{name: v[name]})
        if "rural" in v:
            queryset = queryset.filter(is_rural=v["rural"] == "yes")
        if "active" in v:
            queryset = queryset.filter(is_active=v["active"] == "yes")
        return queryset


def _name_contains(text: str) -> Q:
    query = Q(short_name__icontains=text) | Q(full_name__icontains=text)
    if connection.vendor == "sqlite":
        for variant in {text.lower(), text.capitalize(), text.upper()}:
            query |= Q(short_name__contains=variant) | Q(full_name__contains=variant)
    return query


def filter_organizations(queryset, params, user=None):
    form = (params if isinstance(params, OrganizationFilterForm)
            else OrganizationFilterForm(params if params is not None else {}, user=user))
    return form.filter(queryset)


def registry_organizations(user):
    """Organizations of the user's territory (the registry page and its export)."""
    return scope.territory(user, Organization.objects.all())


def organization_rows(queryset):
    """What a row of the organizations page shows: its program counts, in one query."""
    return (queryset.select_related("municipality")
            .annotate(program_count=Count("programs", distinct=True),
                      published_count=Count("programs", distinct=True,
                                            filter=Q(programs__status=ProgramStatus.PUBLISHED))))
