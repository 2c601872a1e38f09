"""Every action of ``opora.accounts.scope.ACTIONS`` × every persona, on the very kind of
object the services hand to ``scope.require`` / ``scope.can`` for that action.

Municipality A (the city) has «Центр А1», whose program, module, group, application,
certification and invoice are the targets; «Студия А2», another provider of A; «Центр
А3», which the МОЦ of A authorised to issue certificates; municipality B (the district)
has «Центр Б1» and «Центр Б3», authorised by B. A parent of A has a child with a
certificate in A's financing period. The МОЦ of A has a work plan; staff of «Центр А1» are
responsible for one of its items. The answers are written out below, not derived from
ACTIONS: a change of the table or of ``scope`` that moves a right shows up here.
"""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from opora.accounts import scope
from opora.accounts.models import Role, User
from opora.enrollment.models import Application, ApplicationStatus, Channel
from opora.errors import PermissionDenied
from opora.financing.models import Invoice, InvoiceKind
from opora.hotline.models import Desk, FaqEntry, Question
from opora.mailing.models import Mailing
from opora.navigator.models import SearchSynonym
from opora.plans.models import Item, Plan, PlanKind
from opora.practices.models import Assignment as PracticeAssignment
from opora.practices.models import Practice
from opora.quality.models import Assignment, Campaign, CriteriaSet, Entry, Rating, RatingRules
from opora.registry.choices import ProgramStatus
from opora.registry.models import MunicipalityPopulation
from opora.surveys.models import Reply, Survey
from opora.training.models import Registration, TrainingEvent, TrainingKind
from tests import factories as f
from tests.enrollment.conftest import add_child
from tests.financing.conftest import certify, make_certificate, make_period

PERSONAS = ["parent", "staff_a", "staff_a2", "staff_b", "acting_staff", "acting_staff_b", "operator_a",
            "operator_b", "authority_a", "authority_b", "regional", "expert", "teacher_a", "teacher_a2",
            "anonymous", "inactive", "superuser"]

# action -> the objects the services pass to scope for it (grep `scope.require(actor, "<action>"`)
TARGETS = {
    "registry.edit": ["program", "organization"],
    "registry.moderate": ["program"],
    "registry.manage_organizations": ["organization"],
    "registry.import": ["organization"],
    "enrollment.process": ["application", "group"],
    "enrollment.merge_children": ["child"],
    "enrollment.confirm_guardians": ["guardianship"],
    "enrollment.configure": ["municipality"],
    "enrollment.municipal_task": ["organization", "municipality"],
    "financing.configure": ["municipality", "period"],
    "financing.certificates": ["certificate"],
    "financing.certify": ["certification"],
    "financing.provide": ["module", "invoice", "group"],
    "financing.prolong": ["municipality"],
    "financing.agreements": ["municipality"],  # each side of an agreement in turn
    "financing.settle": ["municipality", "invoice"],
    "surveys.manage": ["survey"],
    "surveys.answer": ["reply"],
    "surveys.collect": ["reply", "municipal_reply"],
    "surveys.review": ["municipal_reply"],
    "plans.edit": ["municipality", "plan"],
    "plans.approve": ["plan"],
    "plans.agree": ["plan"],
    "plans.execute": ["item"],
    "navigator.dictionary": ["synonym"],
    "monitoring.view": ["municipality"],
    "monitoring.configure": ["municipality", "population"],
    "monitoring.statform": ["organization"],
    "quality.manage": ["criteria_set", "campaign"],
    "quality.configure": ["municipality"],
    "quality.apply": ["program"],
    "quality.score": ["assignment"],
    "quality.moderate_ratings": ["rating"],
    "quality.answer_ratings": ["rating"],
    "quality.rating_rules": ["rating_rules"],
    # events and the gifted register check the provider for registering and nominating;
    # an event and a record carry the organization and municipality paths of a program
    "events.organize": ["organization"],
    "events.moderate": ["organization"],
    "events.register": ["organization"],
    "gifted.manage": ["organization"],
    "gifted.nominate": ["organization"],
    "monitoring.statform_layout": ["municipality"],
    "training.manage": ["training_event"],
    "training.register": ["teacher"],
    "training.record": ["teacher"],
    "training.invite": ["teacher"],
    "training.enrol_self": ["teacher", "training_registration"],
    "hotline.answer": ["question", "desk"],
    "hotline.publish": ["question", "faq_entry"],
    "hotline.configure": ["municipality"],
    "mailing.send": ["mailing"],
    "portal.edit": ["municipality"],
    "practices.edit": ["practice"],
    "practices.review": ["practice"],
    "practices.score": ["practice_assignment"],
    "practices.regional": ["practice"],
}

