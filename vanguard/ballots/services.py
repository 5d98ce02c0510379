"""The secret ballot's business rules. Every function takes keyword arguments and runs
in one transaction. Read README.md first: each promise made there is kept here.

Never log a code, a receipt, grades or an address in this module.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, OperationalError, connection, connections, transaction
from django.db.models import Case, F, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts.models import User
from vanguard.audit.models import AuditEntry
from vanguard.audit.services import audit_record
from vanguard.ballots import access, card_cache, sealing
from vanguard.ballots.models import (
    AppraisalSession,
    Ballot,
    Grade,
    PaperTally,
    RollEntry,
    VotingCard,
)
from vanguard.campaigns.models import Campaign
from vanguard.meetings import services as meeting_services
from vanguard.organization.models import Member, Unit

logger = logging.getLogger(__name__)

OBJECT_TYPE = "ballots.appraisalsession"
# Crockford base32: no I, L, O, U — easy to type from a printed card.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 60 random bits
RECEIPT_LENGTH = 8  # 40 random bits, unique within a session
GRADES = tuple(Grade.values)
PAPER_OBJECT_TYPE = "ballots.papertally"
PAPER_NONE, PAPER_PENDING, PAPER_CONFIRMED = "none", "pending", "confirmed"


class Refused(ValidationError):
    """A vote or an action the rules do not allow. Nothing was changed."""


class NotTickedPresent(Refused):
    """A valid, unused card, but every member ticked present has already voted: the
    voter is to be ticked at the door first. (Said only to the holder of a valid card,
    so it is no oracle for guessing codes.)"""


@dataclass(frozen=True)
class IssuedCard:
    code: str  # for printing only; never stored
    receipt: str


# --- codes --------------------------------------------------------------------


def _random_string(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalise_code(code: str) -> str:
    """What the voter typed → the canonical code: case, spaces, dashes and the
    look-alike letters (O→0, I/L→1) do not matter."""
    text = (code or "").upper().replace("-", "").replace(" ", "").strip()
    return text.translate(str.maketrans("OIL", "011"))


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode("ascii", "ignore")).hexdigest()


# --- sessions -----------------------------------------------------------------


def eligible_members(unit: Unit):
    """The unit's active members: a branch's, or a party group's."""
    members = Member.objects.filter(is_active=True)
    if unit.kind == Unit.Kind.BRANCH:
        return members.filter(branch=unit)
    if unit.kind == Unit.Kind.PARTY_GROUP:
        return members.filter(party_group=unit)
    raise Refused(_("民主评议投票只能在党支部或党小组中进行。"))


def session_create(
    *,
    campaign: Campaign,
    unit: Unit,
    meeting: Any = None,
    quorum: Decimal | str | None = None,
    allow_login_voting: bool = False,
) -> AppraisalSession:
    eligible_members(unit)  # refuses a unit that is neither a branch nor a party group
    quorum_value = Decimal("0.5") if quorum is None else Decimal(str(quorum))
    if not (Decimal("0") <= quorum_value < Decimal("1")):
        raise Refused({"quorum": _("有效投票比例须在 0 到 1 之间。")})
    if meeting is not None and (
        meeting.unit_id != unit.pk or meeting.kind not in meeting_services.VOTE_MEETING_KINDS
    ):
        raise Refused({"meeting": _("所选民主评议会不是该支部或党小组的会议。")})
    with transaction.atomic():
        return AppraisalSession.objects.create(
            campaign=campaign,
            unit=unit,
            meeting=meeting,
            quorum=quorum_value,
            allow_login_voting=allow_login_voting,
        )


def session_set_login_voting(*, session: AppraisalSession, allow: bool) -> AppraisalSession:
    """The committee allows (or stops) logged-in voting. Allowed until the close."""
    with transaction.atomic():
        if session.status == AppraisalSession.Status.CLOSED:
            raise Refused(_("投票已结束，不能再修改。"))
        AppraisalSession.objects.filter(pk=session.pk).update(allow_login_voting=allow)
        session.allow_login_voting = allow
    return session


def session_open(*, session: AppraisalSession, user: User | None = None) -> AppraisalSession:
    """Open the vote and freeze the roll: the unit's active members at this moment;
    formal members are candidates, probationary members vote only (不定等次)."""
    with transaction.atomic():
        members = list(eligible_members(session.unit).order_by("number"))
        if not any(m.standing == Member.Standing.FORMAL for m in members):
            raise Refused(_("该组织没有正式党员，无法开始民主评议投票。"))
        now = timezone.now()
        salt = sealing.new_salt()
        opened = AppraisalSession.objects.filter(
            pk=session.pk, status=AppraisalSession.Status.DRAFT
        ).update(status=AppraisalSession.Status.OPEN, opened_at=now, seal_salt=salt)
        if opened == 0:
            raise Refused(_("该投票已经开始或已经结束，不能再次开始。"))
        RollEntry.objects.bulk_create(
            RollEntry(
                session=session,
                member=m,
                is_candidate=m.standing == Member.Standing.FORMAL,
            )
            for m in members
        )
        if session.meeting_id is None:
            # The vote is held at a meeting: the unit's appraisal meeting of today, or a
            # new one, so that nobody records the meeting (or its attendance) again.
            session.meeting = meeting_services.meeting_for_vote(
                unit=session.unit,
                campaign=session.campaign,
                actor=user,
                taken=AppraisalSession.objects.exclude(meeting=None).values_list(
                    "meeting_id", flat=True
                ),
            )
            AppraisalSession.objects.filter(pk=session.pk).update(meeting=session.meeting)
        session.status, session.opened_at, session.seal_salt = (
            AppraisalSession.Status.OPEN,
            now,
            salt,
        )
        audit_record(
            action=AuditEntry.Action.UPDATE,
            obj=session,
            object_type=OBJECT_TYPE,
            before={"status": AppraisalSession.Status.DRAFT},
            after={"status": AppraisalSession.Status.OPEN, "voters": len(members)},
            note="ballots.open",
            actor=user,
        )
        # The card page caches the open session's form (card_cache.py): a new version.
        transaction.on_commit(lambda: card_cache.bump(session.pk), robust=True)
    return session


