"""Who reads which requests and answers: a МОЦ or an education authority its own
municipality's, a provider its own answers, the РМЦ everything; a МОЦ's own request and
every draft stay with their author."""

import pytest

from opora.errors import NotFound
from opora.surveys import selectors, services
from tests.surveys.conftest import make_survey, reply_of


@pytest.fixture
def own(operator, city, provider, studio):
    """The city's МОЦ asks its providers (a request the district and the РМЦ's pages
    need not show to the district)."""
    return services.send_survey(operator, make_survey(operator, title="Свой запрос МОЦ"))


def titles(user):
    return sorted(s.title for s in selectors.surveys_for(user))


def reply_names(user, survey):
    return sorted(str(r.organization or r.municipality) for r in selectors.replies_for(user, survey))


def test_each_role_reads_its_own_requests(sent, own, regional, operator, other_operator, authority,
                                          staff, other_staff, parent):
    make_survey(regional, title="Черновик РМЦ")

    assert titles(regional) == ["Кружки и секции", "Свой запрос МОЦ", "Черновик РМЦ"]
    assert titles(operator) == ["Кружки и секции", "Свой запрос МОЦ"]
    assert titles(authority) == ["Кружки и секции", "Свой запрос МОЦ"]
    assert titles(staff) == ["Кружки и секции", "Свой запрос МОЦ"]
    assert titles(other_operator) == ["Кружки и секции"]
    assert titles(other_staff) == ["Кружки и секции"]
    assert titles(parent) == []


def test_a_draft_is_seen_by_its_author_only(operator, authority, staff, regional, provider):
    draft = make_survey(operator, title="Черновик МОЦ")

    assert titles(operator) == ["Черновик МОЦ"]
    assert titles(authority) == titles(staff) == []
    assert titles(regional) == ["Черновик МОЦ"]  # the РМЦ keeps the region's requests
    assert selectors.replies_for(operator, draft).count() == 0


def test_answers_are_read_within_the_territory(sent, city, district, provider, studio, other_provider,
                                               regional, operator, other_operator, authority, staff,
                                               studio_staff):
    assert reply_names(regional, sent) == sorted([city.name, district.name, provider.short_name,
                                                  studio.short_name, other_provider.short_name])
    assert reply_names(operator, sent) == reply_names(authority, sent) == sorted(
        [city.name, provider.short_name, studio.short_name])
    assert reply_names(other_operator, sent) == sorted([district.name, other_provider.short_name])
    assert reply_names(staff, sent) == [provider.short_name]
    assert reply_names(studio_staff, sent) == [studio.short_name]


def test_another_territorys_request_or_answer_is_not_found(sent, own, other_operator, other_staff,
                                                           staff, city, provider, studio):
    with pytest.raises(NotFound):
        selectors.survey_for(other_operator, own.pk)
    for user, reply in ((other_operator, reply_of(sent, municipality=city)),
                        (other_staff, reply_of(sent, provider)),
                        (staff, reply_of(sent, studio)),
                        (staff, reply_of(sent, municipality=city))):
        with pytest.raises(NotFound):
            selectors.reply_for(user, reply.pk)