# Exactly these (action, persona) pairs are allowed on A's / A1's objects; every other
# pair is refused. Nobody of B (but the МОЦ of B for the region's search dictionary), no
# parent, expert, visitor or switched-off account holds any action; the РМЦ (and an
# administrator, whose account has the РМЦ's role) holds only the region's actions of data
# requests, the agreement of plans and the indicators of the whole region.
ALLOWED = {
    ("registry.edit", "staff_a"),
    ("registry.moderate", "operator_a"),
    ("registry.manage_organizations", "operator_a"),
    ("registry.import", "staff_a"),
    ("registry.import", "operator_a"),
    ("enrollment.process", "staff_a"),
    ("enrollment.merge_children", "operator_a"),
    ("enrollment.confirm_guardians", "operator_a"),
    ("enrollment.configure", "operator_a"),
    # the municipal task of A's organizations and the rule beyond it: the authority of A only
    ("enrollment.municipal_task", "authority_a"),
    ("financing.configure", "operator_a"),
    ("financing.configure", "authority_a"),
    ("financing.certificates", "operator_a"),
    ("financing.certificates", "acting_staff"),  # «Центр А3», authorised by the МОЦ of A
    ("financing.certify", "operator_a"),
    ("financing.provide", "staff_a"),
    ("financing.settle", "operator_a"),
    ("financing.settle", "authority_a"),
    ("financing.prolong", "operator_a"),
    ("financing.prolong", "authority_a"),
    ("financing.agreements", "operator_a"),
    ("financing.agreements", "authority_a"),
    ("surveys.manage", "operator_a"),  # the МОЦ of A's own request
    ("surveys.manage", "regional"),
    ("surveys.manage", "superuser"),
    ("surveys.answer", "staff_a"),
    ("surveys.collect", "operator_a"),
    ("surveys.review", "regional"),
    ("surveys.review", "superuser"),
    ("plans.edit", "operator_a"),
    ("plans.approve", "authority_a"),
    ("plans.agree", "regional"),
    ("plans.agree", "superuser"),
    ("plans.execute", "operator_a"),
    ("plans.execute", "staff_a"),  # named responsible for the item
    # the search dictionary is the region's: every МОЦ keeps it
    ("navigator.dictionary", "operator_a"),
    ("navigator.dictionary", "operator_b"),
    ("monitoring.view", "operator_a"),
    ("monitoring.view", "authority_a"),
    ("monitoring.view", "regional"),  # the РМЦ reads the indicators of the whole region
    ("monitoring.configure", "operator_a"),
    ("monitoring.configure", "authority_a"),
    ("monitoring.configure", "regional"),
    # an administrator's account has the РМЦ's role, so it holds the РМЦ's actions
    ("monitoring.view", "superuser"),
    ("monitoring.configure", "superuser"),
    # the form 1-ДОП of «Центр А1»: its staff, the МОЦ and the authority of A, the РМЦ
    ("monitoring.statform", "staff_a"),
    ("monitoring.statform", "operator_a"),
    ("monitoring.statform", "authority_a"),
    ("monitoring.statform", "regional"),
    ("monitoring.statform", "superuser"),
    # events of «Центр А1»: it organizes them, the МОЦ of A and the РМЦ organize and moderate
    ("events.organize", "staff_a"),
    ("events.organize", "operator_a"),
    ("events.organize", "regional"),
    ("events.organize", "superuser"),
    ("events.moderate", "operator_a"),
    ("events.moderate", "regional"),
    ("events.moderate", "superuser"),
    ("events.register", "staff_a"),
    # the gifted register of A is the МОЦ of A's; «Центр А1» nominates its pupils
    ("gifted.manage", "operator_a"),
    ("gifted.nominate", "staff_a"),
    # the quality assessment of A: the МОЦ of A and the РМЦ run it; the МОЦ and the authority
    # of A decide whether certification needs a passed result; «Центр А1» applies its
    # program; the expert scores what is assigned to them
    ("quality.manage", "operator_a"),
    ("quality.manage", "regional"),
    ("quality.manage", "superuser"),
    ("quality.configure", "operator_a"),
    ("quality.configure", "authority_a"),
    ("quality.apply", "staff_a"),
    ("quality.score", "expert"),
    # parents' ratings of A1's program: the МОЦ of A moderates the comments, «Центр А1»
    # answers them; the rules of the rating are the region's, kept by the РМЦ
    ("quality.moderate_ratings", "operator_a"),
    ("quality.answer_ratings", "staff_a"),
    ("quality.rating_rules", "regional"),
    ("quality.rating_rules", "superuser"),
    # a practice of «Центр А1»: its staff write it, the МОЦ of A reviews it, the expert
    # scores it when assigned, the РМЦ marks it regional
    ("practices.edit", "staff_a"),
    ("practices.review", "operator_a"),
    ("practices.score", "expert"),
    ("practices.regional", "regional"),
    ("practices.regional", "superuser"),
    # the layout of the form is the region's, kept by the РМЦ
    ("monitoring.statform_layout", "regional"),
    ("monitoring.statform_layout", "superuser"),
    # an event for teachers of A run by «Центр А1»: the organizer, the МОЦ of A, the РМЦ
    ("training.manage", "staff_a"),
    ("training.manage", "operator_a"),
    ("training.manage", "regional"),
    ("training.manage", "superuser"),
    # a teacher of «Центр А1»: its organization and the МОЦ of A register and record
    ("training.register", "staff_a"),
    ("training.register", "operator_a"),
    ("training.record", "staff_a"),
    ("training.record", "operator_a"),
    # the teacher's own account (not a colleague's of the same organization): only their
    # own record and registrations; the organization invites its teacher
    ("training.invite", "staff_a"),
    ("training.enrol_self", "teacher_a"),
    # the hotline: the МОЦ of A works A's questions, the РМЦ the escalated ones of the region
    ("hotline.answer", "operator_a"),
    ("hotline.answer", "regional"),
    ("hotline.answer", "superuser"),
    ("hotline.publish", "operator_a"),
    ("hotline.publish", "regional"),
    ("hotline.publish", "superuser"),
    # the production calendar and the deadlines are the region's: every МОЦ and the РМЦ
    ("hotline.configure", "operator_a"),
    ("hotline.configure", "operator_b"),
    ("hotline.configure", "regional"),
    ("hotline.configure", "superuser"),
    ("mailing.send", "operator_a"),
    # the portal: a МОЦ its municipality's pages, the РМЦ the region's (opora.portal.access)
    ("portal.edit", "operator_a"),
    ("portal.edit", "regional"),
    ("portal.edit", "superuser"),
}

