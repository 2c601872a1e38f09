from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "opora.events"
    verbose_name = _("Мероприятия и одарённые дети")
