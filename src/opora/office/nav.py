"""The back-office menu: the sections a user may open, rendered on every back-office page.

Each entry names its URL, its label, the section of ``scope.SECTIONS`` whose pages it
leads to — the menu shows it exactly when the user may open them — and the URL names of
the pages it covers (``covers``), which keeps «Мои программы» highlighted on a program's
edit form. Sections are named by URL name, so the office imports no view.
"""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opora.accounts import scope

PROGRAMS = ("registry:programs", _("Реестр программ"), "territory", {"registry:program_detail"})
MODERATION = ("registry:moderation", pgettext_lazy("office menu", "Модерация"), "territory", set())
INVENTORY = ("registry:inventory", _("Инвентаризация"), "territory", set())
ORGANIZATIONS = ("registry:organizations", _("Реестр организаций"), "territory", {
    "registry:organization_detail", "registry:organization_create", "registry:organization_edit"})
IMPORT = ("registry:import", _("Импорт из Excel"), "registry.import", set())
MY_PROGRAMS = ("registry:my_programs", _("Мои программы"), "registry.edit", {
    "registry:program_detail", "registry:program_create", "registry:program_edit",
    "registry:program_groups", "registry:module_create", "registry:module_edit",
    "registry:group_create", "registry:group_edit"})
TEACHERS = ("registry:teachers", _("Педагоги"), "registry.edit", {
    "registry:teacher_create", "registry:teacher_edit"})
APPLICATIONS = ("enrollment:office_applications", _("Заявки"), "enrollment.process", {
    "enrollment:office_application", "enrollment:walk_in"})
CHILDREN = ("enrollment:children", _("Дети"), "territory", set())
DUPLICATES = ("enrollment:duplicates", _("Возможные дубли"), "enrollment.merge_children", set())
GUARDIANS = ("enrollment:guardians", _("Подтверждение представителей"), "enrollment.confirm_guardians",
             set())
MY_CHILDREN = ("enrollment:cabinet", _("Мои дети"), "cabinet", {
    "enrollment:child_add", "enrollment:child_edit"})
MY_APPLICATIONS = ("enrollment:applications", _("Заявки"), "cabinet", {"enrollment:application", "quality:rate"})
MY_FAVOURITES = ("enrollment:favourites", _("Избранное"), "cabinet", set())
MY_CONTRACTS = ("financing:cabinet_contracts", _("Договоры"), "cabinet", {"financing:cabinet_contract"})
MY_CERTIFICATES = ("financing:cabinet_certificate", _("Сертификаты"), "cabinet", set())
CONTRACTS = ("financing:office_contracts", _("Договоры"), "back_office", {"financing:office_contract"})
CERTIFICATES = ("financing:certificates", _("Сертификаты"), "financing.certificates", {
    "financing:certificate"})
CERTIFICATION = ("financing:certification_queue", _("Сертификация"), "back_office", {
    "financing:certification", "financing:program_certification"})
PROLONGATION = ("financing:prolongation", _("Продление договоров"), "back_office", {
    "financing:prolongation_group"})
INVOICES = ("financing:invoices", _("Счета"), "financing.provide", {"financing:invoice"})
SETTLEMENT = ("financing:settlement", _("Расчёты"), "territory", {
    "financing:invoice", "financing:settlement_run"})
AGREEMENTS = ("financing:agreements", _("Соглашения муниципалитетов"), "territory", {
    "financing:agreement", "financing:agreement_flows"})
REPORTS = ("financing:reports", _("Отчёты ПФДО"), "territory", set())
PERIODS = ("financing:periods", _("Периоды финансирования"), "territory", {
    "financing:period_create", "financing:period_edit", "financing:cost_parameters"})
MUNICIPAL_TASK = ("enrollment:municipal_tasks", _("Муниципальное задание"), "back_office", {
    "enrollment:municipal_task_edit"})
SURVEYS = ("surveys:list", _("Запросы данных"), "surveys", {
    "surveys:create", "surveys:detail", "surveys:edit", "surveys:reply"})
PLANS = ("plans:plans", _("Планы"), "plans", {
    "plans:plan_create", "plans:plan", "plans:import", "plans:item_create", "plans:print",
    "plans:report", "plans:item", "plans:item_delete"})
MY_PLAN = ("plans:mine", _("Мой план"), "plans.mine", {"plans:item"})
SEARCH_DICTIONARY = ("navigator:dictionary", _("Словарь поиска"), "navigator.dictionary", {
    "navigator:dictionary_edit"})
MONITORING = ("monitoring:index", _("Мониторинг"), "monitoring.view", {
    "monitoring:settings", "monitoring:annual"})
STATFORM = ("monitoring:statform", _("Форма 1-ДОП"), "monitoring.statform", {
    "monitoring:statform_layout"})
TRAINING_EVENTS = ("training:events", _("Мероприятия для педагогов"), "training", {
    "training:event_create", "training:event", "training:event_edit"})
TRAINING_TEACHERS = ("training:teachers", _("Повышение квалификации"), "training", {
    "training:teacher", "training:certificate"})
MY_TRAINING = ("training:mine", _("Моё повышение квалификации"), "training.mine", {"training:certificate"})
TRAINING_PLAN = ("training:plan", _("План повышения квалификации"), "training.plan", set())
MY_QUESTIONS = ("hotline:mine", _("Мои вопросы"), "cabinet", {"hotline:mine_detail"})
ASKED_QUESTIONS = ("hotline:asked", _("Мои вопросы"), "hotline.asked", {"hotline:mine_detail"})
MY_NEWS = ("mailing:consent", _("Новости МОЦ"), "cabinet", set())
HOTLINE = ("hotline:queue", _("Горячая линия"), "hotline", {
    "hotline:question", "hotline:call", "hotline:faq_entries", "hotline:faq_edit",
    "hotline:faq_create"})
