from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from opora.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "last_name", "first_name", "role", "municipality", "organization",
                    "is_active")
    list_filter = ("role", "is_active", "is_superuser", "municipality")
    search_fields = ("email", "last_name", "first_name")
    autocomplete_fields = ("organization",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Личные данные"), {"fields": ("last_name", "first_name", "patronymic", "phone")}),
        (_("Роль и территория"), {"fields": ("role", "municipality", "organization",
                                              "is_centre_head")}),
        (_("Доступ"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Даты"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2",
                                                              "role", "municipality",
                                                              "organization")}),)
