from django.contrib import admin

from opora.events.models import EventKind


@admin.register(EventKind)
class EventKindAdmin(admin.ModelAdmin):
    """Kinds of events are data: the starting ones come from a data migration
    (``events.kinds``); an administrator adds more here."""

    list_display = ("title", "code", "competitive", "position")
    list_editable = ("position",)
