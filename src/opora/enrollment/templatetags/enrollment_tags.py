from django import template

from opora.enrollment.forms import format_snils

register = template.Library()


@register.filter
def snils(digits):
    """«11223344595» → «112-233-445 95», as the number is printed on the card."""
    return format_snils(digits)
