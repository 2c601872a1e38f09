"""``{% rating_link application %}`` for the parent's cabinet: «Оценить программу» where
the enrolment qualifies and is not rated yet, «Ваша оценка» once it is; nothing else.
The enrollment app's templates load it, so the enrollment code imports nothing above it."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from opora.quality import ratings
from opora.quality.models import Rating

register = template.Library()


@register.simple_tag(takes_context=True)
def rating_link(context, application):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return ""
    url = reverse("quality:rate", args=[application.uuid])
    if Rating.objects.filter(application_id=application.pk).exists():
        return format_html('<a href="{}">{}</a>', url, _("Ваша оценка программы"))
    if ratings.rateable(user, application):
        return format_html('<a href="{}" role="button" class="secondary">{}</a>', url, _("Оценить программу"))
    return ""
