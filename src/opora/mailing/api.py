"""The mailing API (read only): the МОЦ's mailings with their progress."""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from opora.accounts import scope
from opora.api.schemas import choice_codes, page_of
from opora.errors import NotFound
from opora.mailing.models import Mailing, MailingStatus

router = Router(tags=["Рассылки"])

MailingStatusCode = choice_codes(MailingStatus)


class MailingOut(Schema):
    id: int
    subject: str
    status: MailingStatusCode
    created_at: dt.datetime
    finished_at: dt.datetime | None
    recipients_count: int
    delivered_count: int
    failed_count: int
    to_providers: bool
    to_staff: bool
    to_parents: bool


class MailingPage(Schema):
    count: int
    items: list[MailingOut]


class MailingFilters(Schema):
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(25, ge=1, le=100)


def _mailings(user):
    if not scope.holds(user, "mailing.send"):
        return Mailing.objects.none()
    return scope.territory(user, Mailing.objects.all()).order_by("-created_at", "-pk")


@router.get("mailings", response={200: MailingPage}, summary="Рассылки МОЦ")
def list_mailings(request, filters: Query[MailingFilters]):
    return page_of(_mailings(request.auth), filters.page, filters.page_size)


@router.get("mailings/{mailing_id}", response={200: MailingOut}, summary="Рассылка и её ход")
def get_mailing(request, mailing_id: int):
    mailing = _mailings(request.auth).filter(pk=mailing_id).first()
    if mailing is None:
        raise NotFound(_("Рассылка не найдена."))
    return mailing
