"""``opora accept_prolongations``: the daily task of prolongation. Offers of contracts for
the next period that the parent left unanswered for the number of days their
municipality set are accepted on the parent's behalf (municipalities that set no such
rule are skipped). Safe to run any number of times a day."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from opora.financing import prolongation


class Command(BaseCommand):
    help = "Принять оферты продления, на которые родители не ответили в срок, установленный муниципалитетом."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to run for, YYYY-MM-DD (today by default).")

    def handle(self, *args, **options):
        today = None
        if options.get("date"):
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be YYYY-MM-DD") from None
        accepted = prolongation.accept_due_offers(today)
        self.stdout.write(f"offers accepted: {accepted}")
