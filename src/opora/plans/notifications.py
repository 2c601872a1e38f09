"""E-mail about the МОЦ's plans, sent in the background (``tasks.send_notice``) and queued
after commit, so a change that rolled back announces nothing:

- to the approvers, when something waits for them: a plan sent for approval and a
  revision sent (the education authority of the plan's municipality), an approved plan
  to agree (the РМЦ), a report handed in (the authority and the РМЦ);
- to the МОЦ (its operators of the plan's municipality), when they decided: the plan
  returned, approved, agreed; a revision approved or returned; the report returned,
  accepted by one of the two, accepted by both.

The task skips a letter whose news is stale when it runs (the plan has moved on).
"""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opora.accounts.models import Role, User
from opora.plans.models import Plan, PlanStatus

SENT, APPROVED, AGREED, RETURNED = "sent", "approved", "agreed", "returned"
REPORT_SENT, REPORT_RETURNED = "report_sent", "report_returned"
REPORT_ACCEPTED, REPORT_ACCEPTED_BY = "report_accepted", "report_accepted_by"
REVISION_SENT, REVISION_APPROVED, REVISION_RETURNED = "revision_sent", "revision_approved", "revision_returned"

AUTHORITY, RMC, MOC = "authority", "rmc", "moc"
EXECUTED = (PlanStatus.APPROVED, PlanStatus.AGREED, PlanStatus.IN_EXECUTION)
# kind -> (its addressees, the plan's statuses in which the news is still true)
KINDS = {
    SENT: ((AUTHORITY,), (PlanStatus.SENT,)),
    APPROVED: ((MOC, RMC), (PlanStatus.APPROVED,)),
    AGREED: ((MOC,), (PlanStatus.AGREED,)),
    RETURNED: ((MOC,), (PlanStatus.RETURNED,)),
    REPORT_SENT: ((AUTHORITY, RMC), (PlanStatus.REPORTED,)),
    REPORT_RETURNED: ((MOC,), (PlanStatus.IN_EXECUTION,)),
    REPORT_ACCEPTED: ((MOC,), (PlanStatus.REPORT_ACCEPTED,)),
    REPORT_ACCEPTED_BY: ((MOC,), (PlanStatus.REPORTED,)),
    REVISION_SENT: ((AUTHORITY,), EXECUTED),
    REVISION_APPROVED: ((MOC,), EXECUTED),
    REVISION_RETURNED: ((MOC,), EXECUTED),
}
READERS = {"authority": gettext_lazy("управлением образования"), "rmc": gettext_lazy("РМЦ")}
FOOTER = gettext_lazy("Это письмо отправлено автоматически, отвечать на него не нужно.")


def queue(plan_id: int, kind: str, **extra) -> None:
    from opora.plans import tasks

    transaction.on_commit(lambda: tasks.send_notice.enqueue(plan_id, kind, extra))


def addresses(plan: Plan, who: str) -> list[str]:
    users = User.objects.filter(is_active=True)
    if who == AUTHORITY:
        users = users.filter(role=Role.EDUCATION_AUTHORITY, municipality_id=plan.municipality_id)
    elif who == RMC:
        users = users.filter(role=Role.REGIONAL_CENTRE)
    else:
        users = users.filter(role=Role.SUPPORT_CENTRE, municipality_id=plan.municipality_id)
    return [email for email in users.values_list("email", flat=True) if email]


