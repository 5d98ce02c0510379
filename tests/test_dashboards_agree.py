"""Dashboards that agree (issue 16, point 4): on the demo college, every figure the
college's progress page shows is the sum of what the branch pages show, each branch
page's figures are what its members' rows (and the members' own pages) show, the API
answers what the pages show, and the workbook's counter (materials.figures) counts the
meetings and study works the pages count.

Each page is read as a person reads it: the committee opens the college page, follows
the links of its table down to the general branches and on to every branch; each demo
member with a login opens their own progress page and their study page. The numbers are
taken from the rendered HTML, never from the view's context.

The contradictions this guards against were seen on the demo: "687/687 completed their
individual requirements" beside "14 submitted nothing" (a phase without individual
requirements counted everyone as done), a member's page counting 6 "study materials"
where the study page listed 4 (self-analysis versions counted as study works), a
branch that had held its vote shown as having held no appraisal meeting."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.html
import pytest
from django.test import Client
from django.urls import reverse

from vanguard.accounts.models import User
from vanguard.ballots.models import AppraisalSession
from vanguard.campaigns.models import Campaign, Phase
from vanguard.demo.campaigns import CAMPAIGN_NAME
from vanguard.demo.tests.kept_demo import kept_demo
from vanguard.grading.models import BranchGrading
from vanguard.materials.figures import count_figures
from vanguard.meetings.models import Meeting
from vanguard.organization.models import Member, Unit

pytestmark = pytest.mark.django_db

NONE = "—"  # how a page writes a figure that does not apply
_CLASS = "contains(concat(' ', normalize-space(@class), ' '), ' %s ')"  # XPath: has the class


@pytest.fixture(scope="module")
def demo_of_the_module(django_db_setup, django_db_blocker):
    with kept_demo(django_db_blocker):
        yield Campaign.objects.get(name=CAMPAIGN_NAME).pk


@pytest.fixture
def demo(demo_of_the_module, db) -> Campaign:
    return Campaign.objects.get(pk=demo_of_the_module)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _get(client: Client, url: str) -> lxml.html.HtmlElement:
    response = client.get(url)
    assert response.status_code == 200, url
    return lxml.html.fromstring(response.content.decode())


def _text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def _fraction(text: str) -> tuple[int, int]:
    """ "12/34" -> (12, 34); a figure that does not apply ("—") -> (0, 0)."""
    if text == NONE:
        return 0, 0
    done, total = text.split("/")
    return int(done), int(total)


def _percent(text: str) -> int:
    return int(text.rstrip("%"))


def _stats(doc: lxml.html.HtmlElement) -> dict[str, str]:
    """The figures at the head of a progress page: {label: number as shown}."""
    return {
        _text(stat.find_class("label")[0]): _text(stat.find_class("num")[0])
        for stat in doc.find_class("stat")
    }


def _members_figure(stats: dict[str, str]) -> tuple[int, int]:
    """(completed, under individual requirements), read from either way the page puts it."""
    if "完成个人要求的党员" in stats:
        return _fraction(stats["完成个人要求的党员"])
    assert stats["本阶段无个人要求"] == NONE
    return 0, 0


def _unit_id(href: str) -> int:
    found = re.search(r"/units/(\d+)/", href)
    assert found, href
    return int(found.group(1))


@dataclass
class UnitRow:
    """A row of a progress page's table of units below it."""

    id: int
    name: str
    percent: int
    branches_met: tuple[int, int]
    members: tuple[int, int]
    silent: int


def _unit_rows(doc: lxml.html.HtmlElement) -> list[UnitRow]:
    rows = []
    for tr in doc.xpath(f"//*[@id='units']//table[{_CLASS % 'progress-table'}]/tbody/tr"):
        link = tr.xpath("./th/a")
        if not link:
            continue
        cells = [_text(td) for td in tr.xpath("./td")]
        rows.append(
            UnitRow(
                id=_unit_id(link[0].get("href")),
                name=_text(link[0]),
                percent=_percent(cells[1].split()[-1]),
                branches_met=_fraction(cells[2]),
                members=_fraction(cells[3]),
                silent=int(cells[4]),
            )
        )
    return rows


@dataclass
class MemberRow:
    name: str
    cells: list[str]  # one per individual requirement: "value/target"
    study_works: int
    status: str


