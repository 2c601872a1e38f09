import pytest

from opora.accounts.models import Role
from opora.practices import services
from opora.quality import services as quality
from opora.registry.choices import Direction, ProgramStatus
from tests import factories as f


def make_expert(municipality, organization=None, directions=(Direction.TECHNICAL,), **kw):
    user = f.user(Role.EXPERT, municipality=municipality, **kw)
    return quality.save_expert(f.user(Role.REGIONAL_CENTRE), user, municipality=municipality,
                               organization=organization, directions=list(directions))


def practice_data(**changes):
    data = {"title": "Школа юного инженера в сельском клубе", "authors": "Иванова М. П., Петров С. С.",
            "direction": Direction.TECHNICAL, "target_group": "rural", "kind": "network",
            "summary": "Сетевая программа робототехники для сельских школьников на базе клуба.",
            "goals": "Дать сельским детям доступ к техническому творчеству.",
            "resources": "Два педагога, передвижной комплект конструкторов.",
            "results": "120 детей за два года, 14 призёров областных соревнований.",
            "replication": "Нужен клуб с интернетом и договор о сетевой форме со школой.",
            "links": "https://example.org/practice\nhttp://example.org/video"}
    data.update(changes)
    return data


def full_sheet(assignment, value=2, comment="Замечаний нет."):
    return {c.pk: (value, comment) for c in assignment.practice.criteria_set.criteria.all()}


@pytest.fixture
def published_program(provider):
    return f.program(provider, status=ProgramStatus.PUBLISHED)


@pytest.fixture
def experts(city, provider):
    return [make_expert(city, organization=provider if i == 0 else None, last_name=f"Эксперт{i}")
            for i in range(3)]


@pytest.fixture
def draft(staff, published_program):
    return services.save_practice(staff, practice_data(programs=[published_program.pk]))


@pytest.fixture
def submitted(staff, draft):
    return services.submit(staff, draft)


@pytest.fixture
def in_review(operator, submitted, experts):
    return services.start_review(operator, submitted)


def score_all(practice, value=2, comment="Замечаний нет."):
    for assignment in practice.assignments.filter(round=practice.review_round, status="assigned"):
        services.save_sheet(assignment.expert, assignment, full_sheet(assignment, value, comment), submit=True)
    practice.refresh_from_db()
    return practice
