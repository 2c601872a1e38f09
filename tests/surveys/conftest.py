"""A region of two municipalities: the city with two providers (the fixtures'
``provider`` and «Студия»), the district with ``other_provider``; a request of the РМЦ
with a number, a text, a choice and a file field, asking every provider."""

import datetime as dt

import pytest
from django.utils import timezone

from opora.accounts.models import Role
from opora.surveys import services
from tests import factories as f

FIELDS = [
    {"label": "Число кружков", "kind": "number", "required": True},
    {"label": "Комментарий", "kind": "text"},
    {"label": "Есть ли бассейн", "kind": "choice", "options": ["да", "нет"]},
    {"label": "Справка", "kind": "file"},
]


def week_ahead():
    return timezone.localdate() + dt.timedelta(days=7)


@pytest.fixture
def studio(city):
    return f.organization(city, short_name="Студия «Мир»")


@pytest.fixture
def studio_staff(studio):
    return f.user(Role.ORGANIZATION_STAFF, organization=studio, municipality=studio.municipality)


def make_survey(author, **overrides):
    data = {"title": "Кружки и секции", "description": "Сведения на 1 декабря",
            "deadline": week_ahead(), "municipalities": None, "asks_providers": True,
            "fields": FIELDS}
    data.update(overrides)
    return services.save_survey(author, data)


@pytest.fixture
def survey(regional, city, district, provider, other_provider, studio):
    return make_survey(regional)


@pytest.fixture
def sent(survey, regional):
    return services.send_survey(regional, survey)


def reply_of(survey, organization=None, municipality=None):
    if organization is not None:
        return survey.replies.get(organization=organization)
    return survey.replies.get(organization__isnull=True, municipality=municipality)


def field(survey, label):
    return survey.fields.get(label=label)
