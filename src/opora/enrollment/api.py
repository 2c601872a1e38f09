"""The enrolment API: a parent's children and applications, and the decisions of the
organization's staff on the applications to their groups.

Endpoints turn JSON into the arguments of ``opora.enrollment.services`` and
``children`` and read through ``selectors``; who may do what is decided there. A
row outside the caller's view answers 404 exactly like a row that does not exist,
so ids cannot be probed. A request that comes with an API token files the
application (and records the consent) as coming through an external portal.
"""

import datetime as dt
import functools
from typing import Literal
from uuid import UUID

from django.http import HttpResponse
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Header, Query, Router, Schema, Status

from opora.accounts.models import Role
from opora.api.auth import via_token
from opora.api.schemas import TRANSITION_ERRORS, BodyIn, Day, ErrorOut, Id, MunicipalityRef, choice_codes, page_of
from opora.enrollment import children, favourites, intake, selectors, services
from opora.enrollment.models import Application, ApplicationStatus, Channel, ConsentChannel, Sex
from opora.errors import NotFound, ValidationFailed
from opora.registry.models import Municipality

router = Router(tags=["Запись в группы"])

StatusCode = choice_codes(ApplicationStatus)
SexCode = choice_codes(Sex)

# A seat transaction that waited too long for a lock answers 503 with Retry-After.
SEAT_ERRORS = {**TRANSITION_ERRORS, 503: ErrorOut}


# --- schemas -------------------------------------------------------------------------


class ChildRef(Schema):
    id: int
    uuid: UUID
    full_name: str


class GroupRef(Schema):
    id: int
    name: str
    start_date: dt.date
    end_date: dt.date


class ProviderRef(Schema):
    """An organization as an application or contract names it (the registry's
    ``OrganizationRef`` also carries its municipality)."""

    id: int
    short_name: str


class ProgramRef(Schema):
    id: int
    title: str
    organization: ProviderRef


class ApplicationOut(Schema):
    id: int
    uuid: UUID
    status: StatusCode
    status_label: str
    position: int | None = Field(description="Место в очереди (1 — следующий), если заявка в очереди")
    child: ChildRef
    group: GroupRef
    program: ProgramRef
    reason: str = Field(description="Причина отказа, отзыва или отчисления")
    ended_on: dt.date | None = Field(description="Дата отчисления или окончания обучения")
    ended_by_parent: bool = Field(description="Отчислен по заявлению родителя")
    created_at: dt.datetime
    status_changed_at: dt.datetime

    @staticmethod
    def resolve_status_label(obj):
        # the choice's label itself: ``get_status_display`` builds a dict of every
        # choice, translating each label, on every call
        return str(ApplicationStatus(obj.status).label)

    @staticmethod
    def resolve_program(obj):
        return obj.group.module.program


class RefusalOut(Schema):
    code: str = Field(description="Условие записи, которому заявка не отвечает")
    message: str


class SubmissionOut(Schema):
    """An application sent with ``Prefer: respond-async``, as its sender follows it."""

    key: UUID
    state: Literal["accepted", "filed", "refused"] = Field(
        description="accepted — принята и ждёт распределения мест, filed — заявка подана "
                    "(application), refused — отказ по условиям записи (refusal)")
    accepted_at: dt.datetime
    settled_at: dt.datetime | None
    filed: bool | None = Field(description="true — заявку подала эта отправка, false — такая "
                                           "заявка уже была подана раньше (повтор)")
    application: ApplicationOut | None
    refusal: RefusalOut | None

    @staticmethod
    def resolve_refusal(obj):
        return {"code": obj.refusal_code, "message": obj.refusal} if obj.refusal_code else None


class ApplicationPage(Schema):
    count: int = Field(description="Сколько заявок подходит под фильтр")
    items: list[ApplicationOut]


