"""The one place that decides what a user may see and change. Default deny.

Every scoped model names, in ``SCOPE``, the paths from itself to its
organization and municipality, and may offer ``public_q()`` — the rows an
anonymous visitor may see. ``visible`` filters a queryset; ``can`` answers
for one object and one action; services call ``require``.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from opora.accounts.models import Role
from opora.errors import PermissionDenied

# action -> {role: scope}; scope is "organization", "municipality", "region",
# "acting_municipality" (the municipality an authorised provider acts for), "responsible"
# (the rows naming the user among their responsible people: ``SCOPE["responsible"]``) or
# "teacher" (the rows of the teacher whose own account it is: ``SCOPE["teacher"]``).
ACTIONS = {
    # keeping a provider's own programs, modules, groups and teachers
    "registry.edit": {Role.ORGANIZATION_STAFF: "organization"},
    # publishing, returning and archiving programs of a municipality
    "registry.moderate": {Role.SUPPORT_CENTRE: "municipality"},
    # keeping the list of organizations of a municipality
    "registry.manage_organizations": {Role.SUPPORT_CENTRE: "municipality"},
    # Excel import of programs for an organization
    "registry.import": {
        Role.ORGANIZATION_STAFF: "organization",
        Role.SUPPORT_CENTRE: "municipality",
    },
    # confirming, rejecting, expelling applications to a provider's groups; walk-ins
    "enrollment.process": {Role.ORGANIZATION_STAFF: "organization"},
    # merging the duplicate records of children living in a municipality
    "enrollment.merge_children": {Role.SUPPORT_CENTRE: "municipality"},
    # confirming that a parent who linked an already registered child is its guardian
    "enrollment.confirm_guardians": {Role.SUPPORT_CENTRE: "municipality"},
    # a municipality's enrolment rules (the limit of live applications per child)
    "enrollment.configure": {Role.SUPPORT_CENTRE: "municipality"},
    # an organization's municipal task (budget places per direction and school year) and
    # whether confirming beyond it is refused or warned: the education authority
    "enrollment.municipal_task": {Role.EDUCATION_AUTHORITY: "municipality"},
    # financing periods and the parameters of the normative cost (the payer's settings)
    "financing.configure": {Role.SUPPORT_CENTRE: "municipality",
                            Role.EDUCATION_AUTHORITY: "municipality"},
    # issuing, refusing, freezing and unfreezing the certificates of a municipality: its
    # МОЦ, or an organization the МОЦ authorised to act for the municipality
    "financing.certificates": {Role.SUPPORT_CENTRE: "municipality",
                               Role.ORGANIZATION_STAFF: "acting_municipality"},
    # certifying a provider's modules for certificate funding, or refusing to
    "financing.certify": {Role.SUPPORT_CENTRE: "municipality"},
    # a provider asks for certification, keeps completeness and submits its invoices
    "financing.provide": {Role.ORGANIZATION_STAFF: "organization"},
    # closing months, accepting invoices and recording their payment (the payer)
    "financing.settle": {Role.SUPPORT_CENTRE: "municipality",
                         Role.EDUCATION_AUTHORITY: "municipality"},
    # cooperation agreements with other municipalities (children of one studying with the
    # providers of the other): proposing, agreeing, cancelling and ending them, for one side
    "financing.agreements": {Role.SUPPORT_CENTRE: "municipality",
                             Role.EDUCATION_AUTHORITY: "municipality"},
    # the payer's bulk prolongation of contracts into its next financing period
    "financing.prolong": {Role.SUPPORT_CENTRE: "municipality",
                          Role.EDUCATION_AUTHORITY: "municipality"},
    # data requests: writing and sending a request (the РМЦ to the region, a МОЦ to its own
    # municipality) and reading all of its answers
    "surveys.manage": {Role.SUPPORT_CENTRE: "municipality", Role.REGIONAL_CENTRE: "region"},
    # a provider fills and submits its own answer to a data request
    "surveys.answer": {Role.ORGANIZATION_STAFF: "organization"},
    # the МОЦ checks its providers' answers, reminds them, fills and submits the municipality's
    "surveys.collect": {Role.SUPPORT_CENTRE: "municipality"},
    # the РМЦ accepts or returns the municipalities' answers to its requests
    "surveys.review": {Role.REGIONAL_CENTRE: "region"},
    # the МОЦ keeps its plans: creates, imports, edits drafts and revisions, sends them for
    # approval, starts their execution and reports on them
    "plans.edit": {Role.SUPPORT_CENTRE: "municipality"},
    # the education authority approves its municipality's plans and revisions or returns them
    "plans.approve": {Role.EDUCATION_AUTHORITY: "municipality"},
    # the РМЦ agrees approved plans of every municipality or returns them
    "plans.agree": {Role.REGIONAL_CENTRE: "region"},
    # marking a plan's items done with evidence: the МОЦ, or a user named responsible for it
    "plans.execute": {Role.SUPPORT_CENTRE: "municipality",
                      Role.ORGANIZATION_STAFF: "responsible"},
    # the catalog's search dictionary (synonyms, abbreviations): one for the region, kept
    # by every МОЦ
    "navigator.dictionary": {Role.SUPPORT_CENTRE: "region"},
    # events for children: creating and editing them, processing registrations, marking
    # attendance and results, nominating winners to the next stage (a provider its own, a
    # МОЦ its municipality's, the РМЦ the regional ones)
    "events.organize": {Role.ORGANIZATION_STAFF: "organization",
                        Role.SUPPORT_CENTRE: "municipality",
                        Role.REGIONAL_CENTRE: "region"},
    # publishing and returning events (the moderation cycle of programs)
    "events.moderate": {Role.SUPPORT_CENTRE: "municipality", Role.REGIONAL_CENTRE: "region"},
    # a provider registers its pupils (individually or as a team)
    "events.register": {Role.ORGANIZATION_STAFF: "organization"},
    # the register of gifted children: confirming proposals, mentors, support measures
    "gifted.manage": {Role.SUPPORT_CENTRE: "municipality"},
    # a provider nominates its pupils to the register, with grounds
    "gifted.nominate": {Role.ORGANIZATION_STAFF: "organization"},
    # the portal: a МОЦ writes and publishes its municipality's news, materials, documents
    # and contacts; the РМЦ the region-wide ones (rights in the CMS follow: opora.portal.access)
    "portal.edit": {Role.SUPPORT_CENTRE: "municipality", Role.REGIONAL_CENTRE: "region"},
    # reading the indicators (coverage, certificates, programs, teachers) of a territory
    "monitoring.view": {Role.SUPPORT_CENTRE: "municipality",
                        Role.EDUCATION_AUTHORITY: "municipality",
                        Role.REGIONAL_CENTRE: "region"},
    # the population of children 5–17 and the targets of the indicators of a territory
    "monitoring.configure": {Role.SUPPORT_CENTRE: "municipality",
                             Role.EDUCATION_AUTHORITY: "municipality",
                             Role.REGIONAL_CENTRE: "region"},
    # the statistics form 1-ДОП: of an organization (its staff), of a municipality and its
    # organizations (the МОЦ, the education authority), of the region (the РМЦ)
    "monitoring.statform": {Role.ORGANIZATION_STAFF: "organization",
                            Role.SUPPORT_CENTRE: "municipality",
                            Role.EDUCATION_AUTHORITY: "municipality",
                            Role.REGIONAL_CENTRE: "region"},
    # the rows and columns of the form 1-ДОП
    "monitoring.statform_layout": {Role.REGIONAL_CENTRE: "region"},
    # events for teachers and heads: creating, publishing, cancelling, marking attendance,
    # protocols and materials — the МОЦ its municipality's, the РМЦ the regional ones, an
    # organization those it runs itself
    "training.manage": {Role.SUPPORT_CENTRE: "municipality", Role.REGIONAL_CENTRE: "region",
                        Role.ORGANIZATION_STAFF: "organization"},
    # registering teachers for events: an organization its own teachers, the МОЦ the
    # teachers of its municipality
    "training.register": {Role.ORGANIZATION_STAFF: "organization",
                          Role.SUPPORT_CENTRE: "municipality"},
    # a teacher's own account: the organization invites its teacher by e-mail (the teacher
    # opens the letter's link and sets a password) or sends the invitation again
    "training.invite": {Role.ORGANIZATION_STAFF: "organization"},
    # a teacher with an account of their own reads their record of professional development
    # and registers themselves for the events open to them, or withdraws
    "training.enrol_self": {Role.TEACHER: "teacher"},
    # recording the courses a teacher took elsewhere, with their documents
    "training.record": {Role.ORGANIZATION_STAFF: "organization",
                        Role.SUPPORT_CENTRE: "municipality"},
    # the hotline: the МОЦ works its municipality's questions (takes, answers, asks for
    # details, escalates, registers phone calls); the РМЦ answers the escalated ones
    "hotline.answer": {Role.SUPPORT_CENTRE: "municipality", Role.REGIONAL_CENTRE: "region"},
    # turning an answered question into a public FAQ entry: the МОЦ for its municipality,
    # the РМЦ for the region
    "hotline.publish": {Role.SUPPORT_CENTRE: "municipality", Role.REGIONAL_CENTRE: "region"},
    # the region's production calendar and the answer deadlines per topic
    "hotline.configure": {Role.SUPPORT_CENTRE: "region", Role.REGIONAL_CENTRE: "region"},
    # the МОЦ's announcements by e-mail to its providers, their staff and the parents
    "mailing.send": {Role.SUPPORT_CENTRE: "municipality"},
    # the independent quality assessment: campaigns, criteria sets, experts and their
    # assignments, results, appeals (the МОЦ of a municipality, the РМЦ of the region)
    "quality.manage": {Role.SUPPORT_CENTRE: "municipality", Role.REGIONAL_CENTRE: "region"},
    # whether certification for certificate funding requires a passed result
    "quality.configure": {Role.SUPPORT_CENTRE: "municipality",
                          Role.EDUCATION_AUTHORITY: "municipality"},
    # a provider applies its programs for the assessment and appeals their results
    "quality.apply": {Role.ORGANIZATION_STAFF: "organization"},
    # an expert scores the programs assigned to them
    "quality.score": {Role.EXPERT: "responsible"},
    # parents' ratings: the МОЦ publishes or rejects the comments on its municipality's
    # programs
    "quality.moderate_ratings": {Role.SUPPORT_CENTRE: "municipality"},
    # a provider answers, publicly and once, the published comments on its own programs
    "quality.answer_ratings": {Role.ORGANIZATION_STAFF: "organization"},
    # the weights and thresholds of the parents' rating, region-wide (new versions)
    "quality.rating_rules": {Role.REGIONAL_CENTRE: "region"},
    # the bank of best practices: a provider writes its organization's practices, edits
    # them while drafts or returned, submits them, archives the published ones
    "practices.edit": {Role.ORGANIZATION_STAFF: "organization"},
    # the МОЦ reviews its municipality's practices: experts, publication, return with
    # remarks, archive, forwarding to the РМЦ
    "practices.review": {Role.SUPPORT_CENTRE: "municipality"},
    # an expert scores the practices assigned to them
    "practices.score": {Role.EXPERT: "responsible"},
    # the РМЦ marks forwarded practices as regional ones
    "practices.regional": {Role.REGIONAL_CENTRE: "region"},
}

# Roles that read the back office of their territory.
READ_SCOPE = {
    Role.ORGANIZATION_STAFF: "organization",
    Role.SUPPORT_CENTRE: "municipality",
    Role.EDUCATION_AUTHORITY: "municipality",
    Role.REGIONAL_CENTRE: "region",
}


def _path(model, kind):
    return getattr(model, "SCOPE", {}).get(kind)


def _territory_q(user, model, kind) -> Q | None:
    """Q restricting ``model`` to the user's territory of the given kind, or None if the
    model cannot be restricted that way (which denies)."""
    if kind == "region":
        return Q()
    if kind == "acting_municipality":
        path, wanted = _path(model, "municipality"), acting_municipality_id(user)
        if path is None or wanted is None:
            return None
        return Q(**{path: wanted}) if path != "self" else Q(pk=wanted)
    if kind == "responsible":
        path = _path(model, "responsible")
        return None if path is None else Q(**{path: user.pk})
    if kind == "teacher":
        path = _path(model, "teacher")
        if path is None or user.teacher_id is None:
            return None
        return Q(**{path: user.teacher_id}) if path != "self" else Q(pk=user.teacher_id)
    if kind == "organization":
        path = _path(model, "organization")
        if path is None or user.organization_id is None:
            return None
        return Q(**{path: user.organization_id}) if path != "self" else Q(pk=user.organization_id)
    if kind == "municipality":
        path = _path(model, "municipality")
        if path is None or user.municipality_id is None:
            return None
        return Q(**{path: user.municipality_id}) if path != "self" else Q(pk=user.municipality_id)
    return None


def _public_q(model) -> Q | None:
    public = getattr(model, "public_q", None)
    return public() if public else None


def visible(user, queryset):
    """Rows of ``queryset`` the user may read: their territory's rows for back-office
    roles, public rows for everyone else (and in addition for back-office roles)."""
    model = queryset.model
    public = _public_q(model)
    kind = _read_kind(user)
    if kind == "region":
        return queryset
    if kind:
        own = _territory_q(user, model, kind)
        if own is not None:
            return queryset.filter(own | public if public is not None else own)
    if public is not None:
        return queryset.filter(public)
    return queryset.none()


def territory(user, queryset):
    """Rows of the user's own territory only (their organization, their municipality,
    the region for the РМЦ), without the public rows of others: the back-office registry."""
    kind = _read_kind(user)
    if kind == "region":
        return queryset
    own = _territory_q(user, queryset.model, kind) if kind else None
    return queryset.none() if own is None else queryset.filter(own)


def _read_kind(user) -> str | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return "region"
    return READ_SCOPE.get(user.role)


def acting_municipality_id(user) -> int | None:
    """The municipality an organization's staff act for when the МОЦ authorised their
    organization to issue certificates (``Organization.issues_certificates``), else None."""
    if user.role != Role.ORGANIZATION_STAFF or user.organization_id is None:
        return None
    organization = user.organization  # loaded with the user on every request (accounts.backends)
    return organization.municipality_id if organization.issues_certificates and organization.is_active else None


def _object_in(user, obj, kind) -> bool:
    if kind == "region":
        return True
    if kind == "responsible":
        path = _path(type(obj), "responsible")
        if path is None or obj.pk is None:
            return False
        value = getattr(obj, path)  # a set of people, or one person (a foreign key)
        return (value.filter(pk=user.pk).exists() if hasattr(value, "filter")
                else getattr(value, "pk", None) == user.pk)
    if kind == "acting_municipality":
        kind, wanted = "municipality", acting_municipality_id(user)
    elif kind == "teacher":
        wanted = user.teacher_id
    else:
        wanted = user.organization_id if kind == "organization" else user.municipality_id
    path = _path(type(obj), kind)
    if path is None:
        return False
    if wanted is None:
        return False
    if path == "self":
        return obj.pk == wanted
    value = obj
    for step in path.split("__"):
        if step == "id":
            break
        value = getattr(value, step, None) if value is not None else None
    return value is not None and getattr(value, "pk", value) == wanted


def can(user, action: str, obj) -> bool:
    """May ``user`` perform ``action`` on ``obj``? Unknown actions are denied."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    rules = ACTIONS.get(action)
    if rules is None:
        return False
    kind = rules.get(user.role)
    return kind is not None and _object_in(user, obj, kind)