HOTLINE_REPORT = ("hotline:report", _("Отчёт горячей линии"), "hotline.report", set())
HOTLINE_SETTINGS = ("hotline:settings", _("Настройки горячей линии"), "hotline.configure", set())
MAILINGS = ("mailing:list", _("Рассылки"), "mailing", {"mailing:create", "mailing:detail"})
MY_EVENTS = ("events:cabinet", pgettext_lazy("events", "Мероприятия"), "cabinet", {"events:cabinet_cancel"})
EVENTS = ("events:office", pgettext_lazy("events", "Мероприятия"), "events", {
    "events:create", "events:edit", "events:manage", "events:pupils"})
EVENT_MODERATION = ("events:moderation", _("Модерация мероприятий"), "events.moderate",
                    {"events:manage"})
INVOLVEMENT = ("events:involvement", _("Вовлечённость"), "events.involvement", set())
GIFTED = ("events:gifted", _("Одарённые дети"), "gifted", {
    "events:gifted_record", "events:gifted_nominate"})
QUALITY = ("quality:campaigns", _("Оценка качества"), "quality", {
    "quality:campaign_create", "quality:campaign", "quality:entry", "quality:criteria",
    "quality:criteria_new", "quality:experts", "quality:settings"})
MY_QUALITY = ("quality:provider", _("Оценка качества"), "quality.apply", {"quality:provider_entry"})
RATING_MODERATION = ("quality:rating_moderation", _("Отзывы родителей"), "quality.moderate_ratings", set())
MY_RATINGS = ("quality:provider_ratings", _("Отзывы родителей"), "quality.answer_ratings", set())
RATING_RULES = ("quality:rating_rules", _("Правила рейтинга родителей"), "quality", set())
EXPERTISE = ("quality:assignments", _("Экспертиза программ"), "quality.score", {"quality:assignment"})
PRACTICES = ("practices:office", _("Банк лучших практик"), "practices", {"practices:practice", "practices:settings"})
MY_PRACTICES = ("practices:mine", _("Лучшие практики"), "practices.edit", {
    "practices:create", "practices:edit", "practices:my_practice"})
PRACTICE_REVIEW = ("practices:assignments", _("Экспертиза практик"), "practices.score", {"practices:assignment"})
PORTAL = ("portal:office", _("Портал: публикации"), "portal.edit", set())

# The menu in groups, in its order; a user sees the entries whose section they may open,
# under the titles of the groups that keep any (the parent's cabinet has no title).
GROUPS = [
    (None, [MY_CHILDREN, MY_APPLICATIONS, MY_FAVOURITES, MY_CERTIFICATES, MY_CONTRACTS,
            MY_EVENTS, MY_QUESTIONS, MY_NEWS, MY_TRAINING]),
    (_("Программы и организации"), [MY_PROGRAMS, TEACHERS, PROGRAMS, MODERATION, INVENTORY,
                                    ORGANIZATIONS, IMPORT, SEARCH_DICTIONARY]),
    (_("Качество"), [QUALITY, MY_QUALITY, EXPERTISE, RATING_MODERATION, MY_RATINGS, RATING_RULES,
                     PRACTICES, MY_PRACTICES, PRACTICE_REVIEW]),
    (_("Дети и заявки"), [APPLICATIONS, CHILDREN, DUPLICATES, GUARDIANS]),
    (_("Мероприятия и одарённые дети"), [EVENTS, EVENT_MODERATION, INVOLVEMENT, GIFTED]),
    (_("Сертификаты и расчёты"), [CERTIFICATES, CERTIFICATION, CONTRACTS, PROLONGATION, INVOICES, SETTLEMENT,
                                  AGREEMENTS, REPORTS, PERIODS, MUNICIPAL_TASK]),
    (_("Мониторинг и планы"), [MONITORING, STATFORM, PLANS, MY_PLAN, SURVEYS]),
    (_("Кадры"), [TRAINING_EVENTS, TRAINING_TEACHERS, TRAINING_PLAN]),
    (_("Горячая линия и рассылки"), [HOTLINE, ASKED_QUESTIONS, HOTLINE_REPORT, HOTLINE_SETTINGS,
                                       MAILINGS]),
    (_("Портал"), [PORTAL]),
]
MENU = [entry for _title, entries in GROUPS for entry in entries]
_GROUP_OF = {entry[0]: title for title, entries in GROUPS for entry in entries}


def office_menu(request) -> list[dict]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else ""
    items = []
    for name, label, section, covers in MENU:
        if not scope.may_open(user, section):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # a section of an app this deployment does not serve
            continue
        items.append({"url": url, "label": label, "group": _GROUP_OF[name],
                      "current": current == name or current in covers})
    return items


def grouped(items: list[dict]) -> list[dict]:
    """The menu's items under their groups' titles, in order; ``current`` marks the group
    holding the page shown."""
    groups: list[dict] = []
    for item in items:
        if not groups or groups[-1]["title"] != item["group"]:
            groups.append({"title": item["group"], "items": [], "current": False})
        groups[-1]["items"].append(item)
        groups[-1]["current"] |= item["current"]
    return groups