def cards_issue(*, session: AppraisalSession, spares: int) -> list[IssuedCard]:
    """Create one card per voter (the frozen roll once open, the unit's eligible members
    before) plus `spares`. The raw codes are returned ONCE, for printing; only their
    hashes are stored.

    Printing again makes a new set and voids every card of the earlier one, so there
    are never more valid codes than voters plus the spares of the last run; once a card
    has been used, the cards cannot be printed again."""
    if spares < 0:
        raise Refused({"spares": _("备用卡数量不能为负数。")})
    with transaction.atomic():
        current = _lock_session(session)
        if current.status == AppraisalSession.Status.CLOSED:
            raise Refused(_("投票已结束，不能再印制投票卡。"))
        cards = VotingCard.objects.filter(session=current)
        if cards.filter(used=True).exists():
            raise Refused(_("已经有人用投票卡投了票，不能重新印制：请使用已印制的投票卡和备用卡。"))
        if current.status == AppraisalSession.Status.OPEN:
            voters = current.roll.count()
        else:
            voters = eligible_members(current.unit).count()
        cards.filter(void=False).update(void=True)
        taken = set(VotingCard.objects.filter(session=session).values_list("receipt", flat=True))
        issued: list[IssuedCard] = []
        for _i in range(voters + spares):
            receipt = _random_string(RECEIPT_LENGTH)
            while receipt in taken:
                receipt = _random_string(RECEIPT_LENGTH)
            taken.add(receipt)
            issued.append(IssuedCard(code=_random_string(CODE_LENGTH), receipt=receipt))
        VotingCard.objects.bulk_create(
            VotingCard(session=session, code_hash=code_hash(card.code), receipt=card.receipt)
            for card in issued
        )
    return [IssuedCard(code=format_code(c.code), receipt=c.receipt) for c in issued]


def roll_mark_present(
    *, session: AppraisalSession, member: Member, present: bool = True
) -> RollEntry:
    """Tick (or untick) a member present at the door, where they draw a card.

    Each member ticked present lets one card vote count, so a tick can be taken back
    only while fewer cards have been used than members are ticked. A member once ticked
    keeps the mark `card_drawn`: they may hold a card, so they cannot vote by logging
    in as well, even after being unticked."""
    with transaction.atomic():
        current = _lock_session(session)
        entry = RollEntry.objects.filter(session=current, member=member).first()
        if entry is None:
            raise Refused(_("该党员不在本次投票的名册上。"))
        if current.status != AppraisalSession.Status.OPEN:
            raise Refused(_("投票未在进行中。"))
        if present and entry.login_voted:
            raise Refused(_("该党员已登录投票，不能再领取投票卡。"))
        if present == entry.present:
            return entry
        if not present:
            used = VotingCard.objects.filter(session=current, used=True).count()
            ticked = RollEntry.objects.filter(session=current, present=True).count()
            if used >= ticked:
                raise Refused(
                    _(
                        "已使用的投票卡（%(used)s 张）已达到到会人数（%(present)s 人），"
                        "不能再取消到会登记。"
                    )
                    % {"used": used, "present": ticked}
                )
            RollEntry.objects.filter(pk=entry.pk).update(present=False)
        else:
            RollEntry.objects.filter(pk=entry.pk).update(present=True, card_drawn=True)
            entry.card_drawn = True
        entry.present = present
    return entry


def roll_set_present(
    *, session: AppraisalSession, present: Iterable[Any], shown: Iterable[Any] | None = None
) -> tuple[int, int]:
    """The door roll in one go: the members in `present` are ticked, every other member
    unticked ("全部到会", then the absent unticked before saving). `shown`: the members
    the secretary's page showed ticked; when given, only those can be unticked, so a
    page loaded before another device ticked a late arrival does not untick them. Same rules as
    `roll_mark_present`: a member who voted by logging in cannot be ticked, and ticks
    can be taken back only while no more cards have been used than members stay
    ticked; refused as a whole, changing nothing. One UPDATE each way, so not even the
    order of the ticks is written. Returns (ticked, unticked)."""
    wanted = {int(pk) for pk in present}
    seen = None if shown is None else {int(pk) for pk in shown}
    with transaction.atomic():
        current = _lock_session(session)
        if current.status != AppraisalSession.Status.OPEN:
            raise Refused(_("投票未在进行中。"))
        entries = list(RollEntry.objects.filter(session=current).select_related("member"))
        if wanted - {e.member_id for e in entries}:
            raise Refused(_("该党员不在本次投票的名册上。"))
        voted = [e.member.name for e in entries if e.login_voted and e.member_id in wanted]
        if voted:
            raise Refused(
                _("%(names)s 已登录投票，不能再领取投票卡。") % {"names": _("、").join(voted)}
            )
        tick = [e.pk for e in entries if e.member_id in wanted and not e.present]
        untick = [
            e.pk
            for e in entries
            if e.member_id not in wanted and e.present and (seen is None or e.member_id in seen)
        ]
        if untick:
            used = VotingCard.objects.filter(session=current, used=True).count()
            ticked = sum(1 for e in entries if e.present)
            if used > ticked + len(tick) - len(untick):
                raise Refused(
                    _(
                        "已使用的投票卡（%(used)s 张）已达到到会人数（%(present)s 人），"
                        "不能再取消到会登记。"
                    )
                    % {"used": used, "present": ticked}
                )
            RollEntry.objects.filter(pk__in=untick).update(present=False)
        if tick:
            RollEntry.objects.filter(pk__in=tick).update(present=True, card_drawn=True)
    return len(tick), len(untick)


# --- voting -------------------------------------------------------------------


def _candidate_ids(session: AppraisalSession) -> list[int]:
    return list(
        RollEntry.objects.filter(session=session, is_candidate=True)
        .order_by("member_id")
        .values_list("member_id", flat=True)
    )


def clean_grades(
    *,
    session: AppraisalSession,
    grades: Mapping[Any, Any],
    candidates: list[int] | None = None,
) -> dict[str, str]:
    """Every candidate graded exactly once with one of the four grades; the result has
    its keys sorted (the member ids, as text). `candidates`: the session's candidate ids
    in member-id order, when the caller has them already (the card page's cache: the
    roll is frozen while the vote is open); else read from the roll."""
    if candidates is None:
        candidates = _candidate_ids(session)
    wanted = {str(pk) for pk in candidates}
    given = {str(k): v for k, v in (grades or {}).items()}
    if set(given) != wanted:
        raise Refused(_("请为名单上的每一位党员评定等次，且只评定名单上的党员。"))
    if any(value not in GRADES for value in given.values()):
        raise Refused(_("等次只能是优秀、合格、基本合格或不合格。"))
    return {str(pk): given[str(pk)] for pk in candidates}


