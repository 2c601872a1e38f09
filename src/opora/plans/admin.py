"""Admin of plans: the kinds of plans are data the administrator keeps (a new kind of
plan needs no code); plans themselves are read-only here, every change goes through the
services so that it is checked and recorded in the audit trail."""

from django.contrib import admin

from opora.plans.models import Plan, PlanKind


@admin.register(PlanKind)
class PlanKindAdmin(admin.ModelAdmin):
    list_display = ("title", "code", "has_channels", "position")

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.plans.exists()


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("title", "municipality", "period_kind", "year", "status")
    list_filter = ("status", "kind", "period_kind")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
