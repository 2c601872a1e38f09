"""``opora monitoring_snapshot [--date YYYY-MM-DD] [--background]``: freeze the
indicators of the region and of every municipality on a date (yesterday by default), for
cron once a night after midnight."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from opora.monitoring import services, tasks


class Command(BaseCommand):
    help = "Freeze the indicators of the region and every municipality on a date (default: yesterday)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the reference date, YYYY-MM-DD (default: yesterday)")
        parser.add_argument("--background", action="store_true",
                            help="queue the task for the tasks worker instead of running it here")

    def handle(self, *args, date=None, background=False, **options):
        try:
            day = dt.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}") from None
        if background:
            result = tasks.take_snapshots.enqueue(day.isoformat() if day else None)
            self.stdout.write(f"queued task {result.id}")
            return
        count = services.take_snapshots(day)
        self.stdout.write(f"{count} snapshots written")
