"""``opora certificates_fallback``: the daily task of certificates. Financing
certificates left without a contract after their period's deadline give their place
back (and become accounting certificates), then the free places of the current periods
go to the financing queue. Safe to run any number of times a day."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from opora.financing import certificates


class Command(BaseCommand):
    help = "Перевести неиспользованные сертификаты финансирования в сертификаты учёта и раздать места очереди."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to run for, YYYY-MM-DD (today by default).")

    def handle(self, *args, **options):
        today = None
        if options.get("date"):
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be YYYY-MM-DD") from None
        freed = certificates.fallback_unused(today)
        self.stdout.write(f"places freed: {freed}")
