"""Use cases of data requests (docs/domain.md §5, «Запросы данных»). Every function
checks the actor's right through ``opora.accounts.scope``, refuses bad input with a
Russian message and changes nothing then, and records its decision in the audit trail.

- ``save_survey(actor, data, survey=None)`` — a new request or a change of a draft.
  ``data``: ``title``, ``description``, ``deadline`` (a date), ``municipalities`` (ids;
  None means every municipality), ``asks_providers`` and ``fields`` — a list of
  ``{"label", "kind", "options", "required", "prefill"}`` (None keeps the fields).
- ``send_survey(actor, survey)`` — draft → sent: one reply per municipality and, when
  the request asks the providers, one per active organization in them; number fields
  with a prefill start from the live figure (``figures``).
- ``save_reply(actor, reply, values, files=None, submit=False)`` — a provider's (or the
  МОЦ's own) answers: ``values`` maps a field id to the text typed, ``files`` a field id
  to an uploaded file; ``submit`` sends it for checking.
- ``review_reply(actor, reply, accept, remarks="")`` — the level above accepts the reply
  or returns it with remarks.
- ``remind(actor, survey)`` — e-mail the addressees below the actor that have not
  answered yet. Sending a request and returning an answer e-mail its addressees too
  (``notifications``, in the background).

The rules:
- only a draft is edited or sent; its deadline is today or later; a request has a title
  and at least one field; a choice field has at least two different options;
- a reply is changed only while it has no answer, is a draft or was returned; a
  submitted one waits for its check, an accepted one is locked until the level above
  returns it (an accepted provider's answer stays returnable while the municipality's
  answer is not with the РМЦ);
- a submission after the deadline day is marked late (``Reply.late``);
- the municipality's number is the sum of its accepted providers' numbers plus the МОЦ's
  own entry, frozen in ``Answer.total`` when the МОЦ submits; it cannot submit while a
  provider's answer waits for its check, and it checks no provider's answer while the
  municipality's answer is with the РМЦ or accepted;
- in a МОЦ's own request there is no level above: the municipality's answer is
  accepted as it is submitted, and the МОЦ may return it to itself to correct it.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from opora import audit, locking
from opora.accounts import scope
from opora.accounts.models import Role
from opora.errors import InvalidTransition, PermissionDenied, ValidationFailed
from opora.registry.models import Municipality, Organization
from opora.surveys import figures, notifications
from opora.surveys.models import (
    NUMBER,
    Answer,
    FieldKind,
    Prefill,
    Reply,
    ReplyStatus,
    Survey,
    SurveyField,
    SurveyStatus,
)

MAX_FIELDS = 100
MAX_OPTIONS = 50
MAX_TEXT = 10_000
MAX_FILE_SIZE = 20 * 1024 * 1024
MAX_REMARKS = 2000
LIMIT_NUMBER = Decimal(10) ** (NUMBER["max_digits"] - NUMBER["decimal_places"])
EDITABLE = (ReplyStatus.PENDING, ReplyStatus.DRAFT, ReplyStatus.RETURNED)
# a reply reminded this recently is not reminded again (a second press of the button)
REMIND_AGAIN_AFTER = dt.timedelta(hours=1)


class _Errors(dict):
    def add(self, field, message):
        self.setdefault(field, []).append(str(message))

    def raise_if_any(self):
        if self:
            raise ValidationFailed(dict(self))


def _text(value) -> str:
    return value.replace("\x00", "").strip() if isinstance(value, str) else ""


# --- requests ------------------------------------------------------------------------


def _clean_fields(errors, raw) -> list[dict]:
    if not isinstance(raw, list):
        errors.add("fields", _("Поля запроса переданы неверно."))
        return []
    if len(raw) > MAX_FIELDS:
        errors.add("fields", _("В запросе может быть не больше %(n)s полей.") % {"n": MAX_FIELDS})
        return []
    cleaned = []
    for number, item in enumerate(raw, start=1):
        key = f"fields-{number}"
        item = item if isinstance(item, dict) else {}
        label = _text(item.get("label"))
        kind = item.get("kind")
        prefill = item.get("prefill") or ""
        options = item.get("options") or []
        if not label:
            errors.add(f"{key}-label", _("Поле %(n)s: укажите вопрос.") % {"n": number})
        elif len(label) > 300:
            errors.add(f"{key}-label", _("Поле %(n)s: вопрос длиннее 300 символов.") % {"n": number})
        if kind not in FieldKind.values:
            errors.add(f"{key}-kind", _("Поле %(n)s: выберите тип ответа.") % {"n": number})
        if not isinstance(options, list):
            options = []
        options = list(dict.fromkeys(_text(option) for option in options if _text(option)))
        if kind == FieldKind.CHOICE:
            if len(options) < 2:
                errors.add(f"{key}-options",
                           _("Поле %(n)s: для выбора из списка нужны хотя бы два разных варианта.")
                           % {"n": number})
            elif len(options) > MAX_OPTIONS or any(len(option) > 200 for option in options):
                errors.add(f"{key}-options", _("Поле %(n)s: слишком много или слишком длинные "
                                               "варианты.") % {"n": number})
        else:
            options = []
        if prefill not in Prefill.values:
            errors.add(f"{key}-prefill", _("Поле %(n)s: неизвестный способ заполнения.") % {"n": number})
        elif prefill and kind != FieldKind.NUMBER:
            errors.add(f"{key}-prefill",
                       _("Поле %(n)s: заполнить заранее можно только числовое поле.") % {"n": number})
        cleaned.append({"label": label, "kind": kind, "options": options,
                        "required": bool(item.get("required")), "prefill": prefill})
    return cleaned


def _check_deadline(errors, deadline) -> None:
    if not isinstance(deadline, dt.date) or isinstance(deadline, dt.datetime):
        errors.add("deadline", _("Укажите срок ответа."))
    elif deadline < timezone.localdate():
        errors.add("deadline", _("Срок ответа уже прошёл: укажите сегодняшний день или позже."))


def save_survey(actor, data: dict, survey: Survey | None = None) -> Survey:
    own = None if survey is None else survey.municipality
    if survey is None and actor is not None and getattr(actor, "role", None) == Role.SUPPORT_CENTRE:
        own = actor.municipality
    target = survey or Survey(municipality=own)
    scope.require(actor, "surveys.manage", target)
    if survey is not None and survey.status != SurveyStatus.DRAFT:
        raise InvalidTransition(_("Отправленный запрос изменить нельзя."))

    errors = _Errors()
    title = _text(data.get("title"))
    if not title:
        errors.add("title", _("Укажите название запроса."))
    elif len(title) > 300:
        errors.add("title", _("Название длиннее 300 символов."))
    description = _text(data.get("description"))
    if len(description) > MAX_TEXT:
        errors.add("description", _("Описание слишком длинное."))
    deadline = data.get("deadline")
    _check_deadline(errors, deadline)
    wanted = data.get("municipalities")
    if own is not None:
        if wanted and set(wanted) != {own.pk}:
            errors.add("municipalities", _("МОЦ отправляет запрос только своему муниципалитету."))
        municipalities = [own]
    elif wanted is None:
        municipalities = list(Municipality.objects.all())
    else:
        ids = {pk for pk in wanted if isinstance(pk, int) and not isinstance(pk, bool)}
        municipalities = list(Municipality.objects.filter(pk__in=ids))
        if not wanted:
            errors.add("municipalities", _("Выберите хотя бы один муниципалитет."))
        elif len(municipalities) != len(ids) or len(ids) != len(set(wanted)):
            errors.add("municipalities", _("Среди муниципалитетов есть неизвестный."))
    fields = None if data.get("fields") is None else _clean_fields(errors, data["fields"])
    errors.raise_if_any()

    with transaction.atomic():
        if survey is None:
            survey = Survey(municipality=own, created_by=actor)
        else:
            survey = locking.row(Survey, survey.pk)
            if survey.status != SurveyStatus.DRAFT:
                raise InvalidTransition(_("Отправленный запрос изменить нельзя."))
        created = survey.pk is None
        survey.title, survey.description, survey.deadline = title, description, deadline
        survey.asks_providers = bool(data.get("asks_providers"))
        survey.save()
        survey.addressees.set(municipalities)
        if fields is not None:
            survey.fields.all().delete()
            SurveyField.objects.bulk_create(
                SurveyField(survey=survey, position=position, **item)
                for position, item in enumerate(fields, start=1))
        audit.record(actor, "surveys.survey.created" if created else "surveys.survey.changed",
                     survey, to_state=survey.status)
    return survey


def add_field(actor, survey: Survey, item: dict) -> SurveyField:
    """Add one field at the end of a draft's form (the page adds them one by one)."""
    scope.require(actor, "surveys.manage", survey)
    if survey.status != SurveyStatus.DRAFT:
        raise InvalidTransition(_("Отправленный запрос изменить нельзя."))
    errors = _Errors()
    number = survey.fields.count() + 1
    if number > MAX_FIELDS:
        raise ValidationFailed(_("В запросе может быть не больше %(n)s полей.") % {"n": MAX_FIELDS})
    [cleaned] = _clean_fields(errors, [item])
    if errors:
        raise ValidationFailed({key.split("-", 2)[-1]: messages for key, messages in errors.items()})
    with transaction.atomic():
        field = SurveyField.objects.create(survey=survey, position=number, **cleaned)
        audit.record(actor, "surveys.survey.field_added", survey, label=field.label)
    return field


