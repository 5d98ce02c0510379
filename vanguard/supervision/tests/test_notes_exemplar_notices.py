"""Publishing an exemplar (范例) tells every member of the campaign's branches who logs
in, one notification each written in one batch, never naming an anonymised author;
withdrawing it tells nobody."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_member, make_user
from vanguard.notices.models import Notification
from vanguard.supervision.models import Exemplar
from vanguard.supervision.notes import services
from vanguard.supervision.tests import factories_notes as data

pytestmark = pytest.mark.django_db


@pytest.fixture
def f(org, cast):
    return SimpleNamespace(org=org, cast=cast)


def _told(exemplar):
    return Notification.objects.filter(key=f"exemplar:{exemplar.pk}")


def test_the_campaigns_members_are_told_of_a_new_exemplar(f, client):
    exemplar = data.exemplar(f, consent=Exemplar.Consent.ANONYMISED)
    told = {n.user_id: n for n in _told(exemplar)}
    assert f.cast.member.pk in told and f.cast.other_member.pk in told  # A1 and B1
    assert f.cast.committee_admin.pk not in told  # who published it
    notice = told[f.cast.other_member.pk]
    assert notice.url == f"/supervision/exemplars/{exemplar.pk}/"
    assert "心得型" in notice.text and "王小明" not in notice.text

    client.force_login(f.cast.other_member)
    assert client.get(notice.url).status_code == 200  # the link opens for them


def test_a_withdrawn_exemplar_tells_nobody(f, client):
    exemplar = data.exemplar(f)
    before = Notification.objects.count()
    client.force_login(f.cast.committee_admin)
    client.post(f"/supervision/exemplars/{exemplar.pk}/withdraw/")
    exemplar.refresh_from_db()
    assert exemplar.withdrawn_at is not None
    assert Notification.objects.count() == before


def test_many_members_are_told_in_one_batch(f):
    for index in range(60):
        branch = f.org.branch_a2 if index % 2 else f.org.branch_b1
        make_member(
            name=f"党员{index}", number=f"N{index:04d}", branch=branch, user=make_user(f"n{index}")
        )
    work = data.note(f, f.cast.member_record)
    data.assessment(f)
    with CaptureQueriesContext(connection) as queries:
        exemplar = services.exemplar_publish(
            campaign=data.campaign(f),
            work=work,
            consent=Exemplar.Consent.ANONYMISED,
            comment="结构完整",
            actor=f.cast.committee_admin,
        )
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "notices_notification"')]
    assert len(inserts) == 1
    assert _told(exemplar).count() >= 62
