"""``{{ value|amount }}`` («30 000 000,00», for a column whose heading names the currency)
and ``{{ value|money }}`` («30 000 000,00 ₽»): see ``opora.money``."""

from django import template

from opora import money as format

register = template.Library()
register.filter("amount", format.amount)
register.filter("money", format.rubles)