class ApplicationFilters(Schema):
    status: StatusCode | None = Field(None, description="Статус заявки")
    group: Id | None = Field(None, description="Группа (id)")
    child: Id | None = Field(None, description="Ребёнок (id)")
    page: int = Field(1, ge=1, le=10_000, description="Номер страницы")
    page_size: int = Field(25, ge=1, le=100, description="Заявок на странице, не больше 100")


class ApplicationIn(BodyIn):
    child: int | UUID = Field(description="Ребёнок: id или uuid")
    group: Id = Field(description="Группа (id)")


class WithdrawIn(BodyIn):
    reason: str = Field("", max_length=2000, description="Почему заявка отзывается")


class RejectIn(BodyIn):
    reason: str = Field(max_length=2000, description="Причина отказа")


class ExpelIn(BodyIn):
    reason: str = Field(max_length=2000, description="Причина отчисления")
    date: Day | None = Field(None, description="Дата отчисления; по умолчанию сегодня")
    by_parent: bool = Field(False, description="Отчисление по заявлению родителя (учитывается в рейтинге "
                                                "программы как досрочное расторжение договора родителем)")


class CompleteIn(BodyIn):
    date: Day | None = Field(None, description="Дата окончания обучения; по умолчанию сегодня")


class ChildOut(Schema):
    id: int
    uuid: UUID
    last_name: str
    first_name: str
    patronymic: str
    full_name: str
    birth_date: dt.date
    sex: SexCode
    sex_label: str
    municipality: MunicipalityRef
    is_rural: bool
    has_ovz: bool
    is_disabled: bool
    difficult_situation: bool
    snils: str = Field(description="СНИЛС, 11 цифр, или пустая строка (не указан; сотрудникам "
                                   "организаций СНИЛС не показывается)")

    @staticmethod
    def resolve_sex_label(obj):
        return str(obj.get_sex_display())

    @staticmethod
    def resolve_snils(obj, context):
        # Providers have no use for it, and a walk-in's number that another record already
        # holds is not stored: showing it would tell staff that the number is taken.
        user = getattr((context or {}).get("request"), "auth", None)
        return "" if user is None or user.role == Role.ORGANIZATION_STAFF else obj.snils


class PendingOut(Schema):
    detail: str
    code: str


PENDING = gettext_lazy(
    "Ребёнок с такими данными уже есть в системе. Муниципальный опорный центр проверит "
    "документы и подтвердит, что вы его законный представитель; до этого ребёнок не появится "
    "в вашем списке.")


class ChildPage(Schema):
    count: int
    items: list[ChildOut]


class ChildFilters(Schema):
    page: int = Field(1, ge=1, le=10_000, description="Номер страницы")
    page_size: int = Field(25, ge=1, le=100, description="Детей на странице, не больше 100")


class ChildIn(BodyIn):
    """A child as the parent enters it, with the consent to process the child's data."""

    last_name: str = Field(max_length=100, description="Фамилия")
    first_name: str = Field(max_length=100, description="Имя")
    patronymic: str = Field("", max_length=100, description="Отчество")
    birth_date: Day = Field(description="Дата рождения")
    sex: SexCode = Field(description="Пол")
    municipality: Id = Field(description="Муниципалитет проживания (id)")
    is_rural: bool = False
    has_ovz: bool = Field(False, description="Ограниченные возможности здоровья")
    is_disabled: bool = Field(False, description="Ребёнок-инвалид")
    difficult_situation: bool = Field(False, description="Трудная жизненная ситуация")
    snils: str = Field("", max_length=20, description="СНИЛС, можно с дефисами и пробелами")
    consent: bool = Field(description="Согласие законного представителя на обработку персональных "
                                      "данных ребёнка; без него ребёнок не сохраняется")


# --- helpers -------------------------------------------------------------------------

def _application(user, application_id: int) -> Application:
    """The application as the user sees it (with its position), or 404."""
    application = selectors.visible_applications(user).filter(pk=application_id).first()
    if application is None:
        raise NotFound(_("Заявка не найдена."), field="application_id")
    return application


