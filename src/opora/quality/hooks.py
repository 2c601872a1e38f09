"""What the quality assessment answers to the hooks of lower apps (registered in
``apps.py``): certification asks whether a program passed (financing), the program
pages show the result (registry and navigator)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from opora.accounts import scope
from opora.quality import selectors
from opora.quality.models import Decision


def certification_blocker(module) -> str | None:
    """A municipality that requires it certifies only programs whose latest published
    result is «passed»."""
    program = module.program
    if not selectors.passed_required(program.organization.municipality_id):
        return None
    latest = selectors.latest_result(program)
    if latest is not None and latest.decision == Decision.PASSED:
        return None
    return _("Муниципалитет сертифицирует только программы, прошедшие независимую оценку "
             "качества с результатом «соответствует». У этой программы такого результата нет.")


def public_badges(program) -> list[dict]:
    latest = selectors.latest_result(program)
    if latest is None or latest.decision != Decision.PASSED:
        return []
    year = latest.campaign.published_at.year
    return [{"label": _("Прошла независимую оценку качества, %(year)d") % {"year": year},
             "kind": "quality", "url": reverse("quality:public_campaign", args=[latest.campaign_id])}]


def office_panel(user, program) -> dict | None:
    entries = selectors.entries_of_program(program)
    if not entries:
        return None
    lines = [selectors.describe(entry) for entry in entries]
    url = ""
    if scope.may_open(user, "quality"):
        url = reverse("quality:entry", args=[entries[0].pk])
    elif scope.may_open(user, "quality.apply"):
        url = reverse("quality:provider_entry", args=[entries[0].pk])
    return {"title": _("Независимая оценка качества"), "lines": lines, "url": url,
            "link_label": _("Подробнее об оценке")}
