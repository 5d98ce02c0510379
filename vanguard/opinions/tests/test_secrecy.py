"""The issue's proof of secrecy: whoever a member is — whatever roles they hold —
nothing they can reach (pages, the API, exports) tells them who gave an opinion
about them; the audit trail keeps no source; the suggestion box logs neither what
was sent nor from where.

The crawl is generic (tests/crawl.py, shared with rectification's secrecy test):
every route under /opinions/, /o/ and /api/v1/opinions/ is found by walking the
URL resolver (so a page added later is covered without editing this file), its
parameters are filled with every relevant object of the test, and each response
is read as a person would receive it: HTML and JSON as text (JSON un-escaped),
PDFs through a PDF reader, zip files (xlsx, docx) unpacked.
Positive controls show the crawl reaches the places where sources *are* shown:
the sorters above a branch see the sources of opinions about its members; the
sorters inside it (who could be the subject of any of its opinions) see none.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile

from conftest import Cast, Org, fresh_copy
from tests import crawl
from tests.access import ROLES
from vanguard.audit.context import acting_as
from vanguard.audit.models import AuditEntry
from vanguard.opinions.models import EmailAttachment, Opinion, OpinionRecord, Survey
from vanguard.opinions.tests import factories_feedback as f

pytestmark = pytest.mark.django_db

PREFIXES = ("opinions/", "o/", "api/v1/opinions/")
# Sources of opinions about a colleague (张丽): visible to her branch's sorters only.
COLLEAGUE_CONTACT = "colleague-marker-13700000000"
COLLEAGUE_SENDER = "colleague.tipster@example.org"
COLLEAGUE_MARKERS = (COLLEAGUE_CONTACT, COLLEAGUE_SENDER)
# Sort opinions of branch A1 from above it (and so see the colleague's sources).
A1_SORTERS_ABOVE = {"committee_admin", "gb_secretary"}
# Sort opinions of branch A1 as members of it: any of them may be about them.
A1_SORTERS_INSIDE = {"secretary", "branch_committee"}
NEVER_SOURCES = {"supervisor", "observer"}


@pytest.fixture
def _org_and_cast(org_and_cast_of_the_module, db) -> tuple[Org, Cast]:
    """The organisation and cast, built once for the module (conftest); each test gets
    its own copies, and what it writes is rolled back after it."""
    return fresh_copy(org_and_cast_of_the_module)


@pytest.fixture
def org(_org_and_cast) -> Org:
    return _org_and_cast[0]


@pytest.fixture
def cast(_org_and_cast) -> Cast:
    return _org_and_cast[1]


@dataclass
class Objects:
    campaign: int
    members: list[int]
    units: list[int]
    opinions: list[int]
    surveys: list[int]
    records: list[int]
    mailboxes: list[int]
    attachments: list[int]
    slugs: list[str]
    query: dict[str, str] = field(default_factory=dict)

    def candidates(self, route: str, name: str) -> list[str]:
        name = name.lower()
        if name == "slug":
            return self.slugs
        if name == "token":
            return ["forged-token-0000"]
        by_name = [
            ("member", self.members),
            ("campaign", self.campaign and [self.campaign]),
            ("unit", self.units),
            ("branch", self.units),
            ("opinion", self.opinions),
            ("survey", self.surveys),
            ("record", self.records),
            ("mailbox", self.mailboxes),
            ("attachment", self.attachments),
        ]
        for word, ids in by_name:
            if word in name:
                return [str(i) for i in ids]
        by_path = [
            ("sorting", self.opinions),
            ("surveys", self.surveys),
            ("survey", self.surveys),
            ("records", self.records),
            ("attachments", self.attachments),
            ("mail", self.mailboxes),
            ("members", self.members),
        ]
        for word, ids in by_path:
            if word in route:
                return [str(i) for i in ids]
        every = {
            *self.opinions,
            *self.surveys,
            *self.records,
            *self.mailboxes,
            *self.attachments,
            *self.members,
            *self.units,
            self.campaign,
        }
        return [str(i) for i in sorted(every)]

    def urls(self, route: str) -> list[str]:
        return crawl.urls(route, self.candidates, self.query)


def _crawl(client, objects: Objects) -> tuple[dict[str, str], list[str]]:
    """Every GET-able URL of the opinions app, as this client: url -> what it received;
    and the URLs that failed with a server error."""
    return crawl.crawl(client, (u for r in crawl.routes(PREFIXES) for u in objects.urls(r)))


_leaks = crawl.leaks


def _subject_of(role: str, cast, org):
    """The member a role's user is: their own record, or one made for this test (so a
    committee admin, a supervisor… is also proved blind to opinions about them)."""
    user = getattr(cast, role)
    # A sorter above A1 is a member of another branch under the committee.
    branch = org.branch_a2 if role in A1_SORTERS_ABOVE else org.branch_a1
    return user, crawl.member_record(user, branch=branch, label=role)


def _opinions_about(campaign, subject, org) -> list[Opinion]:
    """Opinions about the subject through every channel and in every state, each with
    its source filled in; an e-mail attachment that names the sender."""
    made = f.every_channel(campaign, subject)
    made.append(f.opinion(campaign, subject, "尚未梳理的意见", status=Opinion.Status.NEW))
    made.append(
        f.opinion(
            campaign,
            subject,
            "搁置的意见",
            status=Opinion.Status.SET_ASIDE,
            set_aside_reason="重复",
        )
    )
    made.append(f.opinion(campaign, subject, "问卷意见", channel="survey"))
    made.append(f.opinion(campaign, subject, "党委收到的意见", branch=org.committee))
    email = next(o for o in made if o.channel == "email").email
    EmailAttachment.objects.create(
        message=email,
        file=ContentFile(f"signed: {f.SENDER}".encode(), name="note.txt"),
        name="note.txt",
        content_type="text/plain",
        size=40,
    )
    f.survey(campaign, subject, [({"style": "good"}, {"style": "作风扎实"})] * 3)
    return made


def _colleague_opinions(campaign, colleague) -> list[Opinion]:
    return [
        f.opinion(
            campaign,
            colleague,
            "关于张丽的意见",
            contact=COLLEAGUE_CONTACT,
            source=COLLEAGUE_CONTACT,
        ),
        f.opinion(
            campaign,
            colleague,
            "关于张丽的邮件",
            channel="email",
            contact=COLLEAGUE_CONTACT,
            sender=COLLEAGUE_SENDER,
        ),
    ]


def _objects(campaign, org, cast, subject) -> Objects:
    from vanguard.opinions.intake import services as services_intake

    slugs = (
        [services_intake.box_slug(campaign, unit) for unit in (org.branch_a1, org.branch_b1)]
        if hasattr(services_intake, "box_slug")
        else []
    )
    return Objects(
        campaign=campaign.pk,
        members=[subject.pk, cast.colleague_record.pk, cast.member_record.pk],
        units=[org.branch_a1.pk, org.branch_b1.pk, org.committee.pk],
        opinions=list(Opinion.objects.values_list("pk", flat=True)),
        surveys=list(Survey.objects.values_list("pk", flat=True)),
        records=list(OpinionRecord.objects.values_list("pk", flat=True)),
        mailboxes=[],
        attachments=list(EmailAttachment.objects.values_list("pk", flat=True)),
        slugs=slugs,
        query={
            "campaign": str(campaign.pk),
            "member": str(subject.pk),
            "branch": str(subject.branch_id),
            "status": "sorted",
        },
    )


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_sources_never_reach_the_member_an_opinion_is_about(role, client, org, cast):
    campaign = f.campaign(org)
    user, subject = _subject_of(role, cast, org)
    with acting_as(cast.secretary):
        _opinions_about(campaign, subject, org)
        if subject != cast.colleague_record:
            _colleague_opinions(campaign, cast.colleague_record)
    objects = _objects(campaign, org, cast, subject)
    client.force_login(user)

    seen, errors = _crawl(client, objects)

    assert not _leaks(seen, f.MARKERS), "a source reached the member it is about"
    # The member did get their sheet: the crawl reached it, as page, PDF and API.
    own_sheets = [
        url for url in seen if url.startswith(("/opinions/feedback/", "/api/v1/opinions/feedback"))
    ]
    assert any("意见箱：工作作风需改进" in seen[url] for url in own_sheets)
    assert any("作风扎实" in seen[url] for url in own_sheets)  # the survey aggregate
    if role in A1_SORTERS_ABOVE:
        # Positive control: the crawl reaches pages that show sources — of others.
        assert _leaks(seen, COLLEAGUE_MARKERS), "the crawl never reached a page with sources"
    if role in A1_SORTERS_INSIDE:
        assert not _leaks(seen, COLLEAGUE_MARKERS), "a sorter who could be the subject"
    if role in NEVER_SOURCES:
        assert not _leaks(seen, COLLEAGUE_MARKERS), "supervisors and observers see no source"
    assert not errors, f"server errors while crawling: {errors}"


def test_anonymous_visitors_see_no_source(client, org, cast):
    campaign = f.campaign(org)
    with acting_as(cast.secretary):
        _opinions_about(campaign, cast.member_record, org)
        _colleague_opinions(campaign, cast.colleague_record)

    seen, errors = _crawl(client, _objects(campaign, org, cast, cast.member_record))

    assert not _leaks(seen, (*f.MARKERS, *COLLEAGUE_MARKERS))
    assert not errors, f"server errors while crawling: {errors}"


def test_the_audit_trail_keeps_no_source(client, org, cast):
    from vanguard.opinions.sorting import services as services_sorting

    campaign = f.campaign(org)
    with acting_as(cast.secretary):
        made = _opinions_about(campaign, cast.member_record, org)
        entered = services_sorting.opinion_enter(
            campaign=campaign,
            branch=org.branch_a1,
            channel="talk",
            text="谈话中听到的意见",
            source=f.PARTICIPANTS,
        )
        services_sorting.opinion_sort(
            opinion=entered,
            subject_kind="member",
            subject_member=cast.member_record,
            aspect=f.aspect(campaign, "unity"),
            kind="criticism",
        )
        services_sorting.opinion_set_aside(opinion=made[0], reason="与其他意见重复")
        record = OpinionRecord.objects.get(pk=made[2].record_id)
        record.participants = f.PARTICIPANTS + "丙"
        record.save()

    entries = list(AuditEntry.objects.all())
    assert entries, "the secretary's writes are in the audit trail"
    dumped = json.dumps(
        [[e.object_repr, e.before, e.after, e.note] for e in entries], ensure_ascii=False
    )
    for marker in f.MARKERS:
        assert marker not in dumped


def test_suggestion_box_logs_neither_the_opinion_nor_the_address(client, org, cast, caplog):
    from django.urls import reverse

    from vanguard.opinions.intake import services as services_intake

    campaign = f.campaign(org)
    slug = services_intake.box_slug(campaign, org.branch_a1)
    url = reverse("opinions_public:box", args=[slug])
    body = "日志里不应出现的意见正文"
    address = "203.0.113.77"
    caplog.set_level(logging.DEBUG)

    ok = client.post(
        url,
        {"about": f"member:{cast.member_record.pk}", "text": body, "contact": f.CONTACT},
        REMOTE_ADDR=address,
        HTTP_USER_AGENT="Mozilla/5.0 (secret-browser-signature)",
    )
    bad = client.post(
        url,
        {"about": f"member:{cast.member_record.pk}", "text": body * 1000, "contact": f.CONTACT},
        REMOTE_ADDR=address,
    )

    assert ok.status_code == 302 and bad.status_code in (200, 400, 422)
    opinion = Opinion.objects.get()
    assert opinion.text == body
    for text in (body, f.CONTACT, address, "secret-browser-signature"):
        assert text not in caplog.text
    stored = json.dumps(list(Opinion.objects.values()), default=str, ensure_ascii=False)
    assert address not in stored and "secret-browser-signature" not in stored
    assert (
        not AuditEntry.objects.filter(object_type__icontains="opinion")
        .exclude(actor_id=None)
        .exists()
    )


def test_survey_answers_cannot_be_joined_to_tokens_or_respondents(org, cast):
    """Reading the whole database after a survey, nothing links an answer to the
    invitation (token) or the person who gave it: the answer table has no such
    column, nothing refers to an answer, no row anywhere holds both a respondent's
    mark and an answer's words, and the stored order is not the order of answering."""
    import random

    from django.db import connection

    from vanguard.opinions.intake import services as services_intake
    from vanguard.opinions.models import SurveyAnswer

    campaign = f.campaign(org)
    services_intake.aspects_for(campaign)
    survey = services_intake.survey_create(branch=org.branch_a1, title="2026 年书面调查")
    names = [f"调查对象{n}号" for n in range(6)]
    links = services_intake.survey_invite(survey=survey, inside=names[:3], outside=names[3:])
    for n, link in enumerate(links):
        services_intake.survey_answer(
            token=link.token,
            answers=[
                services_intake.MemberAnswer(
                    member=cast.member_record,
                    ratings={"style": "good"},
                    comments={"style": f"第{n}位的评语"},
                )
            ],
        )
    services_intake.survey_close(survey=survey, rng=random.Random(4))

    tables = connection.introspection.table_names()
    answer_table = SurveyAnswer._meta.db_table
    with connection.cursor() as cursor:
        columns = {
            c.name for c in connection.introspection.get_table_description(cursor, answer_table)
        }
        assert columns == {"id", "survey_id", "subject_member_id", "ratings", "comments"}
        invitation_columns = {
            c.name
            for c in connection.introspection.get_table_description(
                cursor, "opinions_surveyinvitation"
            )
        }
        assert invitation_columns == {
            "id",
            "survey_id",
            "token_hash",
            "respondent",
            "inside_party",
            "used",
        }
        for table in tables:
            relations = connection.introspection.get_relations(cursor, table)
            assert all(target != answer_table for _col, target in relations.values()), table
        rows: dict[str, list[str]] = {}
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from the schema)
            rows[table] = [
                json.dumps(row, default=str, ensure_ascii=False) for row in cursor.fetchall()
            ]
        # The order rows are stored in: SQLite's hidden rowid, PostgreSQL's physical ctid.
        physical = "rowid" if connection.vendor == "sqlite" else "ctid"
        cursor.execute(f'SELECT comments FROM "{answer_table}" ORDER BY {physical}')  # noqa: S608
        stored_order = [
            (c if isinstance(c, dict) else json.loads(c))["style"] for (c,) in cursor.fetchall()
        ]

    comments = [f"第{n}位的评语" for n in range(6)]
    hashes = [services_intake.hash_token(link.token) for link in links]
    for table, table_rows in rows.items():
        for row in table_rows:
            holds_answer = any(c in row for c in comments)
            holds_person = any(m in row for m in (*names, *hashes, *(link.token for link in links)))
            assert not (holds_answer and holds_person), f"{table} joins an answer to a respondent"
    assert sorted(stored_order) == comments and stored_order != comments
    assert survey.invitations.filter(used=True).count() == 6