def own_child(user, value: int | UUID):
    lookup = {"uuid": value} if isinstance(value, UUID) else {"pk": value}
    child = selectors.children_of(user).filter(**lookup).first()
    if child is None:
        raise NotFound(_("Ребёнок не найден."), field="child")
    return child


# --- applications --------------------------------------------------------------------


def _asks_async(prefer: str | None) -> bool:
    """Whether a ``Prefer`` header (RFC 7240) asks for an asynchronous answer: one of its
    comma-separated preferences is ``respond-async`` (a token before any ``=`` or ``;``
    parameters; what follows a ``;`` are that preference's parameters)."""
    return any(part.split(";", 1)[0].split("=", 1)[0].strip().lower() == "respond-async"
               for part in (prefer or "").split(","))


@router.post("applications",
             response={200: ApplicationOut, 201: ApplicationOut, 202: SubmissionOut, 404: ErrorOut,
                       **SEAT_ERRORS},
             summary="Подать заявку в группу",
             description="Родитель подаёт заявку за своего ребёнка. Есть свободное место — заявка "
                         "его занимает (статус new), нет — встаёт в очередь (waitlisted, position). "
                         "Повторная подача той же пары «ребёнок — группа» возвращает уже поданную "
                         "заявку с кодом 200 (две подачи в одно мгновение с разных устройств "
                         "могут обе получить 201 — это одна и та же заявка). Отказ по условиям "
                         "записи — 409 с кодом условия; "
                         "503 с Retry-After — повторите запрос без изменений.\n\n"
                         "В день открытия записи подавайте заявку с заголовком "
                         "`Prefer: respond-async`: она принимается сразу (202, заголовок Location), "
                         "а место распределяется в порядке поступления, обычно за доли секунды. "
                         "Если оно уже распределено к ответу, итог есть в самом ответе (state); "
                         "иначе — по адресу из Location (GET /submissions/{key}): подана "
                         "(filed, с заявкой), повтор (filed=false) или отказ (refused, с кодом "
                         "условия, как в ответе 409).",
             openapi_extra={"responses": {202: {"headers": {
                 "Location": {"description": "Адрес, по которому виден итог (GET)",
                              "schema": {"type": "string"}},
                 "Preference-Applied": {"description": "respond-async",
                                        "schema": {"type": "string"}}}}}})
def submit_application(request, response: HttpResponse, payload: ApplicationIn,
                       prefer: str | None = Header(
                           None, alias="Prefer",
                           description="respond-async — принять заявку в очередь и ответить 202 "
                                       "(другие предпочтения RFC 7240 не учитываются)")):
    channel = Channel.API if via_token(request) else Channel.CABINET
    if _asks_async(prefer):
        submission = intake.accept(request.auth, payload.child, payload.group, channel=channel)
        response["Location"] = f"{_submissions_path(get_script_prefix())}{submission.key}"
        response["Preference-Applied"] = "respond-async"
        if intake.help_if_behind(submission):  # its own submission among them
            submission = _settled(intake.submission_for(request.auth, submission.key))
        return Status(202, submission)
    # The child is looked up among the caller's own in the statement that reads the
    # group; the answer is built from the rows at hand rather than read again: this is
    # the opening-day path (``application.group`` holds its program and organization).
    application, created = services.submit_application(
        request.auth, payload.child, payload.group, channel=channel)
    application.position = selectors.position_of(application)
    # Filed by this request, or found already there (a repeat from another device).
    return Status(201 if created else 200, application)


@functools.cache
def _submissions_path(script_prefix: str) -> str:
    """The address of a submission up to its key, under ``script_prefix`` (the 202's
    ``Location``): ``reverse`` would cost as much as the rest of its headers."""
    probe = UUID(int=0)
    return reverse("api:submission", args=[probe]).removesuffix(str(probe))


