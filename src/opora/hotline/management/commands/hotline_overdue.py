"""``opora hotline_overdue``: flag the hotline questions past their deadline and tell the
heads of the МОЦ, each question once (run it daily from cron or a scheduler)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from opora.hotline import services


class Command(BaseCommand):
    help = _("Отмечает просроченные вопросы горячей линии и извещает руководителей МОЦ.")

    def handle(self, *args, **options):
        flagged = services.report_overdue()
        self.stdout.write(_("Просроченных вопросов отмечено: %(n)s.") % {"n": flagged})
