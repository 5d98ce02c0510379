"""Paper ballots (纸质选票): the secretary enters the totals per candidate and grade after
the close; they count only once a second committee member has confirmed them."""

from __future__ import annotations

import re
import threading
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection, connections
from django.urls import reverse

from conftest import make_user
from vanguard.accounts.models import Role, RoleAssignment
from vanguard.audit.models import AuditEntry
from vanguard.ballots import services
from vanguard.ballots.models import PaperTally
from vanguard.ballots.services import Refused
from vanguard.ballots.tests import factories as f
from vanguard.organization.models import Member

pytestmark = pytest.mark.django_db

EX, OK, BASIC, BAD = f.GRADES


def _second_committee_admin(org):
    user = make_user("committee2", display_name="党委委员乙")
    RoleAssignment.objects.create(user=user, role=Role.COMMITTEE_ADMIN, unit=org.committee)
    return user


def _closed_session(org, cast):
    """branch_a1 of the cast plus 孙强 (formal) and 赵预备 (probationary): 5 voters on
    the roll, 4 candidates; two electronic ballots (all 优秀, all 合格), then closed."""
    for name, number, standing in (
        ("孙强", "T0004", Member.Standing.FORMAL),
        ("赵预备", "T0009", Member.Standing.PROBATIONARY),
    ):
        Member.objects.create(
            name=name,
            number=number,
            branch=org.branch_a1,
            category=Member.Category.FACULTY,
            standing=standing,
        )
    session = f.session_for(org.branch_a1)
    services.session_open(session=session, user=cast.secretary)
    cards = services.cards_issue(session=session, spares=0)
    for member in (cast.member_record, cast.colleague_record):  # they draw the two cards
        services.roll_mark_present(session=session, member=member)
    for card, grade in zip(cards, (EX, OK), strict=False):
        services.vote_by_card(
            session=session, code=card.code, grades=f.uniform_ballot(session, grade)
        )
    services.session_close(session=session, user=cast.secretary)
    return session


@pytest.fixture
def fx(org, cast):
    session = _closed_session(org, cast)
    ids = {
        m.name: str(m.pk)
        for m in Member.objects.filter(branch=org.branch_a1, standing=Member.Standing.FORMAL)
    }
    return SimpleNamespace(
        org=org,
        cast=cast,
        session=session,
        ids=ids,
        admin2=_second_committee_admin(org),
        probationary=Member.objects.get(name="赵预备"),
    )


def _counts(fx, **by_name) -> dict[str, dict[str, int]]:
    """Every candidate at zero, except those given as name=(ex, ok, basic, bad)."""
    counts = {pk: dict.fromkeys(f.GRADES, 0) for pk in fx.ids.values()}
    for name, values in by_name.items():
        counts[fx.ids[name]] = dict(zip(f.GRADES, values, strict=True))
    return counts


# Two paper ballots: 张丽 one 优秀 and one 不合格; 王小明 one 合格 and one left blank;
# 李书记 and 孙强 two 优秀.
PAPER = {"张丽": (1, 0, 0, 1), "王小明": (0, 1, 0, 0), "李书记": (2, 0, 0, 0), "孙强": (2, 0, 0, 0)}


def _paper_notes():
    return list(
        AuditEntry.objects.filter(note__startswith="ballots.paper")
        .order_by("pk")
        .values_list("note", "actor_name")
    )


def _by_name(result):
    return {c.name: c for c in result.candidates}


# --- services --------------------------------------------------------------------