def remove_field(actor, field: SurveyField) -> None:
    survey = field.survey
    scope.require(actor, "surveys.manage", survey)
    if survey.status != SurveyStatus.DRAFT:
        raise InvalidTransition(_("Отправленный запрос изменить нельзя."))
    with transaction.atomic():
        field.delete()
        for position, rest in enumerate(survey.fields.order_by("position"), start=1):
            if rest.position != position:
                SurveyField.objects.filter(pk=rest.pk).update(position=position)
        audit.record(actor, "surveys.survey.field_removed", survey, label=field.label)


def send_survey(actor, survey: Survey) -> Survey:
    scope.require(actor, "surveys.manage", survey)
    with transaction.atomic():
        survey = locking.row(Survey, survey.pk)
        if survey.status != SurveyStatus.DRAFT:
            raise InvalidTransition(_("Запрос уже отправлен."))
        errors = _Errors()
        _check_deadline(errors, survey.deadline)
        fields = list(survey.fields.all())
        if not fields:
            errors.add("fields", _("Добавьте в запрос хотя бы одно поле."))
        municipalities = list(survey.addressees.all())
        if not municipalities:
            errors.add("municipalities", _("Выберите хотя бы один муниципалитет."))
        errors.raise_if_any()

        ids = [m.pk for m in municipalities]
        replies = [Reply(survey=survey, municipality_id=pk) for pk in ids]
        if survey.asks_providers:
            replies += [Reply(survey=survey, municipality_id=org.municipality_id, organization=org)
                        for org in Organization.objects.filter(municipality_id__in=ids, is_active=True)]
        Reply.objects.bulk_create(replies)
        replies = list(survey.replies.all())
        answers = []
        for field in fields:
            if field.kind != FieldKind.NUMBER or not field.prefill:
                answers += [Answer(reply=reply, field=field) for reply in replies]
                continue
            by_org = figures.figures(field.prefill, figures.ORGANIZATION,
                                     [r.organization_id for r in replies if r.organization_id])
            # the МОЦ's own entry is added to its providers' sum: prefilled only when the
            # providers are not asked, so no child is counted twice
            by_municipality = ({} if survey.asks_providers else
                               figures.figures(field.prefill, figures.MUNICIPALITY, ids))
            for reply in replies:
                value = (by_org.get(reply.organization_id) if reply.organization_id
                         else by_municipality.get(reply.municipality_id))
                answers.append(Answer(reply=reply, field=field, number=value))
        Answer.objects.bulk_create(answers)
        survey.status, survey.sent_at = SurveyStatus.SENT, timezone.now()
        survey.save(update_fields=["status", "sent_at"])
        audit.record(actor, "surveys.survey.sent", survey, from_state=SurveyStatus.DRAFT,
                     to_state=SurveyStatus.SENT, replies=len(replies))
        notifications.queue([reply.pk for reply in replies], notifications.SENT)
    return survey