def require(user, action: str, obj) -> None:
    if not can(user, action, obj):
        raise PermissionDenied(_("Недостаточно прав для этого действия."))


def actionable(user, action: str, queryset):
    """Rows of ``queryset`` on which ``user`` may perform ``action``."""
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    kind = ACTIONS.get(action, {}).get(user.role)
    if kind is None:
        return queryset.none()
    own = _territory_q(user, queryset.model, kind)
    return queryset.none() if own is None else queryset.filter(own)


# --- who may open which page ---------------------------------------------------------


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def is_parent(user) -> bool:
    """A parent's own account (the cabinet); an administrator is never one."""
    return _active(user) and user.role == Role.PARENT and not user.is_superuser


def reads_back_office(user) -> bool:
    """Staff, the МОЦ, the education authority, the РМЦ: the back office of their territory."""
    return _read_kind(user) is not None


def reads_territory(user) -> bool:
    """The МОЦ, the education authority and the РМЦ (administrators read as the РМЦ): the
    registers of a municipality or the region, not of one organization."""
    return _read_kind(user) in ("municipality", "region")


def _asks_as_provider(user) -> bool:
    return _active(user) and user.role == Role.ORGANIZATION_STAFF and not user.is_superuser


def holds(user, action: str) -> bool:
    """Does the user's role hold ``action`` on a territory of their own — their
    organization, their municipality, the municipality they act for? The pages of an
    action are open to them; the service still checks each object."""
    if not _active(user):
        return False
    kind = ACTIONS.get(action, {}).get(user.role)
    if kind == "organization":
        return user.organization_id is not None
    if kind == "municipality":
        return user.municipality_id is not None
    if kind == "acting_municipality":
        return acting_municipality_id(user) is not None
    if kind == "teacher":
        return user.teacher_id is not None
    return kind in ("region", "responsible")


