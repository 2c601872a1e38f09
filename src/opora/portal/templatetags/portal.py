from django import template
from django.utils.safestring import mark_safe
from wagtail.rich_text import expand_db_html

from opora.portal import sanitize

register = template.Library()


@register.filter
def safe_richtext(value):
    """Wagtail's stored rich text expanded into links and images, then sanitised."""
    return mark_safe(sanitize.shown(expand_db_html(value or "")))  # noqa: S308 — nh3 output


@register.filter
def filesize(document):
    """«PDF · 1,2 МБ» of a Wagtail document."""
    from django.template.defaultfilters import filesizeformat

    size = document.get_file_size()
    kind = document.file_extension.upper()
    return f"{kind} · {filesizeformat(size)}" if size else kind
