"""The demo holds the previous school year, so the «Год назад» column reads real figures."""

from django.urls import reverse
from django.utils import timezone

from opora.enrollment.models import Application
from opora.enrollment.models import ApplicationStatus as S
from opora.monitoring import indicators
from opora.registry.models import Group, Municipality


def test_part_of_todays_children_studied_a_year_ago_in_closed_groups(demo):
    today = timezone.localdate()
    a_year_ago = indicators.years_before(today, 1)
    last = Group.objects.filter(start_date__lte=a_year_ago, end_date__gte=a_year_ago)
    assert last.exists() and not last.filter(is_active=True).exists()
    assert not last.filter(schedule=None).exists() and not last.filter(funding=None).exists()
    finished = Application.objects.filter(group__in=last)
    assert finished.exists()
    assert set(finished.values_list("status", flat=True)) == {S.COMPLETED}
    for application in finished.select_related("group")[:50]:
        application.full_clean()
        assert application.enrolled_on == application.group.start_date
        assert application.ended_on == application.group.end_date < today
        # the same children as today's groups of the same module: they came back
        assert Application.objects.filter(
            child=application.child, group__module=application.group.module,
            group__start_date__gt=a_year_ago).exists()


def test_last_years_coverage_is_real(demo):
    today = timezone.localdate()
    a_year_ago = indicators.years_before(today, 1)
    for municipality in Municipality.objects.filter(populations__isnull=False).distinct():
        now = indicators.coverage(today, municipality.pk, breakdowns=False)["children"]
        then = indicators.coverage(a_year_ago, municipality.pk, breakdowns=False)["children"]
        # those who came back study today too; a few were 17 then and are 18 now
        assert 0 < then <= now + 3


def test_the_monitoring_page_shows_last_years_coverage(demo, client):
    from opora.accounts.models import User

    client.force_login(User.objects.get(email="moc@demo.opora"))
    response = client.get(reverse("monitoring:index"))
    assert response.status_code == 200
    coverage = next(row for row in response.context["indicators"] if row["code"] == "coverage")
    assert coverage["last_year"] and coverage["last_year"] > 0
