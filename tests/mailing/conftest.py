"""The city's providers for the mailing tests: ``provider`` (a supplementary-education
centre with a published technical program) and a school with an arts program, each with
its staff; parents of the city who agreed to news or not; the district's provider."""

import pytest

from opora.accounts.models import Role
from opora.mailing import services
from opora.registry.choices import Direction, OrganizationKind, ProgramStatus
from tests import factories as f


@pytest.fixture(autouse=True)
def _after_commit_at_once(monkeypatch):
    """Run the work queued after commit (the batches) at once, as the immediate task
    backend does right after a real commit."""
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture
def city_providers(city, provider, staff, other_provider, other_staff):
    provider.email = "centre@example.org"
    provider.save()
    f.program(provider, direction=Direction.TECHNICAL, status=ProgramStatus.PUBLISHED)
    school = f.organization(city, kind=OrganizationKind.GENERAL, email="school@example.org")
    f.program(school, direction=Direction.ARTS, status=ProgramStatus.PUBLISHED)
    school_staff = f.user(Role.ORGANIZATION_STAFF, organization=school, municipality=city,
                          email="teacher@school.example")
    other_provider.email = "district@example.org"
    other_provider.save()
    return {"centre": provider, "school": school, "school_staff": school_staff}


@pytest.fixture
def news_parent(city):
    parent = f.user(Role.PARENT, municipality=city, email="news.parent@example.org")
    services.set_consent(parent, True)
    return parent
