"""Steps a person takes in the browser, shared by the end-to-end tests."""

import re
from decimal import Decimal

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def csp_violations(page) -> list[str]:
    """The list the browser's refusals under the Content-Security-Policy are added to."""
    violations = []
    page.on("console", lambda message: violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text else None)
    return violations


def log_in(page, email, password):
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()


def log_out(page):
    page.get_by_role("button", name="Выйти").click()


def open_section(page, name):
    """Open a back-office section from the menu as a user does: on a phone the grouped
    menu is folded under «Меню» and is unfolded first."""
    nav = page.get_by_role("navigation", name="Разделы кабинета")
    # the page may still be the one before (a log-in just sent): wait for the menu itself,
    # or a folded phone menu would be taken for an open one
    nav.wait_for()
    menu = nav.locator("details.office-menu")
    if menu.count() and menu.get_attribute("open") is None:
        nav.locator("summary").click()
    nav.get_by_role("link", name=name, exact=True).click()


def money(amount: Decimal):
    """An amount as a page shows it in Russian («30 000,00 ₽»), grouped or not."""
    whole, kopecks = f"{amount:.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return re.compile(r"(?<![\d,])" + r"\s?".join(groups) + "," + kopecks + r"\s?₽")


def fact(scope, term):
    """The value (``<dd>``) of a term (``<dt>``) of a list of facts."""
    return scope.get_by_role("term").filter(
        has_text=re.compile(rf"^\s*{re.escape(term)}\s*$")).locator("xpath=following-sibling::dd[1]")
