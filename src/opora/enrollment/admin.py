"""Read-only admin for superusers: every change goes through the services, so that it
is checked, locked where seats are concerned, and recorded in the audit trail."""

from django.contrib import admin

from opora.enrollment.models import Application, Child, EnrolmentSettings, Guardianship


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class GuardianshipInline(admin.TabularInline):
    model = Guardianship
    fields = ("parent", "consent_at", "consent_channel", "consent_by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Child)
class ChildAdmin(ReadOnlyAdmin):
    list_display = ("last_name", "first_name", "patronymic", "birth_date", "municipality")
    list_filter = ("municipality",)
    search_fields = ("last_name", "first_name", "snils", "uuid")
    list_select_related = ("municipality",)
    inlines = [GuardianshipInline]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("pk", "child", "group", "status", "queue_number", "channel", "created_at")
    list_filter = ("status", "channel")
    search_fields = ("uuid", "child__last_name")
    list_select_related = ("child", "group")
    raw_id_fields = ("child", "group")


@admin.register(EnrolmentSettings)
class EnrolmentSettingsAdmin(ReadOnlyAdmin):
    list_display = ("municipality", "max_live_applications")