# --- replies -------------------------------------------------------------------------


def _answer_action(reply: Reply) -> str:
    return "surveys.collect" if reply.is_municipal else "surveys.answer"


def _refuse_locked(reply: Reply) -> None:
    if reply.status == ReplyStatus.SUBMITTED:
        raise InvalidTransition(_("Ответ уже отправлен на проверку: изменить его можно, "
                                  "только если его вернут на доработку."))
    if reply.status == ReplyStatus.ACCEPTED:
        raise InvalidTransition(_("Ответ принят: изменить его можно, только если его вернут "
                                  "на доработку."))


def parse_number(text) -> Decimal | None:
    """A number as people type it: spaces between thousands, a comma or a point."""
    if text is None:
        return None
    if isinstance(text, (int, Decimal)) and not isinstance(text, bool):
        value = Decimal(text)
    else:
        cleaned = str(text).replace("\u00a0", "").replace(" ", "").replace(",", ".")
        if not cleaned:
            return None
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise ValueError from None
    if not value.is_finite() or abs(value) >= LIMIT_NUMBER or value != value.quantize(Decimal("0.01")):
        raise ValueError
    return value


def _apply(errors, answer: Answer, value, upload) -> None:
    field = answer.field
    key = f"field_{field.pk}"
    if field.kind == FieldKind.NUMBER:
        if value is None:
            return
        try:
            answer.number = parse_number(value)
        except (ValueError, TypeError):
            errors.add(key, _("«%(label)s»: введите число (не больше двух знаков после запятой).")
                       % {"label": field.label})
    elif field.kind == FieldKind.TEXT:
        if value is None:
            return
        text = _text(value) if isinstance(value, str) else None
        if text is None:
            errors.add(key, _("«%(label)s»: введите текст.") % {"label": field.label})
        elif len(text) > MAX_TEXT:
            errors.add(key, _("«%(label)s»: текст слишком длинный.") % {"label": field.label})
        else:
            answer.text = text
    elif field.kind == FieldKind.CHOICE:
        if value is None:
            return
        text = _text(value) if isinstance(value, str) else None
        if text is None or (text and text not in field.options):
            errors.add(key, _("«%(label)s»: выберите один из вариантов списка.") % {"label": field.label})
        else:
            answer.text = text
    elif field.kind == FieldKind.FILE and upload is not None:
        if upload.size > MAX_FILE_SIZE:
            errors.add(key, _("«%(label)s»: файл больше 20 МБ.") % {"label": field.label})
        elif not upload.size:
            errors.add(key, _("«%(label)s»: файл пустой.") % {"label": field.label})
        else:
            answer.file = upload
            answer._new_file = True


