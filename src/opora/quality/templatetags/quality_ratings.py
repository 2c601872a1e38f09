"""``{% rating_link application %}`` for the parent's cabinet: «Оценить программу» where
the enrolment qualifies and is not rated yet, «Ваша оценка программы» once it is; nothing
else. The enrollment app's templates load it, so the enrollment code imports nothing above
it. On a list the answers for the whole page are read at the first call (three queries,
whatever the number of rows)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from opora.quality import ratings

register = template.Library()
CACHE = "quality_ratings:states"


def _page_applications(context, application) -> list:
    page = context.get("page")
    listed = list(getattr(page, "object_list", None) or [])
    return listed if any(a.pk == application.pk for a in listed) else [application]


@register.simple_tag(takes_context=True)
def rating_link(context, application):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return ""
    states = context.render_context.get(CACHE)
    if states is None or application.pk not in states:
        states = ratings.rating_states(user, _page_applications(context, application))
        context.render_context[CACHE] = states
    url = reverse("quality:rate", args=[application.uuid])
    state = states.get(application.pk)
    if state == "rated":
        return format_html('<a href="{}">{}</a>', url, _("Ваша оценка программы"))
    if state == "rateable":
        return format_html('<a href="{}" role="button" class="secondary">{}</a>', url, _("Оценить программу"))
    return ""
