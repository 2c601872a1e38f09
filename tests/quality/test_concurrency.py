"""Experts submitting at the same moment on PostgreSQL: the sheets of one program are
taken under its row lock, so when the last ones come in together the result is computed
exactly once, from every sheet — never twice, never not at all."""

import pytest

from opora.audit.models import AuditEvent
from opora.quality import services
from opora.quality.models import AssignmentStatus, Decision, Entry, EntryStatus
from opora.registry.choices import ProgramStatus
from tests import factories as f
from tests.concurrency import RACES, run_parallel
from tests.quality.conftest import campaign_data, full_sheet, make_expert

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), RACES]


def test_the_last_sheets_submitted_together_decide_the_program_once(city, operator, provider):
    from opora.quality.defaults import create_default_set
    from opora.quality.models import CriteriaSet, Criterion

    create_default_set(CriteriaSet, Criterion)
    experts = [make_expert(city) for _ in range(5)]
    campaign = services.create_campaign(operator, city, campaign_data(experts_per_program=5))
    program = f.program(provider, status=ProgramStatus.PUBLISHED)
    services.include_programs(operator, campaign, [program])
    services.start_campaign(operator, campaign)
    entry = Entry.objects.get(campaign=campaign)
    assignments = list(entry.assignments.all())
    assert {a.expert_id for a in assignments} == {e.user_id for e in experts}

    calls = [lambda a=a: services.save_sheet(a.expert, a, full_sheet(a), submit=True) for a in assignments]
    results, errors = run_parallel(calls, workers=len(calls))

    entry.refresh_from_db()
    assert errors == [] and len(results) == 5
    assert entry.assignments.filter(status=AssignmentStatus.SUBMITTED).count() == 5
    assert (entry.status, entry.decision) == (EntryStatus.DECIDED, Decision.PASSED)
    assert AuditEvent.objects.filter(action="quality.entry.decided", target_id=str(entry.pk)).count() == 1
