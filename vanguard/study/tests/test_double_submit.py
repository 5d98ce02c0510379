"""A study work sent twice — a double click, a resent request, six tabs sending the
same note at the same moment — is one work; a session dated in year 1 or 9999 is
refused, naming the field."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from django.urls import reverse

from conftest import build_cast, build_org
from vanguard.ballots.tests.factories import thread_db
from vanguard.study import services
from vanguard.study.models import StudySession, StudyWork
from vanguard.study.tests import factories

NOTE = {"kind": "reading_note", "title": "读《党章》笔记", "material": "《中国共产党章程》"}


@pytest.mark.django_db
def test_the_same_work_posted_twice_is_one_work(client, org, cast):
    factories.make_campaign(org)
    client.force_login(cast.member)
    first = client.post(reverse("study:work_create"), {**NOTE, "body": "学习体会"})
    second = client.post(reverse("study:work_create"), {**NOTE, "body": "学习体会"})
    assert first.status_code == second.status_code == 302
    assert StudyWork.objects.count() == 1


@pytest.mark.django_db
def test_two_different_works_are_two(client, org, cast):
    factories.make_campaign(org)
    client.force_login(cast.member)
    client.post(reverse("study:work_create"), {**NOTE, "body": "第一篇体会"})
    client.post(reverse("study:work_create"), {**NOTE, "body": "第二篇体会"})
    assert StudyWork.objects.count() == 2


@pytest.mark.django_db
def test_the_same_file_sent_twice_is_one_work_and_another_file_a_second(org, cast):
    first = factories.make_work(org, cast.member_record, upload=factories.pdf())
    again = factories.make_work(org, cast.member_record, upload=factories.pdf())
    assert again.pk == first.pk
    other = factories.make_work(org, cast.member_record, upload=factories.photo())
    assert other.pk != first.pk
    assert StudyWork.objects.count() == 2


@pytest.mark.django_db
def test_the_same_work_from_another_member_is_theirs(org, cast):
    factories.make_work(org, cast.member_record)
    factories.make_work(org, cast.colleague_record)
    assert StudyWork.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("moment", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_a_session_out_of_range_is_refused_naming_the_field(client, org, cast, moment):
    factories.make_campaign(org)
    client.force_login(cast.secretary)
    response = client.post(
        reverse("study:session_create"),
        {"unit": org.branch_a1.pk, "kind": "branch", "topic": "学习党章", "starts_at": moment},
    )
    assert response.status_code == 200
    assert "开始时间" in " ".join(response.context["form"].errors["starts_at"])
    assert not StudySession.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_six_identical_works_sent_at_the_same_moment_are_one(db_file):
    with thread_db(db_file):
        org = build_org()
        cast = build_cast(org)
        campaign = factories.make_campaign(SimpleNamespace(committee=org.committee))
    barrier = threading.Barrier(6)
    results: list = [None] * 6

    def send(i: int) -> None:
        with thread_db(db_file):
            barrier.wait()
            try:
                results[i] = services.work_create(
                    member=cast.member_record, campaign=campaign, body="<p>同一篇体会</p>", **NOTE
                ).pk
            except Exception as error:  # noqa: BLE001 - reported by the assertion
                results[i] = repr(error)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with thread_db(db_file):
        works = list(StudyWork.objects.values_list("pk", flat=True))
    assert len(works) == 1, (works, results)
    assert results == works * 6, results