def _lock_open_session(session_id: int) -> str | None:
    """Hold the session open for the rest of this transaction, alone, and return its
    seal salt (None: the session is not open). On PostgreSQL the row lock serialises
    one session's votes, its door ticks and its close, so that the count of cards used
    against members present is exact (a vote takes milliseconds; other sessions' votes
    run side by side). SQLite's IMMEDIATE transactions are serialised anyway."""
    table = AppraisalSession._meta.db_table
    with connection.cursor() as cursor:
        suffix = " FOR UPDATE" if connection.vendor == "postgresql" else ""
        cursor.execute(
            f"SELECT seal_salt FROM {table} WHERE id = %s AND status = %s{suffix}",  # noqa: S608
            [session_id, AppraisalSession.Status.OPEN],
        )
        row = cursor.fetchone()
    return None if row is None else row[0]


def _insert_ballot(*, session_id: int, salt: str, grades: dict[str, str]) -> None:
    """Write the ballot sealed (sealing.py): a live copy of the database can pair it
    with the mark written in the same transaction, but cannot read it. `grades` comes
    from `clean_grades`, so its keys are the candidates in the seal's order."""
    Ballot.objects.create(
        session_id=session_id,
        sealed=sealing.seal(
            session_id=session_id,
            salt=salt,
            candidates=[int(pk) for pk in grades],
            grades=grades,
            grade_values=GRADES,
        ),
    )


def _cards_used_and_present(session_id: int) -> tuple[int, int]:
    """(cards used, members ticked present) of the session, in one query."""
    cards, roll = VotingCard._meta.db_table, RollEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {cards} WHERE session_id = %s AND used),"  # noqa: S608
            f" (SELECT COUNT(*) FROM {roll} WHERE session_id = %s AND present)",
            [session_id, session_id],
        )
        used, present = cursor.fetchone()
    return int(used), int(present)


def vote_by_card(
    *,
    session: AppraisalSession,
    code: str,
    grades: Mapping[Any, Any],
    candidates: list[int] | None = None,
) -> None:
    """Cast a ballot with a card's code. The code is marked used and the ballot written in
    ONE transaction; a used, void, unknown or other session's code, or a session that is
    not open, is refused with the same message (no oracle). Returns nothing: not even
    the ballot's id leaves this function. Only `session.pk` is read (the card page
    passes a bare instance); `candidates` as in `clean_grades`."""
    cleaned = clean_grades(session=session, grades=grades, candidates=candidates)
    refused = Refused(_("投票码无效、已使用，或投票未在进行中。"))
    with transaction.atomic():
        salt = _lock_open_session(session.pk)
        if salt is None:
            raise refused
        with connection.cursor() as cursor:  # the ORM's UPDATE, without building it per vote
            cursor.execute(
                f"UPDATE {VotingCard._meta.db_table} SET used = %s"  # noqa: S608
                " WHERE code_hash = %s AND session_id = %s AND NOT used AND NOT void",
                [True, code_hash(code), session.pk],
            )
            marked = cursor.rowcount
        if marked != 1:
            raise refused
        # One card vote per member ticked present at the door: a card nobody was
        # ticked for (a spare, a second card) adds no ballot. Raising here rolls the
        # mark back with the rest of the transaction.
        used, present = _cards_used_and_present(session.pk)
        if used > present:
            raise NotTickedPresent(
                _("到会登记的人数都已投票：请先到签到处登记到会，再用投票卡投票。")
            )
        _insert_ballot(session_id=session.pk, salt=salt, grades=cleaned)


def card_check(*, session: AppraisalSession, code: str) -> None:
    """Before the voter grades anyone: would this code vote now? Refused with
    `vote_by_card`'s one message (unknown, used, void, other session's code, session not
    open), or `NotTickedPresent` when every member ticked at the door has voted. Reads
    only: nothing is written or marked, so checking leaves no trace; `vote_by_card`
    checks everything again when the ballot comes. One query; only `session.pk` is
    read."""
    refused = Refused(_("投票码无效、已使用，或投票未在进行中。"))
    sessions, cards, roll = (
        AppraisalSession._meta.db_table,
        VotingCard._meta.db_table,
        RollEntry._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {cards} c JOIN {sessions} s ON s.id = c.session_id"  # noqa: S608
            "          WHERE c.code_hash = %s AND c.session_id = %s AND NOT c.used"
            "            AND NOT c.void AND s.status = %s),"
            f" (SELECT COUNT(*) FROM {cards} WHERE session_id = %s AND used),"
            f" (SELECT COUNT(*) FROM {roll} WHERE session_id = %s AND present)",
            [code_hash(code), session.pk, AppraisalSession.Status.OPEN, session.pk, session.pk],
        )
        usable, used, present = cursor.fetchone()
    if not usable:
        raise refused
    if used >= present:
        raise NotTickedPresent(_("到会登记的人数都已投票：请先到签到处登记到会，再用投票卡投票。"))


def vote_logged_in(*, session: AppraisalSession, user: User, grades: Mapping[Any, Any]) -> None:
    """Cast the ballot of a member who cannot attend, if the committee allowed it. The
    "has voted" mark is set by a conditional UPDATE in the same transaction as the
    ballot, so two tabs or two concurrent requests count once."""
    member = getattr(user, "member", None) if getattr(user, "is_authenticated", False) else None
    if member is None:
        raise Refused(_("只有名册上的党员本人可以登录投票。"))
    cleaned = clean_grades(session=session, grades=grades)
    with transaction.atomic():
        salt = _lock_open_session(session.pk)
        if salt is None:
            raise Refused(_("投票未在进行中。"))
        if not AppraisalSession.objects.filter(pk=session.pk, allow_login_voting=True).exists():
            raise Refused(_("本次投票未开放登录投票，请在会场领取投票卡。"))
        marked = RollEntry.objects.filter(
            session_id=session.pk,
            member=member,
            login_voted=False,
            present=False,
            card_drawn=False,
        ).update(login_voted=True)
        if marked != 1:
            if not RollEntry.objects.filter(session_id=session.pk, member=member).exists():
                raise Refused(_("您不在本次投票的名册上。"))
            raise Refused(_("您已经投过票，或曾在会场登记到会、领取投票卡。"))
        _insert_ballot(session_id=session.pk, salt=salt, grades=cleaned)


