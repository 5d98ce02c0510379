"""What grading shows of a vote whose per-candidate results are withheld (fewer ballots
than the secrecy minimum, or no quorum): nowhere — the grading page, its API, the
registration form, the review rounds' grade facts — a per-candidate count; the branch
cannot report grades that no valid vote supports."""

from __future__ import annotations

import io
import re

import docx
import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import make_member
from vanguard.grading import selectors, services
from vanguard.grading.models import BranchGrading
from vanguard.grading.tests.factories import held_vote

pytestmark = pytest.mark.django_db
API = "/api/v1/grading"


def _propose(grading, user):
    entries = {m.pk: ("qualified", "认真履职") for m in selectors.formal_members(grading.branch)}
    services.proposals_save(grading=grading, entries=entries, user=user)


def _page(client, user, campaign, branch) -> str:
    client.force_login(user)
    response = client.get(reverse("grading:branch", args=[campaign.pk, branch.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _api(client, user, campaign, branch) -> dict:
    client.force_login(user)
    response = client.get(f"{API}/campaigns/{campaign.pk}/branches/{branch.pk}")
    assert response.status_code == 200
    return response.json()


def _form(client, user, campaign, member, name="grading:registration_pdf") -> bytes:
    client.force_login(user)
    response = client.get(reverse(name, args=[campaign.pk, member.pk]))
    assert response.status_code == 200
    return response.content


def _pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def _docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.extend(p.text for p in cell.paragraphs)
                for inner in cell.tables:
                    parts.extend(c.text for r in inner.rows for c in r.cells)
    return re.sub(r"\s+", "", "\n".join(parts))


@pytest.mark.parametrize("ballots", [1, 2])
@pytest.mark.parametrize("who", ["secretary", "committee_admin"])
def test_the_grading_page_shows_no_count_of_a_vote_with_too_few_ballots(
    client, cast, branch, campaign, grading, ballots, who
):
    held_vote(branch, [{cast.member_record.pk: "excellent"}] * ballots)
    page = _page(client, getattr(cast, who), campaign, branch)
    assert "tally-mini" not in page
    assert f"收回选票 {ballots} 张，少于保密所需的最少 3 张，不公布各人得票。" in page


@pytest.mark.parametrize("ballots", [1, 2])
def test_the_grading_api_gives_no_count_of_a_vote_with_too_few_ballots(
    client, cast, branch, campaign, grading, ballots
):
    held_vote(branch, [{cast.member_record.pk: "excellent"}] * ballots)
    for who in (cast.secretary, cast.committee_admin):
        rows = _api(client, who, campaign, branch)["members"]
        assert [r["member_name"] for r in rows] == ["李书记", "王小明", "张丽"]
        for row in rows:
            assert row["tally"] is None
            assert row["tally_withheld"] == "too_few_ballots"
            assert f"收回选票 {ballots} 张" in row["tally_withheld_display"]


@pytest.mark.parametrize("ballots", [1, 2])
def test_the_registration_form_gives_no_count_of_a_vote_with_too_few_ballots(
    client, cast, branch, campaign, grading, ballots
):
    me = cast.member_record
    held_vote(branch, [{me.pk: "excellent"}] * ballots)
    text = _pdf_text(_form(client, cast.secretary, campaign, me))
    assert f"收回选票{ballots}张，少于保密所需的最少3张，不公布各人得票。" in text
    assert "有效票" not in text and "票数（张）" not in text  # no vote grid at all
    words = _docx_text(_form(client, cast.secretary, campaign, me, "grading:registration_docx"))
    assert "不公布各人得票" in words and "有效票" not in words


def test_the_branch_cannot_report_grades_no_valid_vote_supports(cast, branch, grading):
    held_vote(branch, [{}, {}])
    _propose(grading, cast.secretary)
    with pytest.raises(ValidationError) as error:
        services.grading_submit(grading=grading, explanation="", user=cast.secretary)
    text = " ".join(error.value.messages)
    assert "收回选票太少或未达到有效人数，不公布得票" in text
    assert "李书记、王小明、张丽" in text
    assert "尚未经过民主评议投票" not in text  # they did vote: the vote is what fails


def test_the_review_rounds_get_no_count_of_a_withheld_vote(cast, branch, campaign, grading):
    held_vote(branch, [{cast.member_record.pk: "excellent"}] * 2)
    _propose(grading, cast.secretary)
    # Even a grading reported before the minimum existed does not bring the counts back.
    BranchGrading.objects.filter(pk=grading.pk).update(status=BranchGrading.Status.SUBMITTED)
    fact = selectors.grade_fact_text(member=cast.member_record, campaign=campaign, round_number=2)
    assert fact == ""


def test_quorum_not_met_is_withheld_on_the_grading_page_and_api(
    client, cast, branch, campaign, grading
):
    for i in range(4):  # 7 on the roll: 3 ballots are not more than half
        make_member(name=f"增补{i}", number=f"T06{i:02d}", branch=branch)
    held_vote(branch, [{}] * 3)
    page = _page(client, cast.secretary, campaign, branch)
    assert "tally-mini" not in page and "未达到有效人数，不公布各人得票。" in page
    rows = _api(client, cast.secretary, campaign, branch)["members"]
    assert all(r["tally"] is None and r["tally_withheld"] == "quorum_not_met" for r in rows)


def test_three_ballots_show_the_counts_everywhere(client, cast, branch, campaign, grading):
    me = cast.member_record
    held_vote(branch, [{me.pk: "excellent"}] * 3)
    page = _page(client, cast.secretary, campaign, branch)
    assert "tally-mini" in page and "不公布各人得票" not in page
    rows = {r["member_name"]: r for r in _api(client, cast.secretary, campaign, branch)["members"]}
    assert rows["王小明"]["tally"] == {
        "excellent": 3,
        "qualified": 0,
        "basically_qualified": 0,
        "unqualified": 0,
    }
    assert rows["王小明"]["tally_withheld"] is None
    text = _pdf_text(_form(client, cast.secretary, campaign, me))
    assert "有效票30003" in text and "不公布各人得票" not in text


def test_the_committee_sees_the_minimum_beside_the_cap_on_excellent(client, cast, campaign):
    campaign.ballot_secrecy_minimum = 5
    campaign.save()
    client.force_login(cast.committee_admin)
    page = client.get(reverse("grading:home")).content.decode()
    assert "投票收回选票少于 5 张或未达到有效人数时，不公布各人得票。" in page
    assert reverse("campaigns:manage_edit", args=[campaign.pk]) in page
