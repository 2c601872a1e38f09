"""The blocks a centre's page shows from the apps below the portal: the events for
children of its territory and the published results of its quality assessment.

Each block reads its app's own public selector — ``events.selectors.public_events``
(moderated and published, a session still ahead) and ``quality.selectors.public_campaigns``
(results published) — so «public» has one definition, the app's; the portal only narrows
it to the territory and takes the first few. Whose an event or a campaign is:

- a municipality's page: the events organized in the municipality (by its providers or
  its МОЦ, the МОЦ's municipal stages of regional contests among them) and the campaigns
  of its МОЦ;
- the region's page: the events of the РМЦ (no municipality: the regional ones, not
  their municipal stages) and the region-wide campaigns;
- the portal's home page (``territory`` None): the whole region's — every municipality's
  and the РМЦ's.

A block with nothing to show is None, and the page leaves it out (no heading, no
placeholder). Each costs a fixed number of queries whatever it holds.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from opora.events.models import EventSession
from opora.events.selectors import public_events
from opora.quality.selectors import public_campaigns

EVENTS_SHOWN = 5
CAMPAIGNS_SHOWN = 5


def _municipality_of(territory):
    return getattr(territory, "municipality", None)


@dataclass
class EventItem:
    event: object
    starts_at: dt.datetime  # the beginning of its next session
    ends_at: dt.datetime  # the end of its last session
    several_days: bool
    place: str
    online: bool


@dataclass
class EventsBlock:
    items: list[EventItem]
    more_url: str


def _item(event, now) -> EventItem:
    ahead = [s for s in event.sessions.all() if s.ends_at >= now]  # prefetched, by start
    first, last = ahead[0], ahead[-1]
    places = [s.place for s in ahead if s.place]
    return EventItem(
        event=event, starts_at=first.starts_at, ends_at=last.ends_at,
        several_days=timezone.localdate(first.starts_at) != timezone.localdate(last.ends_at),
        place=places[0] if places else "", online=any(s.online_url for s in ahead))


def events_block(territory, now=None) -> EventsBlock | None:
    """The territory's next published events (the whole region's when ``territory`` is
    None), the nearest first."""
    now = now or timezone.now()
    municipality = _municipality_of(territory)
    events = public_events(now=now)
    more_url = reverse("events:list")
    if territory is None:
        pass
    elif municipality is None:
        events = events.filter(municipality__isnull=True)
    else:
        events = events.filter(municipality=municipality)
        more_url = f"{more_url}?municipality={municipality.pk}"
    next_start = (EventSession.objects.filter(event=OuterRef("pk"), ends_at__gte=now)
                  .order_by("starts_at").values("starts_at")[:1])
    events = events.annotate(next_start=Subquery(next_start)).order_by("next_start", "pk")
    items = [_item(event, now) for event in events[:EVENTS_SHOWN]]
    return EventsBlock(items, more_url) if items else None


@dataclass
class QualityBlock:
    campaigns: list
    more_url: str


def quality_block(territory) -> QualityBlock | None:
    """The territory's campaigns with published results (the whole region's when
    ``territory`` is None), the latest first, with the numbers of programs assessed and
    passed."""
    municipality = _municipality_of(territory)
    campaigns = public_campaigns()
    if territory is None:
        pass
    elif municipality is None:
        campaigns = campaigns.filter(municipality__isnull=True)
    else:
        campaigns = campaigns.filter(municipality=municipality)
    shown = list(campaigns.order_by("-published_at", "-pk")[:CAMPAIGNS_SHOWN])
    return QualityBlock(shown, reverse("quality:public")) if shown else None