# --- close ----------------------------------------------------------------------


def _rewrite_ballots_in_content_order(session: AppraisalSession) -> int:
    """Open every seal, delete the session's ballots and write them again in plain,
    sorted by their content, with new random ids, in one statement: neither the ids,
    nor the storage order (SQLite's rowid, PostgreSQL's ctid), nor the transaction that
    wrote a row (all share the close's) then follow the order of voting."""
    salt, candidates = session.seal_salt, _candidate_ids(session)
    rows = []
    for sealed, grades in Ballot.objects.filter(session_id=session.pk).values_list(
        "sealed", "grades"
    ):
        if sealed is not None:
            try:
                grades = sealing.unseal(
                    session_id=session.pk,
                    salt=salt,
                    candidates=candidates,
                    sealed=sealed,
                    grade_values=GRADES,
                )
            except sealing.SealBroken as error:
                logger.error("ballots: a sealed ballot does not open; the close is refused")
                raise Refused(
                    _(
                        "无法打开加密保存的选票，投票没有结束：服务器密钥在投票期间被更换了。"
                        "请把原来的密钥加入 VANGUARD_SECRET_KEY_FALLBACKS 后再结束投票。"
                    )
                ) from error
        rows.append(grades)
    rows.sort(key=lambda g: json.dumps(g, sort_keys=True))
    Ballot.objects.filter(session_id=session.pk).delete()
    Ballot.objects.bulk_create(Ballot(session_id=session.pk, grades=g) for g in rows)
    return len(rows)


def _rewrite_voting_marks(session_id: int) -> None:
    """Rewrite every card and every roll row of the session, one statement each, so
    that the marks the voting wrote one by one (a card "used", a roll "has voted") no
    longer carry the transaction that wrote them: on PostgreSQL every row's `xmin` is
    now this transaction's. Unused valid cards become void. (Their physical order is
    reset by the storage scrub, which rewrites the tables in primary-key order.)"""
    VotingCard.objects.filter(session_id=session_id).update(
        void=Case(When(used=False, then=Value(True)), default=F("void"))
    )
    RollEntry.objects.filter(session_id=session_id).update(present=F("present"))


# --- the storage scrub after the close ---------------------------------------------
# What the vote wrote before the close must not survive in storage: SQLite's freed
# cells and write-ahead log, PostgreSQL's dead tuples (heap and index pages). The scrub
# never waits on another connection: if it cannot finish now it stays pending, and is
# retried by a background thread, by the session's pages and by `ballots_scrub`.

PG_LOCK_TIMEOUT = "1s"  # how long the scrub may queue for a table lock (votes wait behind)
SCRUBBED_TABLES = (Ballot, VotingCard, RollEntry)


@dataclass(frozen=True)
class StorageScrub:
    """What a scrub did (for tests, the pages and `ballots_scrub`)."""

    vendor: str
    done: bool = False
    secure_delete: bool = False
    wal_checkpoint: tuple | None = None  # SQLite: (busy, log frames, checkpointed frames)
    rewritten: tuple[str, ...] = ()  # PostgreSQL: tables rewritten in primary-key order
    lock_seconds: float = 0.0  # time the rewrite (PostgreSQL) or checkpoint (SQLite) took
    sessions: int = 0  # closed sessions marked scrubbed
    skipped: str = ""  # why not done: in_transaction, busy, old_snapshot, locked, error


def scrub_pending() -> QuerySet[AppraisalSession]:
    return AppraisalSession.objects.filter(
        status=AppraisalSession.Status.CLOSED, storage_scrubbed_at__isnull=True
    )


def _scrub_sqlite(cursor) -> StorageScrub:
    """The close deleted with secure_delete on (freed cells zeroed); now checkpoint the
    write-ahead log into the file and truncate it to 0 bytes, without waiting: a reader
    holding an older snapshot, or a writer, makes the checkpoint busy at once (rather
    than blocking every writer of the site while it waits, as FULL/TRUNCATE do)."""
    cursor.execute("PRAGMA secure_delete")
    secure = bool(cursor.fetchone()[0])
    started = time.monotonic()
    result = _checkpoint_without_waiting(cursor)
    if result[0] != 0:
        return StorageScrub(
            vendor="sqlite", secure_delete=secure, wal_checkpoint=result, skipped="busy"
        )
    return StorageScrub(
        vendor="sqlite",
        done=True,
        secure_delete=secure,
        wal_checkpoint=result,
        lock_seconds=round(time.monotonic() - started, 4),
    )


def _checkpoint_without_waiting(cursor) -> tuple:
    cursor.execute("PRAGMA busy_timeout")
    previous = int(cursor.fetchone()[0])
    cursor.execute("PRAGMA busy_timeout = 0")
    try:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return tuple(cursor.fetchone())
    finally:
        cursor.execute(f"PRAGMA busy_timeout = {previous}")


def _pg_old_snapshots(cursor, closed_xid: int) -> int:
    """How many transactions may still see rows the closes up to `closed_xid` deleted:
    a table rewrite must keep those rows for them, so the scrub waits until there are
    none. Two kinds count:

    - a snapshot older than the closes in this database (another session, autovacuum's
      ANALYZE; not a lazy VACUUM, which PostgreSQL leaves out of the horizon and
      `pg_stat_progress_vacuum` lists);
    - a transaction still running with an xid older than the closes, in ANY database
      of the server (and prepared transactions, replication slots): the rewrite's own
      snapshot counts it as running, so its horizon stays below the closes and CLUSTER
      keeps every deleted ballot. Measured: a test worker's open transaction in its own
      database made CLUSTER keep all 32 deleted ballots, while no session of ours was
      older; another service's database on the same server would do the same.

    Nothing here reads `backend_type` or `query` (NULL for other roles' backends
    without pg_read_all_stats; `pid`, `datname` and the xids stay visible). Xids are
    compared by their age, taken in this one statement against the same transaction
    id. A snapshot or xid that appears after this check is newer than the closes
    (every xid up to them has ended), so checking once before the rewrite is enough."""
    older = "age({}) >= age(%(closed)s::text::xid)"
    cursor.execute(
        f"""
        SELECT (SELECT count(*) FROM pg_stat_activity
                 WHERE pid <> pg_backend_pid()
                   AND ((datname = current_database() AND backend_xmin IS NOT NULL
                         AND pid NOT IN (SELECT pid FROM pg_stat_progress_vacuum)
                         AND {older.format("backend_xmin")})
                     OR (backend_xid IS NOT NULL AND {older.format("backend_xid")})))
             + (SELECT count(*) FROM pg_prepared_xacts WHERE {older.format("transaction")})
             + (SELECT count(*) FROM pg_replication_slots
                 WHERE (xmin IS NOT NULL AND {older.format("xmin")})
                    OR (catalog_xmin IS NOT NULL AND {older.format("catalog_xmin")}))
        """,  # noqa: S608 - only fixed column names are formatted in
        {"closed": closed_xid % 2**32},  # the 32-bit xid of the close (xid8 → xid)
    )
    return int(cursor.fetchone()[0])