@dataclass
class BranchPage:
    id: int
    percent: int
    phase: str
    members: tuple[int, int]
    silent: int
    requirements: dict[str, bool]  # label -> met
    has_plan: bool
    has_meeting: bool
    rows: list[MemberRow] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return all(self.requirements.values())


def _branch_page(doc: lxml.html.HtmlElement, branch_id: int) -> BranchPage:
    stats = _stats(doc)
    requirements = {
        _text(li.find_class("req-label")[0]): "is-met" in li.get("class", "")
        for li in doc.xpath(f"//*[@id='requirements']//ul[{_CLASS % 'requirement-list'}]/li")
    }
    flags = _text(doc.xpath(f"//*[@id='requirements']//*[{_CLASS % 'branch-flags'}]")[0])
    rows = []
    for tr in doc.xpath(f"//table[{_CLASS % 'members-table'}]/tbody/tr"):
        cells = [_text(td) for td in tr.xpath("./td")]
        if len(cells) < 2:  # "no members"
            continue
        name = _text(tr.xpath("./th")[0]).split()[0]
        rows.append(MemberRow(name, cells[:-2], int(cells[-2]), cells[-1]))
    return BranchPage(
        id=branch_id,
        percent=_percent(stats["完成率"]),
        phase=stats["所处阶段"],
        members=_members_figure(stats),
        silent=int(stats["未提交材料的党员"]),
        requirements=requirements,
        has_plan="已提交学习讨论计划" in flags,
        has_meeting="已召开会议" in flags,
        rows=rows,
    )


@dataclass
class Dashboards:
    college: dict[str, str]
    college_units: list[UnitRow]
    general: dict[int, tuple[dict[str, str], list[UnitRow]]]  # general branch pages
    branches: dict[int, BranchPage]  # every branch page, reached by the links


@pytest.fixture
def committee(demo) -> Client:
    return _client(User.objects.get(username="committee"))


@pytest.fixture(scope="module")
def walked(demo_of_the_module, django_db_blocker) -> Dashboards:
    """The committee's walk, once for the module: the college page, then each unit of its
    table, down to every branch."""
    with django_db_blocker.unblock():
        demo = Campaign.objects.get(pk=demo_of_the_module)
        return _walk(demo, _client(User.objects.get(username="committee")))


@pytest.fixture
def dashboards(walked, demo) -> Dashboards:
    return walked


def _walk(demo: Campaign, committee: Client) -> Dashboards:
    college = _get(committee, reverse("campaigns:dashboard"))
    found = Dashboards(_stats(college), _unit_rows(college), {}, {})
    to_visit = [row.id for row in found.college_units]
    while to_visit:
        unit_id = to_visit.pop()
        doc = _get(committee, reverse("campaigns:progress_unit", args=[demo.pk, unit_id]))
        if doc.xpath(f"//table[{_CLASS % 'members-table'}]"):
            found.branches[unit_id] = _branch_page(doc, unit_id)
        else:
            rows = _unit_rows(doc)
            found.general[unit_id] = (_stats(doc), rows)
            to_visit.extend(row.id for row in rows)
    return found


def _sum_branches(pages: list[BranchPage]) -> dict[str, object]:
    complete = sum(page.members[0] for page in pages)
    required = sum(page.members[1] for page in pages)
    return {
        "branches": (sum(page.met for page in pages), len(pages)),
        "members": (complete, required),
        "silent": sum(page.silent for page in pages),
        "without_plan": sum(not page.has_plan for page in pages),
        "without_meeting": sum(not page.has_meeting for page in pages),
    }


def _branches_under(found: Dashboards, unit_id: int) -> list[BranchPage]:
    if unit_id in found.branches:
        return [found.branches[unit_id]]
    _stats_of, rows = found.general[unit_id]
    return [page for row in rows for page in _branches_under(found, row.id)]


def _assert_unit_is_sum(stats: dict[str, str], pages: list[BranchPage]) -> None:
    total = _sum_branches(pages)
    assert _fraction(stats["达标支部"]) == total["branches"]
    assert _members_figure(stats) == total["members"]
    assert int(stats["未提交材料的党员"]) == total["silent"]
    assert int(stats["无学习计划的支部"]) == total["without_plan"]
    assert int(stats["未开会的支部"]) == total["without_meeting"]
    # The average of the branches' shares, each page rounding its own: within a point.
    mean = sum(page.percent for page in pages) / len(pages)
    assert abs(_percent(stats["平均完成率"]) - mean) <= 1