def _missing(answer: Answer) -> bool:
    kind = answer.field.kind
    if kind == FieldKind.NUMBER:
        return answer.number is None
    if kind == FieldKind.FILE:
        return not answer.file
    return not answer.text


def provider_sums(reply: Reply) -> dict[int, Decimal]:
    """Field id → the sum of the number answers of the municipality's accepted providers."""
    rows = (Answer.objects.filter(reply__survey_id=reply.survey_id,
                                  reply__municipality_id=reply.municipality_id,
                                  reply__organization__isnull=False,
                                  reply__status=ReplyStatus.ACCEPTED,
                                  field__kind=FieldKind.NUMBER)
            .values("field_id").annotate(total=Sum("number")).values_list("field_id", "total"))
    return {pk: total for pk, total in rows if total is not None}


def save_reply(actor, reply: Reply, values: dict, files: dict | None = None,
               submit: bool = False) -> Reply:
    scope.require(actor, _answer_action(reply), reply)
    files = files or {}
    with transaction.atomic():
        reply = locking.row(Reply.objects.select_related("survey"), reply.pk)
        _refuse_locked(reply)
        answers = {a.field_id: a for a in reply.answers.select_related("field")}
        unknown = {str(key) for key in list(values) + list(files)} - {str(pk) for pk in answers}
        if unknown:
            raise ValidationFailed(_("В ответе есть поле, которого нет в запросе."))
        errors = _Errors()
        for pk, answer in answers.items():
            value = values.get(pk, values.get(str(pk)))
            upload = files.get(pk, files.get(str(pk)))
            _apply(errors, answer, value, upload)
        errors.raise_if_any()
        if submit:
            if reply.is_municipal and reply.survey.asks_providers:
                waiting = Reply.objects.filter(
                    survey_id=reply.survey_id, municipality_id=reply.municipality_id,
                    organization__isnull=False, status=ReplyStatus.SUBMITTED).count()
                if waiting:
                    raise InvalidTransition(
                        _("Ответы организаций ждут проверки (%(n)s): примите их или верните, "
                          "затем отправляйте ответ муниципалитета.") % {"n": waiting})
            for answer in answers.values():
                if answer.field.required and _missing(answer):
                    errors.add(f"field_{answer.field_id}",
                               _("«%(label)s»: обязательное поле.") % {"label": answer.field.label})
            errors.raise_if_any()
        for answer in answers.values():
            answer.total = None
        if submit and reply.is_municipal:
            sums = provider_sums(reply)
            for pk, answer in answers.items():
                if answer.field.kind == FieldKind.NUMBER:
                    answer.total = (answer.number or 0) + sums.get(pk, 0)
        for answer in answers.values():
            if getattr(answer, "_new_file", False):
                answer.save()
            else:
                Answer.objects.filter(pk=answer.pk).update(number=answer.number, total=answer.total,
                                                           text=answer.text)
        before = reply.status
        now = timezone.now()
        if submit:
            reply.submitted_at = now
            reply.late = timezone.localdate(now) > reply.survey.deadline
            final = reply.is_municipal and not reply.survey.is_regional
            reply.status = ReplyStatus.ACCEPTED if final else ReplyStatus.SUBMITTED
            if final:
                reply.reviewed_at = now
        elif reply.status == ReplyStatus.PENDING:
            reply.status = ReplyStatus.DRAFT
        reply.save()
        audit.record(actor, "surveys.reply.submitted" if submit else "surveys.reply.saved", reply,
                     from_state=before, to_state=reply.status, late=reply.late if submit else False)
    return reply


