from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "opora.demo"
    verbose_name = "Demo data"
