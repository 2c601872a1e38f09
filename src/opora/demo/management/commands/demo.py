"""``opora demo``: build the demo region «Северная область» and print its accounts."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from opora.demo import accounts
from opora.demo.generator import SEED, build_demo

URL = "http://127.0.0.1:8000/"


class Command(BaseCommand):
    help = _("Создаёт демонстрационный регион «Северная область» и печатает учётные записи.")

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true",
                            help=_("удалить демо-регион и построить его заново"))
        parser.add_argument("--scale", type=float, default=1.0,
                            help=_("доля полного размера: 0.1 — десятая часть программ и групп"))
        parser.add_argument("--seed", type=int, default=SEED,
                            help=_("начальное значение генератора случайных чисел"))

    def handle(self, *args, reset=False, scale=1.0, seed=SEED, **options):
        if scale <= 0:
            raise CommandError(_("--scale должен быть больше нуля."))
        try:
            result = build_demo(scale=scale, seed=seed, reset_first=reset)
        except LookupError as error:
            raise CommandError(_("Демо-регион неполон (%(error)s). Пересоздайте его: "
                                 "opora demo --reset") % {"error": error}) from None
        counts = result.counts
        if result.created:
            self.stdout.write(self.style.SUCCESS(_(
                "Демо-регион «%(region)s» создан: %(municipalities)s муниципалитета, "
                "%(organizations)s организаций, %(teachers)s педагогов, %(programs)s программ, "
                "%(groups)s групп.") % {"region": result.region, **counts}))
            self.stdout.write(_(
                "В нём живут семьи: %(parents)s родителей, %(children)s детей, "
                "%(applications)s заявок в группы (зачисления, очереди, отказы), "
                "%(certificates)s сертификатов.")
                % counts)
        else:
            self.stdout.write(_(
                "Демо-регион «%(region)s» уже есть (%(programs)s программ, %(groups)s групп): "
                "используем его. Чтобы построить заново: opora demo --reset.")
                % {"region": result.region, **counts})
        self.stdout.write("")
        self._print_accounts()
        self.stdout.write("")
        self.stdout.write(_("Сотрудники остальных организаций входят как staff.<организация>@"
                            "demo.opora (например, staff.syut@demo.opora) с тем же паролем."))
        self.stdout.write(self.style.SUCCESS(_("Откройте %(url)s") % {"url": URL}))

    def _print_accounts(self):
        header = (_("Роль"), _("E-mail"), _("Пароль"), _("Что может"))
        rows = [(accounts.role_label(a), a.email, accounts.PASSWORD, str(a.can))
                for a in accounts.ACCOUNTS]
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(3)]

        def line(cells):
            return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=False)) \
                + "  " + str(cells[3])

        self.stdout.write(self.style.MIGRATE_HEADING(line(header)))
        for row in rows:
            self.stdout.write(line(row))