CASES = [pytest.param(action, target, id=f"{action}-{target}")
         for action, targets in TARGETS.items() for target in targets]


@pytest.fixture
def world(city, district):
    a1 = f.organization(city, short_name="Центр А1")
    a2 = f.organization(city, short_name="Студия А2")
    a3 = f.organization(city, short_name="Центр А3", issues_certificates=True)
    b1 = f.organization(district, short_name="Центр Б1")
    b3 = f.organization(district, short_name="Центр Б3", issues_certificates=True)
    program = f.program(a1, title="А1 модерация", status=ProgramStatus.MODERATING)
    module = program.modules.get()
    group = f.group(program, name="Г А1")
    parent = f.user(Role.PARENT, municipality=city)
    child = add_child(parent)
    period = make_period(city)
    survey = Survey.objects.create(title="Запрос МОЦ А", deadline=dt.date(2030, 1, 1), municipality=city)
    plan = Plan.objects.create(municipality=city, kind=PlanKind.objects.get(code="work_plan"),
                               year=2026, title="План работы МОЦ")
    item = Item.objects.create(plan=plan, number="1", title="Совещание")
    teacher, colleague = f.teacher(a1), f.teacher(a1, last_name="Коллегова")

    def staff_of(org):
        return f.user(Role.ORGANIZATION_STAFF, organization=org, municipality=org.municipality)

    people = {
        "parent": parent,
        "staff_a": staff_of(a1),
        "staff_a2": staff_of(a2),
        "staff_b": staff_of(b1),
        "acting_staff": staff_of(a3),
        "acting_staff_b": staff_of(b3),
        "operator_a": f.user(Role.SUPPORT_CENTRE, municipality=city),
        "operator_b": f.user(Role.SUPPORT_CENTRE, municipality=district),
        "authority_a": f.user(Role.EDUCATION_AUTHORITY, municipality=city),
        "authority_b": f.user(Role.EDUCATION_AUTHORITY, municipality=district),
        "regional": f.user(Role.REGIONAL_CENTRE),
        "expert": f.user(Role.EXPERT),
        "teacher_a": f.user(Role.TEACHER, teacher=teacher),
        "teacher_a2": f.user(Role.TEACHER, teacher=colleague),
        "anonymous": AnonymousUser(),
        # would hold every МОЦ action on A if the account were active
        "inactive": f.user(Role.SUPPORT_CENTRE, municipality=city, is_active=False),
        "superuser": User.objects.create_superuser("root@example.org", "root-pass-123"),
    }
    item.responsible_users.add(people["staff_a"])
    targets = {
        "program": program,
        "organization": a1,
        "module": module,
        "group": group,
        "application": Application.objects.create(
            child=child, group=group, status=ApplicationStatus.REJECTED, channel=Channel.CABINET,
            status_changed_at=timezone.now()),
        "child": child,
        "guardianship": child.guardianships.get(),
        "municipality": city,
        "population": MunicipalityPopulation.objects.create(municipality=city, year=2026,
                                                            children_5_17=1000),
        "period": period,
        "certificate": make_certificate(child, period),
        "certification": certify(module),
        "synonym": SearchSynonym.objects.create(variants="шахматы, chess"),
        "invoice": Invoice.objects.create(municipality=city, organization=a1, month=dt.date(2026, 10, 1),
                                          kind=InvoiceKind.FINAL),
        "survey": survey,
        "reply": Reply.objects.create(survey=survey, municipality=city, organization=a1),
        "municipal_reply": Reply.objects.create(survey=survey, municipality=city),
        "plan": plan,
        "item": item,
        "teacher": teacher,
        "training_event": TrainingEvent.objects.create(
            kind=TrainingKind.objects.get(code="master_class"), title="Мастер-класс", municipality=city,
            organizer="organization", organization=a1, starts_on=dt.date(2030, 1, 1),
            ends_on=dt.date(2030, 1, 1), hours=2, capacity=10),
        "question": Question.objects.create(municipality=city, topic="certificate", channel="site",
                                            name="Анна", email="anna@example.org", text="Вопрос",
                                            deadline=dt.date(2030, 1, 1)),
        "desk": Desk.objects.create(municipality=city),
        "faq_entry": FaqEntry.objects.create(municipality=city, topic="other", title="Вопрос?",
                                             body="Ответ"),
        "mailing": Mailing.objects.create(municipality=city, subject="Тема", body="Текст"),
    }
    targets["training_registration"] = Registration.objects.create(
        event=targets["training_event"], teacher=teacher)
    criteria = CriteriaSet.objects.create(municipality=city, title="Критерии")
    targets["criteria_set"] = criteria
    targets["campaign"] = Campaign.objects.create(
        municipality=city, title="НОК", starts_on=dt.date(2030, 1, 1), ends_on=dt.date(2030, 3, 1),
        scoring_deadline=dt.date(2030, 2, 1), criteria_set=criteria)
    targets["assignment"] = Assignment.objects.create(
        entry=Entry.objects.create(campaign=targets["campaign"], program=program),
        expert=people["expert"], due_on=dt.date(2030, 2, 1))
    targets["rating"] = Rating.objects.create(
        application=Application.objects.create(
            child=child, group=group, status=ApplicationStatus.COMPLETED, channel=Channel.CABINET,
            status_changed_at=timezone.now(), enrolled_on=dt.date(2026, 1, 10)),
        program=program, parent=parent, results=5, staff=4, means=4, overall=5, comment="Спасибо!",
        comment_status="pending")
    targets["rating_rules"] = RatingRules.objects.get(version=1)
    targets["practice"] = Practice.objects.create(
        organization=program.organization, municipality=city, title="Практика А1", authors="Иванова",
        direction="technical", kind="methodology", summary="Кратко")
    targets["practice_assignment"] = PracticeAssignment.objects.create(
        practice=targets["practice"], round=1, expert=people["expert"], due_on=dt.date(2030, 2, 1))
    return people, targets


def _answers(user, action, obj) -> tuple[bool, bool, bool]:
    """What ``can``, ``actionable`` and ``require`` answer for one user."""
    try:
        scope.require(user, action, obj)
    except PermissionDenied:
        required = False
    else:
        required = True
    return (scope.can(user, action, obj),
            scope.actionable(user, action, type(obj).objects.filter(pk=obj.pk)).exists(), required)


@pytest.mark.parametrize(("action", "target"), CASES)
def test_every_action_for_every_persona(world, action, target):
    """Every persona against one target of the action: the three checks agree, and the
    personas allowed are exactly the table's (a dict diff names the persona that differs)."""
    people, targets = world
    obj = targets[target]

    answers = {persona: _answers(people[persona], action, obj) for persona in PERSONAS}

    expected = {persona: ((action, persona) in ALLOWED,) * 3 for persona in PERSONAS}
    assert answers == expected


def test_the_matrix_covers_every_action():
    assert set(TARGETS) == set(scope.ACTIONS)
    assert {action for action, _ in ALLOWED} == set(scope.ACTIONS)
    assert {persona for _, persona in ALLOWED} <= set(PERSONAS)