def test_the_college_page_is_the_sum_of_its_branch_pages(dashboards, demo):
    branch_ids = set(
        Unit.objects.filter(
            path__startswith=demo.unit.path, kind=Unit.Kind.BRANCH, is_active=True
        ).values_list("pk", flat=True)
    )
    assert set(dashboards.branches) == branch_ids  # the links reach every branch, once
    _assert_unit_is_sum(dashboards.college, list(dashboards.branches.values()))


def test_each_general_branch_page_and_table_row_is_the_sum_of_its_branches(dashboards):
    assert dashboards.general
    for unit_id, (stats, _rows) in dashboards.general.items():
        _assert_unit_is_sum(stats, _branches_under(dashboards, unit_id))
    for row in dashboards.college_units:
        pages = _branches_under(dashboards, row.id)
        total = _sum_branches(pages)
        assert (row.branches_met, row.members, row.silent) == (
            total["branches"],
            total["members"],
            total["silent"],
        ), row.name


def test_each_branch_page_is_the_sum_of_its_members_rows(dashboards):
    for page in dashboards.branches.values():
        complete = sum(row.status == "已完成" for row in page.rows)
        silent = sum(row.status == "未提交任何材料" for row in page.rows)
        required = sum(bool(row.cells) for row in page.rows)
        assert page.members == (complete, required), page.id
        assert page.silent == silent, page.id
        # A member's row is done exactly when every requirement cell has reached its target.
        for row in page.rows:
            reached = all(
                int(value) >= int(target)
                for value, target in (cell.split("/") for cell in row.cells)
            )
            if row.status == "已完成":
                assert row.cells and reached, (page.id, row.name)
            elif row.status == "未完成":
                assert row.cells and not reached, (page.id, row.name)


def test_no_member_counted_both_done_and_silent(dashboards):
    """The contradiction seen: 687/687 done beside 14 who submitted nothing."""
    complete, required = _members_figure(dashboards.college)
    silent = int(dashboards.college["未提交材料的党员"])
    assert silent > 0  # the demo keeps members who submitted nothing
    assert required > 0  # the analysis phase asks each member for their self-analysis
    assert complete + silent <= required


def test_a_branch_that_voted_shows_its_appraisal_meeting_held(dashboards, demo):
    """A closed vote is held at the 民主评议会; approved grades follow the 等级评定会."""
    voted = {
        unit.parent_id if unit.kind == Unit.Kind.PARTY_GROUP else unit.pk
        for unit in Unit.objects.filter(
            appraisal_sessions__campaign=demo,
            appraisal_sessions__status=AppraisalSession.Status.CLOSED,
        )
    }
    assert voted
    for branch_id in voted:
        page = dashboards.branches[branch_id]
        assert page.requirements["支部召开民主评议会"], branch_id
        assert page.has_meeting, branch_id
    approved = set(
        BranchGrading.objects.filter(
            campaign=demo, status=BranchGrading.Status.APPROVED
        ).values_list("branch_id", flat=True)
    )
    assert approved
    for branch_id in approved:
        page = dashboards.branches[branch_id]
        assert page.requirements["支部召开等级评定会"], branch_id
    # A branch shown as having held no meeting has no meeting requirement met either.
    for page in dashboards.branches.values():
        if not page.has_meeting:
            assert not any(
                met for label, met in page.requirements.items() if label.startswith("支部召开")
            ), page.id


def test_the_api_answers_what_the_pages_show(dashboards, committee, demo):
    response = committee.get(f"/api/v1/campaigns/{demo.pk}/progress")
    assert response.status_code == 200
    answer = response.json()
    college = dashboards.college
    assert answer["percent"] == _percent(college["平均完成率"])
    assert (answer["branches_met"], answer["branches_total"]) == _fraction(college["达标支部"])
    assert (answer["members_complete"], answer["members_required"]) == _members_figure(college)
    assert answer["silent_members"] == int(college["未提交材料的党员"])
    assert answer["without_plan"] == int(college["无学习计划的支部"])
    assert answer["without_meeting"] == int(college["未开会的支部"])
    assert {branch["id"] for branch in answer["branches"]} == set(dashboards.branches)
    for branch in answer["branches"]:
        page = dashboards.branches[branch["id"]]
        assert branch["percent"] == page.percent
        assert branch["phase_name"] == page.phase
        assert branch["met"] == page.met
        assert (branch["members_complete"], branch["members_required"]) == page.members
        assert branch["members_total"] == len(page.rows)
        assert branch["silent_members"] == page.silent
        assert (branch["has_plan"], branch["has_meeting"]) == (page.has_plan, page.has_meeting)
        assert branch["unmet"] == [label for label, met in page.requirements.items() if not met]
    # A general branch asked for by its id answers its page.
    unit_id, (stats, _rows) = next(iter(dashboards.general.items()))
    part = committee.get(f"/api/v1/campaigns/{demo.pk}/progress?unit={unit_id}").json()
    assert (part["members_complete"], part["members_required"]) == _members_figure(stats)
    assert part["silent_members"] == int(stats["未提交材料的党员"])
    assert (part["branches_met"], part["branches_total"]) == _fraction(stats["达标支部"])