def _letter(plan: Plan, kind: str, who: str, extra: dict) -> tuple[str, str]:
    names = {"title": plan.title, "period": plan.period_label, "municipality": plan.municipality.name,
             "revision": extra.get("revision", ""), "by": READERS.get(extra.get("by"), "")}
    subject, text = {
        SENT: (_("План «%(title)s» (%(municipality)s) ждёт утверждения"),
               _("МОЦ муниципалитета «%(municipality)s» отправил на утверждение план «%(title)s» "
                 "на %(period)s.")),
        APPROVED: (_("План «%(title)s» утверждён"),
                   _("Управление образования утвердило план «%(title)s» МОЦ муниципалитета "
                     "«%(municipality)s» на %(period)s.")),
        AGREED: (_("План «%(title)s» согласован с РМЦ"),
                 _("РМЦ согласовал план «%(title)s» на %(period)s: можно приступать к исполнению.")),
        RETURNED: (_("План «%(title)s» возвращён на доработку"),
                   _("План «%(title)s» на %(period)s возвращён на доработку.")),
        REPORT_SENT: (_("Отчёт по плану «%(title)s» (%(municipality)s) ждёт приёмки"),
                      _("МОЦ муниципалитета «%(municipality)s» сдал отчёт об исполнении плана "
                        "«%(title)s» на %(period)s. Отчёт принимают управление образования и РМЦ.")),
        REPORT_RETURNED: (_("Отчёт по плану «%(title)s» возвращён"),
                          _("Отчёт об исполнении плана «%(title)s» на %(period)s возвращён на "
                            "доработку.")),
        REPORT_ACCEPTED: (_("Отчёт по плану «%(title)s» принят"),
                          _("Отчёт об исполнении плана «%(title)s» на %(period)s принят "
                            "управлением образования и РМЦ.")),
        REPORT_ACCEPTED_BY: (_("Отчёт по плану «%(title)s»: принят %(by)s"),
                             _("Отчёт об исполнении плана «%(title)s» на %(period)s принят "
                               "%(by)s. Отчёт будет принят, когда его примут и управление "
                               "образования, и РМЦ.")),
        REVISION_SENT: (_("Изменения № %(revision)s плана «%(title)s» (%(municipality)s) ждут "
                          "утверждения"),
                        _("МОЦ муниципалитета «%(municipality)s» отправил на утверждение изменения "
                          "№ %(revision)s плана «%(title)s» на %(period)s.")),
        REVISION_APPROVED: (_("Изменения № %(revision)s плана «%(title)s» утверждены"),
                            _("Изменения № %(revision)s плана «%(title)s» на %(period)s утверждены "
                              "и внесены в план.")),
        REVISION_RETURNED: (_("Изменения № %(revision)s плана «%(title)s» возвращены"),
                            _("Изменения № %(revision)s плана «%(title)s» на %(period)s возвращены "
                              "на доработку; план остаётся прежним.")),
    }[kind]
    lines = [_("Здравствуйте!"), "", text % names]
    if kind == APPROVED and who == RMC:
        lines.append(_("План ждёт согласования РМЦ."))
    remarks = extra.get("remarks") or (plan.remarks if kind in (RETURNED, REPORT_RETURNED) else "")
    if remarks:
        lines.append(_("Замечания: %(remarks)s") % {"remarks": remarks})
    lines += ["", _("План — в разделе «Планы» кабинета Опоры."), "", str(FOOTER)]
    return subject % names, "\n".join(lines)


def send_notice(plan_id: int, kind: str, extra: dict | None = None) -> int:
    """Send the letter ``kind`` about a plan to each of its addressees; the number sent."""
    if kind not in KINDS:
        return 0
    audiences, still = KINDS[kind]
    plan = Plan.objects.select_related("municipality").filter(pk=plan_id, status__in=still).first()
    if plan is None:
        return 0
    extra = extra or {}
    if kind == REVISION_RETURNED:
        revision = plan.revisions.filter(number=extra.get("revision")).first()
        extra = {**extra, "remarks": revision.remarks if revision else ""}
    messages, seen = [], set()
    with translation.override(settings.LANGUAGE_CODE):
        for who in audiences:
            subject, body = _letter(plan, kind, who, extra)
            for address in addresses(plan, who):
                key = address.strip().lower()
                if key not in seen:
                    seen.add(key)
                    messages.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address]))
    return get_connection().send_messages(messages) or 0 if messages else 0