def test_entered_totals_are_not_counted_until_a_second_committee_member_confirms(fx):
    services.paper_totals_enter(
        session=fx.session, ballots=2, counts=_counts(fx, **PAPER), user=fx.cast.secretary
    )
    pending = services.compute_tally(session=fx.session)
    assert pending.paper_status == "pending" and pending.paper_ballots == 0
    # Two electronic ballots alone are too few to show anyone's votes.
    assert pending.withheld == "too_few_ballots"
    assert _by_name(pending)["张丽"].counts == {} and _by_name(pending)["王小明"].blank == 0
    assert pending.turnout == Decimal("0.4") and not pending.quorum_met  # 2 of 5
    assert pending.reconciliation.paper_ballots == 0

    services.paper_totals_confirm(session=fx.session, user=fx.cast.committee_admin)
    result = services.compute_tally(session=fx.session)
    assert result.paper_status == "confirmed"
    assert (result.ballots, result.paper_ballots, result.total_ballots) == (2, 2, 4)
    zhang, wang = _by_name(result)["张丽"], _by_name(result)["王小明"]
    assert zhang.counts == {EX: 2, OK: 1, BASIC: 0, BAD: 1}
    assert zhang.shares[EX] == Decimal("0.5") and zhang.shares[BAD] == Decimal("0.25")
    assert wang.counts == {EX: 1, OK: 2, BASIC: 0, BAD: 0} and wang.blank == 1
    assert wang.blank_share == Decimal("0.25")
    assert _by_name(result)["李书记"].counts[EX] == 3
    assert result.turnout == Decimal("0.8") and result.quorum_met  # 4 of 5
    rec = result.reconciliation
    assert rec.paper_ballots == 2 and rec.ballots_within_roll and rec.consistent
    assert [m.name for m in result.not_graded] == ["赵预备"]
    assert _paper_notes() == [
        ("ballots.paper_enter", "secretary"),
        ("ballots.paper_confirm", "committee"),
    ]
    confirm = AuditEntry.objects.get(note="ballots.paper_confirm")
    assert confirm.after["counts"][fx.ids["张丽"]] == {EX: 1, OK: 0, BASIC: 0, BAD: 1}


def test_the_person_who_entered_the_totals_cannot_confirm_them(fx):
    services.paper_totals_enter(
        session=fx.session, ballots=2, counts=_counts(fx, **PAPER), user=fx.cast.committee_admin
    )
    with pytest.raises(Refused, match="录入人不能确认自己录入的票数"):
        services.paper_totals_confirm(session=fx.session, user=fx.cast.committee_admin)
    assert services.compute_tally(session=fx.session).paper_status == "pending"
    services.paper_totals_confirm(session=fx.session, user=fx.admin2)
    paper = PaperTally.objects.get(session=fx.session)
    assert (paper.entered_by, paper.confirmed_by) == (fx.cast.committee_admin, fx.admin2)


@pytest.mark.parametrize("role", ["secretary", "gb_secretary", "branch_committee", "member"])
def test_only_a_committee_admin_can_confirm(fx, role):
    services.paper_totals_enter(
        session=fx.session, ballots=2, counts=_counts(fx, **PAPER), user=fx.cast.committee_admin
    )
    with pytest.raises(Refused, match="只有负责该组织的党委管理员"):
        services.paper_totals_confirm(session=fx.session, user=getattr(fx.cast, role))
    assert services.compute_tally(session=fx.session).paper_status == "pending"
    assert _paper_notes() == [("ballots.paper_enter", "committee")]


BAD_ENTRIES = {
    "negative": (
        lambda fx: (2, _counts(fx, 张丽=(-1, 0, 0, 0))),
        ["张丽的“优秀”票数须为不小于 0 的整数"],
    ),
    "not a number": (
        lambda fx: (2, _counts(fx, 孙强=(0, 0, "1", 0))),
        ["孙强的“基本合格”票数须为不小于 0 的整数"],
    ),
    "sum over the paper ballots": (
        lambda fx: (2, _counts(fx, 王小明=(2, 1, 0, 0))),
        ["王小明的四个等次票数之和（3）超过了纸质选票张数（2）"],
    ),
    "more ballots than voters": (
        lambda fx: (4, _counts(fx)),
        ["电子选票 2 张加纸质选票 4 张，超过了名册上的 5 人"],
    ),
    "negative ballots": (lambda fx: (-1, _counts(fx)), ["纸质选票张数须为不小于 0 的整数"]),
    "missing candidate": (
        lambda fx: (2, {k: v for k, v in _counts(fx).items() if k != fx.ids["李书记"]}),
        ["缺少李书记的纸质选票票数"],
    ),
    "missing grade": (
        lambda fx: (
            2,
            {
                **_counts(fx),
                fx.ids["张丽"]: {EX: 0, OK: 0, BASIC: 0},
            },
        ),
        ["缺少张丽的“不合格”票数"],
    ),
    "unknown grade": (
        lambda fx: (2, {**_counts(fx), fx.ids["张丽"]: {**_counts(fx)[fx.ids["张丽"]], "A": 1}}),
        ["张丽的票数中有未知的等次“A”"],
    ),
    "a probationary member": (
        lambda fx: (2, {**_counts(fx), str(fx.probationary.pk): dict.fromkeys(f.GRADES, 0)}),
        ["赵预备是预备党员，不定等次"],
    ),
    "two faults at once": (
        lambda fx: (1, _counts(fx, 张丽=(1, 1, 0, 0), 孙强=(0, 0, 0, -2))),
        ["张丽的四个等次票数之和（2）超过了纸质选票张数（1）", "孙强的“不合格”票数"],
    ),
}


