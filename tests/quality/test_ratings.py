"""Parents' ratings of programs (docs/domain.md §12): the formula, the minimum share, one
rating per enrolment, who may rate, moderation of comments and the provider's answers."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from opora.accounts.models import Role
from opora.enrollment import services as enrollment_services
from opora.enrollment.models import Application, ApplicationStatus, Channel, Guardianship
from opora.enrollment.seats import recount_seats
from opora.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from opora.financing.models import ContractStatus
from opora.quality import ratings
from opora.quality.models import CommentStatus, ProgramRating, Rating, RatingRules
from opora.registry.choices import ProgramStatus
from opora.registry.models import Group
from tests import factories as f
from tests.enrollment.conftest import add_child, open_group
from tests.financing.conftest import DEC, OCT, make_certificate, make_contract, make_period

S = ApplicationStatus
MARKS = {"results": 5, "staff": 4, "means": 4, "overall": 5}


def today():
    return timezone.localdate()


def enrolment(child, group, status=S.COMPLETED, enrolled_days_ago=200, **kw):
    """An application of ``child`` to ``group`` in ``status``, enrolled that many days ago."""
    return Application.objects.create(
        child=child, group=group, status=status, channel=Channel.CABINET, status_changed_at=timezone.now(),
        enrolled_on=today() - dt.timedelta(days=enrolled_days_ago) if enrolled_days_ago is not None else None,
        **kw)


@pytest.fixture
def published(provider):
    return f.program(provider, status=ProgramStatus.PUBLISHED, title="Робототехника")


@pytest.fixture
def group(published):
    return open_group(published, name="Роботы-1", capacity_max=50)


@pytest.fixture
def child(parent):
    return add_child(parent)


@pytest.fixture
def finished(child, group):
    return enrolment(child, group)


def rate(parent, application, marks=None, comment=""):
    return ratings.rate_program(parent, application, marks or MARKS, comment)


# --- the formula ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("means", "weights", "penalty", "early", "contracts", "weighted", "score"), [
    ((4.5, 4.0, 3.5, 4.5), (.3, .2, .2, .3), 2, 1, 4, "4.20", "3.7"),
    ((5, 5, 5, 5), (.3, .2, .2, .3), 2, 0, 0, "5.00", "5.0"),
    ((4.5, 4.0, 4.5, 4.5), (.3, .2, .2, .3), 1, 3, 20, "4.40", "4.3"),
    ((4.75, 4.25, 4.5, 4.25), (.25, .25, .25, .25), 1, 1, 5, "4.44", "4.2"),
    ((1, 1, 1, 1), (.3, .2, .2, .3), 2, 4, 4, "1.00", "0.0"),
])
def test_the_formula_on_a_hand_computed_table(means, weights, penalty, early, contracts, weighted, score):
    """rating = Σ weight × mean − penalty × early ÷ contracts, half up to 0.1, never below 0
    (means and weights in the order results, staff, means, overall):

    | means                 | weights     | pen. | early | Σ w×mean          | rating                      |
    |-----------------------|-------------|------|-------|-------------------|-----------------------------|
    | 4.5, 4.0, 3.5, 4.5    | .3 .2 .2 .3 | 2    | 1/4   | 1.35+.8+.7+1.35   | 4.20 − 0.50 = 3.70 → 3.7    |
    |                       |             |      |       | = 4.20            |                             |
    | 5, 5, 5, 5            | .3 .2 .2 .3 | 2    | 0/0   | 5.00              | 5.0 (no contracts: no factor)|
    | 4.5, 4.0, 4.5, 4.5    | .3 .2 .2 .3 | 1    | 3/20  | 1.35+.8+.9+1.35   | 4.40 − 0.15 = 4.25 → 4.3    |
    |                       |             |      |       | = 4.40            | (half up, not 4.2)          |
    | 4.75, 4.25, 4.5, 4.25 | .25 each    | 1    | 1/5   | 4.4375 → 4.44     | 4.4375 − 0.2 = 4.2375 → 4.2 |
    | 1, 1, 1, 1            | .3 .2 .2 .3 | 2    | 4/4   | 1.00              | 1 − 2 = −1 → 0.0            |
    """
    names = ("results", "staff", "means", "overall")
    got = ratings.score_of(dict(zip(names, map(Decimal, map(str, means)), strict=True)),
                           dict(zip(names, map(Decimal, map(str, weights)), strict=True)),
                           Decimal(penalty), early, contracts)
    assert got == (Decimal(weighted), Decimal(score))


def test_the_stored_rating_of_the_first_row_from_real_ratings_and_contracts(parent, city, group, published):
    """The first row of the table from the database: four ratings give the means 4.5, 4.0,
    3.5, 4.5; of four contracts one was ended early at the parent's request (counted), one
    was ended early by the provider (not counted), two run: 4.20 − 2 × 1/4 = 3.7.

    | rating | results | staff | means | overall |
    |--------|---------|-------|-------|---------|
    | 1      | 5       | 4     | 4     | 5       |
    | 2      | 4       | 4     | 3     | 5       |
    | 3      | 5       | 3     | 4     | 4       |
    | 4      | 4       | 5     | 3     | 4       |
    | mean   | 4.5     | 4.0   | 3.5   | 4.5     |
    """
    table = [(5, 4, 4, 5), (4, 4, 3, 5), (5, 3, 4, 4), (4, 5, 3, 4)]
    for i, row in enumerate(table):
        application = enrolment(add_child(parent, first_name=f"Ребёнок{i}"), group)
        rate(parent, application, dict(zip(("results", "staff", "means", "overall"), row, strict=True)))
    period = make_period(city)
    contracts = []
    for i in range(4):
        certificate = make_certificate(add_child(parent, first_name=f"Договор{i}"), period)
        contracts.append(make_contract(certificate, group, period, {OCT: Decimal("1000.00")}))
    for contract, by_parent in ((contracts[0], True), (contracts[1], False)):
        Application.objects.filter(pk=contract.application_id).update(status=S.EXPELLED, ended_by_parent=by_parent)
        contract.status, contract.terminated_on = ContractStatus.CLOSED, OCT + dt.timedelta(days=10)
        contract.save()

    stored = ratings.refresh(published)

    assert stored.means == {"results": "4.50", "staff": "4.00", "means": "3.50", "overall": "4.50"}
    assert (stored.contracts, stored.early_by_parents) == (4, 1)
    assert (stored.weighted, stored.score) == (Decimal("4.20"), Decimal("3.7"))
    assert stored.rules.version == 1 and stored.shown  # 4 ratings of 4 qualifying enrolments


def test_a_new_version_of_the_rules_keeps_the_old_one_and_names_the_version_used(parent, regional, group,
                                                                                 published):
    for i in range(3):
        rate(parent, enrolment(add_child(parent, first_name=f"Р{i}"), group))
    before = ProgramRating.objects.get(program=published)
    assert (before.rules.version, before.score) == (1, Decimal("4.6"))  # 1.5+0.8+0.8+1.5

    second = ratings.save_rules(regional, {"weight_results": "0.25", "weight_staff": "0.25",
                                           "weight_means": "0.25", "weight_overall": "0.25",
                                           "early_penalty": "1", "min_share": "10", "min_ratings": "3"})

    after = ProgramRating.objects.get(program=published)
    assert (after.rules_id, after.score) == (second.pk, Decimal("4.5"))
    first = RatingRules.objects.get(version=1)
    assert (first.weight_results, first.early_penalty, first.min_ratings) == (Decimal("0.30"), Decimal("2.00"), 3)


def test_the_rules_refuse_weights_that_do_not_sum_to_one_and_anyone_but_the_rmc(regional, operator):
    data = {"weight_results": "0.5", "weight_staff": "0.5", "weight_means": "0.5", "weight_overall": "0",
            "early_penalty": "1", "min_share": "10", "min_ratings": "3"}
    with pytest.raises(ValidationFailed) as refused:
        ratings.save_rules(regional, data)
    assert "равна 1" in refused.value.errors["weight_results"][0]
    with pytest.raises(PermissionDenied):
        ratings.save_rules(operator, {**data, "weight_results": "0"})
    assert RatingRules.objects.count() == 1


# --- the minimum share --------------------------------------------------------------------------------


def test_the_rating_shows_from_the_minimum_share_of_qualifying_enrolments(parent, group, published):
    """Rules v1: at least 3 ratings and at least 10 % of the qualifying enrolments. Three
    ratings of 30 qualifying enrolments is 10 %: shown; of 31 (9.7 %): hidden."""
    child = add_child(parent)
    rated = [enrolment(child, group) for _ in range(3)]
    for application in rated:
        rate(parent, application)
    for _ in range(27):
        enrolment(child, group)
    assert ratings.refresh(published).qualifying == 30
    assert ratings.public_rating(published) is not None

    enrolment(child, group)
    stored = ratings.refresh(published)
    assert (stored.ratings, stored.qualifying, stored.shown) == (3, 31, False)
    assert ratings.public_rating(published) is None


def test_the_rating_needs_the_minimum_number_of_ratings_too(parent, group, published):
    child = add_child(parent)
    for _ in range(2):
        rate(parent, enrolment(child, group))
    stored = ratings.refresh(published)
    assert (stored.ratings, stored.qualifying, stored.shown) == (2, 2, False)  # 100 %, but 2 < 3


# --- one rating per enrolment --------------------------------------------------------------------------


def test_one_rating_per_enrolment(parent, finished):
    rate(parent, finished)
    with pytest.raises(InvalidTransition):
        rate(parent, finished, {"results": 1, "staff": 1, "means": 1, "overall": 1})
    assert Rating.objects.get().results == 5


def test_the_database_holds_one_rating_per_enrolment(parent, finished):
    rate(parent, finished)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(application=finished, program=finished.group.module.program, parent=parent,
                              results=1, staff=1, means=1, overall=1)


def test_another_enrolment_of_the_same_child_may_be_rated_again(parent, child, group, finished):
    rate(parent, finished)
    rate(parent, enrolment(child, group))
    assert Rating.objects.count() == 2


# --- who may rate ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "days", "allowed"), [
    (S.COMPLETED, 30, True),
    (S.EXPELLED, 10, True),
    (S.ENROLLED, 200, True),   # three months of attendance
    (S.ENROLLED, 40, False),
    (S.WITHDRAWN, None, False),
    (S.REJECTED, None, False),
    (S.WAITLISTED, None, False),
])
def test_only_an_enrolment_that_qualifies_may_be_rated(parent, child, group, status, days, allowed):
    kw = {"queue_number": 1} if status == S.WAITLISTED else {}
    application = enrolment(child, group, status=status, enrolled_days_ago=days, **kw)
    if allowed:
        rate(parent, application)
        assert Rating.objects.filter(application=application).exists()
    else:
        with pytest.raises(InvalidTransition):
            rate(parent, application)
        assert not Rating.objects.exists()


def test_three_months_count_from_the_day_of_enrolment(parent, child, group):
    application = enrolment(child, group, status=S.ENROLLED, enrolled_days_ago=None)
    Application.objects.filter(pk=application.pk).update(enrolled_on=ratings.months_later(today(), -3))
    rate(parent, Application.objects.get(pk=application.pk))
    late = enrolment(add_child(parent, first_name="Вася"), group, status=S.ENROLLED, enrolled_days_ago=None)
    Application.objects.filter(pk=late.pk).update(
        enrolled_on=ratings.months_later(today(), -3) + dt.timedelta(days=1))
    with pytest.raises(InvalidTransition, match="трёх месяцев"):
        rate(parent, Application.objects.get(pk=late.pk))


def test_an_enrolment_whose_contract_ended_qualifies(parent, city, group):
    period = make_period(city)
    certificate = make_certificate(add_child(parent, first_name="Договор"), period)
    contract = make_contract(certificate, group, period, {dt.date(2025, 10, 1): Decimal("1000.00")})
    Application.objects.filter(pk=contract.application_id).update(enrolled_on=today() - dt.timedelta(days=20))
    rate(parent, Application.objects.get(pk=contract.application_id))
    assert Rating.objects.count() == 1


def test_another_parent_or_an_unconfirmed_guardian_gets_not_found(parent, finished, city, client):
    stranger = f.user(Role.PARENT, municipality=city)
    with pytest.raises(NotFound):
        rate(stranger, finished)
    linked = f.user(Role.PARENT, municipality=city)
    Guardianship.objects.create(parent=linked, child=finished.child, consent_at=timezone.now(),
                                consent_channel="parent")  # not confirmed by the МОЦ
    with pytest.raises(NotFound):
        rate(linked, finished)
    client.force_login(stranger)
    assert client.get(reverse("quality:rate", args=[finished.uuid])).status_code == 404
    assert client.post(reverse("quality:rate", args=[finished.uuid]), MARKS).status_code == 404
    assert not Rating.objects.exists()


def test_marks_are_from_1_to_5_and_bad_input_changes_nothing(parent, finished):
    with pytest.raises(ValidationFailed) as refused:
        rate(parent, finished, {"results": 6, "staff": 0, "means": "пять", "overall": ""})
    assert set(refused.value.errors) == {"results", "staff", "means", "overall"}
    with pytest.raises(ValidationFailed):
        rate(parent, finished, MARKS, "x" * 2001)
    assert not Rating.objects.exists()


# --- moderation ----------------------------------------------------------------------------------


def test_a_comment_is_public_only_after_the_moc_publishes_it(parent, finished, published, operator):
    rating = rate(parent, finished, comment="Ребёнок в восторге")
    assert rating.comment_status == CommentStatus.PENDING
    assert list(ratings.public_comments(published)) == []
    assert list(ratings.moderation_queue(operator)) == [rating]

    ratings.moderate(operator, rating, publish=True)

    assert list(ratings.public_comments(published)) == [rating]
    assert list(ratings.moderation_queue(operator)) == []
    with pytest.raises(InvalidTransition):
        ratings.moderate(operator, rating, publish=False, reason="Повторно")


def test_a_rejected_comment_stays_hidden_but_its_marks_count(parent, finished, published, operator):
    rating = rate(parent, finished, comment="Телефон педагога: 8-900-000-00-00")
    with pytest.raises(ValidationFailed):
        ratings.moderate(operator, rating, publish=False, reason=" ")
    ratings.moderate(operator, rating, publish=False, reason="Личные данные")
    rating.refresh_from_db()
    assert (rating.comment_status, rating.moderation_reason) == (CommentStatus.REJECTED, "Личные данные")
    assert list(ratings.public_comments(published)) == []
    assert ProgramRating.objects.get(program=published).ratings == 1


def test_the_parent_rewrites_a_rejected_comment_and_it_goes_back_to_moderation(parent, finished, published,
                                                                               operator):
    rating = rate(parent, finished, comment="Телефон педагога: 8-900-000-00-00")
    ratings.moderate(operator, rating, publish=False, reason="Личные данные")

    ratings.resubmit_comment(parent, rating, "  Педагог внимательный, советую.  ")

    rating.refresh_from_db()
    assert (rating.comment, rating.comment_status, rating.moderation_reason, rating.moderated_by) == (
        "Педагог внимательный, советую.", CommentStatus.PENDING, "", None)
    assert (rating.results, rating.staff, rating.means, rating.overall) == (5, 4, 4, 5)
    assert Rating.objects.filter(application=finished).count() == 1
    assert list(ratings.moderation_queue(operator)) == [rating]
    ratings.moderate(operator, rating, publish=True)
    assert list(ratings.public_comments(published)) == [rating]


@pytest.mark.parametrize("publish", [True, None])
def test_only_a_rejected_comment_may_be_rewritten(parent, finished, operator, publish):
    rating = rate(parent, finished, comment="Хорошо")
    if publish:
        ratings.moderate(operator, rating, publish=True)
    with pytest.raises(InvalidTransition, match="Исправить можно только"):
        ratings.resubmit_comment(parent, rating, "Другой текст")
    rating.refresh_from_db()
    assert rating.comment == "Хорошо"


def test_a_rewritten_comment_needs_text_and_the_rating_parent(parent, finished, operator, city):
    rating = rate(parent, finished, comment="Плохо")
    ratings.moderate(operator, rating, publish=False, reason="Без пояснений")
    with pytest.raises(ValidationFailed):
        ratings.resubmit_comment(parent, rating, "   ")
    with pytest.raises(ValidationFailed):
        ratings.resubmit_comment(parent, rating, "x" * 2001)
    with pytest.raises(NotFound):
        ratings.resubmit_comment(f.user(Role.PARENT, municipality=city), rating, "Чужой текст")
    rating.refresh_from_db()
    assert (rating.comment, rating.comment_status) == ("Плохо", CommentStatus.REJECTED)


def test_the_rating_page_rewrites_a_rejected_comment(parent, finished, operator, client):
    rating = rate(parent, finished, comment="Плохо")
    client.force_login(parent)
    assert "Отправить на проверку снова" not in client.get(
        reverse("quality:rate", args=[finished.uuid])).content.decode()
    ratings.moderate(operator, rating, publish=False, reason="Поясните, что именно")
    page = client.get(reverse("quality:rate", args=[finished.uuid])).content.decode()
    assert "Поясните, что именно" in page and "Отправить на проверку снова" in page
    assert client.post(reverse("quality:rate", args=[finished.uuid]), {"comment": ""}).status_code == 400
    response = client.post(reverse("quality:rate", args=[finished.uuid]),
                           {"comment": "Мало практики", "results": "1"})
    assert response.status_code == 302
    rating.refresh_from_db()
    assert (rating.comment, rating.comment_status, rating.results) == ("Мало практики", CommentStatus.PENDING, 5)



def test_a_rejection_ending_with_a_full_stop_is_not_followed_by_another(parent, finished, operator, client):
    rating = rate(parent, finished, comment="Плохо")
    ratings.moderate(operator, rating, publish=False, reason="Комментарий без сути.")
    client.force_login(parent)
    page = client.get(reverse("quality:rate", args=[finished.uuid])).content.decode()
    assert "Причина: Комментарий без сути." in page and ".." not in page.replace("...", "")

def test_a_rating_without_a_comment_needs_no_moderation(parent, finished, operator):
    rate(parent, finished)
    assert list(ratings.moderation_queue(operator)) == []


def test_only_the_moc_of_the_programs_municipality_moderates(parent, finished, other_operator, authority,
                                                              client):
    rating = rate(parent, finished, comment="Хорошо")
    for user in (other_operator, authority):
        with pytest.raises(PermissionDenied):
            ratings.moderate(user, rating, publish=True)
    assert list(ratings.moderation_queue(other_operator)) == []
    client.force_login(other_operator)
    response = client.post(reverse("quality:rating_decide", args=[rating.pk]), {"decision": "publish"})
    assert response.status_code == 404
    rating.refresh_from_db()
    assert rating.comment_status == CommentStatus.PENDING


def test_the_moderation_page_publishes(parent, finished, operator, client):
    rating = rate(parent, finished, comment="Спасибо педагогу")
    client.force_login(operator)
    page = client.get(reverse("quality:rating_moderation"))
    assert "Спасибо педагогу" in page.content.decode()
    client.post(reverse("quality:rating_decide", args=[rating.pk]), {"decision": "publish"})
    rating.refresh_from_db()
    assert rating.comment_status == CommentStatus.PUBLISHED


# --- the provider's answer -----------------------------------------------------------------------


def test_the_provider_answers_a_published_comment_on_its_own_program_once(parent, finished, operator, staff,
                                                                          published, client):
    rating = rate(parent, finished, comment="Мало роботов на группу")
    with pytest.raises(InvalidTransition):
        ratings.answer(staff, rating, "Докупим")  # not published yet
    ratings.moderate(operator, rating, publish=True)
    ratings.answer(staff, rating, "Докупили два набора")
    with pytest.raises(InvalidTransition):
        ratings.answer(staff, rating, "Ещё один ответ")
    page = client.get(reverse("quality:program_rating", args=[published.pk])).content.decode()
    assert "Мало роботов на группу" in page and "Докупили два набора" in page


def test_another_provider_cannot_answer(parent, finished, operator, other_staff, client):
    rating = rate(parent, finished, comment="Отлично")
    ratings.moderate(operator, rating, publish=True)
    with pytest.raises(PermissionDenied):
        ratings.answer(other_staff, rating, "Чужой ответ")
    assert list(ratings.provider_ratings(other_staff)) == []
    client.force_login(other_staff)
    response = client.post(reverse("quality:provider_answer", args=[rating.pk]), {"answer": "Чужой ответ"})
    assert response.status_code == 404
    rating.refresh_from_db()
    assert rating.answer == ""


def test_the_provider_answers_on_its_page(parent, finished, operator, staff, client):
    rating = rate(parent, finished, comment="Хорошо")
    ratings.moderate(operator, rating, publish=True)
    client.force_login(staff)
    assert "Хорошо" in client.get(reverse("quality:provider_ratings")).content.decode()
    client.post(reverse("quality:provider_answer", args=[rating.pk]), {"answer": " "})
    rating.refresh_from_db()
    assert rating.answer == ""
    client.post(reverse("quality:provider_answer", args=[rating.pk]), {"answer": "Спасибо!"})
    rating.refresh_from_db()
    assert rating.answer == "Спасибо!"


# --- pages, the badge and the API ------------------------------------------------------------------


def test_the_cabinet_offers_to_rate_only_a_qualifying_enrolment(parent, child, group, finished, client):
    recent = enrolment(add_child(parent, first_name="Новичок"), group, status=S.ENROLLED, enrolled_days_ago=10)
    client.force_login(parent)
    assert "Оценить программу" in client.get(reverse("enrollment:application", args=[finished.uuid])).content.decode()
    assert "Оценить программу" not in client.get(reverse("enrollment:application", args=[recent.uuid])).content.decode()

    response = client.post(reverse("quality:rate", args=[finished.uuid]), {**MARKS, "comment": "Понравилось"})

    assert response.status_code == 302
    assert Rating.objects.get(application=finished).comment_status == CommentStatus.PENDING
    listing = client.get(reverse("enrollment:applications")).content.decode()
    assert "Ваша оценка программы" in listing


def test_the_rating_form_keeps_what_was_typed_on_a_refusal(parent, finished, client):
    client.force_login(parent)
    response = client.post(reverse("quality:rate", args=[finished.uuid]),
                           {"results": "5", "staff": "4", "means": "", "overall": "3", "comment": "Текст"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Поставьте оценку от 1 до 5." in body and "Текст" in body
    assert not Rating.objects.exists()


def test_the_program_page_shows_the_rating_badge_once_it_is_shown(parent, group, published, client):
    child = add_child(parent)
    url = reverse("navigator:program", args=[published.pk])
    for _ in range(2):
        rate(parent, enrolment(child, group))
    assert "Оценка родителей" not in client.get(url).content.decode()
    rate(parent, enrolment(child, group))
    page = client.get(url).content.decode()
    assert "Оценка родителей: 4,6 из 5 (оценок: 3)" in page
    assert reverse("quality:program_rating", args=[published.pk]) in page
    explained = client.get(reverse("quality:program_rating", args=[published.pk])).content.decode()
    assert "Как считается рейтинг" in explained and "Правила версии 1" in explained


def test_the_api_gives_the_public_rating(parent, group, published, provider, client):
    child = add_child(parent)
    for _ in range(3):
        rate(parent, enrolment(child, group))
    body = client.get(f"/api/v1/quality/programs/{published.pk}/rating").json()
    assert (body["shown"], body["score"], body["ratings"], body["rules"]["version"]) == (True, "4.6", 3, 1)
    assert body["means"]["results"] == "5.00"
    hidden = f.program(provider, status=ProgramStatus.MODERATING)
    assert client.get(f"/api/v1/quality/programs/{hidden.pk}/rating").status_code == 404


def test_the_rules_page_saves_a_version_for_the_rmc_only(regional, operator, client):
    data = {"weight_results": "0.4", "weight_staff": "0.2", "weight_means": "0.1", "weight_overall": "0.3",
            "early_penalty": "1.5", "min_share": "20", "min_ratings": "5"}
    client.force_login(operator)
    assert client.get(reverse("quality:rating_rules")).status_code == 200
    assert client.post(reverse("quality:rating_rules"), data).status_code == 403
    client.force_login(regional)
    assert client.post(reverse("quality:rating_rules"), data).status_code == 302
    assert RatingRules.objects.order_by("-version").first().min_ratings == 5


def test_an_expulsion_at_the_parents_request_is_recorded_and_refreshes_the_rating(parent, group, published,
                                                                                  staff):
    child = add_child(parent)
    for _ in range(3):
        rate(parent, enrolment(child, group))
    assert ProgramRating.objects.get(program=published).qualifying == 3
    studying = enrolment(add_child(parent, first_name="Ушёл"), group, status=S.ENROLLED, enrolled_days_ago=20)
    recount_seats(Group.objects.filter(pk=group.pk))

    enrollment_services.process_applications(staff, [studying.pk], "expel", reason="Переезд", by_parent=True)

    studying.refresh_from_db()
    assert (studying.status, studying.ended_by_parent) == (S.EXPELLED, True)
    assert ProgramRating.objects.get(program=published).qualifying == 4


# --- when the stored rating is computed again -------------------------------------------------------


def test_a_parent_ending_a_contract_early_lowers_the_stored_rating_at_once(parent, city, group, published,
                                                                           staff):
    child = add_child(parent)
    for _ in range(3):
        rate(parent, enrolment(child, group))
    period = make_period(city)
    contract = make_contract(make_certificate(add_child(parent, first_name="Договор"), period), group, period,
                             {DEC: Decimal("1000.00")})
    Application.objects.filter(pk=contract.application_id).update(enrolled_on=today() - dt.timedelta(days=20))
    before = ratings.refresh(published)
    assert (before.contracts, before.early_by_parents, before.score) == (1, 0, Decimal("4.6"))
    if contract.ends_on <= today():
        type(contract).objects.filter(pk=contract.pk).update(ends_on=today() + dt.timedelta(days=60))

    enrollment_services.process_applications(staff, [contract.application_id], "expel",
                                             reason="По заявлению родителя", by_parent=True)

    stored = ProgramRating.objects.get(program=published)
    assert (stored.contracts, stored.early_by_parents) == (1, 1)
    assert stored.score == Decimal("2.6")  # 4.6 − 2 × 1/1


def test_an_enrolment_that_starts_refreshes_the_rating_and_one_of_an_unrated_program_does_nothing(
        parent, group, published, provider, staff):
    child = add_child(parent)
    for _ in range(3):
        rate(parent, enrolment(child, group))
    ProgramRating.objects.filter(program=published).update(qualifying=99)
    new = enrolment(add_child(parent, first_name="Новый"), group, status=S.NEW, enrolled_days_ago=None)
    recount_seats(Group.objects.filter(pk=group.pk))

    ratings.application_changed(staff, Application.objects.get(pk=new.pk), S.NEW)  # still new: nothing
    assert ProgramRating.objects.get(program=published).qualifying == 99
    Application.objects.filter(pk=new.pk).update(status=S.ENROLLED, enrolled_on=today())
    ratings.application_changed(staff, Application.objects.get(pk=new.pk), S.NEW)
    assert ProgramRating.objects.get(program=published).qualifying == 3

    unrated = open_group(f.program(provider, status=ProgramStatus.PUBLISHED), capacity_max=5)
    other = enrolment(add_child(parent, first_name="Другой"), unrated, status=S.COMPLETED)
    ratings.application_changed(staff, other, S.ENROLLED)
    assert not ProgramRating.objects.filter(program=unrated.module.program).exists()


def test_the_nightly_command_counts_enrolments_that_reached_three_months(parent, group, published,
                                                                         monkeypatch):
    import io

    from django.core.management import call_command

    child = add_child(parent)
    for _ in range(3):
        rate(parent, enrolment(child, group))
    enrolment(add_child(parent, first_name="Занимается"), group, status=S.ENROLLED, enrolled_days_ago=80)
    assert ProgramRating.objects.get(program=published).qualifying == 3
    monkeypatch.setattr(ratings, "_today", lambda: today() + dt.timedelta(days=15))

    call_command("quality_ratings", stdout=io.StringIO())

    assert ProgramRating.objects.get(program=published).qualifying == 4
