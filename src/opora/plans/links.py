"""What Opora itself holds that shows an item of a plan was done — a data request the МОЦ
answered, the form 1-ДОП or the annual report of the plan's year, and whatever the apps
above register (news, events) — offered to the person marking the item, so the report
links to the thing itself rather than to a copy.

A source is a function ``(user, plan) -> iterable of Link`` of what that user may open;
``register`` adds one (apps above ``plans`` register theirs when they load, so ``plans``
imports none of them). An evidence keeps the link's address, relative to the site.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from opora.accounts import scope
from opora.surveys import selectors as surveys


@dataclass(frozen=True)
class Link:
    url: str
    title: str
    kind: str


SOURCES: list[Callable] = []


def register(source: Callable[..., Iterable[Link]]):
    SOURCES.append(source)
    return source


def offered(user, plan) -> list[Link]:
    """Every link the user may attach to an item of ``plan``, by kind and title."""
    found = [link for source in SOURCES for link in source(user, plan)]
    return sorted(found, key=lambda link: (link.kind, link.title))


@register
def data_requests(user, plan):
    """Data requests of the plan's period the user manages or answered."""
    requests = (surveys.surveys_for(user)
                .filter(deadline__gte=plan.period_start, deadline__lte=plan.period_end)
                .order_by("deadline")[:50])
    for request in requests:
        yield Link(reverse("surveys:detail", args=[request.pk]),
                   _("«%(title)s», срок %(deadline)s") % {
                       "title": request.title, "deadline": f"{request.deadline:%d.%m.%Y}"},
                   _("Запрос данных"))


@register
def monitoring_reports(user, plan):
    """The annual report and the form 1-ДОП of each year the plan covers."""
    years = range(plan.period_start.year, plan.period_end.year + 1)
    for year in years:
        if scope.may_open(user, "monitoring.view"):
            yield Link(f"{reverse('monitoring:annual')}?year={year}",
                       _("Годовой отчёт за %(year)s год") % {"year": year}, _("Отчёт"))
        if scope.may_open(user, "monitoring.statform"):
            yield Link(f"{reverse('monitoring:statform')}?year={year}",
                       _("Форма 1-ДОП за %(year)s год") % {"year": year}, _("Отчёт"))