@pytest.mark.parametrize("case", BAD_ENTRIES, ids=list(BAD_ENTRIES))
def test_a_bad_entry_is_refused_naming_the_fault_and_changes_nothing(fx, case):
    build, expected = BAD_ENTRIES[case]
    # A pending entry already there must survive a bad re-entry untouched.
    services.paper_totals_enter(
        session=fx.session, ballots=2, counts=_counts(fx, **PAPER), user=fx.cast.secretary
    )
    before = list(PaperTally.objects.values())
    ballots, counts = build(fx)
    with pytest.raises(Refused) as refused:
        services.paper_totals_enter(
            session=fx.session, ballots=ballots, counts=counts, user=fx.cast.branch_committee
        )
    text = " ".join(refused.value.messages)
    for fragment in expected:
        assert fragment in text
    assert list(PaperTally.objects.values()) == before
    assert _paper_notes() == [("ballots.paper_enter", "secretary")]


def test_a_bad_first_entry_leaves_no_row(fx):
    with pytest.raises(Refused, match="张丽"):
        services.paper_totals_enter(
            session=fx.session,
            ballots=2,
            counts=_counts(fx, 张丽=(3, 0, 0, 0)),
            user=fx.cast.secretary,
        )
    assert not PaperTally.objects.exists()
    assert _paper_notes() == []
    assert services.compute_tally(session=fx.session).paper_status == "none"


def test_paper_totals_are_refused_before_the_close(org, cast):
    session = f.session_for(org.branch_a1)
    counts = {str(m.pk): dict.fromkeys(f.GRADES, 0) for m in (cast.member_record,)}
    with pytest.raises(Refused, match="投票结束后才能录入"):
        services.paper_totals_enter(session=session, ballots=0, counts=counts, user=cast.secretary)
    services.session_open(session=session, user=cast.secretary)
    counts = {pk: dict.fromkeys(f.GRADES, 0) for pk in map(str, services._candidate_ids(session))}
    with pytest.raises(Refused, match="投票结束后才能录入"):
        services.paper_totals_enter(session=session, ballots=1, counts=counts, user=cast.secretary)
    assert not PaperTally.objects.exists()


def test_entering_again_replaces_until_confirmed_and_is_refused_after(fx):
    services.paper_totals_enter(
        session=fx.session, ballots=3, counts=_counts(fx), user=fx.cast.secretary
    )
    services.paper_totals_enter(
        session=fx.session, ballots=2, counts=_counts(fx, **PAPER), user=fx.cast.branch_committee
    )
    assert PaperTally.objects.count() == 1
    paper = PaperTally.objects.get()
    assert paper.ballots == 2 and paper.entered_by == fx.cast.branch_committee
    assert paper.counts[fx.ids["张丽"]] == {EX: 1, OK: 0, BASIC: 0, BAD: 1}
    replaced = AuditEntry.objects.filter(note="ballots.paper_enter").order_by("pk").last()
    assert replaced.before["ballots"] == 3 and replaced.after["ballots"] == 2

    services.paper_totals_confirm(session=fx.session, user=fx.cast.committee_admin)
    with pytest.raises(Refused, match="已经确认，不能再修改"):
        services.paper_totals_enter(
            session=fx.session, ballots=1, counts=_counts(fx), user=fx.cast.secretary
        )
    paper.refresh_from_db()
    assert paper.ballots == 2 and paper.confirmed_by == fx.cast.committee_admin
    assert services.compute_tally(session=fx.session).paper_ballots == 2


