"""What Opora itself holds that shows an item of a plan was done — a data request the МОЦ
answered, the form 1-ДОП or the annual report of the plan's year, an event of the plan's
municipality and period, and whatever the apps above register (the portal: the МОЦ's
news, materials and documents) — offered to the person marking the item, so the report
links to the thing itself rather than to a copy.

A source is a function ``(user, plan) -> iterable of Link`` of what that user may open;
``register`` adds one (apps above ``plans`` register theirs when they load, so ``plans``
imports none of them). An evidence keeps the link's address, relative to the site.

A link that is a publication (``day`` and ``headline`` set: a news item of the portal)
can also be picked as a publication of a media plan's item (``publications``), which
then takes its date, title and address from it.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opora.accounts import scope
from opora.events import selectors as events
from opora.surveys import selectors as surveys

PER_SOURCE = 50  # the newest of each kind is enough to pick from; a list stays readable


@dataclass(frozen=True)
class Link:
    url: str
    title: str
    kind: str
    # a publication: its date and its own title (``title`` is the one shown in the list)
    day: dt.date | None = None
    headline: str = ""

    @property
    def is_publication(self) -> bool:
        return self.day is not None and bool(self.headline)


SOURCES: list[Callable] = []


def register(source: Callable[..., Iterable[Link]]):
    SOURCES.append(source)
    return source


def offered(user, plan) -> list[Link]:
    """Every link the user may attach to an item of ``plan``, grouped by kind, each kind
    in its source's order (events and the portal's pages newest first)."""
    found = [link for source in SOURCES for link in source(user, plan)]
    return sorted(found, key=lambda link: link.kind)


def publications(user, plan, offers: list[Link] | None = None) -> list[Link]:
    """The links the user may record as a publication of a media plan's item, newest first
    (of ``offers`` when the caller has ``offered`` already)."""
    found = [link for link in (offered(user, plan) if offers is None else offers) if link.is_publication]
    return sorted(found, key=lambda link: (link.day, link.title), reverse=True)


def dates(first: dt.date, last: dt.date) -> str:
    """«05.03.2026» or «05.03.2026 – 07.03.2026»."""
    if first == last:
        return f"{first:%d.%m.%Y}"
    return f"{first:%d.%m.%Y} – {last:%d.%m.%Y}"


@register
def data_requests(user, plan):
    """Data requests of the plan's period the user manages or answered."""
    requests = (surveys.surveys_for(user)
                .filter(deadline__gte=plan.period_start, deadline__lte=plan.period_end)
                .order_by("deadline")[:PER_SOURCE])
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


@register
def held_events(user, plan):
    """Events for children of the plan's municipality (its МОЦ's, its providers', the
    municipal stages) held within the plan's period that the user may open: the public
    page of a published (or archived) one, the back-office page of another to its
    organizer or moderator, marked as not published."""
    held = events.held_between(user, plan.municipality_id, plan.period_start, plan.period_end)
    for event in held.order_by("-held_from", "-pk")[:PER_SOURCE]:
        when = dates(timezone.localtime(event.held_from).date(), timezone.localtime(event.held_to).date())
        if event.status in events.ON_PUBLIC_PAGE:
            url, title = reverse("events:detail", args=[event.pk]), _("«%(title)s», %(dates)s")
        else:
            url, title = (reverse("events:manage", args=[event.pk]),
                          _("«%(title)s», %(dates)s (не опубликовано)"))
        yield Link(url, title % {"title": event.title, "dates": when}, _("Мероприятие"))
