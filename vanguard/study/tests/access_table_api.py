"""Who may call the study API (see tests/access.py). The work is 王小明's (member, branch
A1) reading note; the session is branch A1's. Reviewers and observers over A1 read
the work; those who keep A1's records read the session's attendance; anyone with a
member record may submit their own note (the officers of the cast without one: 403)."""

import datetime

from django.utils import timezone

from tests.access import AccessRow
from vanguard.meetings.tests.factories import education_campaign
from vanguard.study.models import Attendance, StudySession, StudyWork

UNAUTHORISED = 401
OUTSIDERS = {"group_leader": 404, "other_member": 404}
NO_MEMBER_RECORD = {
    "committee_admin": 403,
    "supervisor": 403,
    "gb_secretary": 403,
    "branch_committee": 403,
    "group_leader": 403,
    "observer": 403,
}


def _work(f):
    campaign = education_campaign(f.org.committee)
    return StudyWork.objects.get_or_create(
        campaign=campaign,
        member=f.cast.member_record,
        kind=StudyWork.Kind.READING_NOTE,
        defaults={"title": "读党章笔记", "material": "《中国共产党章程》", "body": "<p>体会</p>"},
    )[0]


def _session(f):
    campaign = education_campaign(f.org.committee)
    session, created = StudySession.objects.get_or_create(
        campaign=campaign,
        unit=f.org.branch_a1,
        topic="学习党章",
        defaults={"starts_at": timezone.make_aware(datetime.datetime(2026, 3, 20, 14))},
    )
    if created:
        Attendance.objects.create(
            session=session, member=f.cast.member_record, status="present", method="qr"
        )
    return session


def _note(f):
    education_campaign(f.org.committee)
    return {
        "kind": "reading_note",
        "title": "学习《保持共产党员先进性教育读本》",
        "material": "《保持共产党员先进性教育读本》",
        "body": "<p>体会</p><script>alert(1)</script>",
    }


ROWS = [
    AccessRow(
        "api/v1/study/works",
        lambda f: "/api/v1/study/works",
        {"anonymous": UNAUTHORISED},
        default=200,
    ),
    AccessRow(
        "api/v1/study/works",
        lambda f: "/api/v1/study/works",
        {"anonymous": UNAUTHORISED, **NO_MEMBER_RECORD},
        default=201,
        method="post",
        data=_note,
        content_type="application/json",
    ),
    AccessRow(
        "api/v1/study/works/<int:work_id>",
        lambda f: f"/api/v1/study/works/{_work(f).pk}",
        {"anonymous": UNAUTHORISED, **OUTSIDERS},
        default=200,
    ),
    AccessRow(
        "api/v1/study/sessions",
        lambda f: "/api/v1/study/sessions",
        {"anonymous": UNAUTHORISED},
        default=200,
    ),
    AccessRow(
        "api/v1/study/sessions/<int:session_id>/attendance",
        lambda f: f"/api/v1/study/sessions/{_session(f).pk}/attendance",
        {
            "anonymous": UNAUTHORISED,
            **OUTSIDERS,
            "supervisor": 403,
            "observer": 403,
            "member": 403,
        },
        default=200,
    ),
]
