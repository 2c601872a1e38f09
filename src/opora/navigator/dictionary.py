"""The search dictionary the МОЦ keeps (``SearchSynonym``): one use case per change.

An entry lists variants that mean the same to a parent — a word and its abbreviation,
a transliteration, a colloquial name: «Python, питон», «ОФП, общая физическая
подготовка». The dictionary is the region's (one catalog): any МОЦ operator keeps it
(action ``navigator.dictionary``). Rules: at least two different variants, each of
letters or digits, at most ``MAX_VARIANTS`` of at most ``MAX_VARIANT_LENGTH``
characters; a variant belongs to one entry only. A refused change changes nothing.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from opora.accounts import scope
from opora.errors import DomainError
from opora.navigator import index, search
from opora.navigator.models import SearchSynonym

ACTION = "navigator.dictionary"
MAX_VARIANTS = 20
MAX_VARIANT_LENGTH = 60


def entries():
    return SearchSynonym.objects.order_by("variants", "pk")


def clean_variants(text: str, entry: SearchSynonym | None = None) -> str:
    """The entry's text as stored (variants as typed, comma-separated), or DomainError."""
    typed = [" ".join(part.split()) for part in (text or "").replace(";", ",").replace("\n", ",").split(",")]
    typed = [part for part in typed if part]
    folded = {}
    for part in typed:
        if len(part) > MAX_VARIANT_LENGTH:
            raise DomainError(_("Вариант «%(variant)s…» длиннее %(n)s символов.")
                              % {"variant": part[:20], "n": MAX_VARIANT_LENGTH}, field="variants")
        key = " ".join(search.all_words(part))
        if not key:
            raise DomainError(_("Вариант «%(variant)s» не содержит ни букв, ни цифр.") % {"variant": part},
                              field="variants")
        folded.setdefault(key, part)
    if len(folded) < 2:
        raise DomainError(_("Укажите хотя бы два разных варианта через запятую, например: Python, питон."),
                          field="variants")
    if len(folded) > MAX_VARIANTS:
        raise DomainError(_("Не больше %(n)s вариантов в одной записи.") % {"n": MAX_VARIANTS}, field="variants")
    others = SearchSynonym.objects.exclude(pk=entry.pk) if entry and entry.pk else SearchSynonym.objects.all()
    for other in others.only("variants"):
        taken = set(search.variants_of(other.variants)) & set(folded)
        if taken:
            raise DomainError(_("«%(variant)s» уже есть в записи «%(entry)s».")
                              % {"variant": folded[sorted(taken)[0]], "entry": other.variants}, field="variants")
    return ", ".join(folded.values())


@transaction.atomic
def save_entry(actor, variants: str, entry: SearchSynonym | None = None) -> SearchSynonym:
    """Add an entry (``entry`` None) or change one."""
    entry = entry or SearchSynonym()
    scope.require(actor, ACTION, entry)
    entry.variants = clean_variants(variants, entry)
    entry.save()
    index.changed()  # searches read the dictionary: pages kept for the catalog's version are old
    return entry


@transaction.atomic
def delete_entry(actor, entry: SearchSynonym) -> None:
    scope.require(actor, ACTION, entry)
    entry.delete()
    index.changed()
