"""The demo's monitoring history: the indicators frozen on the first day of every month of
the school year so far, as the nightly task would have frozen them, so the coverage time
series of the «Мониторинг» page has its points the moment a newcomer signs in."""

import datetime as dt

from opora.monitoring.services import take_snapshots


def month_starts(ctx) -> list[dt.date]:
    """The first days of the school year's months before ``ctx.today``."""
    days, day = [], ctx.year_start
    while day < ctx.today:
        days.append(day)
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return days


def build_snapshots(ctx) -> int:
    """Freeze the region and every municipality on each month start; returns the count."""
    return sum(take_snapshots(day) for day in month_starts(ctx))
