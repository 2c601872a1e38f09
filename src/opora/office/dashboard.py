"""«Рабочий стол»: the work waiting for a user, one line per kind of task with its count
and the page that does it, and for the education authority and the РМЦ the key figures
of their municipalities side by side.

Each task names the action (or section) of ``accounts.scope`` that does it, so a user
sees exactly the tasks of their role and territory, counted over the rows they may act
on. Each count is one query; a task with nothing waiting is still listed (with 0) so the
page reads the same every day.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opora.accounts import scope
from opora.accounts.models import Role
from opora.enrollment import selectors as enrollment_selectors
from opora.enrollment.models import Application, ApplicationStatus, Guardianship
from opora.financing.models import (
    Certificate,
    CertificateStatus,
    CertificationStatus,
    Contract,
    ContractStatus,
    Invoice,
    InvoiceStatus,
    ModuleCertification,
)
from opora.plans import selectors as plan_selectors
from opora.plans.models import Item, Plan, PlanStatus
from opora.registry.choices import ProgramStatus
from opora.registry.models import Municipality, Program, ProgramRevision
from opora.surveys.models import Reply, ReplyStatus

# The duplicates page compares names pairwise; the dashboard says «100+» beyond this.
DUPLICATES_SHOWN = 100


@dataclass(frozen=True)
class Task:
    label: str
    url: str
    count: int
    more: bool = False  # the count was cut at its limit


@dataclass(frozen=True)
class _Kind:
    action: str  # an action of scope.ACTIONS, or a section of scope.SECTIONS ("section:…")
    label: str
    url_name: str
    query: str
    count: Callable  # (user) -> int


def _acting(action, queryset):
    return lambda user: scope.actionable(user, action, queryset).count()


def _duplicates(user) -> int:
    return len(enrollment_selectors.suspected_duplicates(user, limit=DUPLICATES_SHOWN + 1))


def _overdue_of_plans(user) -> int:
    plans = plan_selectors.plans_for(user)
    return Item.objects.filter(plan__in=plans).filter(plan_selectors.overdue_q()).count()


def _my_overdue(user) -> int:
    return plan_selectors.my_items(user).filter(plan_selectors.overdue_q()).count()


def _new_applications(user) -> int:
    return enrollment_selectors.visible_applications(user, status=ApplicationStatus.NEW).count()


KINDS = [
    # a provider
    _Kind("enrollment.process", _("Новые заявки"), "enrollment:office_applications", "?status=new",
          _new_applications),
    _Kind("financing.provide", _("Оферты ждут ответа родителей"), "financing:office_contracts", "",
          _acting("financing.provide", Contract.objects.filter(status=ContractStatus.CONFIRMED))),
    _Kind("financing.provide", _("Счета-черновики к отправке"), "financing:invoices", "",
          _acting("financing.provide", Invoice.objects.filter(status=InvoiceStatus.DRAFT))),
    _Kind("surveys.answer", _("Запросы данных ждут ответа организации"), "surveys:list", "",
          _acting("surveys.answer", Reply.objects.filter(
              organization__isnull=False, survey__sent_at__isnull=False,
              status__in=[ReplyStatus.PENDING, ReplyStatus.DRAFT, ReplyStatus.RETURNED]))),
    _Kind("section:plans.mine", _("Мои мероприятия планов с истёкшим сроком"), "plans:mine", "",
          _my_overdue),
    # the МОЦ
    _Kind("registry.moderate", _("Программы ждут модерации"), "registry:moderation", "",
          _acting("registry.moderate", Program.objects.filter(
              Q(status=ProgramStatus.MODERATING)
              | Q(status=ProgramStatus.PUBLISHED,
                  revision__status=ProgramRevision.Status.MODERATING)))),
    _Kind("financing.certificates", _("Заявления на сертификат"), "financing:certificates",
          "?status=requested",
          _acting("financing.certificates", Certificate.objects.filter(status=CertificateStatus.REQUESTED))),
    _Kind("financing.certify", _("Модули ждут сертификации"), "financing:certification_queue",
          "?status=awaiting",
          _acting("financing.certify", ModuleCertification.objects.filter(status=CertificationStatus.AWAITING))),
    _Kind("enrollment.confirm_guardians", _("Представители ждут подтверждения"), "enrollment:guardians", "",
          _acting("enrollment.confirm_guardians", Guardianship.objects.filter(confirmed_at__isnull=True))),
    _Kind("enrollment.merge_children", _("Возможные дубли детей"), "enrollment:duplicates", "", _duplicates),
    _Kind("surveys.collect", _("Ответы организаций ждут проверки"), "surveys:list", "",
          _acting("surveys.collect", Reply.objects.filter(organization__isnull=False,
                                                          status=ReplyStatus.SUBMITTED))),
    _Kind("plans.edit", _("Просроченные мероприятия планов"), "plans:plans", "", _overdue_of_plans),
    # the payer (the МОЦ or the education authority)
    _Kind("financing.settle", _("Счета организаций ждут приёма"), "financing:settlement", "",
          _acting("financing.settle", Invoice.objects.filter(status=InvoiceStatus.SUBMITTED))),
    # the education authority and the РМЦ
    _Kind("plans.approve", _("Планы МОЦ ждут утверждения"), "plans:plans", "",
          _acting("plans.approve", Plan.objects.filter(status=PlanStatus.SENT))),
    _Kind("plans.agree", _("Планы МОЦ ждут согласования"), "plans:plans", "",
          _acting("plans.agree", Plan.objects.filter(status=PlanStatus.APPROVED))),
    _Kind("surveys.review", _("Ответы муниципалитетов ждут проверки"), "surveys:list", "",
          _acting("surveys.review", Reply.objects.filter(organization__isnull=True,
                                                         status=ReplyStatus.SUBMITTED))),
]


def _holds(user, action: str) -> bool:
    if action.startswith("section:"):
        return scope.may_open(user, action.removeprefix("section:"))
    return scope.holds(user, action)


def tasks(user) -> list[Task]:
    """The tasks of the user's role, in the order of KINDS, each counted once."""
    found = []
    for kind in KINDS:
        if not _holds(user, kind.action):
            continue
        count = kind.count(user)
        more = kind.count is _duplicates and count > DUPLICATES_SHOWN
        found.append(Task(str(kind.label), reverse(kind.url_name) + kind.query,
                          min(count, DUPLICATES_SHOWN) if more else count, more))
    return found


def key_figures(user) -> list[dict]:
    """For the education authority and the РМЦ: each municipality of their territory with
    its published programs, children studying now and issued certificates (three grouped
    queries, whatever the number of municipalities)."""
    if user.role not in (Role.EDUCATION_AUTHORITY, Role.REGIONAL_CENTRE) or not scope.reads_territory(user):
        return []
    municipalities = list(scope.territory(user, Municipality.objects.order_by("name")))
    ids = [m.pk for m in municipalities]
    programs = dict(Program.objects.filter(Program.public_q(), organization__municipality__in=ids)
                    .values_list("organization__municipality").annotate(n=Count("pk")))
    studying = dict(Application.objects.filter(status=ApplicationStatus.ENROLLED, child__municipality__in=ids)
                    .values_list("child__municipality").annotate(n=Count("child", distinct=True)))
    certificates = dict(Certificate.objects.filter(Q(status=CertificateStatus.ISSUED), municipality__in=ids)
                        .values_list("municipality").annotate(n=Count("pk")))
    return [{"municipality": m, "programs": programs.get(m.pk, 0), "studying": studying.get(m.pk, 0),
             "certificates": certificates.get(m.pk, 0)} for m in municipalities]
