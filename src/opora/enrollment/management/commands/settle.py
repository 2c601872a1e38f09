"""``opora settle``: the opening-day settler. It files the applications accepted into the
outbox (``Prefer: respond-async``) in order of arrival, a batch per transaction, until it
is stopped (SIGTERM or Ctrl+C); ``--once`` settles what waits and exits; ``--forget``
deletes the submissions settled more than 30 days ago (nightly). Run one beside
the web workers on the day enrolment opens (docs/operations.md); a second one waits its
turn, and a sender reading its submission settles it when none runs."""

import signal

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from opora.enrollment import intake


class Command(BaseCommand):
    help = _("Распределяет места по заявкам, принятым в очередь, в порядке поступления.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help=_("рассмотреть ожидающие заявки и завершить работу"))
        parser.add_argument("--batch", type=int, default=intake.BATCH,
                            help=_("заявок в одной транзакции"))
        parser.add_argument("--forget", action="store_true",
                            help=_("удалить рассмотренные отправки старше %(days)s дней и "
                                   "завершить работу") % {"days": intake.KEEP_DAYS})

    def handle(self, *args, once=False, batch=intake.BATCH, forget=False, **options):
        if forget:
            deleted = intake.forget()
            self.stdout.write(_("Удалено рассмотренных отправок: %(n)s.") % {"n": deleted})
            return
        if batch < 1:
            self.stderr.write(_("Размер пачки должен быть не меньше 1."))
            raise SystemExit(2)
        if once:
            settled = 0
            while done := intake.settle(batch):
                settled += done
        else:
            stopping = []
            for name in ("SIGTERM", "SIGINT"):
                signal.signal(getattr(signal, name), lambda *_a: stopping.append(True))
            settled = intake.run(stop=lambda: bool(stopping), batch=batch)
        self.stdout.write(_("Рассмотрено заявок: %(n)s.") % {"n": settled})