def _scrub_postgresql(cursor, closed_xid: int) -> StorageScrub:
    """Rewrite the ballot, card and roll tables in primary-key order (CLUSTER): the dead
    tuples of the voting are gone from heap and index pages, and no row's place follows
    the order in which votes were cast. Only once no snapshot older than the closes is
    left (else the rewrite must keep the old rows); never queueing long for a lock."""
    if _pg_old_snapshots(cursor, closed_xid):
        return StorageScrub(vendor="postgresql", skipped="old_snapshot")
    cursor.execute(f"SET lock_timeout = '{PG_LOCK_TIMEOUT}'")
    rewritten: list[str] = []
    started = time.monotonic()
    try:
        for model in SCRUBBED_TABLES:
            table = model._meta.db_table
            cursor.execute(
                "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND x.indisprimary",
                [table],
            )
            index = cursor.fetchone()[0]
            cursor.execute(f'CLUSTER "{table}" USING "{index}"')
            rewritten.append(table)
    except OperationalError as error:
        if getattr(getattr(error, "__cause__", None), "sqlstate", "") != "55P03":
            raise
        return StorageScrub(vendor="postgresql", rewritten=tuple(rewritten), skipped="locked")
    finally:
        cursor.execute("RESET lock_timeout")
    return StorageScrub(
        vendor="postgresql",
        done=True,
        rewritten=tuple(rewritten),
        lock_seconds=round(time.monotonic() - started, 4),
    )


def scrub_storage() -> StorageScrub:
    """Scrub the storage of every closed session still pending; mark them scrubbed when
    done. Never raises (the closes have committed); never waits on another connection.
    Not possible inside a transaction: then it is skipped and says so."""
    vendor = connection.vendor
    if connection.in_atomic_block:
        return StorageScrub(vendor=vendor, skipped="in_transaction")
    try:
        pending = list(scrub_pending().values_list("pk", "closed_xid"))
        if not pending:  # an earlier scrub covered it (several closes in one transaction)
            return StorageScrub(vendor=vendor, done=True)
        with connection.cursor() as cursor:
            if vendor == "sqlite":
                result = _scrub_sqlite(cursor)
            elif vendor == "postgresql":
                closed_xid = max((x or 0 for _pk, x in pending), default=0)
                result = _scrub_postgresql(cursor, closed_xid)
            else:
                return StorageScrub(vendor=vendor, skipped="unsupported")
            if not result.done:
                logger.warning("ballots: storage scrub pending (%s)", result.skipped)
                return result
            marked = AppraisalSession.objects.filter(pk__in=[pk for pk, _x in pending]).update(
                storage_scrubbed_at=timezone.now()
            )
            if vendor == "sqlite":  # the mark itself must not stay in the log either
                _checkpoint_without_waiting(cursor)
    except DatabaseError:
        logger.exception("ballots: storage scrub failed; it stays pending")
        return StorageScrub(vendor=vendor, skipped="error")
    return StorageScrub(**{**result.__dict__, "sessions": marked})


_retry_guard = threading.Lock()
_retry_thread: threading.Thread | None = None


def scrub_retry_later() -> bool:
    """Start (once per process) a background thread that retries the scrub every
    BALLOTS_SCRUB_RETRY_SECONDS until nothing is pending. False if retries are off."""
    global _retry_thread
    seconds = float(getattr(settings, "BALLOTS_SCRUB_RETRY_SECONDS", 0) or 0)
    if seconds <= 0:
        return False
    current = connections["default"]
    settings_dict, wrapper_class = dict(current.settings_dict), type(current)
    with _retry_guard:
        if _retry_thread is not None and _retry_thread.is_alive():
            return True
        _retry_thread = threading.Thread(
            target=_retry_loop,
            args=(wrapper_class, settings_dict, seconds),
            name="ballots-scrub-retry",
            daemon=True,
        )
        _retry_thread.start()
    return True


def _retry_loop(wrapper_class, settings_dict: dict, seconds: float) -> None:
    # The thread's own connection, to the database the close used.
    own = wrapper_class(settings_dict, alias="default")
    connections["default"] = own
    try:
        while True:
            time.sleep(seconds)
            try:
                if not scrub_pending().exists():
                    return
            except DatabaseError:
                continue
            if scrub_storage().done and not scrub_pending().exists():
                return
    finally:
        own.close()


@dataclass
class CloseResult:
    session: AppraisalSession
    ballots: int
    cards_voided: int
    scrub: StorageScrub | None = field(default=None)