def test_a_second_confirmation_or_one_of_a_superseded_entry_is_refused(fx):
    first = services.paper_totals_enter(
        session=fx.session, ballots=3, counts=_counts(fx), user=fx.cast.secretary
    )
    services.paper_totals_enter(
        session=fx.session, ballots=2, counts=_counts(fx, **PAPER), user=fx.cast.secretary
    )
    # The confirmer was shown the first entry: the second must not be confirmed unseen.
    with pytest.raises(Refused, match="重新录入"):
        services.paper_totals_confirm(
            session=fx.session, user=fx.cast.committee_admin, entered_at=first.entered_at
        )
    assert services.compute_tally(session=fx.session).paper_status == "pending"
    current = PaperTally.objects.get()
    services.paper_totals_confirm(
        session=fx.session, user=fx.cast.committee_admin, entered_at=current.entered_at
    )
    with pytest.raises(Refused, match="已经确认过了"):
        services.paper_totals_confirm(session=fx.session, user=fx.admin2)
    assert PaperTally.objects.get().confirmed_by == fx.cast.committee_admin
    assert [n for n, _a in _paper_notes()].count("ballots.paper_confirm") == 1


@pytest.mark.django_db(transaction=True)
def test_two_committee_admins_confirming_at_the_same_instant_count_once(org, cast, tmp_path):
    """Real transactions, two threads: exactly one confirmation is recorded."""
    session = _closed_session(org, cast)
    admin2 = _second_committee_admin(org)
    counts = {pk: dict.fromkeys(f.GRADES, 0) for pk in map(str, services._candidate_ids(session))}
    services.paper_totals_enter(session=session, ballots=1, counts=counts, user=cast.secretary)
    path = None
    if connection.vendor == "sqlite":
        path = tmp_path / "paper.sqlite3"
        f.copy_test_database_to(path)
    barrier = threading.Barrier(2)
    outcomes: list[str] = ["", ""]

    def confirm(i, user):
        context = f.using_file_database(path) if path else _noop()
        with context:
            try:
                barrier.wait()
                services.paper_totals_confirm(session=session, user=user)
                outcomes[i] = "confirmed"
            except Refused:
                outcomes[i] = "refused"
            except Exception as error:  # noqa: BLE001 - reported by the assertion
                outcomes[i] = repr(error)
            finally:
                connections["default"].close()

    threads = [
        threading.Thread(target=confirm, args=(i, u))
        for i, u in enumerate((cast.committee_admin, admin2))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["confirmed", "refused"]
    with f.using_file_database(path) if path else _noop():
        try:
            assert PaperTally.objects.filter(confirmed_by__isnull=False).count() == 1
            assert AuditEntry.objects.filter(note="ballots.paper_confirm").count() == 1
        finally:
            if path:
                connections["default"].close()


class _noop:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


# --- pages -------------------------------------------------------------------------


def _form_data(fx, ballots, by_name) -> dict[str, object]:
    data: dict[str, object] = {"ballots": ballots}
    for name, pk in fx.ids.items():
        for grade, n in zip(f.GRADES, by_name.get(name, (0, 0, 0, 0)), strict=True):
            data[f"c{pk}_{grade}"] = n
    return data


def test_secretary_enters_a_second_committee_admin_confirms_and_the_tally_combines(fx, client):
    client.force_login(fx.cast.secretary)
    detail = client.get(reverse("ballots:detail", args=[fx.session.pk])).content.decode()
    paper_url = reverse("ballots:paper", args=[fx.session.pk])
    assert paper_url in detail
    form = client.get(paper_url).content.decode()
    assert form.count('inputmode="numeric"') == 1 + 4 * 4  # ballots + 4 candidates × 4 grades
    assert "张丽" in form and "孙强" in form and "赵预备" not in form

    response = client.post(paper_url, _form_data(fx, 2, PAPER), follow=True)
    page = response.content.decode()
    assert "等待另一位党委管理员确认；确认前不计入上表" in page
    assert "收回选票 2 张，名册 5 人" in page  # the paper ballots are not counted yet
    assert "待确认的纸质选票票数" in page
    assert reverse("ballots:paper_confirm", args=[fx.session.pk]) not in page
    assert "未达到有效人数" in page

    client.force_login(fx.cast.committee_admin)
    tally_url = reverse("ballots:tally", args=[fx.session.pk])
    page = client.get(tally_url).content.decode()
    assert "核对无误，确认纸质选票票数" in page
    entered_at = re.search(r'name="entered_at" value="([^"]+)"', page).group(1)
    response = client.post(
        reverse("ballots:paper_confirm", args=[fx.session.pk]),
        {"entered_at": entered_at},
        follow=True,
    )
    page = response.content.decode()
    assert "纸质选票票数已确认，已计入结果" in page
    assert "收回选票 4 张（电子 2 张，纸质 2 张），名册 5 人" in page
    assert "达到有效人数" in page and "未达到有效人数" not in page
    assert re.search(r"纸质选票 2 张：secretary 于 [\d-]+ [\d:]+ 录入，committee 于", page)
    assert "核对一致" in page
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th>(.*?)</tr>', page))
    # 张丽: electronic 优秀 + 合格, paper 优秀 + 不合格 → 2 / 1 / 0 / 1 of 4, none blank.
    assert re.findall(r"<td[^>]*>(\d+) ", rows["张丽"]) == ["2", "1", "0", "1", "0"]
    # 王小明: one paper ballot left him blank (未评定).
    assert re.findall(r"<td[^>]*>(\d+) ", rows["王小明"]) == ["1", "2", "0", "0", "1"]
    assert "1 <small>(25.0%)</small>" in rows["王小明"]
    assert "修改纸质选票票数" not in page


def test_the_paper_form_names_the_candidate_and_grade_at_fault_and_saves_nothing(fx, client):
    client.force_login(fx.cast.secretary)
    paper_url = reverse("ballots:paper", args=[fx.session.pk])
    negative = _form_data(fx, 2, {"张丽": (-1, 0, 0, 0), "王小明": (2, 1, 0, 0)})
    page = client.post(paper_url, negative).content.decode()
    assert "票数未保存" in page
    assert "张丽的“优秀”票数须为不小于 0 的整数。" in page
    assert "王小明的四个等次票数之和（3）超过了纸质选票张数（2）。" in page
    empty = _form_data(fx, 2, PAPER)
    empty[f"c{fx.ids['孙强']}_{BASIC}"] = ""
    page = client.post(paper_url, empty).content.decode()
    assert "请填写孙强的“基本合格”票数（没有则填 0）。" in page
    page = client.post(paper_url, _form_data(fx, 9, {})).content.decode()
    assert "电子选票 2 张加纸质选票 9 张，超过了名册上的 5 人。" in page
    assert not PaperTally.objects.exists()


def test_the_committee_admin_who_entered_sees_no_confirm_button_and_cannot_confirm(fx, client):
    client.force_login(fx.cast.committee_admin)
    client.post(reverse("ballots:paper", args=[fx.session.pk]), _form_data(fx, 2, PAPER))
    page = client.get(reverse("ballots:tally", args=[fx.session.pk])).content.decode()
    assert "您录入了这些票数，须由另一位党委管理员确认。" in page
    assert "核对无误，确认纸质选票票数" not in page
    entered_at = PaperTally.objects.get().entered_at.isoformat()
    confirm_url = reverse("ballots:paper_confirm", args=[fx.session.pk])
    assert client.post(confirm_url, {"entered_at": entered_at}).status_code == 403
    client.force_login(fx.cast.secretary)
    assert client.post(confirm_url, {"entered_at": entered_at}).status_code == 403
    assert PaperTally.objects.get().confirmed_by is None

    client.force_login(fx.admin2)
    page = client.post(confirm_url, {"entered_at": entered_at}, follow=True).content.decode()
    assert "党委委员乙 于" in page
    page = client.get(reverse("ballots:paper", args=[fx.session.pk])).content.decode()
    assert "确认，不能再修改" in page and 'name="ballots"' not in page


def test_the_paper_page_waits_for_the_close(org, cast, client):
    session = f.session_for(org.branch_a1)
    services.session_open(session=session, user=cast.secretary)
    client.force_login(cast.secretary)
    page = client.get(reverse("ballots:paper", args=[session.pk])).content.decode()
    assert "投票结束后才能录入纸质选票票数" in page
    assert 'name="ballots"' not in page
