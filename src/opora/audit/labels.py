"""Readable names of action codes for the timeline."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "registry.program.created": _("Программа создана"),
    "registry.program.updated": _("Программа изменена"),
    "registry.program.submitted": _("Отправлена на модерацию"),
    "registry.program.published": _("Опубликована"),
    "registry.program.returned": _("Возвращена на доработку"),
    "registry.program.archived": _("Перенесена в архив"),
    "registry.program.restored": _("Возвращена из архива в черновики"),
    "registry.program.imported": _("Загружена из Excel"),
    "registry.program.deleted": _("Черновик удалён"),
    "registry.organization.created": _("Организация добавлена"),
    "registry.organization.updated": _("Организация изменена"),
    "registry.organization.activated": _("Организация включена"),
    "registry.organization.deactivated": _("Организация отключена"),
}


STATE_LABELS = {
    "active": _("активна"),
    "inactive": _("отключена"),
}


def label_for(action: str):
    return LABELS.get(action, action)


def state_label(target_type: str, state: str):
    """The readable name of a state: the target model's ``status`` choice if it has one."""
    if not state:
        return ""
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist

    try:
        field = apps.get_model(target_type)._meta.get_field("status")
    except (LookupError, ValueError, FieldDoesNotExist):
        field = None
    if field is not None and field.choices:
        return dict(field.choices).get(state, state)
    return STATE_LABELS.get(state, state)