def session_close(*, session: AppraisalSession, user: User | None = None) -> CloseResult:
    """Close the vote: status closed, unused cards voided, every seal opened and the
    ballots rewritten in an order that says nothing of the voting, the cards' and the
    roll's marks rewritten; after commit the storage is scrubbed (`scrub_storage`), or
    retried later if it cannot be now."""
    result = CloseResult(session=session, ballots=0, cards_voided=0)
    if connection.vendor == "sqlite":
        # Per connection; set before the delete so the freed cells are zeroed.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")
    with transaction.atomic():
        locked = (
            AppraisalSession.objects.select_for_update()
            .filter(pk=session.pk, status=AppraisalSession.Status.OPEN)
            .first()
        )
        if locked is None:
            raise Refused(_("只有进行中的投票可以结束。"))
        now = timezone.now()
        closed_xid = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_current_xact_id()::text::bigint")
                closed_xid = cursor.fetchone()[0]
        AppraisalSession.objects.filter(pk=session.pk).update(
            status=AppraisalSession.Status.CLOSED,
            closed_at=now,
            closed_xid=closed_xid,
            storage_scrubbed_at=None,
        )
        result.cards_voided = VotingCard.objects.filter(
            session_id=session.pk, used=False, void=False
        ).count()
        _rewrite_voting_marks(session.pk)
        result.ballots = _rewrite_ballots_in_content_order(locked)
        if locked.meeting is not None:
            # The door roll is the meeting's attendance: written here, once, in member
            # order, so the meeting's rows keep neither the order nor the time of ticks.
            meeting_services.meeting_attendance_from_roll(
                meeting=locked.meeting,
                present=dict(
                    RollEntry.objects.filter(session_id=session.pk).values_list(
                        "member_id", "present"
                    )
                ),
                actor=user,
            )
        session.status, session.closed_at = AppraisalSession.Status.CLOSED, now
        session.storage_scrubbed_at = None
        audit_record(
            action=AuditEntry.Action.UPDATE,
            obj=session,
            object_type=OBJECT_TYPE,
            before={"status": AppraisalSession.Status.OPEN},
            after={"status": AppraisalSession.Status.CLOSED, "ballots": result.ballots},
            note="ballots.close",
            actor=user,
        )

        def _scrub() -> None:
            result.scrub = scrub_storage()
            if result.scrub.done:
                session.storage_scrubbed_at = (
                    AppraisalSession.objects.filter(pk=session.pk)
                    .values_list("storage_scrubbed_at", flat=True)
                    .first()
                )
            else:
                scrub_retry_later()

        transaction.on_commit(lambda: card_cache.bump(session.pk), robust=True)
        transaction.on_commit(_scrub, robust=True)
    return result


# --- results --------------------------------------------------------------------


def _share(part: int, whole: int) -> Decimal:
    if whole == 0:
        return Decimal("0")
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


# Why a closed vote's per-candidate results are withheld (`Tally.withheld`).
WITHHELD_TOO_FEW_BALLOTS = "too_few_ballots"
WITHHELD_QUORUM_NOT_MET = "quorum_not_met"


@dataclass(frozen=True)
class CandidateTally:
    """One candidate's result. When the tally is withheld, `counts` and `shares` are
    empty and `blank` is 0: the numbers were never computed."""

    member_id: int
    name: str
    number: str
    counts: dict[str, int]  # electronic + confirmed paper ballots
    shares: dict[str, Decimal]  # of electronic + confirmed paper ballots
    blank: int = 0  # confirmed paper ballots that did not grade this candidate (未评定)
    blank_share: Decimal = Decimal("0")


@dataclass(frozen=True)
class Reconciliation:
    """ballots = card codes used + logged-in votes; card codes used ≤ cards handed out,
    and cards handed out = members ticked present (one card drawn per member at the
    door, which is all anyone knows about who holds which card); electronic ballots +
    confirmed paper ballots ≤ voters on the roll."""

    voters_on_roll: int
    present: int  # = cards handed out
    login_votes: int
    cards_printed: int
    cards_used: int
    cards_void: int
    ballots: int  # electronic
    paper_ballots: int = 0  # confirmed paper ballots only

    @property
    def ballots_match_codes(self) -> bool:
        return self.ballots == self.cards_used + self.login_votes

    @property
    def codes_within_cards_handed_out(self) -> bool:
        return self.cards_used <= self.present

    @property
    def ballots_within_roll(self) -> bool:
        return self.ballots + self.paper_ballots <= self.voters_on_roll

    @property
    def consistent(self) -> bool:
        return (
            self.ballots_match_codes
            and self.codes_within_cards_handed_out
            and self.ballots_within_roll
        )


@dataclass(frozen=True)
class Tally:
    session: AppraisalSession
    candidates: list[CandidateTally]
    not_graded: list[Member]  # probationary members: 不定等次
    ballots: int  # electronic ballots
    voters_on_roll: int
    turnout: Decimal  # electronic + confirmed paper ballots, over the roll
    quorum: Decimal
    quorum_met: bool
    reconciliation: Reconciliation
    paper_ballots: int = 0  # confirmed paper ballots, else 0
    paper_status: str = PAPER_NONE  # "none" | "pending" | "confirmed"
    paper: PaperTally | None = None  # who entered and confirmed, and when
    secrecy_minimum: int = 3  # the campaign's fewest ballots for per-candidate results
    # "" when per-candidate results are shown; else why not (WITHHELD_…), and then every
    # candidate's counts are empty: only the number of ballots may be shown.
    withheld: str = ""

    @property
    def published(self) -> bool:
        return not self.withheld

    @property
    def total_ballots(self) -> int:
        """Electronic + confirmed paper ballots: what the shares are taken over."""
        return self.ballots + self.paper_ballots

    @property
    def quorum_percent(self) -> str:
        """The quorum as people read it: "50%", "66.7%"."""
        return f"{(self.quorum * 100).quantize(Decimal('0.1')).normalize():f}%"

    @property
    def withheld_reason(self) -> str:
        """Why the per-candidate results are not shown, as one sentence for any page or
        document ("" when they are shown)."""
        if self.withheld == WITHHELD_TOO_FEW_BALLOTS:
            return _(
                "收回选票 %(ballots)s 张，少于保密所需的最少 %(minimum)s 张，不公布各人得票。"
            ) % {"ballots": self.total_ballots, "minimum": self.secrecy_minimum}
        if self.withheld == WITHHELD_QUORUM_NOT_MET:
            return _(
                "收回选票 %(ballots)s 张，未超过名册 %(voters)s 人的 %(quorum)s，"
                "未达到有效人数，不公布各人得票。"
            ) % {
                "ballots": self.total_ballots,
                "voters": self.voters_on_roll,
                "quorum": self.quorum_percent,
            }
        return ""


def reconciliation(session: AppraisalSession) -> Reconciliation:
    roll = RollEntry.objects.filter(session_id=session.pk)
    paper = PaperTally.objects.filter(session_id=session.pk, confirmed_by__isnull=False).first()
    cards = VotingCard.objects.filter(session_id=session.pk)
    return Reconciliation(
        voters_on_roll=roll.count(),
        present=roll.filter(present=True).count(),
        login_votes=roll.filter(login_voted=True).count(),
        cards_printed=cards.count(),
        cards_used=cards.filter(used=True).count(),
        cards_void=cards.filter(void=True).count(),
        ballots=Ballot.objects.filter(session_id=session.pk).count(),
        paper_ballots=paper.ballots if paper is not None else 0,
    )


