"""The records' version (campaigns/records.py) and the progress kept under it.

The tests that write and then read do so with real commits (`transactional_db`): on
PostgreSQL the version moves at the commit, and the kept progress is used only
outside a transaction — as a page served by gunicorn runs, not as a test's rolled-back
transaction does."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from vanguard.ballots import services as ballots
from vanguard.ballots.tests import factories as ballot_factories
from vanguard.campaigns import progress, records
from vanguard.campaigns.requirements import Context
from vanguard.campaigns.tests import progress_data as data
from vanguard.meetings.models import Meeting
from vanguard.meetings.requirements import meetings
from vanguard.notices.models import Notification
from vanguard.organization.models import Member, Unit
from vanguard.study.models import StudyWork


def _tables_read(queries: CaptureQueriesContext) -> set[str]:
    found: set[str] = set()
    for query in queries.captured_queries:
        found.update(re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', query["sql"]))
    return found


def test_every_table_the_progress_engine_reads_is_counted(org, cast, db):
    """Whatever a requirement, a figure or the engine reads carries the triggers: a
    new reading of a table nobody registered fails here."""
    campaign = data.make_campaign(org.committee)
    data.complete_study(campaign, org.branch_a1)
    data.meeting(campaign, org.branch_a1, "mobilisation", day=data.today())
    with CaptureQueriesContext(connection) as queries:
        progress.campaign_progress(campaign=campaign, roots=[org.committee], weekly=True)
        progress.campaign_progress_by_phase(
            campaign=campaign, roots=[org.branch_a1], phases=[None, *campaign.phases.all()]
        )
        progress.member_progress(campaign=campaign, member=cast.member_record)
    read = _tables_read(queries)
    assert {"study_studywork", "meetings_meeting", "organization_member"} <= read
    assert read <= records.installed(connection), read - records.installed(connection)


def test_no_ballot_table_is_counted(db):
    assert not {table for table in records.counted_tables() if table.startswith("ballots_")} - {
        "ballots_appraisalsession"
    }
    # Nor a survey's anonymous answers, which are rewritten in random order at its close.
    assert "opinions_surveyanswer" not in records.counted_tables()
    assert "opinions_survey" in records.counted_tables()


@pytest.mark.django_db(transaction=True)
def test_every_kind_of_write_moves_the_version(org, cast):
    """A service's save, a bulk update, a bulk create, a delete and SQL typed by hand:
    each committed write to a counted table moves the version once."""
    campaign = data.make_campaign(org.committee)
    seen = [records.version()]

    def moved() -> bool:
        seen.append(records.version())
        return seen[-1] > seen[-2]

    work = data.work(campaign, cast.member_record)
    assert moved()
    work.title = "改过的题目"
    work.save()
    assert moved()
    StudyWork.objects.filter(campaign=campaign).update(title="批量改")
    assert moved()
    StudyWork.objects.bulk_create(
        [
            StudyWork(campaign=campaign, member=cast.member_record, kind="reflection", title=f"{n}")
            for n in range(30)
        ]
    )
    assert moved()
    assert seen[-1] == seen[-2] + 1 or connection.vendor == "sqlite"  # PostgreSQL: once
    StudyWork.objects.filter(campaign=campaign).delete()
    assert moved()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE organization_unit SET name = name")
    assert moved()
    with transaction.atomic():  # a transaction of many writes
        Member.objects.filter(pk=cast.member_record.pk).update(name="王小明")
        Unit.objects.filter(pk=org.branch_a1.pk).update(name=org.branch_a1.name)
    assert moved()
    Notification.objects.create(user=cast.member, text="与进展无关")  # not counted
    assert not moved()


@pytest.mark.django_db(transaction=True)
def test_a_vote_moves_no_version(org):
    """A card vote and a vote cast logged in write only the ballots' own tables: the
    version (a row every counted write updates) keeps no trace of a vote."""
    unit, members = ballot_factories.branch()
    session = ballot_factories.session_for(unit, allow_login_voting=True)
    ballots.session_open(session=session)
    card = ballots.cards_issue(session=session, spares=0)[0]
    ballots.roll_mark_present(session=session, member=members[0])
    user = cast_user(members[1])
    before = records.version()
    ballots.vote_by_card(
        session=session, code=card.code, grades=ballot_factories.ballot_for(session, 1)
    )
    ballots.vote_logged_in(
        session=session, user=user, grades=ballot_factories.ballot_for(session, 2)
    )
    assert records.version() == before


def cast_user(member: Member):
    from vanguard.accounts.models import User

    user = User.objects.create_user(username=f"voter{member.pk}", password="x")
    Member.objects.filter(pk=member.pk).update(user=user)
    return User.objects.get(pk=user.pk)


@pytest.mark.django_db(transaction=True)
def test_a_dashboard_is_kept_until_a_counted_write(org, cast):
    """The branch page a second time costs no engine query; a member's new note
    shows at once on the next view, a notification (not counted) keeps the page."""
    campaign = data.make_campaign(org.committee)
    data.work(campaign, cast.member_record)
    cache.clear()
    client = Client()
    client.force_login(cast.secretary)
    url = reverse("campaigns:progress_unit", args=[campaign.pk, org.branch_a1.pk])

    def view() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        engine = [q for q in queries.captured_queries if "study_studywork" in q["sql"]]
        members = response.content.decode().split('id="members"')[1]
        row = members.split("王小明")[1].split("</tr>")[0]
        return row, len(engine)

    first, engine_queries = view()
    assert engine_queries > 0 and "1/2" in first  # one reading note of two
    again, engine_queries = view()
    assert engine_queries == 0 and again == first  # kept
    Notification.objects.create(user=cast.member, text="与进展无关")
    _row, engine_queries = view()
    assert engine_queries == 0
    data.work(campaign, cast.member_record)  # the second note
    after, engine_queries = view()
    assert engine_queries > 0 and "2/2" in after


def test_a_meeting_entered_ahead_ends_what_is_kept_when_it_begins(org, db):
    campaign = data.make_campaign(org.committee)
    # Ten in the morning, college time: two hours on is still today, whatever the clock says
    # (at 22:30 the meeting would begin after midnight, which ends what is kept first).
    morning = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    soon = morning + datetime.timedelta(hours=2)
    data.meeting(campaign, org.branch_a1, "mobilisation", day=data.today())
    Meeting.objects.filter(campaign=campaign).update(held_at=soon)
    ctx = Context(campaign=campaign, paths=[org.committee.path], now=morning)
    assert meetings(ctx) == []  # not held yet
    assert ctx.until == soon
    later = Context(campaign=campaign, paths=[org.committee.path], now=soon)
    assert len(meetings(later)) == 1  # held once it begins
    assert later.until > soon and later.until.time() == datetime.time(0, 0)  # midnight


def test_inside_a_transaction_nothing_is_kept(org, cast, db):
    """A test's transaction, or a view's own: what it reads may not be committed."""
    campaign = data.make_campaign(org.committee)
    cache.clear()
    progress.campaign_progress(campaign=campaign, roots=[org.branch_a1])
    assert not [key for key in cache._cache if "vanguard:progress:" in key]  # noqa: SLF001


@pytest.mark.django_db(transaction=True)
def test_a_kept_page_is_shared_but_its_breadcrumbs_are_each_readers_own(org, cast):
    """The committee opens a general branch's page, then its secretary: the second
    reader gets the kept body, and the college in the breadcrumbs is a link only for
    the committee, who may open it."""
    campaign = data.make_campaign(org.committee)
    cache.clear()
    url = reverse("campaigns:progress_unit", args=[campaign.pk, org.gb_a.pk])
    college_url = reverse("campaigns:progress_unit", args=[campaign.pk, org.committee.pk])
    pages = {}
    for user in (cast.committee_admin, cast.gb_secretary):
        client = Client()
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url).content.decode()
        pages[user.username] = (html, queries.captured_queries)
    committee_html, committee_queries = pages[cast.committee_admin.username]
    secretary_html, secretary_queries = pages[cast.gb_secretary.username]
    assert any("study_studywork" in q["sql"] for q in committee_queries)
    assert not any("study_studywork" in q["sql"] for q in secretary_queries)  # kept
    crumbs = committee_html.split('class="breadcrumbs"')[1].split("</nav>")[0]
    assert f'href="{college_url}"' in crumbs
    crumbs = secretary_html.split('class="breadcrumbs"')[1].split("</nav>")[0]
    assert "信息学院党委" in crumbs and college_url not in crumbs

    def body(html: str) -> str:
        return (
            '<div class="page-head">' + html.split('<div class="page-head">')[1].split("</main>")[0]
        )

    assert body(committee_html) == body(secretary_html)
    assert "光电系党总支" in body(committee_html)


def test_each_database_has_a_mark_of_its_own_in_the_key(db):
    """Two databases sharing a cache (staging and production on one Redis, or a
    database made anew under a cache that outlived the old one) count their versions
    from the same numbers: the mark made with the table keeps their keys apart."""
    mark, version = records.stamp()
    assert mark != 0 and version == records.version()
    records.install(connection)  # again, as every migrate does: the mark stays
    assert records.stamp()[0] == mark
    with connection.cursor() as cursor:  # as a database made anew
        cursor.execute(f"DELETE FROM {records.TABLE} WHERE id = 0")  # noqa: S608
    records.install(connection)
    assert records.stamp()[0] not in (0, mark)