def _logins_for(members: list[Member]) -> None:
    """A login for each member without one (the demo gives logins to a few per branch)."""
    for member in members:
        if member.user_id is None:
            member.user = User.objects.create_user(username=f"agree-{member.pk}")
            member.save(update_fields=["user"])


def test_each_branch_page_is_the_sum_of_its_members_own_pages(dashboards, demo):
    """Every member of two branches opens their own progress page and their study page:
    the demo secretary's branch and the first branch with members who submitted nothing."""
    secretary = User.objects.get(username="secretary").member
    silent = next(page.id for page in dashboards.branches.values() if page.silent)
    for branch_id in dict.fromkeys([secretary.branch_id, silent]):
        page = dashboards.branches[branch_id]
        members = list(
            Member.objects.filter(branch_id=branch_id, is_active=True).order_by("number")
        )
        _logins_for(members)
        done = required = works = 0
        for member, row in zip(members, page.rows, strict=True):
            assert row.name == member.name
            client = _client(User.objects.get(pk=member.user_id))
            mine = _get(client, reverse("campaigns:progress_me", args=[demo.pk]))
            text = _text(mine)
            submitted = re.search(r"你已提交 (\d+) 篇学习成果", text)
            assert submitted, member.pk
            study = _get(client, reverse("study:home"))
            listed = len(study.xpath("//ul[@aria-label='我提交的学习成果']/li"))
            # The same works on three pages: the member's, the branch's row, the study page.
            assert int(submitted.group(1)) == row.study_works == listed, member.pk
            lists = mine.xpath(f"//article//ul[{_CLASS % 'requirement-list'}]")
            items = lists[-1].xpath("./li") if lists else []
            figures = [_text(li.find_class("req-figure")[0]) for li in items]
            assert figures == row.cells, member.pk
            # The analysis phase asks each member for their self-analysis: never "nothing".
            assert figures and "本阶段没有对个人的检查项" not in text, member.pk
            all_done = "本阶段对个人的要求你都已完成" in text
            assert all_done == (row.status == "已完成"), member.pk
            done += all_done
            required += bool(figures)
            works += int(submitted.group(1))
        assert page.members == (done, required), branch_id
        assert works == sum(row.study_works for row in page.rows)


def test_the_workbook_counts_the_meetings_and_works_the_pages_show(dashboards, demo):
    """The workbook's and report's counter (materials.figures) read as the committee's
    workbook reads them: a branch with a meeting held is one the page shows as having met,
    its meetings of a kind are those its requirements count, and its study works are the
    sum of its members' column."""
    committee = User.objects.get(username="committee")
    figures = count_figures(campaign=demo, roots=[demo.unit], user=committee)
    analysis = demo.phases.get(key=Phase.Key.ANALYSIS)
    kinds = {
        "支部召开支部动员会": Meeting.Kind.MOBILISATION,
        "支部召开民主评议会": Meeting.Kind.DEMOCRATIC_APPRAISAL,
        "支部召开等级评定会": Meeting.Kind.GRADE_RATING,
    }
    for branch_id, page in dashboards.branches.items():
        held = figures.meetings_held.get(branch_id, [])
        assert bool(held) == page.has_meeting, branch_id
        for label, kind in kinds.items():
            if label in page.requirements:
                in_phase = any(m.kind == kind and m.phase_id == analysis.pk for m in held)
                assert in_phase == page.requirements[label], (branch_id, label)
        line = figures.study.get(branch_id)
        works = sum(line.works.values()) if line is not None else 0
        assert works == sum(row.study_works for row in page.rows), branch_id