def tally(*, session: AppraisalSession, user: User | None = None) -> Tally:
    """The result of a CLOSED session, recorded in the audit trail (the secretary's
    tally page). There is deliberately no way to count a subset of the ballots or of
    the voters."""
    with transaction.atomic():
        result = compute_tally(session=session)
        audit_record(
            action=AuditEntry.Action.OTHER,
            obj=result.session,
            object_type=OBJECT_TYPE,
            after={
                "ballots": result.ballots,
                "paper_ballots": result.paper_ballots,
                "voters": result.voters_on_roll,
                "withheld": result.withheld,
            },
            note="ballots.tally",
            actor=user,
        )
    return result


def compute_tally(*, session: AppraisalSession) -> Tally:
    """The result of a CLOSED session over all its ballots, without an audit row: for
    pages that show a tally already taken (the branch's grade proposals). Paper totals
    count only once confirmed by a second committee member; pending ones are reported
    (`paper_status`) but not counted.

    Per-candidate results are withheld (`withheld`, every candidate's counts empty,
    never computed) unless electronic + confirmed paper ballots reach the campaign's
    secrecy minimum (never below 3: with two ballots each voter could subtract their
    own and read the other's) and the turnout met the quorum. Then only the number of
    ballots is known, so no caller can show more."""
    from vanguard.campaigns.models import BALLOT_SECRECY_FLOOR

    with transaction.atomic():
        current = AppraisalSession.objects.select_related("campaign").get(pk=session.pk)
        if current.status != AppraisalSession.Status.CLOSED:
            raise Refused(_("投票结束前不能计票。"))
        roll = list(
            RollEntry.objects.filter(session=current)
            .select_related("member")
            .order_by("member__number")
        )
        ballots = Ballot.objects.filter(session=current)
        electronic = ballots.count()
        paper = (
            PaperTally.objects.filter(session=current)
            .select_related("entered_by", "confirmed_by")
            .first()
        )
        confirmed = paper if paper is not None and paper.confirmed else None
        paper_ballots = confirmed.ballots if confirmed is not None else 0
        total = electronic + paper_ballots
        voters = len(roll)
        quorum_met = Decimal(total) > current.quorum * voters
        minimum = max(BALLOT_SECRECY_FLOOR, current.campaign.ballot_secrecy_minimum)
        withheld = ""
        if total < minimum:
            withheld = WITHHELD_TOO_FEW_BALLOTS
        elif not quorum_met:
            withheld = WITHHELD_QUORUM_NOT_MET
        counts: dict[int, dict[str, int]] = {}
        blank: dict[int, int] = {}
        if not withheld:
            counts = {e.member_id: dict.fromkeys(GRADES, 0) for e in roll if e.is_candidate}
            blank = dict.fromkeys(counts, 0)
            for grades in ballots.values_list("grades", flat=True):
                if grades is None:  # the close opens every seal: never count around one
                    raise RuntimeError("a closed session still holds a sealed ballot")
                for member_id, grade in grades.items():
                    counts[int(member_id)][grade] += 1
            if confirmed is not None:
                for member_id in counts:
                    paper_counts = confirmed.counts[str(member_id)]
                    for grade in GRADES:
                        counts[member_id][grade] += paper_counts[grade]
                    blank[member_id] = confirmed.ballots - sum(paper_counts[g] for g in GRADES)
        candidates = [
            CandidateTally(
                member_id=e.member_id,
                name=e.member.name,
                number=e.member.number,
                counts=counts.get(e.member_id, {}),
                shares={g: _share(n, total) for g, n in counts.get(e.member_id, {}).items()},
                blank=blank.get(e.member_id, 0),
                blank_share=_share(blank.get(e.member_id, 0), total),
            )
            for e in roll
            if e.is_candidate
        ]
        result = Tally(
            session=current,
            candidates=candidates,
            not_graded=[e.member for e in roll if not e.is_candidate],
            ballots=electronic,
            voters_on_roll=voters,
            turnout=_share(total, voters),
            quorum=current.quorum,
            quorum_met=quorum_met,
            reconciliation=reconciliation(current),
            paper_ballots=paper_ballots,
            paper_status=_paper_status(paper),
            paper=paper,
            secrecy_minimum=minimum,
            withheld=withheld,
        )
    return result


def receipts_published(*, session: AppraisalSession) -> list[str]:
    """The receipts of the cards whose ballot was counted, sorted (never in voting
    order); only after the close. A voter finds their card's receipt here."""
    current = AppraisalSession.objects.get(pk=session.pk)
    if current.status != AppraisalSession.Status.CLOSED:
        raise Refused(_("投票结束后才公布回执码。"))
    return sorted(
        VotingCard.objects.filter(session=current, used=True).values_list("receipt", flat=True)
    )


# --- paper ballots (纸质选票) ----------------------------------------------------
# Paper ballots are counted by hand after the meeting; the secretary enters the totals
# per candidate and grade, and a second committee member confirms them before they
# count. Totals are aggregates, so they may go into the audit trail.


