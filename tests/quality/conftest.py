import datetime as dt

import pytest
from django.utils import timezone

from opora.accounts.models import Role
from opora.quality import services
from opora.quality.models import CriteriaSet
from opora.registry.choices import Direction, ProgramStatus
from tests import factories as f


def today():
    return timezone.localdate()


def make_expert(municipality, organization=None, directions=(Direction.TECHNICAL,), actor=None, **kw):
    user = f.user(Role.EXPERT, municipality=municipality, **kw)
    profile = services.save_expert(actor or f.user(Role.REGIONAL_CENTRE), user, municipality=municipality,
                                   organization=organization, directions=list(directions))
    return profile


def campaign_data(**changes):
    data = {"title": "Независимая оценка качества программ 2026", "starts_on": today() - dt.timedelta(days=5),
            "ends_on": today() + dt.timedelta(days=60), "scoring_deadline": today() + dt.timedelta(days=20),
            "experts_per_program": 3, "spread_limit": "1", "appeal_days": 10}
    data.update(changes)
    return data


def full_sheet(assignment, value=2, comment="Замечаний нет."):
    criteria = assignment.entry.campaign.criteria_set.criteria.all()
    return {c.pk: (value, comment) for c in criteria}


@pytest.fixture
def default_set(db):
    return CriteriaSet.objects.get(municipality=None, version=1, purpose="programs")


@pytest.fixture
def published(provider):
    return f.program(provider, status=ProgramStatus.PUBLISHED)


@pytest.fixture
def experts(city):
    home = f.organization(city)
    return [make_expert(city, organization=home if i == 0 else None, last_name=f"Эксперт{i}")
            for i in range(4)]


@pytest.fixture
def campaign(operator, city, default_set):
    return services.create_campaign(operator, city, campaign_data())
