"""The back-office menu shows exactly the pages a role may open: every back-office list
page (an ``office/`` or ``cabinet/`` URL without parameters) is walked for every role,
and the pages answering 200 are the menu's entries and the pages they cover."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from opora.accounts.models import Role
from opora.office import nav
from tests import factories as f

PERSONAS = ["parent", "staff", "acting_staff", "operator", "authority", "regional", "superuser",
            "expert"]


def _routes(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else (
                pattern.namespace or namespace)
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + str(pattern.pattern), f"{namespace}:{pattern.name}", pattern.callback


def back_office_pages() -> list[str]:
    """URL names of the back-office pages that take no parameter (the dashboard redirects)."""
    return sorted(name for route, name, _view in _routes(get_resolver().url_patterns)
                  if route.startswith(("office/", "cabinet/")) and "<" not in route
                  and name != "office:dashboard")


@pytest.fixture
def persona(request, city, provider, staff, operator, authority, regional, parent):
    acting = f.organization(city, issues_certificates=True)
    people = {
        "parent": parent, "staff": staff, "operator": operator, "authority": authority,
        "regional": regional,
        "acting_staff": f.user(Role.ORGANIZATION_STAFF, organization=acting, municipality=city),
        "superuser": f.user(Role.REGIONAL_CENTRE, is_superuser=True, is_staff=True),
        "expert": f.user(Role.EXPERT),
    }
    return people[request.param]


def _walk(client):
    answers = {}
    for name in back_office_pages():
        response = client.get(reverse(name))
        is_page = response.status_code == 200 and response["Content-Type"].startswith("text/html")
        answers[name] = "page" if is_page else response.status_code
    return answers


def test_the_walk_covers_the_menu_and_more():
    pages = back_office_pages()

    assert {name for name, *_ in nav.MENU} <= set(pages)
    assert {"registry:program_create", "financing:period_create", "enrollment:walk_in",
            "registry:organization_create", "enrollment:child_add"} <= set(pages)


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_menu_shows_exactly_the_pages_the_role_may_open(client, persona):
    client.force_login(persona)

    menu = client.get(reverse("navigator:home")).context["office_nav"]
    answers = _walk(client)

    shown = {entry[0] for entry in nav.MENU if reverse(entry[0]) in {item["url"] for item in menu}}
    covered = shown | {page for entry in nav.MENU if entry[0] in shown for page in entry[3]}
    opened = {name for name, answer in answers.items() if answer == "page"}
    assert shown <= opened, f"in the menu but refused: {sorted(shown - opened)}"
    assert opened <= covered, f"open but not in the menu: {sorted(opened - covered)}"
    assert {answer for answer in answers.values()} <= {"page", 200, 302, 403, 405}


EXPECTED_MENUS = {
    "parent": ["Мои дети", "Заявки", "Избранное", "Сертификаты", "Договоры", "Мероприятия",
               "Мои вопросы", "Новости МОЦ"],
    "staff": ["Мои программы", "Педагоги", "Импорт из Excel", "Оценка качества", "Отзывы родителей", "Лучшие практики",
              "Заявки",
              "Мероприятия",
              "Одарённые дети", "Сертификация", "Договоры", "Продление договоров", "Счета", "Муниципальное задание",
              "Форма 1-ДОП", "Мой план",
              "Запросы данных", "Мероприятия для педагогов", "Повышение квалификации", "Мои вопросы"],
    "acting_staff": ["Мои программы", "Педагоги", "Импорт из Excel", "Оценка качества", "Отзывы родителей",
                     "Лучшие практики", "Заявки",
                     "Мероприятия",
                     "Одарённые дети", "Сертификаты", "Сертификация", "Договоры", "Продление договоров", "Счета",
                     "Муниципальное задание", "Форма 1-ДОП", "Мой план", "Запросы данных", "Мероприятия для педагогов",
                     "Повышение квалификации", "Мои вопросы"],
    "operator": ["Реестр программ", "Модерация", "Инвентаризация", "Реестр организаций",
                 "Импорт из Excel", "Словарь поиска", "Оценка качества", "Отзывы родителей",
                 "Правила рейтинга родителей", "Банк лучших практик", "Дети", "Возможные дубли",
                 "Подтверждение представителей", "Мероприятия", "Модерация мероприятий",
                 "Вовлечённость", "Одарённые дети", "Сертификаты", "Сертификация", "Договоры", "Продление договоров",
                 "Расчёты", "Соглашения муниципалитетов", "Отчёты ПФДО", "Периоды финансирования",
                 "Муниципальное задание",
                 "Мониторинг", "Форма 1-ДОП", "Планы",
                 "Мой план", "Запросы данных", "Мероприятия для педагогов", "Повышение квалификации",
                 "План повышения квалификации", "Горячая линия", "Отчёт горячей линии",
                 "Настройки горячей линии", "Рассылки", "Портал: публикации"],
    "authority": ["Реестр программ", "Модерация", "Инвентаризация", "Реестр организаций", "Оценка качества",
                  "Правила рейтинга родителей", "Банк лучших практик", "Дети",
                  "Вовлечённость", "Сертификаты", "Сертификация", "Договоры", "Продление договоров",
                  "Расчёты", "Соглашения муниципалитетов", "Отчёты ПФДО",
                  "Периоды финансирования", "Муниципальное задание",
                  "Мониторинг", "Форма 1-ДОП", "Планы", "Запросы данных",
                  "Мероприятия для педагогов", "Повышение квалификации", "План повышения квалификации",
                  "Отчёт горячей линии"],
    "regional": ["Реестр программ", "Модерация", "Инвентаризация", "Реестр организаций", "Оценка качества",
                 "Правила рейтинга родителей", "Банк лучших практик", "Дети",
                 "Мероприятия", "Модерация мероприятий", "Вовлечённость", "Одарённые дети",
                 "Сертификаты", "Сертификация", "Договоры", "Продление договоров", "Расчёты",
                 "Соглашения муниципалитетов", "Отчёты ПФДО",
                 "Периоды финансирования", "Муниципальное задание",
                 "Мониторинг", "Форма 1-ДОП", "Планы", "Запросы данных",
                 "Мероприятия для педагогов", "Повышение квалификации", "План повышения квалификации",
                 "Горячая линия", "Отчёт горячей линии", "Настройки горячей линии", "Портал: публикации"],
    "expert": ["Экспертиза программ", "Экспертиза практик"],
}
EXPECTED_MENUS["superuser"] = EXPECTED_MENUS["regional"]


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_menu_of_each_role(client, persona, request):
    client.force_login(persona)

    menu = client.get(reverse("navigator:home")).context["office_nav"]

    assert [str(item["label"]) for item in menu] == EXPECTED_MENUS[request.node.callspec.params["persona"]]


@pytest.mark.parametrize(("persona", "page", "groups"), [
    ("parent", "enrollment:cabinet", [None]),
    ("staff", "registry:my_programs",
     ["Программы и организации", "Качество", "Дети и заявки", "Мероприятия и одарённые дети",
      "Сертификаты и расчёты", "Мониторинг и планы", "Кадры", "Горячая линия и рассылки"]),
    ("operator", "registry:programs", ["Программы и организации", "Качество", "Дети и заявки",
                                       "Мероприятия и одарённые дети", "Сертификаты и расчёты",
                                       "Мониторинг и планы", "Кадры", "Горячая линия и рассылки",
                                       "Портал"]),
], indirect=["persona"])
def test_the_menu_is_grouped_and_folds_on_a_phone(client, persona, page, groups):
    client.force_login(persona)
    response = client.get(reverse(page))
    shown = response.context["office_groups"]
    assert [group["title"] and str(group["title"]) for group in shown] == groups
    assert [item for group in shown for item in group["items"]] == response.context["office_nav"]
    html = response.content.decode()
    assert '<nav class="office-nav"' in html
    if len(groups) == 1:  # a short menu (the parent's cabinet) is a plain list
        assert "office-menu" not in html
    else:
        assert '<details class="office-menu" data-open-wide>' in html
        for title in groups:
            assert f'aria-label="{title}"' in html


def test_the_current_page_names_its_group_and_itself(client, operator):
    client.force_login(operator)
    response = client.get(reverse("enrollment:duplicates"))
    current = [group for group in response.context["office_groups"] if group["current"]]
    assert [str(group["title"]) for group in current] == ["Дети и заявки"]
    assert '· <span class="office-current">Возможные дубли</span>' in response.content.decode()


def test_a_visitor_is_sent_to_sign_in_from_every_back_office_page(client, db):
    login = reverse("accounts:login")

    assert client.get(reverse("navigator:home")).context["office_nav"] == []
    for name in back_office_pages():
        response = client.get(reverse(name))
        if response.status_code != 405:  # a form's POST-only action
            assert response.status_code == 302 and response["Location"].startswith(login), name


@pytest.mark.parametrize(("persona", "first"), [
    ("parent", "enrollment:cabinet"), ("expert", "quality:assignments"),
], indirect=["persona"])
def test_the_cabinet_link_opens_the_cabinet_or_the_catalog(client, persona, first):
    client.force_login(persona)

    assert client.get(reverse("office:dashboard"))["Location"] == reverse(first)


@pytest.mark.parametrize("persona", ["staff", "operator", "authority", "regional", "superuser"],
                         indirect=True)
def test_the_cabinet_link_opens_the_desk_of_a_back_office_role(client, persona):
    client.force_login(persona)

    response = client.get(reverse("office:dashboard"))

    assert response.status_code == 200 and "Рабочий стол" in response.content.decode()


@pytest.mark.parametrize(("persona", "shown"), [("parent", True), ("staff", True), ("expert", True)],
                         indirect=["persona"])
def test_the_cabinet_link_is_shown_to_roles_with_a_menu(client, persona, shown):
    client.force_login(persona)

    page = client.get(reverse("navigator:home")).content.decode()

    assert (f'href="{reverse("office:dashboard")}"' in page) is shown


def test_every_back_office_page_is_gated_by_its_section():
    ungated = [name for route, name, view in _routes(get_resolver().url_patterns)
               if route.startswith(("office/", "cabinet/")) and name != "office:dashboard"
               and getattr(view, "section", None) is None]

    assert ungated == []
