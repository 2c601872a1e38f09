"""RSS 2.0 and Atom feeds of a centre's news (the region's home: the region-wide news and
every municipality's)."""

import datetime

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from opora.portal import selectors
from opora.portal.models import PortalHomePage

ITEMS = 30


class NewsRss(Feed):
    def __init__(self, page):
        super().__init__()
        self.page = page

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def title(self):
        return _("Новости: %(title)s") % {"title": self.page.title}

    def link(self):
        return self.page.get_url(self.request)

    def description(self):
        return self.page.search_description or _("Новости опорного центра дополнительного образования детей")

    def items(self):
        territory = None if isinstance(self.page, PortalHomePage) else self.page
        return selectors.news(territory).prefetch_related("tags")[:ITEMS]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.description

    def item_link(self, item):
        return item.get_full_url(self.request)

    def item_pubdate(self, item):
        moment = item.first_published_at
        if moment and timezone.localdate(moment) == item.date:
            return moment
        return timezone.make_aware(datetime.datetime.combine(item.date, datetime.time(9)))

    def item_updateddate(self, item):
        return item.last_published_at

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]


class NewsAtom(NewsRss):
    feed_type = Atom1Feed

    def subtitle(self):
        return self.description()