@router.get("submissions/{key}", response={200: SubmissionOut}, url_name="submission",
            summary="Заявка, поданная с Prefer: respond-async",
            description="Пока места не распределены — state=accepted (повторите запрос через "
                        "полсекунды); потом filed с заявкой или refused с причиной отказа. Видна "
                        "только тому, кто её подал.")
def get_submission(request, key: UUID):
    return _settled(intake.submission_for(request.auth, key))


def _settled(submission):
    if submission.application is not None:
        submission.application.position = selectors.position_of(submission.application)
    return submission


@router.get("applications", response={200: ApplicationPage},
            summary="Заявки, доступные пользователю",
            description="Родитель видит заявки своих детей, сотрудник организации — заявки в её "
                        "группы, МОЦ и управление образования — в группы своего муниципалитета.")
def list_applications(request, filters: Query[ApplicationFilters]):
    applications = selectors.visible_applications(request.auth, status=filters.status,
                                                  group=filters.group)
    if filters.child is not None:
        applications = applications.filter(child_id=filters.child)
    return page_of(applications, filters.page, filters.page_size)


@router.get("applications/{application_id}", response={200: ApplicationOut},
            summary="Заявка")
def get_application(request, application_id: int):
    return _application(request.auth, application_id)


@router.post("applications/{application_id}/withdraw", response={200: ApplicationOut, **SEAT_ERRORS},
             summary="Отозвать заявку (родитель)",
             description="Место, которое занимала заявка, переходит первому в очереди.")
def withdraw_application(request, application_id: int, payload: WithdrawIn | None = None):
    user = request.auth
    services.withdraw_application(user, _application(user, application_id),
                                  payload.reason if payload else "")
    return _application(user, application_id)


class ConfirmedOut(ApplicationOut):
    task_warning: str | None = Field(
        None, description="Предупреждение: заявка подтверждена сверх муниципального задания (если "
                          "муниципалитет предупреждает, а не отказывает); нет — задание не превышено")


@router.post("applications/{application_id}/confirm", response={200: ConfirmedOut, **SEAT_ERRORS},
             summary="Подтвердить заявку (организация)",
             description="Ребёнок зачисляется, а в группу, оплачиваемую только сертификатами, "
                         "заявка переходит в ожидание договора. Сверх муниципального задания — 409 "
                         "или, если муниципалитет так решил, подтверждение с task_warning.")
def confirm_application(request, application_id: int):
    user = request.auth
    confirmed = services.confirm_application(user, _application(user, application_id))
    answer = _application(user, application_id)
    answer.task_warning = getattr(confirmed, "task_warning", None)
    return answer


@router.post("applications/{application_id}/reject", response={200: ApplicationOut, **SEAT_ERRORS},
             summary="Отклонить заявку с причиной (организация)")
def reject_application(request, application_id: int, payload: RejectIn):
    user = request.auth
    services.reject_application(user, _application(user, application_id), payload.reason)
    return _application(user, application_id)


@router.post("applications/{application_id}/expel", response={200: ApplicationOut, **SEAT_ERRORS},
             summary="Отчислить ребёнка (организация)")
def expel(request, application_id: int, payload: ExpelIn):
    user = request.auth
    services.expel(user, _application(user, application_id), payload.reason, payload.date,
                   by_parent=payload.by_parent)
    return _application(user, application_id)


@router.post("applications/{application_id}/complete", response={200: ApplicationOut, **SEAT_ERRORS},
             summary="Отметить окончание обучения (организация)")
def complete(request, application_id: int, payload: CompleteIn | None = None):
    user = request.auth
    services.complete(user, _application(user, application_id), payload.date if payload else None)
    return _application(user, application_id)


# --- children ------------------------------------------------------------------------


def _visible_children(user):
    return selectors.visible_children(user).select_related("municipality")


@router.get("children", response={200: ChildPage}, summary="Дети, доступные пользователю",
            description="Родитель видит своих детей; сотрудник организации — детей, подавших "
                        "заявки в её группы; МОЦ — детей своего муниципалитета.")
