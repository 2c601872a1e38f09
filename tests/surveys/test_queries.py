"""The pages and the Excel file of a request read a fixed number of queries, however many
municipalities and providers answer it."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opora.surveys import services
from tests import factories as f
from tests.surveys.conftest import make_survey


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _counts(client, regional):
    survey = services.send_survey(regional, make_survey(regional))
    municipal = survey.replies.filter(organization__isnull=True).order_by("pk").first()
    return [_queries(client, url) for url in (
        reverse("surveys:list"), reverse("surveys:detail", args=[survey.pk]),
        reverse("surveys:reply", args=[municipal.pk]), reverse("surveys:excel", args=[survey.pk]))]


def test_query_counts_do_not_grow_with_the_region(client, regional, city, provider):
    client.force_login(regional)
    small = _counts(client, regional)
    for _n in range(4):
        municipality = f.municipality()
        for _ in range(3):
            f.organization(municipality)
        f.organization(city)

    large = _counts(client, regional)

    assert large == small
