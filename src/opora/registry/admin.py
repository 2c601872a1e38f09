from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from opora.registry import models as m


@admin.register(m.Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "code")


class PopulationInline(admin.TabularInline):
    """Shown, not edited: the population is kept on the monitoring's settings page
    (``monitoring.services``), where every change is checked and recorded in the audit
    trail."""

    model = m.MunicipalityPopulation
    fields = ("year", "children_5_17")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(m.Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "oktmo", "region")
    inlines = [PopulationInline]


@admin.register(m.Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ("short_name", "inn", "kind", "municipality", "is_active", "is_support_centre")
    list_filter = ("municipality", "kind", "is_active", "is_rural")
    search_fields = ("short_name", "full_name", "inn")


@admin.register(m.Teacher)
class TeacherAdmin(SimpleHistoryAdmin):
    list_display = ("full_name", "organization", "category")
    search_fields = ("last_name", "first_name")
    list_select_related = ("organization",)


@admin.register(m.Specialisation)
class SpecialisationAdmin(admin.ModelAdmin):
    list_display = ("name", "direction", "is_significant")
    list_filter = ("direction",)


class ModuleInline(admin.TabularInline):
    model = m.Module
    extra = 0


@admin.register(m.Program)
class ProgramAdmin(SimpleHistoryAdmin):
    list_display = ("title", "organization", "direction", "status")
    list_filter = ("status", "direction")
    search_fields = ("title",)
    list_select_related = ("organization",)
    raw_id_fields = ("organization",)
    filter_horizontal = ("partners",)
    inlines = [ModuleInline]


class ScheduleInline(admin.TabularInline):
    model = m.ScheduleLine
    extra = 0


class FundingInline(admin.TabularInline):
    model = m.GroupFunding
    extra = 0


@admin.register(m.Group)
class GroupAdmin(SimpleHistoryAdmin):
    list_display = ("name", "module", "start_date", "end_date", "capacity_max", "enrolment_open")
    raw_id_fields = ("module",)
    filter_horizontal = ("teachers",)
    inlines = [ScheduleInline, FundingInline]
