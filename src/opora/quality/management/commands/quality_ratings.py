"""``opora quality_ratings``: compute the parents' rating of every rated program again
(run it nightly: three months of attendance make new enrolments qualify with time)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from opora.quality import ratings


class Command(BaseCommand):
    help = _("Пересчитывает рейтинги программ по оценкам родителей.")

    def handle(self, *args, **options):
        count = ratings.refresh_all()
        self.stdout.write(_("Рейтингов пересчитано: %(n)s.") % {"n": count})
