"""«Рабочий стол»: each back-office role sees the work waiting for it, counted over its own
territory only, with a link to the page that does it; the authority and the РМЦ see the
key figures of their municipalities, in a fixed number of queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from opora.accounts.models import Role
from opora.enrollment import services
from opora.enrollment.models import ApplicationStatus
from opora.financing.models import Certificate, CertificateStatus
from opora.office import dashboard
from opora.registry.choices import ProgramStatus
from tests import factories as f
from tests.enrollment.conftest import add_child, open_group


def _counts(user) -> dict[str, int]:
    return {task.label: task.count for task in dashboard.tasks(user)}


def test_the_moc_counts_its_own_moderation_queue_only(operator, provider, other_provider):
    f.program(provider, status=ProgramStatus.MODERATING)
    f.program(provider, status=ProgramStatus.MODERATING)
    f.program(provider, status=ProgramStatus.PUBLISHED)
    f.program(other_provider, status=ProgramStatus.MODERATING)  # another municipality's

    counts = _counts(operator)

    assert counts["Программы ждут модерации"] == 2
    assert "Новые заявки" not in counts and "Планы МОЦ ждут утверждения" not in counts
    task = next(t for t in dashboard.tasks(operator) if t.label == "Программы ждут модерации")
    assert task.url == reverse("registry:moderation")


def test_the_moc_counts_certificate_requests(operator, parent, city):
    child = add_child(parent)
    Certificate.objects.create(child=child, municipality=city, status=CertificateStatus.REQUESTED,
                               requested_at=timezone.now())
    other = f.municipality(name="Другой район")
    stranger = add_child(f.user(Role.PARENT, municipality=other), first_name="Пётр")
    Certificate.objects.create(child=stranger, municipality=other, status=CertificateStatus.REQUESTED,
                               requested_at=timezone.now())

    assert _counts(operator)["Заявления на сертификат"] == 1


def test_a_provider_counts_its_new_applications(staff, other_staff, provider, parent):
    group = open_group(f.program(provider, status=ProgramStatus.PUBLISHED))
    services.submit_application(parent, add_child(parent), group)

    assert _counts(staff)["Новые заявки"] == 1
    assert _counts(other_staff)["Новые заявки"] == 0
    task = next(t for t in dashboard.tasks(staff) if t.label == "Новые заявки")
    assert task.url == reverse("enrollment:office_applications") + f"?status={ApplicationStatus.NEW}"


def test_the_page_lists_the_tasks_with_links(client, operator, provider):
    f.program(provider, status=ProgramStatus.MODERATING)
    client.force_login(operator)

    page = client.get(reverse("office:dashboard")).content.decode()

    assert "Что ждёт работы" in page
    assert f'href="{reverse("registry:moderation")}"' in page
    assert '<span class="task-count">1</span> <span class="task-label">Программы ждут модерации</span>' in page
    assert "Ключевые цифры" not in page  # the МОЦ has its own municipality's pages


def test_key_figures_of_the_authority_are_its_municipality_only(authority, city, district, provider,
                                                                 other_provider):
    f.program(provider, status=ProgramStatus.PUBLISHED)
    f.program(other_provider, status=ProgramStatus.PUBLISHED)

    rows = dashboard.key_figures(authority)

    assert [(row["municipality"], row["programs"]) for row in rows] == [(city, 1)]


def test_key_figures_of_the_region_side_by_side_in_fixed_queries(regional, city, district, provider,
                                                                   other_provider):
    f.program(provider, status=ProgramStatus.PUBLISHED)
    with CaptureQueriesContext(connection) as two:
        rows = dashboard.key_figures(regional)
    assert {row["municipality"].name: row["programs"] for row in rows} == {city.name: 1, district.name: 0}
    for n in range(3):
        f.organization(f.municipality(name=f"Район {n}"))
    with CaptureQueriesContext(connection) as five:
        assert len(dashboard.key_figures(regional)) == 5
    assert len(five) == len(two)


def test_nobody_else_gets_key_figures(operator, staff):
    assert dashboard.key_figures(operator) == [] and dashboard.key_figures(staff) == []