def submit_reply(actor, reply: Reply) -> Reply:
    return save_reply(actor, reply, {}, submit=True)


def review_reply(actor, reply: Reply, accept: bool, remarks: str = "") -> Reply:
    """Accept a submitted reply, or return a submitted or accepted one with remarks. The
    РМЦ checks the municipalities' replies to its requests, the МОЦ its providers' (and
    may return its own accepted answer to its own request to correct it)."""
    regional = reply.survey.is_regional
    action = "surveys.review" if reply.is_municipal and regional else "surveys.collect"
    scope.require(actor, action, reply)
    remarks = _text(remarks)
    if not accept and not remarks:
        raise ValidationFailed(_("Напишите, что нужно исправить."), field="remarks")
    if len(remarks) > MAX_REMARKS:
        raise ValidationFailed(_("Замечания длиннее %(n)s символов.") % {"n": MAX_REMARKS},
                               field="remarks")
    with transaction.atomic():
        reply = locking.row(Reply.objects.select_related("survey"), reply.pk)
        allowed = (ReplyStatus.SUBMITTED,) if accept else (ReplyStatus.SUBMITTED, ReplyStatus.ACCEPTED)
        if reply.status not in allowed:
            raise InvalidTransition(_("Принять можно только ответ, отправленный на проверку.") if accept
                                    else _("Вернуть можно только отправленный или принятый ответ."))
        if not reply.is_municipal:
            municipal = locking.row(Reply.objects.filter(
                survey_id=reply.survey_id, municipality_id=reply.municipality_id,
                organization__isnull=True))
            if municipal.status in (ReplyStatus.SUBMITTED, ReplyStatus.ACCEPTED):
                raise InvalidTransition(
                    _("Ответ муниципалитета уже отправлен: проверять ответы организаций можно, "
                      "когда его вернут на доработку."))
        before = reply.status
        reply.status = ReplyStatus.ACCEPTED if accept else ReplyStatus.RETURNED
        reply.remarks = remarks
        reply.reviewed_at = timezone.now()
        reply.save(update_fields=["status", "remarks", "reviewed_at", "updated_at"])
        audit.record(actor, "surveys.reply.accepted" if accept else "surveys.reply.returned", reply,
                     from_state=before, to_state=reply.status, reason=remarks)
        if not accept:
            notifications.queue([reply.pk], notifications.RETURNED)
    return reply


def remind(actor, survey: Survey) -> int:
    """Queue a reminder to every reply below the actor that is still open: the МОЦ
    reminds its providers, the РМЦ the municipalities. Returns how many replies."""
    action = "surveys.collect" if actor.role == Role.SUPPORT_CENTRE else "surveys.review"
    if survey.status != SurveyStatus.SENT:
        raise InvalidTransition(_("Запрос ещё не отправлен."))
    level = {"organization__isnull": action == "surveys.review"}
    open_replies = scope.actionable(actor, action, survey.replies.filter(status__in=EDITABLE, **level))
    if not scope.holds(actor, action) or (action == "surveys.review" and not survey.is_regional):
        raise PermissionDenied(_("Недостаточно прав для этого действия."))
    now = timezone.now()
    with transaction.atomic():
        due = list(open_replies.exclude(reminded_at__gt=now - REMIND_AGAIN_AFTER)
                   .values_list("pk", flat=True))
        if not due:
            return 0
        Reply.objects.filter(pk__in=due).update(reminded_at=now)
        audit.record(actor, "surveys.survey.reminded", survey, replies=len(due))
        notifications.queue_reminders(due)
    return len(due)
