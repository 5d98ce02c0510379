"""The opinions' secrecy test extended to rectification (issue 14, "Done when"): every
linked problem traces back to the opinion or finding it answers, and nothing reachable
under /rectification/ or /api/v1/rectification/ — pages, exports, API answers — shows
who gave an opinion, an opinion's primary key, the author of an anonymous golden idea,
or a donation's amount to anyone but its member and the activity's keeper.

The crawl is the opinions' (tests/crawl.py): every route under the prefixes is found
by walking the URL resolver, so the ledgers and exports added later are covered
without editing this file; parameters are filled from the plans, items, updates,
activities, ideas and donations of the test. Unlike the opinions' pages, no
rectification page shows a source to anyone (`selectors.link_shown` is the same for
every reader): the markers must be absent for every role. Positive controls show the
crawl reaches the linked problems' text, and that the keeper does see the amounts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from conftest import Cast, Org, fresh_copy, make_member, make_user
from tests import crawl
from tests.access import ROLES
from vanguard.audit.context import acting_as
from vanguard.campaigns.models import Campaign
from vanguard.opinions import access as opinions_access
from vanguard.opinions.models import Opinion
from vanguard.opinions.tests import factories_feedback as ff
from vanguard.organization.models import Member, Unit
from vanguard.rectification.activities import services as activities_services
from vanguard.rectification.models import Activity, Donation, Idea, Item, ItemLink, Plan, Update
from vanguard.rectification.selectors import link_shown
from vanguard.rectification.tests import factories
from vanguard.rectification.tests import factories_activities as fa
from vanguard.rectification.tests import factories_plans as fp
from vanguard.supervision.models import Check, CheckFinding, CheckItem, Finding
from vanguard.supervision.tests import factories_inspection as fi

pytestmark = pytest.mark.django_db

PREFIXES = ("rectification/", "api/v1/rectification/")
# Who gave the opinions (every channel's source field, from the opinions' factories).
SOURCES = ff.MARKERS
# Opinions get primary keys no other number on a page holds: a pk follows the order of
# intake, which the feedback sheet hides, so no page names one (keyed tokens instead).
OPINION_PKS = iter(range(7_310_001, 7_319_999))
BRANCH_POINT = "支部组织生活不够规范-支部要点BR61"
COMMITTEE_POINT = "学院办事流程繁琐-党委要点CM73"
FINDING_NOTE = "学习记录只有签到没有讨论内容-督查标记FN27"
# The author of the anonymous golden idea, a member of branch A1 with a login.
ANONYMOUS_AUTHOR = "匿名作者-标记AU31"
ANONYMOUS_LOGIN = "ideagiver"
BESIDE = 400  # characters either side of an idea: its list entry, its row, its object
# Who gave how much (factories_activities): 王小明's line and his colleague 张丽's.
OWN_AMOUNT = ("271.5",)
COLLEAGUE_AMOUNT = ("1038.5", "1,038.5")
KEEPER = "secretary"  # the activity names no treasurer: the branch secretary keeps it
# Read 王小明's plan: he, his branch's officers, the readers of the scope.
READ_MEMBER_PLAN = {
    "committee_admin",
    "gb_secretary",
    "secretary",
    "branch_committee",
    "supervisor",
    "observer",
    "member",
}


@pytest.fixture
def _org_and_cast(org_and_cast_of_the_module, db) -> tuple[Org, Cast]:
    return fresh_copy(org_and_cast_of_the_module)


@pytest.fixture
def org(_org_and_cast) -> Org:
    return _org_and_cast[0]


@pytest.fixture
def cast(_org_and_cast) -> Cast:
    return _org_and_cast[1]


@dataclass
class F:
    """What the rectification factories take: the organisation and the cast."""

    org: Org
    cast: Cast


@dataclass
class World:
    campaign: Campaign
    member_plan: Plan  # 王小明's
    branch_plan: Plan
    committee_plan: Plan
    own_texts: list[str] = field(default_factory=list)  # the crawling person's own points
    member_texts: list[str] = field(default_factory=list)  # 王小明's points

    @property
    def opinion_pks(self) -> list[str]:
        return [str(pk) for pk in Opinion.objects.values_list("pk", flat=True)]

    def candidates(self, route: str, name: str) -> list[str]:
        """The ids a parameter may take: by its name (plan_id, campaign_pk …), for a bare
        pk by the path segment before it (plans/<int:pk>/)."""
        word = (name if name != "pk" else crawl.word_before(route, name)).lower()
        plans = Plan.objects.values_list("pk", flat=True)
        by_word: list[tuple[str, Any]] = [
            ("campaign", [self.campaign.pk]),
            ("plan", plans),
            ("item", Item.objects.values_list("pk", flat=True)),
            ("update", Update.objects.values_list("pk", flat=True)),
            ("activit", Activity.objects.values_list("pk", flat=True)),
            ("idea", Idea.objects.values_list("pk", flat=True)),
            ("donation", Donation.objects.values_list("pk", flat=True)),
            ("member", Member.objects.values_list("pk", flat=True)),
            ("unit", Unit.objects.values_list("pk", flat=True)),
            ("branch", Unit.objects.values_list("pk", flat=True)),
        ]
        for stem, ids in by_word:
            if stem in word:
                return [str(i) for i in ids]
        return [str(i) for _stem, ids in by_word for i in ids]

    def crawl(self, client: Client) -> tuple[dict[str, str], list[str]]:
        query = {"campaign": str(self.campaign.pk)}
        return crawl.crawl(
            client,
            (
                url
                for route in crawl.routes(PREFIXES)
                for url in crawl.urls(route, self.candidates, query)
            ),
        )


def _opinions_about(campaign: Campaign, member: Member, prefix: str) -> list[Opinion]:
    """A sorted opinion about the member through each channel that lists opinions on
    their sheet, each with its source filled in (the opinions' markers)."""
    return [
        ff.opinion(
            campaign, member, f"{prefix}{text}", channel=channel, kind=kind, pk=next(OPINION_PKS)
        )
        for channel, kind, text in (
            ("suggestion_box", "criticism", "意见箱：工作作风需改进"),
            ("email", "criticism", "邮件：批评与自我批评不够"),
            ("talk", "suggestion", "谈话：联系群众不够"),
            ("symposium", "praise", "座谈：备课认真"),
        )
    ]


def _about_unit(campaign: Campaign, unit: Unit, kind: str, text: str, channel: str) -> Opinion:
    """A sorted opinion about a branch or the committee, gathered there, with sources."""
    anyone = Member.objects.filter(branch__path__startswith=unit.path).first()
    assert anyone is not None
    made = ff.opinion(campaign, anyone, text, channel=channel, pk=next(OPINION_PKS))
    Opinion.objects.filter(pk=made.pk).update(
        subject_kind=kind, subject_member=None, subject_unit=unit, branch=unit
    )
    made.refresh_from_db()
    return made


def _link(item: Item, **target: Any) -> ItemLink:
    kind = next(iter(target))
    return ItemLink.objects.create(item=item, target=kind, **target)


def _member_plan(campaign: Campaign, member: Member, opinions: list[Opinion]) -> Plan:
    """The member's plan: an item answering the first two points, one the other two."""
    plan = Plan.objects.filter(campaign=campaign, member=member).first()
    plan = plan or factories.member_plan(campaign, member, status=Plan.Status.SUBMITTED)
    first = factories.item(plan, problem="工作作风", responsible=member, deadline=fp.in_days(30))
    second = factories.item(plan, problem="联系群众", responsible=member, deadline=fp.in_days(60))
    for item, answered in ((first, opinions[:2]), (second, opinions[2:])):
        for opinion in answered:
            _link(item, opinion=opinion)
    return plan


def _finding(f: F) -> CheckFinding:
    """The supervision's finding of its done check of branch A1."""
    check = fi.a1_check(f)
    Check.objects.filter(pk=check.pk).update(status=Check.Status.DONE)
    return CheckFinding.objects.create(
        check_record=check,
        item=CheckItem.STUDY_RECORDS,
        finding=Finding.NEEDS_WORK,
        note=FINDING_NOTE,
    )


def _world(org: Org, cast: Cast, subject: Member | None = None) -> World:
    """Rectification in branch A1 of the education campaign: 王小明's submitted plan
    answering the four points of his sheet (with a photo as evidence), the subject's
    own plan the same way, the branch's approved plan answering opinions about the
    branch and the supervision's finding, the committee's approved plan, a donation
    activity with two members' lines, and golden ideas — one named, one anonymous."""
    f = F(org, cast)
    campaign = fp.campaign(f)
    with acting_as(cast.secretary):
        xm_opinions = _opinions_about(campaign, cast.member_record, "甲·")
        fp.evidence_update(f)
        member_plan = _member_plan(campaign, cast.member_record, xm_opinions)
        fp.member_plan(f, status=Plan.Status.SUBMITTED)
        member_plan.refresh_from_db()
        own_texts = [o.text for o in xm_opinions]
        if subject is not None and subject != cast.member_record:
            own = _opinions_about(campaign, subject, "乙·")
            _member_plan(campaign, subject, own)
            own_texts = [o.text for o in own]

        branch_plan = factories.unit_plan(campaign, org.branch_a1, status=Plan.Status.APPROVED)
        item = factories.item(branch_plan, problem="组织生活", deadline=fp.in_days(45))
        _link(
            item,
            opinion=_about_unit(
                campaign, org.branch_a1, Opinion.SubjectKind.BRANCH, BRANCH_POINT, "email"
            ),
        )
        _link(item, check_finding=_finding(f))
        committee_plan = factories.unit_plan(campaign, org.committee, status=Plan.Status.APPROVED)
        item = factories.item(committee_plan, problem="办事流程", deadline=fp.in_days(90))
        _link(
            item,
            opinion=_about_unit(
                campaign, org.committee, Opinion.SubjectKind.COMMITTEE, COMMITTEE_POINT, "talk"
            ),
        )

        fa.member_line(f)  # 王小明's line and 张丽's
        fa.named_idea(f)
    giver = make_member(
        name=ANONYMOUS_AUTHOR,
        number="T0931",
        branch=org.branch_a1,
        user=make_user(ANONYMOUS_LOGIN),
    )
    activities_services.idea_submit(
        activity=fa.ideas_activity(f), author=giver, text=fa.ANONYMOUS_IDEA, anonymous=True
    )
    return World(
        campaign,
        member_plan,
        branch_plan,
        committee_plan,
        own_texts=own_texts,
        member_texts=[o.text for o in xm_opinions],
    )


def _named_beside(seen: dict[str, str], text: str, names: tuple[str, ...]) -> list[str]:
    """The answers that show `text` with one of the names near it (in the same list
    entry, table row or JSON object). A page may list every member of the branch —
    the ledger's rows, a form's choice of the person responsible — and the author
    among them; what must never be is the name beside the idea. Drop-down lists are
    left out: they offer the branch's members and say nothing about the idea."""
    choices = re.compile(r"<(select|datalist)\b.*?</\1>", re.DOTALL)
    found = []
    for url, answer in seen.items():
        answer = choices.sub("", answer)
        for at in (m.start() for m in re.finditer(re.escape(text), answer)):
            window = answer[max(0, at - BESIDE) : at + len(text) + BESIDE]
            if any(name in window for name in names):
                found.append(url)
    return found


def _sees(seen: dict[str, str], text: str) -> bool:
    return any(text in page for page in seen.values())


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_nothing_in_rectification_shows_a_source_an_author_or_anothers_amount(
    role, client, org, cast
):
    user = getattr(cast, role)
    # Every role is also the subject of opinions, answered by their own plan.
    subject = crawl.member_record(
        user, branch=org.branch_a1 if role == "group_leader" else org.branch_a2, label=role
    )
    world = _world(org, cast, subject)
    client.force_login(user)

    seen, errors = world.crawl(client)

    assert not errors, f"server errors while crawling: {errors}"
    assert not crawl.leaks(seen, SOURCES), "a source reached a rectification answer"
    # An opinion's number only as the way back to it, for those who read it where it
    # is sorted (never the member it is about: visible_opinions leaves those out).
    readable = {
        str(pk) for pk in opinions_access.visible_opinions(user).values_list("pk", flat=True)
    }
    shown_pks = {pk for _url, pk in crawl.leaks(seen, world.opinion_pks)}
    assert shown_pks <= readable, "an opinion's primary key was shown"
    assert not _named_beside(seen, fa.ANONYMOUS_IDEA, (ANONYMOUS_AUTHOR, ANONYMOUS_LOGIN))
    amounts = crawl.leaks(seen, (*OWN_AMOUNT, *COLLEAGUE_AMOUNT))
    if role == KEEPER:
        # Positive control: the keeper reads every line's amount.
        assert {m for _url, m in amounts} >= {OWN_AMOUNT[0]} and any(
            m in COLLEAGUE_AMOUNT for _url, m in amounts
        )
    elif role == "member":
        assert {m for _url, m in amounts} == {OWN_AMOUNT[0]}, "only his own line"
    else:
        assert not amounts, "a donation's amount reached someone who does not keep it"
    # Positive controls: the crawl reached the linked problems' text.
    for text in world.own_texts:
        assert _sees(seen, text), f"{role} never reached their own plan's point {text!r}"
    assert _sees(seen, COMMITTEE_POINT)  # the committee's published plan, for everyone
    if role in READ_MEMBER_PLAN:
        for text in world.member_texts:
            assert _sees(seen, text), f"{role} never reached 王小明's plan"
        assert _sees(seen, BRANCH_POINT) and _sees(seen, FINDING_NOTE)
    if role in ("committee_admin", "secretary"):
        assert _sees(seen, fa.ANONYMOUS_IDEA), "the crawl never reached the anonymous idea"
    # The exports were read, not only fetched: a PDF or a workbook that shows the
    # person's own plan holds its linked problems as text.
    for kind in ("application/pdf", "spreadsheetml"):
        files = [text for text in seen.values() if kind in text.split("\n", 1)[0]]
        if files:
            assert any(world.own_texts[0] in text for text in files), f"{kind} unread"
    if role == "other_member":
        assert not _sees(seen, world.member_texts[0]) and not _sees(seen, BRANCH_POINT)


def test_anonymous_visitors_reach_nothing(client, org, cast):
    world = _world(org, cast)

    seen, errors = world.crawl(client)

    assert not errors, f"server errors while crawling: {errors}"
    for marker in (
        *SOURCES,
        *world.member_texts,
        BRANCH_POINT,
        COMMITTEE_POINT,
        FINDING_NOTE,
        fa.ANONYMOUS_IDEA,
        ANONYMOUS_AUTHOR,
        *OWN_AMOUNT,
        *COLLEAGUE_AMOUNT,
    ):
        assert not _sees(seen, marker), marker


def _cast_users(cast: Cast) -> dict[str, Any]:
    return {role: getattr(cast, role) for role in ROLES if role != "anonymous"}


def test_every_linked_problem_traces_back_to_what_it_answers(org, cast):
    """Each link names its record (nothing is copied), and the readers with the right to
    trace it reach that record: an opinion's sorters (opinions.access, never its
    subject) its sorting page, the supervisors and the committee the check's page."""
    world = _world(org, cast)
    links = list(ItemLink.objects.select_related("item", "opinion", "check_finding__check_record"))
    assert {link.target for link in links} == {"opinion", "check_finding"}
    for link in links:
        if link.opinion is not None:
            opinion = link.opinion
            tracers = [
                user
                for user in _cast_users(cast).values()
                if opinions_access.can_sort_opinion(user, opinion)
                and opinions_access.visible_opinions(user).filter(pk=opinion.pk).exists()
            ]
            assert tracers, f"nobody may trace {opinion.text!r}"
            back = f"/opinions/sorting/{opinion.pk}/"
            for user in tracers:
                # From the plan's page, the way back; it leads to the opinion.
                plan_page = _client(user).get(f"/rectification/plans/{link.item.plan_id}/")
                if plan_page.status_code == 200:
                    assert f'href="{back}"' in plan_page.content.decode()
                page = _client(user).get(back)
                assert page.status_code == 200 and opinion.text in page.content.decode()
            if opinion.subject_member is not None and opinion.subject_member.user is not None:
                page = _client(opinion.subject_member.user).get(f"/opinions/sorting/{opinion.pk}/")
                assert page.status_code in (403, 404), "the subject traced their own opinion"
        else:
            check = link.check_finding.check_record
            for user in (cast.supervisor, cast.committee_admin):
                plan_page = _client(user).get(f"/rectification/plans/{link.item.plan_id}/")
                assert f'href="/supervision/checks/{check.pk}/"' in plan_page.content.decode()
                page = _client(user).get(f"/supervision/checks/{check.pk}/")
                assert page.status_code == 200
                assert link.check_finding.note in page.content.decode()
    assert world.member_plan.items.filter(links__opinion__isnull=False).distinct().count() == 2


def test_what_the_member_sees_of_each_link_is_link_shown(org, cast):
    world = _world(org, cast)
    member = _client(cast.member)
    for plan, address in (
        (world.member_plan, "/rectification/plans/mine/"),
        (world.member_plan, f"/rectification/plans/{world.member_plan.pk}/"),
        (world.member_plan, f"/api/v1/rectification/plans/{world.member_plan.pk}"),
        (world.branch_plan, f"/rectification/plans/{world.branch_plan.pk}/"),
        (world.branch_plan, f"/api/v1/rectification/plans/{world.branch_plan.pk}"),
        (world.committee_plan, f"/rectification/plans/{world.committee_plan.pk}/"),
    ):
        response = member.get(address)
        assert response.status_code == 200, address
        text = crawl.readable(response)
        links = ItemLink.objects.filter(item__plan=plan)
        assert links.exists()
        for link in links:
            shown = link_shown(link)
            assert shown.text and shown.text in text, (address, shown)
            assert shown.detail in text, (address, shown)
        assert not crawl.leaks({address: text}, SOURCES)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
