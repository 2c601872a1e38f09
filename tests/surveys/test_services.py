"""The rules of data requests: writing and sending a request, answering, checking level by
level, the municipality's sums, late answers, reminders — and every refusal changes
nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from opora.accounts.models import Role
from opora.enrollment.models import Application, ApplicationStatus, Channel
from opora.errors import InvalidTransition, PermissionDenied, ValidationFailed
from opora.registry.choices import ProgramStatus
from opora.surveys import selectors, services
from opora.surveys.models import Answer, Reply, ReplyStatus, Survey, SurveyStatus
from tests import factories as f
from tests.enrollment.conftest import add_child
from tests.surveys.conftest import FIELDS, field, make_survey, reply_of, week_ahead

D = Decimal


def state():
    return (list(Survey.objects.order_by("pk").values_list("pk", "title", "status", "deadline")),
            list(Reply.objects.order_by("pk").values_list("pk", "status", "late", "remarks")),
            list(Answer.objects.order_by("pk").values_list("pk", "number", "total", "text")))


def values(survey, **by_label):
    return {field(survey, label).pk: value for label, value in by_label.items()}


# --- writing and sending a request ----------------------------------------------------


def test_the_regional_centre_writes_a_draft_for_every_municipality(survey, city, district):
    assert survey.status == SurveyStatus.DRAFT
    assert survey.municipality is None
    assert set(survey.addressees.all()) == {city, district}
    assert [(x.position, x.label, x.kind, x.options) for x in survey.fields.all()] == [
        (1, "Число кружков", "number", []), (2, "Комментарий", "text", []),
        (3, "Есть ли бассейн", "choice", ["да", "нет"]), (4, "Справка", "file", [])]
    assert not survey.replies.exists()


def test_a_moc_writes_a_request_to_its_own_municipality_only(operator, city, district):
    own = make_survey(operator, municipalities=None)

    assert (own.municipality, list(own.addressees.all())) == (city, [city])
    before = state()
    with pytest.raises(ValidationFailed) as refused:
        make_survey(operator, municipalities=[district.pk])
    assert refused.value.errors == {"municipalities": ["МОЦ отправляет запрос только своему муниципалитету."]}
    assert state() == before


@pytest.mark.parametrize(("overrides", "errors"), [
    ({"title": "  "}, {"title": ["Укажите название запроса."]}),
    ({"deadline": dt.date(2020, 1, 1)},
     {"deadline": ["Срок ответа уже прошёл: укажите сегодняшний день или позже."]}),
    ({"deadline": None}, {"deadline": ["Укажите срок ответа."]}),
    ({"municipalities": []}, {"municipalities": ["Выберите хотя бы один муниципалитет."]}),
    ({"municipalities": [999999]}, {"municipalities": ["Среди муниципалитетов есть неизвестный."]}),
    ({"fields": [{"label": "Бассейн", "kind": "choice", "options": ["да", " да "]}]},
     {"fields-1-options": ["Поле 1: для выбора из списка нужны хотя бы два разных варианта."]}),
    ({"fields": [{"label": "", "kind": "number"}]}, {"fields-1-label": ["Поле 1: укажите вопрос."]}),
    ({"fields": [{"label": "Что", "kind": "date"}]}, {"fields-1-kind": ["Поле 1: выберите тип ответа."]}),
    ({"fields": [{"label": "Что", "kind": "text", "prefill": "programs"}]},
     {"fields-1-prefill": ["Поле 1: заполнить заранее можно только числовое поле."]}),
])
def test_a_bad_request_is_refused_with_its_reason_and_nothing_is_saved(regional, city, overrides,
                                                                       errors):
    before = state()

    with pytest.raises(ValidationFailed) as refused:
        make_survey(regional, **overrides)

    assert refused.value.errors == errors
    assert state() == before


@pytest.mark.parametrize("persona", ["staff", "authority", "parent"])
def test_only_the_regional_centre_and_a_moc_write_requests(request, persona, city):
    with pytest.raises(PermissionDenied):
        make_survey(request.getfixturevalue(persona))
    assert not Survey.objects.exists()


def test_a_moc_cannot_change_another_municipalitys_or_the_regions_request(survey, operator,
                                                                         other_operator):
    own = make_survey(operator)

    for actor, target in ((other_operator, own), (operator, survey)):
        with pytest.raises(PermissionDenied):
            services.save_survey(actor, {"title": "Чужой", "deadline": week_ahead()}, survey=target)
        with pytest.raises(PermissionDenied):
            services.send_survey(actor, target)


def test_sending_asks_every_municipality_and_provider(sent, city, district, provider, studio,
                                                      other_provider):
    replies = {(r.municipality, r.organization, r.status) for r in sent.replies.all()}

    assert sent.status == SurveyStatus.SENT and sent.sent_at is not None
    assert replies == {(city, None, "pending"), (district, None, "pending"),
                       (city, provider, "pending"), (city, studio, "pending"),
                       (district, other_provider, "pending")}
    assert Answer.objects.count() == 5 * len(FIELDS)


def test_a_sent_request_is_not_changed_or_sent_again(sent, regional):
    before = state()

    with pytest.raises(InvalidTransition, match="Отправленный запрос изменить нельзя."):
        services.save_survey(regional, {"title": "Новое", "deadline": week_ahead()}, survey=sent)
    with pytest.raises(InvalidTransition, match="Запрос уже отправлен."):
        services.send_survey(regional, sent)
    with pytest.raises(InvalidTransition):
        services.add_field(regional, sent, {"label": "Ещё", "kind": "text"})
    assert state() == before


def test_a_request_without_fields_or_with_a_passed_deadline_is_not_sent(regional, city):
    empty = make_survey(regional, fields=[])
    with pytest.raises(ValidationFailed) as refused:
        services.send_survey(regional, empty)
    assert refused.value.errors == {"fields": ["Добавьте в запрос хотя бы одно поле."]}

    stale = make_survey(regional)
    Survey.objects.filter(pk=stale.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(ValidationFailed):
        services.send_survey(regional, stale)
    assert not Reply.objects.exists()


def test_fields_are_added_and_removed_in_a_draft(regional, city):
    draft = make_survey(regional, fields=[])

    first = services.add_field(regional, draft, {"label": "Педагогов", "kind": "number"})
    services.add_field(regional, draft, {"label": "Итог", "kind": "choice", "options": ["а", "б"]})
    services.remove_field(regional, first)

    assert [(x.position, x.label) for x in draft.fields.all()] == [(1, "Итог")]
    with pytest.raises(ValidationFailed) as refused:
        services.add_field(regional, draft, {"label": "Итог", "kind": "choice", "options": ["а"]})
    assert list(refused.value.errors) == ["options"]


def test_number_fields_start_from_live_figures(regional, city, provider, studio):
    f.program(provider, status=ProgramStatus.PUBLISHED)
    program = f.program(provider, status=ProgramStatus.PUBLISHED)
    f.program(studio, status=ProgramStatus.INITIAL)
    group = f.group(program)
    parent = f.user(Role.PARENT, municipality=city)
    for name in ("Аня", "Боря"):
        Application.objects.create(child=add_child(parent, first_name=name), group=group,
                                   status=ApplicationStatus.ENROLLED, channel=Channel.PROVIDER,
                                   status_changed_at=timezone.now())
    fields = [{"label": "Программ", "kind": "number", "prefill": "programs"},
              {"label": "Обучающихся", "kind": "number", "prefill": "enrolled_children"}]

    with_providers = services.send_survey(regional, make_survey(regional, fields=fields,
                                                                municipalities=[city.pk]))
    municipal_only = services.send_survey(regional, make_survey(regional, fields=fields,
                                                                municipalities=[city.pk],
                                                                asks_providers=False))

    def numbers(reply):
        return [a.number for a in selectors.answers_of(reply)]

    assert numbers(reply_of(with_providers, provider)) == [2, 2]
    assert numbers(reply_of(with_providers, studio)) == [0, 0]
    # the МОЦ's own entry is added to the providers' sum: not prefilled when they answer
    assert numbers(reply_of(with_providers, municipality=city)) == [None, None]
    assert numbers(reply_of(municipal_only, municipality=city)) == [2, 2]


# --- answering ------------------------------------------------------------------------


def test_a_provider_saves_a_draft_and_submits(sent, staff, provider):
    reply = reply_of(sent, provider)
    upload = SimpleUploadedFile("справка.pdf", b"%PDF-1.4 test", content_type="application/pdf")

    services.save_reply(staff, reply, values(sent, **{"Число кружков": "1 200,5", "Комментарий": " ок ",
                                                       "Есть ли бассейн": "да"}),
                        files={field(sent, "Справка").pk: upload})
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.DRAFT
    answers = {a.field.label: a for a in selectors.answers_of(reply)}
    assert (answers["Число кружков"].number, answers["Комментарий"].text,
            answers["Есть ли бассейн"].text) == (D("1200.50"), "ок", "да")
    assert answers["Справка"].file.name.startswith(f"surveys/{sent.pk}/{reply.pk}/")
    assert answers["Справка"].file.read() == b"%PDF-1.4 test"

    services.submit_reply(staff, reply)
    reply.refresh_from_db()
    assert (reply.status, reply.late, reply.submitted_at is not None) == ("submitted", False, True)


@pytest.mark.parametrize(("label", "value", "message"), [
    ("Число кружков", "двенадцать", "«Число кружков»: введите число (не больше двух знаков после запятой)."),
    ("Число кружков", "1.234", "«Число кружков»: введите число (не больше двух знаков после запятой)."),
    ("Число кружков", "1e400", "«Число кружков»: введите число (не больше двух знаков после запятой)."),
    ("Есть ли бассейн", "может быть", "«Есть ли бассейн»: выберите один из вариантов списка."),
])
def test_a_bad_answer_is_refused_and_nothing_is_saved(sent, staff, provider, label, value, message):
    reply = reply_of(sent, provider)
    before = state()

    with pytest.raises(ValidationFailed) as refused:
        services.save_reply(staff, reply, values(sent, **{"Комментарий": "сохранится?", label: value}))

    assert refused.value.errors == {f"field_{field(sent, label).pk}": [message]}
    assert state() == before


def test_a_required_field_is_needed_to_submit_but_not_for_a_draft(sent, staff, provider):
    reply = reply_of(sent, provider)
    services.save_reply(staff, reply, values(sent, Комментарий="позже"))

    with pytest.raises(ValidationFailed) as refused:
        services.submit_reply(staff, reply)

    assert refused.value.errors == {f"field_{field(sent, 'Число кружков').pk}": [
        "«Число кружков»: обязательное поле."]}
    assert Reply.objects.get(pk=reply.pk).status == ReplyStatus.DRAFT


def test_submitting_twice_is_refused(sent, staff, provider):
    reply = reply_of(sent, provider)
    services.save_reply(staff, reply, values(sent, **{"Число кружков": "3"}), submit=True)
    before = state()

    with pytest.raises(InvalidTransition, match="Ответ уже отправлен на проверку"):
        services.submit_reply(staff, reply)
    with pytest.raises(InvalidTransition):
        services.save_reply(staff, reply, values(sent, **{"Число кружков": "4"}))
    assert state() == before


@pytest.mark.parametrize("persona", ["studio_staff", "other_staff", "operator", "regional", "authority"])
def test_only_the_providers_staff_answer_for_it(request, sent, provider, persona):
    reply = reply_of(sent, provider)

    with pytest.raises(PermissionDenied):
        services.save_reply(request.getfixturevalue(persona), reply, {})


# --- checking level by level ----------------------------------------------------------


def submitted_by(actor, survey, organization, number):
    reply = reply_of(survey, organization)
    return services.save_reply(actor, reply, values(survey, **{"Число кружков": number}), submit=True)


def test_an_accepted_answer_is_locked_until_it_is_returned(sent, staff, operator, provider):
    reply = submitted_by(staff, sent, provider, "5")
    services.review_reply(operator, reply, accept=True)
    before = state()

    with pytest.raises(InvalidTransition, match="Ответ принят"):
        services.save_reply(staff, reply, values(sent, **{"Число кружков": "6"}))
    with pytest.raises(InvalidTransition):
        services.review_reply(operator, reply, accept=True)
    assert state() == before

    services.review_reply(operator, reply, accept=False, remarks="Уточните число")
    services.save_reply(staff, reply, values(sent, **{"Число кружков": "6"}), submit=True)
    assert Reply.objects.get(pk=reply.pk).status == ReplyStatus.SUBMITTED


def test_returning_needs_remarks(sent, staff, operator, provider):
    reply = submitted_by(staff, sent, provider, "5")

    with pytest.raises(ValidationFailed, match="Напишите, что нужно исправить."):
        services.review_reply(operator, reply, accept=False, remarks="  ")
    assert Reply.objects.get(pk=reply.pk).status == ReplyStatus.SUBMITTED


@pytest.mark.parametrize("persona", ["other_operator", "authority", "regional", "staff"])
def test_only_the_moc_of_the_municipality_checks_its_providers(request, sent, staff, provider, persona):
    reply = submitted_by(staff, sent, provider, "5")

    with pytest.raises(PermissionDenied):
        services.review_reply(request.getfixturevalue(persona), reply, accept=True)


@pytest.mark.parametrize("persona", ["operator", "authority", "staff", "other_operator"])
def test_only_the_regional_centre_checks_a_municipalitys_answer(request, sent, operator, city, persona):
    municipal = services.save_reply(operator, reply_of(sent, municipality=city),
                                    values(sent, **{"Число кружков": "1"}), submit=True)

    with pytest.raises(PermissionDenied):
        services.review_reply(request.getfixturevalue(persona), municipal, accept=True)


def test_the_municipality_submits_only_when_its_providers_are_checked(sent, staff, operator, provider,
                                                                     city):
    submitted_by(staff, sent, provider, "5")

    with pytest.raises(InvalidTransition, match=r"Ответы организаций ждут проверки \(1\)"):
        services.submit_reply(operator, reply_of(sent, municipality=city))
    assert reply_of(sent, municipality=city).status == ReplyStatus.PENDING


def test_the_full_cycle_with_remarks_and_a_late_answer(sent, regional, operator, staff, studio_staff,
                                                       provider, studio, city, district):
    """Providers answer, the МОЦ returns one with remarks and accepts both, adds its own
    entry and submits the sum; the РМЦ returns it, the МОЦ resubmits after the deadline
    (marked late), the РМЦ accepts — and then nothing changes until a return."""
    count = field(sent, "Число кружков")
    first = submitted_by(staff, sent, provider, "10")
    second = submitted_by(studio_staff, sent, studio, "7")
    services.review_reply(operator, second, accept=False, remarks="Студия: посчитайте и летние")
    second = services.save_reply(studio_staff, second, {count.pk: "8"}, submit=True)
    services.review_reply(operator, first, accept=True)
    services.review_reply(operator, second, accept=True)

    municipal = reply_of(sent, municipality=city)
    services.save_reply(operator, municipal, {count.pk: "2"}, submit=True)
    total = Answer.objects.get(reply=municipal, field=count)
    assert (total.number, total.total) == (D("2"), D("20"))  # 10 + 8 accepted + 2 own
    assert Reply.objects.get(pk=municipal.pk).status == ReplyStatus.SUBMITTED

    with pytest.raises(InvalidTransition, match="Ответ муниципалитета уже отправлен"):
        services.review_reply(operator, first, accept=False, remarks="Ещё раз")

    services.review_reply(regional, municipal, accept=False, remarks="Нет данных по филиалам")
    assert Reply.objects.get(pk=municipal.pk).remarks == "Нет данных по филиалам"
    services.review_reply(operator, first, accept=False, remarks="Добавьте филиал")
    services.save_reply(staff, first, {count.pk: "12"}, submit=True)
    services.review_reply(operator, first, accept=True)

    Survey.objects.filter(pk=sent.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    services.save_reply(operator, municipal, {}, submit=True)
    municipal.refresh_from_db()
    assert (municipal.status, municipal.late) == (ReplyStatus.SUBMITTED, True)
    assert Answer.objects.get(reply=municipal, field=count).total == D("22")
    assert Reply.objects.get(pk=first.pk).late is False  # answered before the deadline

    services.review_reply(regional, municipal, accept=True)
    before = state()
    with pytest.raises(InvalidTransition, match="Ответ принят"):
        services.save_reply(operator, municipal, {count.pk: "3"})
    with pytest.raises(InvalidTransition, match="Ответ муниципалитета уже отправлен"):
        services.review_reply(operator, first, accept=False, remarks="Поздно")
    assert state() == before

    statuses = {(r.organization, r.status, r.late) for r in sent.replies.filter(municipality=city)}
    assert statuses == {(None, "accepted", True), (provider, "accepted", False),
                        (studio, "accepted", False)}
    assert set(sent.replies.filter(municipality=district).values_list("status", flat=True)) == {"pending"}


def test_a_mocs_own_request_ends_with_its_answer(operator, staff, provider, city):
    own = services.send_survey(operator, make_survey(operator))
    count = field(own, "Число кружков")
    services.review_reply(operator, submitted_by(staff, own, provider, "4"), accept=True)

    municipal = services.save_reply(operator, reply_of(own, municipality=city), {count.pk: "1"},
                                    submit=True)

    assert municipal.status == ReplyStatus.ACCEPTED
    assert Answer.objects.get(reply=municipal, field=count).total == D("5")
    services.review_reply(operator, municipal, accept=False, remarks="Исправлю сам")
    assert Reply.objects.get(pk=municipal.pk).status == ReplyStatus.RETURNED


# --- reminders ------------------------------------------------------------------------


def test_the_moc_reminds_its_providers_that_have_not_answered(sent, operator, staff, studio_staff,
                                                              provider, studio, other_staff,
                                                              django_capture_on_commit_callbacks):
    f.user(Role.ORGANIZATION_STAFF, organization=studio, municipality=studio.municipality,
           email="off@example.org", is_active=False)
    submitted_by(staff, sent, provider, "5")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        reminded = services.remind(operator, sent)

    assert reminded == 1  # the studio; the provider has answered, the district is not the МОЦ's
    assert [m.to for m in mail.outbox] == [[studio_staff.email]]
    assert "Кружки и секции" in mail.outbox[0].subject
    assert services.remind(operator, sent) == 0  # not twice within an hour
    assert len(mail.outbox) == 1


def test_the_regional_centre_reminds_the_municipalities(sent, regional, operator, other_operator,
                                                       django_capture_on_commit_callbacks):
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind(regional, sent) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([operator.email, other_operator.email])


@pytest.mark.parametrize("persona", ["staff", "authority"])
def test_others_do_not_remind(request, sent, persona):
    with pytest.raises(PermissionDenied):
        services.remind(request.getfixturevalue(persona), sent)


def test_sending_and_returning_tell_the_addressees_by_e_mail(survey, regional, operator, other_operator,
                                                             staff, studio_staff, other_staff, provider,
                                                             django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_survey(regional, survey)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        u.email for u in (operator, other_operator, staff, studio_staff, other_staff))
    assert {m.subject for m in mail.outbox} == {"Новый запрос данных: «Кружки и секции»"}

    reply = submitted_by(staff, survey, provider, "5")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.review_reply(operator, reply, accept=False, remarks="Добавьте летние кружки")

    [message] = mail.outbox
    assert message.to == [staff.email]
    assert "возвращён на доработку" in message.subject
    assert "Замечания: Добавьте летние кружки" in message.body


def test_a_stale_notice_is_not_sent(sent, staff, provider):
    from opora.surveys import notifications

    submitted_by(staff, sent, provider, "5")
    mail.outbox.clear()

    assert notifications.send_notice(reply_of(sent, provider).pk, notifications.REMINDER) == 0
    assert notifications.send_notice(reply_of(sent, provider).pk, notifications.RETURNED) == 0
    assert mail.outbox == []
