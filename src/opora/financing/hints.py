"""Notices the apply page shows a parent (``opora.enrollment.notices``): a group paid only
by certificate (a financing or a social one) needs the child's certificate before the
organization can offer a contract, so a parent whose child has none is told so before
applying and may ask for one on the spot."""

from django.urls import reverse
from django.utils.translation import gettext as _

from opora.enrollment.notices import Notice
from opora.financing.models import Certificate, CertificateStatus
from opora.registry.choices import FundingSource

CERTIFICATE_ONLY = {FundingSource.CERTIFICATE, FundingSource.SOCIAL}


def needs_certificate(group) -> bool:
    sources = {line.source for line in group.funding.all()}
    return bool(sources) and sources <= CERTIFICATE_ONLY


def certificate_notices(group, children) -> dict[int, Notice]:
    if not children or not needs_certificate(group):
        return {}
    held = {c.child_id: c for c in Certificate.objects.filter(child__in=children)}
    notices = {}
    for child in children:
        certificate = held.get(child.pk)
        name = {"name": child.full_name}
        if certificate is None or certificate.status == CertificateStatus.REFUSED:
            notices[child.pk] = Notice(
                _("Обучение в этой группе оплачивается только сертификатом дополнительного "
                  "образования, а у ребёнка %(name)s его нет. Подайте заявление на сертификат: "
                  "заявку в группу можно подать уже сейчас, а договор организация предложит, "
                  "когда МОЦ выдаст сертификат.") % name,
                action_url=reverse("financing:certificate_request", args=[child.uuid]),
                action_label=_("Подать заявление на сертификат"))
        elif certificate.status == CertificateStatus.REQUESTED:
            notices[child.pk] = Notice(
                _("Заявление на сертификат для ребёнка %(name)s подано и ждёт решения МОЦ. "
                  "Заявку в группу можно подать уже сейчас: договор организация предложит, "
                  "когда сертификат будет выдан.") % name)
        elif certificate.status == CertificateStatus.FROZEN:
            notices[child.pk] = Notice(
                _("Сертификат ребёнка %(name)s заморожен: пока его не разморозят, договор по "
                  "нему заключить нельзя. Обратитесь в МОЦ.") % name)
    return notices