def list_children(request, filters: Query[ChildFilters]):
    return page_of(_visible_children(request.auth), filters.page, filters.page_size)


@router.get("children/{child_id}", response={200: ChildOut}, summary="Ребёнок")
def get_child(request, child_id: int):
    child = _visible_children(request.auth).filter(pk=child_id).first()
    if child is None:
        raise NotFound(_("Ребёнок не найден."), field="child_id")
    return child


@router.post("children", response={200: ChildOut, 201: ChildOut, 202: PendingOut, 429: ErrorOut},
             summary="Добавить ребёнка (родитель)",
             description="Без согласия на обработку персональных данных (consent: true) ребёнок "
                         "не сохраняется. 201 — ребёнок добавлен; 200 — он уже записан за "
                         "родителем. Если такого ребёнка (тот же СНИЛС или те же ФИО и дата "
                         "рождения) уже добавил другой родитель, второй записи не появляется: "
                         "связь с ним подтверждает МОЦ, а до тех пор ответ — 202 без сведений о "
                         "ребёнке. Тот же ответ 202 получает СНИЛС чужого ребёнка с другой датой "
                         "рождения (связь тогда не создаётся). Попыток связаться с чужими детьми "
                         "и новых детей за сутки ограниченное число; сверх него — 429.")
def register_child(request, payload: ChildIn):
    user = request.auth
    data = payload.model_dump(exclude={"consent"})
    data["municipality"] = Municipality.objects.filter(pk=payload.municipality).first()
    if data["municipality"] is None:
        raise ValidationFailed({"municipality": [_("Муниципалитет не найден.")]})
    channel = ConsentChannel.API if via_token(request) else ConsentChannel.PARENT
    child, created = children.register_child(user, data, payload.consent, channel=channel)
    visible = _visible_children(user).filter(pk=child.pk).first()
    if visible is None:
        # Someone else registered this child: the link waits for the МОЦ, and until then
        # the caller learns nothing of the record.
        return Status(202, {"detail": str(PENDING), "code": "GuardianshipPending"})
    return Status(201 if created else 200, visible)


# --- favourites ----------------------------------------------------------------------


class FavouriteOut(Schema):
    program: ProgramRef
    saved_at: dt.datetime
    listed: bool = Field(description="Показывается ли программа сейчас в каталоге")


@router.get("favourites", response={200: list[FavouriteOut], 403: ErrorOut},
            summary="Избранное родителя",
            description="Программы, которые родитель сохранил из каталога, от новых к старым "
                        "(не больше 200). Программа, снятая с публикации, остаётся в списке "
                        "с listed=false.")
def list_favourites(request):
    return list(favourites.of(request.auth).select_related("program__organization"))


@router.put("favourites/{program_id}", response={200: FavouriteOut, 201: FavouriteOut, 403: ErrorOut,
                                                404: ErrorOut, 422: ErrorOut},
            summary="Сохранить программу в избранное",
            description="201 — сохранена, 200 — уже была в избранном. Сохранить можно только "
                        "программу, которая показывается в каталоге.")
def save_favourite(request, program_id: int):
    favourite, created = favourites.save(request.auth, program_id)
    favourite.listed = True
    return Status(201 if created else 200, favourite)


@router.delete("favourites/{program_id}", response={204: None, 403: ErrorOut, 404: ErrorOut},
               summary="Убрать программу из избранного",
               description="204 — программы в избранном больше нет; 404 — её там и не было.")
def delete_favourite(request, program_id: int):
    if not favourites.remove(request.auth, program_id):
        raise NotFound(_("Этой программы нет в избранном."))
    return Status(204, None)


# Budget places (the municipal task) have their own module of endpoints.
from opora.enrollment.budget_places_api import router as budget_places_router  # noqa: E402

router.add_router("", budget_places_router)
