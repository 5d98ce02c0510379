"""Voting by card and by logging in, the close, the tally, the receipts, the audit
trail and the logs — on the ordinary test database."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection

from vanguard.audit.models import AuditEntry
from vanguard.ballots import services
from vanguard.ballots.models import AppraisalSession, Ballot, RollEntry, VotingCard
from vanguard.ballots.services import Refused
from vanguard.ballots.tests import factories as f
from vanguard.organization.models import Member

pytestmark = pytest.mark.django_db

EX, OK, BASIC, BAD = f.GRADES


@pytest.fixture
def fx(org, cast):
    """branch_a1 of the cast: 李书记, 王小明, 张丽 (formal) and 赵预备 (probationary)."""
    probationary = Member.objects.create(
        name="赵预备",
        number="T0009",
        branch=org.branch_a1,
        category=Member.Category.FACULTY,
        standing=Member.Standing.PROBATIONARY,
    )
    session = f.session_for(org.branch_a1)
    return SimpleNamespace(org=org, cast=cast, session=session, probationary=probationary)


def _open_with_cards(fx, spares=2, present=True):
    services.session_open(session=fx.session, user=fx.cast.secretary)
    if present:
        f.tick_all_present(fx.session)
    return services.cards_issue(session=fx.session, spares=spares)


def test_opening_freezes_the_roll_formal_members_graded_probationary_vote_only(fx):
    services.session_open(session=fx.session, user=fx.cast.secretary)
    f.branch(name="别的支部", formal=1, probationary=0, prefix="Z")  # not on this roll
    late = Member.objects.create(
        name="后来者", number="T0010", branch=fx.org.branch_a1, category=Member.Category.FACULTY
    )
    roll = {e.member.name: e.is_candidate for e in RollEntry.objects.filter(session=fx.session)}
    assert roll == {"李书记": True, "王小明": True, "张丽": True, "赵预备": False}
    assert late.name not in roll
    with pytest.raises(Refused):
        services.session_open(session=fx.session, user=fx.cast.secretary)
    assert RollEntry.objects.filter(session=fx.session).count() == 4


def test_cards_are_returned_once_and_only_their_hashes_are_stored(fx):
    cards = _open_with_cards(fx, spares=3)
    assert len(cards) == 4 + 3
    assert len({c.code for c in cards}) == 7 and len({c.receipt for c in cards}) == 7
    stored = json.dumps(list(VotingCard.objects.values()), default=str)
    for card in cards:
        assert card.code.replace("-", "") not in stored and card.code not in stored
        assert services.code_hash(card.code) in stored


def test_a_card_votes_once_a_second_use_or_a_replay_after_close_is_refused(fx):
    cards = _open_with_cards(fx)
    services.vote_by_card(
        session=fx.session, code=cards[0].code, grades=f.uniform_ballot(fx.session, EX)
    )
    with pytest.raises(Refused):
        services.vote_by_card(
            session=fx.session, code=cards[0].code, grades=f.uniform_ballot(fx.session, BAD)
        )
    # typed in lower case without dashes: the same code, still refused
    with pytest.raises(Refused):
        services.vote_by_card(
            session=fx.session,
            code=cards[0].code.replace("-", "").lower(),
            grades=f.uniform_ballot(fx.session, BAD),
        )
    services.session_close(session=fx.session, user=fx.cast.secretary)
    with pytest.raises(Refused):
        services.vote_by_card(
            session=fx.session, code=cards[0].code, grades=f.uniform_ballot(fx.session, BAD)
        )
    with pytest.raises(Refused):  # an unused card is void after the close
        services.vote_by_card(
            session=fx.session, code=cards[1].code, grades=f.uniform_ballot(fx.session, BAD)
        )
    assert Ballot.objects.filter(session=fx.session).count() == 1
    assert list(Ballot.objects.values_list("grades", flat=True)) == [  # in plain after the close
        f.uniform_ballot(fx.session, EX)
    ]


def test_no_vote_in_a_draft_session_or_with_another_sessions_code(fx):
    other_unit, _ = f.branch(name="另一个支部", formal=2, probationary=0, prefix="O")
    other = f.session_for(other_unit)
    services.session_open(session=other, user=fx.cast.committee_admin)
    other_cards = services.cards_issue(session=other, spares=0)
    draft_cards = services.cards_issue(session=fx.session, spares=0)  # printed before opening
    with pytest.raises(Refused):
        services.vote_by_card(session=fx.session, code=draft_cards[0].code, grades={})
    services.session_open(session=fx.session, user=fx.cast.secretary)
    f.tick_all_present(other)
    f.tick_all_present(fx.session)
    with pytest.raises(Refused):
        services.vote_by_card(
            session=fx.session, code=other_cards[0].code, grades=f.uniform_ballot(fx.session, OK)
        )
    assert Ballot.objects.count() == 0
    assert not VotingCard.objects.filter(used=True).exists()
    # the draft-printed card works once the session is open
    services.vote_by_card(
        session=fx.session, code=draft_cards[0].code, grades=f.uniform_ballot(fx.session, OK)
    )
    assert Ballot.objects.filter(session=fx.session).count() == 1


def test_a_ballot_must_grade_every_candidate_with_a_real_grade_and_burns_no_code(fx):
    cards = _open_with_cards(fx)
    full = f.uniform_ballot(fx.session, OK)
    partial = dict(list(full.items())[:-1])
    with_probationary = {**full, str(fx.probationary.pk): OK}
    wrong_grade = {**full, next(iter(full)): "perfect"}
    for grades in (partial, with_probationary, wrong_grade, {}):
        with pytest.raises(Refused):
            services.vote_by_card(session=fx.session, code=cards[0].code, grades=grades)
    assert not VotingCard.objects.filter(used=True).exists()
    services.vote_by_card(session=fx.session, code=cards[0].code, grades=full)
    assert Ballot.objects.count() == 1


def test_a_failure_between_marking_the_code_and_writing_the_ballot_changes_nothing(fx, monkeypatch):
    cards = _open_with_cards(fx)
    acknowledged = 0
    for card in cards[:2]:
        services.vote_by_card(
            session=fx.session, code=card.code, grades=f.uniform_ballot(fx.session, OK)
        )
        acknowledged += 1

    def crash(**kwargs):
        raise RuntimeError("the process dies here")

    monkeypatch.setattr(services, "_insert_ballot", crash)
    with pytest.raises(RuntimeError):
        services.vote_by_card(
            session=fx.session, code=cards[2].code, grades=f.uniform_ballot(fx.session, OK)
        )
    monkeypatch.undo()
    assert VotingCard.objects.filter(used=True).count() == acknowledged  # code not burned
    assert Ballot.objects.count() == acknowledged  # every acknowledged vote stored
    services.vote_by_card(
        session=fx.session, code=cards[2].code, grades=f.uniform_ballot(fx.session, OK)
    )
    assert Ballot.objects.count() == VotingCard.objects.filter(used=True).count() == 3


def test_tally_is_refused_before_the_close_and_counts_every_ballot_after(fx):
    cards = _open_with_cards(fx, spares=2, present=False)
    for member in (fx.cast.member_record, fx.cast.colleague_record, fx.probationary):
        services.roll_mark_present(session=fx.session, member=member)
    ids = [str(pk) for pk in services._candidate_ids(fx.session)]
    votes = [
        {ids[0]: EX, ids[1]: OK, ids[2]: OK},
        {ids[0]: EX, ids[1]: BASIC, ids[2]: OK},
        {ids[0]: OK, ids[1]: BAD, ids[2]: OK},
    ]
    for card, grades in zip(cards, votes, strict=False):
        services.vote_by_card(session=fx.session, code=card.code, grades=grades)
    with pytest.raises(Refused):
        services.tally(session=fx.session, user=fx.cast.secretary)
    with pytest.raises(Refused):
        services.receipts_published(session=fx.session)
    services.session_close(session=fx.session, user=fx.cast.secretary)
    result = services.tally(session=fx.session, user=fx.cast.secretary)
    by_id = {str(c.member_id): c for c in result.candidates}
    assert by_id[ids[0]].counts == {EX: 2, OK: 1, BASIC: 0, BAD: 0}
    assert by_id[ids[1]].counts == {EX: 0, OK: 1, BASIC: 1, BAD: 1}
    assert by_id[ids[0]].shares[EX] == Decimal("0.6667")
    assert [m.name for m in result.not_graded] == ["赵预备"]
    assert result.ballots == 3 and result.voters_on_roll == 4
    assert result.turnout == Decimal("0.75") and result.quorum_met
    rec = result.reconciliation
    assert (rec.ballots, rec.cards_used, rec.present, rec.login_votes) == (3, 3, 3, 0)
    assert (rec.cards_printed, rec.cards_void) == (6, 3)
    assert rec.consistent
    assert services.receipts_published(session=fx.session) == sorted(c.receipt for c in cards[:3])


def test_quorum_needs_more_than_half_of_the_roll(fx):
    cards = _open_with_cards(fx)
    for card in cards[:2]:  # 2 of 4: exactly half is not more than half
        services.vote_by_card(
            session=fx.session, code=card.code, grades=f.uniform_ballot(fx.session, OK)
        )
    services.session_close(session=fx.session)
    assert not services.tally(session=fx.session).quorum_met


def test_logged_in_voting_only_when_allowed_once_and_never_with_a_card(fx):
    services.session_open(session=fx.session, user=fx.cast.secretary)
    grades = f.uniform_ballot(fx.session, OK)
    with pytest.raises(Refused):
        services.vote_logged_in(session=fx.session, user=fx.cast.member, grades=grades)
    services.session_set_login_voting(session=fx.session, allow=True)
    services.vote_logged_in(session=fx.session, user=fx.cast.member, grades=grades)
    with pytest.raises(Refused):  # a second tab
        services.vote_logged_in(session=fx.session, user=fx.cast.member, grades=grades)
    with pytest.raises(Refused):  # then turning up at the door for a card
        services.roll_mark_present(session=fx.session, member=fx.cast.member_record)
    with pytest.raises(Refused):  # not on this roll
        services.vote_logged_in(session=fx.session, user=fx.cast.other_member, grades=grades)
    services.roll_mark_present(session=fx.session, member=fx.cast.colleague_record)
    assert Ballot.objects.count() == 1
    services.session_close(session=fx.session)
    rec = services.tally(session=fx.session).reconciliation
    assert (rec.ballots, rec.login_votes, rec.cards_used) == (1, 1, 0) and rec.consistent


def test_closing_rewrites_the_ballots_out_of_voting_order(org, cast):
    unit, _members = f.branch(formal=5, probationary=25, prefix="R")
    session = f.session_for(unit)
    services.session_open(session=session, user=cast.secretary)
    f.tick_all_present(session)
    cards = services.cards_issue(session=session, spares=0)
    cast_order = [f.ballot_for(session, n) for n in range(30)]
    for card, grades in zip(cards, cast_order, strict=True):
        services.vote_by_card(session=session, code=card.code, grades=grades)
    order_by = "rowid" if connection.vendor == "sqlite" else "ctid"
    sql = f"SELECT id, grades, sealed FROM ballots_ballot WHERE session_id = %s ORDER BY {order_by}"  # noqa: S608

    def stored():
        with connection.cursor() as cursor:
            cursor.execute(sql, [session.pk])
            return [
                (str(i), json.loads(g) if isinstance(g, str) else g, s)
                for i, g, s in cursor.fetchall()
            ]

    before = stored()
    # While open, the rows follow the voting, but hold the grades only sealed.
    assert len(before) == 30 and all(g is None and s for _i, g, s in before)
    assert len({len(bytes(s)) for _i, _g, s in before}) == 1  # same length, whatever the grades
    services.session_close(session=session, user=cast.secretary)
    after = stored()
    assert all(s is None for _i, _g, s in after)
    by_content = sorted(cast_order, key=lambda g: json.dumps(g, sort_keys=True))
    assert [g for _i, g, _s in after] == by_content != cast_order
    assert not {i for i, _g, _s in before} & {i for i, _g, _s in after}  # every id is new


def test_the_audit_trail_and_the_logs_hold_open_close_tally_and_nothing_of_a_ballot(fx, caplog):
    caplog.set_level(logging.DEBUG)
    cards = _open_with_cards(fx, present=False)
    services.session_set_login_voting(session=fx.session, allow=True)
    services.roll_mark_present(session=fx.session, member=fx.cast.colleague_record)
    services.vote_by_card(
        session=fx.session, code=cards[0].code, grades=f.uniform_ballot(fx.session, BASIC)
    )
    services.vote_logged_in(
        session=fx.session, user=fx.cast.member, grades=f.uniform_ballot(fx.session, BAD)
    )
    services.session_close(session=fx.session, user=fx.cast.secretary)
    services.tally(session=fx.session, user=fx.cast.secretary)
    entries = list(AuditEntry.objects.order_by("pk"))
    votes = [e for e in entries if e.object_type == "ballots.appraisalsession"]
    assert [e.note for e in votes] == ["ballots.open", "ballots.close", "ballots.tally"]
    # Besides, the meetings app's own records: the meeting the vote is held at (made at
    # the open) and its attendance, the door roll (written at the close, all at once).
    others = {e.object_type for e in entries if e not in votes}
    assert "meetings.meetingattendance" in others
    assert others <= {"meetings.meeting", "meetings.meetingattendance"}
    trail = json.dumps(list(AuditEntry.objects.values()), default=str, ensure_ascii=False)
    for secret in [c.code for c in cards] + [c.receipt for c in cards] + [BASIC, BAD, "qualified"]:
        assert secret not in trail
        assert secret not in caplog.text


def test_a_session_can_only_be_closed_once_and_only_when_open(fx):
    with pytest.raises(Refused):
        services.session_close(session=fx.session)
    services.session_open(session=fx.session)
    services.session_close(session=fx.session)
    with pytest.raises(Refused):
        services.session_close(session=fx.session)
    assert AppraisalSession.objects.get(pk=fx.session.pk).status == AppraisalSession.Status.CLOSED


# --- one member, one ballot; one set of cards ----------------------------------------


def test_a_member_who_drew_a_card_cannot_also_vote_by_logging_in_whatever_the_roll_says(fx):
    """Ticked present, voted by card, unticked, then voted logged in: only one counts."""
    cards = _open_with_cards(fx, present=False)
    services.session_set_login_voting(session=fx.session, allow=True)
    me, colleague = fx.cast.member_record, fx.cast.colleague_record
    services.roll_mark_present(session=fx.session, member=me)
    services.vote_by_card(
        session=fx.session, code=cards[0].code, grades=f.uniform_ballot(fx.session, EX)
    )
    # Unticking the only member present would leave a used card nobody drew: refused.
    with pytest.raises(Refused, match="不能再取消到会登记"):
        services.roll_mark_present(session=fx.session, member=me, present=False)
    # With a second member ticked the untick goes through...
    services.roll_mark_present(session=fx.session, member=colleague)
    services.roll_mark_present(session=fx.session, member=me, present=False)
    # ...but whoever was ticked may hold a card, so logging in is refused.
    with pytest.raises(Refused, match="曾在会场登记到会"):
        services.vote_logged_in(
            session=fx.session, user=fx.cast.member, grades=f.uniform_ballot(fx.session, BAD)
        )
    # And the one member still ticked cannot add a second card ballot to the first.
    with pytest.raises(Refused, match="到会登记的人数都已投票"):
        services.vote_by_card(
            session=fx.session, code=cards[1].code, grades=f.uniform_ballot(fx.session, BAD)
        )
    assert Ballot.objects.filter(session=fx.session).count() == 1
    services.session_close(session=fx.session)
    rec = services.tally(session=fx.session).reconciliation
    assert rec.ballots == 1 and rec.consistent


def test_card_ballots_never_outnumber_the_members_ticked_present(fx):
    cards = _open_with_cards(fx, spares=3, present=False)
    services.roll_mark_present(session=fx.session, member=fx.cast.member_record)
    services.roll_mark_present(session=fx.session, member=fx.cast.colleague_record)
    grades = f.uniform_ballot(fx.session, OK)
    outcomes = []
    for card in cards:  # 4 voters' cards and 3 spares, 2 members ticked
        try:
            services.vote_by_card(session=fx.session, code=card.code, grades=grades)
            outcomes.append("counted")
        except Refused:
            outcomes.append("refused")
    assert outcomes.count("counted") == 2
    services.roll_mark_present(session=fx.session, member=fx.probationary)  # a third arrives
    services.vote_by_card(session=fx.session, code=cards[-1].code, grades=grades)
    assert Ballot.objects.filter(session=fx.session).count() == 3


def test_printing_the_cards_again_voids_the_first_set_and_is_refused_once_voting_began(fx):
    services.session_open(session=fx.session, user=fx.cast.secretary)
    f.tick_all_present(fx.session)
    first = services.cards_issue(session=fx.session, spares=2)
    second = services.cards_issue(session=fx.session, spares=1)
    valid = VotingCard.objects.filter(session=fx.session, used=False, void=False)
    assert valid.count() == 4 + 1  # the roll and the last run's spares, never 4+2 + 4+1
    grades = f.uniform_ballot(fx.session, OK)
    for card in first:
        with pytest.raises(Refused):
            services.vote_by_card(session=fx.session, code=card.code, grades=grades)
    services.vote_by_card(session=fx.session, code=second[0].code, grades=grades)
    with pytest.raises(Refused, match="不能重新印制"):
        services.cards_issue(session=fx.session, spares=0)
    assert VotingCard.objects.filter(session=fx.session, used=False, void=False).count() == 4
    services.session_close(session=fx.session)
    rec = services.tally(session=fx.session).reconciliation
    assert (rec.cards_printed, rec.cards_used, rec.cards_void) == (11, 1, 10)
    assert rec.consistent


def test_a_secret_key_changed_during_the_vote_refuses_the_close_until_the_old_one_is_back(
    fx, settings
):
    cards = _open_with_cards(fx)
    services.vote_by_card(
        session=fx.session, code=cards[0].code, grades=f.uniform_ballot(fx.session, EX)
    )
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key-" + "y" * 40
    with pytest.raises(Refused, match="VANGUARD_SECRET_KEY_FALLBACKS"):
        services.session_close(session=fx.session)
    assert AppraisalSession.objects.get(pk=fx.session.pk).status == "open"  # nothing changed
    settings.SECRET_KEY_FALLBACKS = [old]
    services.session_close(session=fx.session)
    assert services.tally(session=fx.session).ballots == 1
