"""`manage.py bench_scale` at a tiny size on PostgreSQL: the generated province has
the shape the scale note measures, the pages answer for their users, and a database
holding anything else is refused. (The million-member run is `make bench-scale`.)"""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from vanguard.accounts.models import RoleAssignment
from vanguard.organization.models import Member, Unit
from vanguard.study.models import StudyWork

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="bench_scale generates with PostgreSQL's SQL"
)


@pytest.mark.django_db
def test_tiny_province_is_generated_and_its_pages_measured():
    out = io.StringIO()
    call_command("bench_scale", members=80, runs=1, explain=1, stdout=out)
    report = out.getvalue()
    # 80 members: 4 branches of 20, one college, one university, one province.
    assert Member.objects.count() == 80
    assert Unit.objects.filter(kind=Unit.Kind.BRANCH).count() == 4
    assert Unit.objects.filter(kind=Unit.Kind.COMMITTEE).count() == 3
    branch = Unit.objects.filter(kind=Unit.Kind.BRANCH).order_by("pk").first()
    assert branch is not None and branch.path == f"/1/2/3/{branch.pk}/"
    assert Member.objects.filter(branch=branch, user__isnull=False).count() == 2
    assert StudyWork.objects.filter(member__branch=branch).exists()
    for page in ("member home", "member progress", "college dashboard", "university dashboard"):
        assert f"{page} (" in report
    assert "Scan on" in report  # the slowest queries' plans


@pytest.mark.django_db
def test_database_with_other_data_is_refused(django_user_model):
    django_user_model.objects.create(username="someone-real")
    with pytest.raises(CommandError, match="did not make"):
        call_command("bench_scale", members=80, no_measure=True, stdout=io.StringIO())
    assert not RoleAssignment.objects.exists()
