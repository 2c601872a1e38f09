"""``opora plans_reminders``: the daily e-mail reminders of plan items (a week before a
check point, the day after a missed deadline). Safe to run any number of times a day."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from opora.plans import reminders


class Command(BaseCommand):
    help = "Разослать напоминания о сроках мероприятий планов МОЦ."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to run for, YYYY-MM-DD (today by default).")

    def handle(self, *args, **options):
        today = None
        if options.get("date"):
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be YYYY-MM-DD") from None
        self.stdout.write(f"letters sent: {reminders.send_due(today)}")