def _paper_status(paper: PaperTally | None) -> str:
    if paper is None:
        return PAPER_NONE
    return PAPER_CONFIRMED if paper.confirmed else PAPER_PENDING


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _clean_paper_counts(
    *, session: AppraisalSession, ballots: Any, counts: Mapping[Any, Any]
) -> dict[str, dict[str, int]]:
    """Every error at once, keyed by what it is about ("ballots", "counts.<member id>",
    "counts.<member id>.<grade>", "counts"), each message naming the candidate and the
    grade; the result in roll order with the grades in their usual order."""
    errors: dict[str, list[str]] = {}

    def fail(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    if not _is_count(ballots):
        fail("ballots", _("纸质选票张数须为不小于 0 的整数。"))
    roll = list(
        RollEntry.objects.filter(session=session)
        .select_related("member")
        .order_by("member__number")
    )
    candidates = [e for e in roll if e.is_candidate]
    candidate_keys = {str(e.member_id) for e in candidates}
    not_graded = {str(e.member_id): e.member.name for e in roll if not e.is_candidate}
    given = {str(k): v for k, v in (counts or {}).items()}
    for key in given:
        if key in not_graded:
            fail(
                "counts",
                _("%(name)s是预备党员，不定等次，不能录入其票数。") % {"name": not_graded[key]},
            )
        elif key not in candidate_keys:
            fail("counts", _("编号为 %(key)s 的党员不在本次投票的评议名单上。") % {"key": key})
    grade_labels = dict(Grade.choices)
    cleaned: dict[str, dict[str, int]] = {}
    for entry in candidates:
        key, name = str(entry.member_id), entry.member.name
        row = given.get(key)
        if not isinstance(row, Mapping):
            fail(f"counts.{key}", _("缺少%(name)s的纸质选票票数。") % {"name": name})
            continue
        for extra in sorted(str(g) for g in row if g not in GRADES):
            fail(
                f"counts.{key}",
                _("%(name)s的票数中有未知的等次“%(grade)s”。") % {"name": name, "grade": extra},
            )
        good = True
        for grade in GRADES:
            where = {"name": name, "grade": grade_labels[grade]}
            if grade not in row:
                fail(f"counts.{key}.{grade}", _("缺少%(name)s的“%(grade)s”票数。") % where)
                good = False
            elif not _is_count(row[grade]):
                fail(
                    f"counts.{key}.{grade}",
                    _("%(name)s的“%(grade)s”票数须为不小于 0 的整数。") % where,
                )
                good = False
        if not good:
            continue
        cleaned[key] = {g: row[g] for g in GRADES}
        graded = sum(cleaned[key].values())
        if _is_count(ballots) and graded > ballots:
            fail(
                f"counts.{key}",
                _("%(name)s的四个等次票数之和（%(sum)s）超过了纸质选票张数（%(ballots)s）。")
                % {"name": name, "sum": graded, "ballots": ballots},
            )
    if _is_count(ballots):
        electronic = Ballot.objects.filter(session=session).count()
        if electronic + ballots > len(roll):
            fail(
                "ballots",
                _(
                    "电子选票 %(electronic)s 张加纸质选票 %(paper)s 张，"
                    "超过了名册上的 %(voters)s 人。"
                )
                % {"electronic": electronic, "paper": ballots, "voters": len(roll)},
            )
    if errors:
        raise Refused(errors)
    return cleaned


def _lock_session(session: AppraisalSession) -> AppraisalSession:
    """Serialise writes to one session's paper totals (PostgreSQL: the row lock; SQLite's
    IMMEDIATE transactions are serialised anyway)."""
    return AppraisalSession.objects.select_for_update().select_related("unit").get(pk=session.pk)


def paper_totals_enter(
    *, session: AppraisalSession, ballots: Any, counts: Mapping[Any, Any], user: User
) -> PaperTally:
    """The secretary enters the paper ballots' totals of a CLOSED session: how many paper
    ballots were collected and, for every candidate, how many gave each grade (the rest
    left the candidate blank: 未评定). Entering again replaces the totals until they are
    confirmed; after that they are final. Nothing counts until confirmed."""
    with transaction.atomic():
        current = _lock_session(session)
        if current.status != AppraisalSession.Status.CLOSED:
            raise Refused(_("投票结束后才能录入纸质选票票数。"))
        existing = PaperTally.objects.filter(session=current).first()
        if existing is not None and existing.confirmed:
            raise Refused(_("纸质选票票数已经确认，不能再修改。"))
        cleaned = _clean_paper_counts(session=current, ballots=ballots, counts=counts)
        now = timezone.now()
        after = {"ballots": ballots, "counts": cleaned}
        if existing is None:
            paper = PaperTally.objects.create(
                session=current, ballots=ballots, counts=cleaned, entered_by=user, entered_at=now
            )
            before = None
        else:
            before = {"ballots": existing.ballots, "counts": existing.counts}
            replaced = PaperTally.objects.filter(pk=existing.pk, confirmed_by__isnull=True).update(
                ballots=ballots, counts=cleaned, entered_by=user, entered_at=now
            )
            if replaced != 1:
                raise Refused(_("纸质选票票数已经确认，不能再修改。"))
            paper = PaperTally.objects.get(pk=existing.pk)
        audit_record(
            action=AuditEntry.Action.CREATE if before is None else AuditEntry.Action.UPDATE,
            obj=paper,
            object_type=PAPER_OBJECT_TYPE,
            before=before,
            after=after,
            note="ballots.paper_enter",
            actor=user,
        )
    return paper


def paper_totals_confirm(
    *, session: AppraisalSession, user: User, entered_at: Any = None
) -> PaperTally:
    """A second committee member confirms the paper totals: a committee admin over the
    unit who did not enter them. `entered_at`, when given, is the entry the confirmer
    was shown: if the totals were entered again since, the confirmation is refused
    rather than applied to numbers nobody checked. A conditional UPDATE, so two
    confirmations at once count once."""
    with transaction.atomic():
        current = _lock_session(session)
        paper = PaperTally.objects.filter(session=current).first()
        if paper is None:
            raise Refused(_("还没有录入纸质选票票数，无需确认。"))
        if paper.confirmed:
            raise Refused(_("纸质选票票数已经确认过了。"))
        if not access.can_confirm_paper_totals(user, current):
            if paper.entered_by_id == getattr(user, "pk", None):
                raise Refused(_("录入人不能确认自己录入的票数，须由另一位党委管理员确认。"))
            raise Refused(_("只有负责该组织的党委管理员可以确认纸质选票票数。"))
        if entered_at is not None and paper.entered_at != entered_at:
            raise Refused(_("纸质选票票数在您查看之后被重新录入，请核对后再确认。"))
        now = timezone.now()
        confirmed = (
            PaperTally.objects.filter(
                pk=paper.pk, confirmed_by__isnull=True, entered_at=paper.entered_at
            )
            .exclude(entered_by=user)
            .update(confirmed_by=user, confirmed_at=now)
        )
        if confirmed != 1:
            raise Refused(_("纸质选票票数已经确认过了，或在您查看之后被重新录入。"))
        paper.confirmed_by, paper.confirmed_at = user, now
        audit_record(
            action=AuditEntry.Action.UPDATE,
            obj=paper,
            object_type=PAPER_OBJECT_TYPE,
            before={"confirmed": False},
            after={"confirmed": True, "ballots": paper.ballots, "counts": paper.counts},
            note="ballots.paper_confirm",
            actor=user,
        )
    return paper