def holds_region(user, action: str) -> bool:
    """Does the user hold ``action`` over the whole region (the РМЦ for the indicators)?"""
    return _active(user) and ACTIONS.get(action, {}).get(user.role) == "region"


# Back-office sections -> who may open their pages. The menu (``opora.office.nav``) shows a
# section exactly when its predicate lets the user in, and every page names its section
# through ``opora.accounts.decorators.section_page``: the menu and the access cannot differ.
SECTIONS = {
    # the parent's cabinet: children, applications, certificates, contracts
    "cabinet": is_parent,
    # pages of every back-office role, each seeing its territory (a program's card,
    # certification, contracts, an invoice)
    "back_office": reads_back_office,
    # the registers of a municipality or the region: programs, moderation, inventory,
    # organizations, children, settlement, reports, financing periods
    "territory": reads_territory,
    # a provider's programs, modules, groups and teachers
    "registry.edit": lambda user: holds(user, "registry.edit"),
    "registry.import": lambda user: holds(user, "registry.import"),
    # a provider's applications and walk-ins
    "enrollment.process": lambda user: holds(user, "enrollment.process"),
    "enrollment.merge_children": lambda user: holds(user, "enrollment.merge_children"),
    "enrollment.confirm_guardians": lambda user: holds(user, "enrollment.confirm_guardians"),
    # setting the municipal tasks of a municipality's organizations (the fulfilment is read
    # under «back_office»: a provider its own, the territory's readers their organizations')
    "enrollment.municipal_task": lambda user: holds(user, "enrollment.municipal_task"),
    # the register of certificates: the territory's readers and whoever issues them
    "financing.certificates": lambda user: reads_territory(user)
    or holds(user, "financing.certificates"),
    # a provider's invoices (the payer reads them under settlement)
    "financing.provide": lambda user: holds(user, "financing.provide"),
    # data requests and their answers: every back-office role, each seeing its own
    "surveys": reads_back_office,
    # writing a new data request
    "surveys.manage": lambda user: holds(user, "surveys.manage"),
    # the МОЦ's plans: the МОЦ, the education authority and the РМЦ
    "plans": reads_territory,
    # «Мой план»: the items a user is responsible for
    "plans.mine": lambda user: holds(user, "plans.execute"),
    # the catalog's search dictionary
    "navigator.dictionary": lambda user: holds(user, "navigator.dictionary"),
    # events: a provider's, a МОЦ's and the РМЦ's own events and their registrations
    "events": lambda user: holds(user, "events.organize"),
    "events.moderate": lambda user: holds(user, "events.moderate"),
    # the involvement of children in events, per event and municipality
    "events.involvement": reads_territory,
    # the register of gifted children: the МОЦ, the РМЦ and providers (their pupils)
    "gifted": lambda user: holds(user, "gifted.manage") or holds(user, "gifted.nominate")
    or holds_region(user, "events.moderate"),
    # the indicators of a municipality or the region, the population and the targets
    "monitoring.view": lambda user: holds(user, "monitoring.view"),
    "monitoring.configure": lambda user: holds(user, "monitoring.configure"),
    # the statistics form 1-ДОП and its layout
    "monitoring.statform": lambda user: holds(user, "monitoring.statform"),
    "monitoring.statform_layout": lambda user: holds(user, "monitoring.statform_layout"),
    # events for teachers and the teachers' records of professional development: every
    # back-office role, each seeing its own territory
    "training": reads_back_office,
    # a teacher's own pages: the events open to them and their record of professional development
    "training.mine": lambda user: holds(user, "training.enrol_self"),
    # a certificate of attendance: the back office of its territory, or the teacher's own
    "training.certificate": lambda user: reads_back_office(user) or holds(user, "training.enrol_self"),
    # the plan of professional development and its execution: the МОЦ, the authority, the РМЦ
    "training.plan": reads_territory,
    # the hotline's queue of a municipality (the МОЦ) or of the escalated questions (the РМЦ)
    "hotline": lambda user: holds(user, "hotline.answer"),
    # the hotline report: the МОЦ, the education authority and the РМЦ
    "hotline.report": reads_territory,
    "hotline.configure": lambda user: holds(user, "hotline.configure"),
    # a question asked by a parent or a provider, read by its asker
    "hotline.mine": lambda user: is_parent(user) or _asks_as_provider(user),
    # «Мои вопросы» of a provider's staff (a parent's are in the cabinet)
    "hotline.asked": lambda user: _asks_as_provider(user),
    # the МОЦ's mailings
    "mailing": lambda user: holds(user, "mailing.send"),
    # the quality assessment: the МОЦ, the education authority and the РМЦ read it
    "quality": reads_territory,
    # a provider's programs on assessment, its applications and appeals
    "quality.apply": lambda user: holds(user, "quality.apply"),
    # an expert's assignments and sheets
    "quality.score": lambda user: holds(user, "quality.score"),
    # the МОЦ's moderation of parents' comments on programs
    "quality.moderate_ratings": lambda user: holds(user, "quality.moderate_ratings"),
    # a provider's parents' ratings and its answers
    "quality.answer_ratings": lambda user: holds(user, "quality.answer_ratings"),
    # the bank of best practices in the back office: the МОЦ (its municipality's), the
    # education authority (reads them) and the РМЦ (the forwarded ones)
    "practices": reads_territory,
    # a provider's own practices
    "practices.edit": lambda user: holds(user, "practices.edit"),
    # an expert's practices to score
    "practices.score": lambda user: holds(user, "practices.score"),
    # the files of practices: whoever reads practices in the back office or scores them
    # (each file is still looked up in the user's own practices)
    "practices.files": lambda user: reads_back_office(user) or holds(user, "practices.score"),
    # the portal's CMS (Wagtail's admin at /cms/)
    "portal.edit": lambda user: holds(user, "portal.edit"),
}


def may_open(user, section: str) -> bool:
    """May ``user`` open the pages of a back-office ``section`` (a key of SECTIONS)?"""
    return SECTIONS[section](user)
