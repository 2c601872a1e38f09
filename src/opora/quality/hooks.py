"""What the quality assessment answers to the hooks of lower apps (registered in
``apps.py``): certification asks whether a program passed (financing), the program
pages show the result and the parents' rating (registry and navigator), an enrolment that
ends refreshes its program's rating (enrollment)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from opora.accounts import scope
from opora.quality import ratings, selectors
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
    badges = []
    latest = selectors.latest_result(program)
    if latest is not None and latest.decision == Decision.PASSED:
        year = latest.campaign.published_at.year
        badges.append({"label": _("Прошла независимую оценку качества, %(year)d") % {"year": year},
                       "kind": "quality", "url": reverse("quality:public_campaign", args=[latest.campaign_id])})
    rating = ratings.public_rating(program)
    if rating is not None:
        badges.append({"label": _("Оценка родителей: %(score)s из 5 (оценок: %(n)d)") % {
            "score": f"{rating.score:.1f}".replace(".", ","), "n": rating.ratings},
            "kind": "rating", "url": reverse("quality:program_rating", args=[program.pk])})
    return badges


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
