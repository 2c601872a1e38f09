"""Rebuild the navigator's catalog index and search vocabulary from the registry.

Run it nightly (the start of the nearest group and the free seats of running groups
depend on the date) and after bulk loads that bypass the model signals."""

import time

from django.core.management.base import BaseCommand

from opora.navigator import index
from opora.navigator.models import CatalogEntry


class Command(BaseCommand):
    help = "Пересобрать каталог навигатора и словарь поиска по реестру программ."

    def handle(self, *args, **options):
        started = time.perf_counter()
        index.rebuild()
        self.stdout.write(f"{CatalogEntry.objects.count()} программ в каталоге, "
                          f"{time.perf_counter() - started:.1f} с.")
