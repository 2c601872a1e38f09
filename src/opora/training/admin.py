from django.contrib import admin

from opora.training.models import TrainingKind


@admin.register(TrainingKind)
class TrainingKindAdmin(admin.ModelAdmin):
    list_display = ("title", "code", "produces_protocol", "position")
    list_editable = ("position",)
