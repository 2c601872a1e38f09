"""The catalog index: one narrow row per public program, derived from the registry.

The catalog filters, counts and sorts tens of thousands of programs on every request.
Reading the wide program table with its texts, and the groups with their financing
sources, for that would cost more than the page may take; so ``index.refresh`` keeps
here, for each published program of an active organization, exactly the values the
catalog filters on, as small integers and bit sets (see ``codes``). The registry stays
the truth: the index is rebuilt from it whenever a program, group, financing source
or organization is saved (``receivers``) and by ``opora navigator_reindex``.

Migrations add what the ORM does not model: on PostgreSQL ``enrolment_windows`` (a
``tstzmultirange`` of the moments enrolment is open) and the search vocabulary
``navigator_searchword``; on both databases the search documents ``navigator_searchdoc``
(migration 0006).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from opora.registry.models import Municipality, Organization, Program, Specialisation


class CatalogEntry(models.Model):
    program = models.OneToOneField(Program, primary_key=True, on_delete=models.CASCADE,
                                   related_name="catalog_entry", verbose_name=_("программа"))
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    specialisation = models.ForeignKey(Specialisation, null=True, on_delete=models.SET_NULL,
                                       related_name="+")
    direction = models.PositiveSmallIntegerField()
    levels = models.PositiveSmallIntegerField()
    forms = models.PositiveSmallIntegerField()
    payment = models.PositiveSmallIntegerField()
    ovz_kinds = models.PositiveSmallIntegerField()
    seasonal = models.PositiveSmallIntegerField()
    is_rural = models.BooleanField()
    age_min = models.PositiveSmallIntegerField()
    age_max = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    # the cheapest monthly price over the program's active groups and sources (0 = free)
    min_price = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    # the lowest monthly price a family pays out of pocket, for the «платно» badge
    min_paid_price = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    # the start of the earliest active group not yet finished, as of the last refresh
    next_start = models.DateField(null=True)
    # free seats in active groups not yet finished (``registry.selectors.free_seats_expression``)
    free_seats = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("запись каталога")
        verbose_name_plural = _("каталог навигатора")
        indexes = [
            models.Index(fields=["title", "program"], name="navigator_entry_title"),
            models.Index(fields=["next_start", "title", "program"], name="navigator_entry_start"),
        ]

    def __str__(self):
        return self.title


class CatalogChange(models.Model):
    """One row per refresh of the catalog index: the largest id is the catalog's
    version, the key under which the facet counts of broad searches are cached
    (``catalog.search_catalog``). Rows are only ever added (no lock between
    concurrent refreshes) and become visible with the refresh's own commit; the
    rebuild keeps the last one."""

    id = models.BigAutoField(primary_key=True)

    class Meta:
        verbose_name = _("изменение каталога")
        verbose_name_plural = _("изменения каталога")

    def __str__(self):
        return str(self.id)


class SearchSynonym(models.Model):
    """An entry of the search dictionary the МОЦ keeps: words, abbreviations and
    transliterations that mean the same («Python, питон», «ОФП, общая физическая
    подготовка»). A search for any variant finds the programs of every variant."""

    variants = models.TextField(
        _("варианты"), help_text=_("Слова или сочетания слов через запятую, например: Python, питон."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("синоним поиска")
        verbose_name_plural = _("словарь поиска")
        ordering = ["variants", "pk"]

    def __str__(self):
        return self.variants
