"""The back-office menu: one list of sections per role, rendered on every back-office page.

Sections are named by URL name, so core imports no app. A page belongs to the section
whose URL names include the page's own (``covers``), which keeps «Мои программы»
highlighted on a program's edit form.
"""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opora.accounts import scope
from opora.accounts.models import Role

PROGRAMS = ("registry:programs", _("Реестр программ"), {"registry:program_detail"})
MODERATION = ("registry:moderation", pgettext_lazy("office menu", "Модерация"), set())
INVENTORY = ("registry:inventory", _("Инвентаризация"), set())
ORGANIZATIONS = ("registry:organizations", _("Реестр организаций"), {
    "registry:organization_detail", "registry:organization_create", "registry:organization_edit"})
IMPORT = ("registry:import", _("Импорт из Excel"), set())
MY_PROGRAMS = ("registry:my_programs", _("Мои программы"), {
    "registry:program_detail", "registry:program_create", "registry:program_edit",
    "registry:program_groups", "registry:module_create", "registry:module_edit",
    "registry:group_create", "registry:group_edit"})
TEACHERS = ("registry:teachers", _("Педагоги"), {"registry:teacher_create",
                                                  "registry:teacher_edit"})
APPLICATIONS = ("enrollment:office_applications", _("Заявки"), {
    "enrollment:office_application", "enrollment:walk_in"})
CHILDREN = ("enrollment:children", _("Дети"), set())
DUPLICATES = ("enrollment:duplicates", _("Возможные дубли"), set())
GUARDIANS = ("enrollment:guardians", _("Подтверждение представителей"), set())
MY_CHILDREN = ("enrollment:cabinet", _("Мои дети"), {"enrollment:child_add",
                                                     "enrollment:child_edit"})
MY_APPLICATIONS = ("enrollment:applications", _("Заявки"), {"enrollment:application"})
MY_CONTRACTS = ("financing:cabinet_contracts", _("Договоры"), {"financing:cabinet_contract"})
MY_CERTIFICATES = ("financing:cabinet_certificate", _("Сертификаты"), set())
CONTRACTS = ("financing:office_contracts", _("Договоры"), {"financing:office_contract"})
CERTIFICATES = ("financing:certificates", _("Сертификаты"), {"financing:certificate"})
CERTIFICATION = ("financing:certification_queue", _("Сертификация"), {
    "financing:certification", "financing:program_certification"})
INVOICES = ("financing:invoices", _("Счета"), {"financing:invoice"})
SETTLEMENT = ("financing:settlement", _("Расчёты"), {"financing:invoice", "financing:settlement_run"})
REPORTS = ("financing:reports", _("Отчёты ПФДО"), set())
PERIODS = ("financing:periods", _("Периоды финансирования"), {
    "financing:period_create", "financing:period_edit", "financing:cost_parameters"})

MENUS = {
    Role.ORGANIZATION_STAFF: [MY_PROGRAMS, APPLICATIONS, CONTRACTS, INVOICES, CERTIFICATION, CERTIFICATES,
                              TEACHERS, IMPORT],
    Role.SUPPORT_CENTRE: [PROGRAMS, MODERATION, INVENTORY, ORGANIZATIONS, IMPORT, CHILDREN,
                          DUPLICATES, GUARDIANS, CERTIFICATES, CERTIFICATION, CONTRACTS, SETTLEMENT,
                          REPORTS, PERIODS],
    Role.EDUCATION_AUTHORITY: [PROGRAMS, MODERATION, INVENTORY, ORGANIZATIONS, CERTIFICATES,
                               CERTIFICATION, CONTRACTS, SETTLEMENT, REPORTS, PERIODS],
    Role.REGIONAL_CENTRE: [PROGRAMS, MODERATION, INVENTORY, ORGANIZATIONS, CERTIFICATES, CONTRACTS,
                           SETTLEMENT, REPORTS, PERIODS],
    Role.PARENT: [MY_CHILDREN, MY_APPLICATIONS, MY_CERTIFICATES, MY_CONTRACTS],
}


# Sections only some users of a role have: staff see the certificates only when the МОЦ
# authorised their organization to issue them for the municipality.
SHOWN_IF = {CERTIFICATES[0]: lambda user: user.role != Role.ORGANIZATION_STAFF
            or scope.acting_municipality_id(user) is not None}


def office_menu(request) -> list[dict]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    sections = MENUS.get(user.role, []) if not user.is_superuser else MENUS[Role.REGIONAL_CENTRE]
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else ""
    items = []
    for name, label, covers in sections:
        if name in SHOWN_IF and not SHOWN_IF[name](user):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # a section of an app this deployment does not serve
            continue
        items.append({"url": url, "label": label, "current": current == name or current in covers})
    return items
