"""The secret ballot's business rules. Every function takes keyword arguments and runs
in one transaction. Read README.md first: each promise made there is kept here.

Never log a code, a receipt, grades or an address in this module.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.audit.models import AuditEntry
from vanguard.audit.services import audit_record
from vanguard.ballots.models import AppraisalSession, Ballot, Grade, RollEntry, VotingCard
from vanguard.organization.models import Member, Unit

logger = logging.getLogger(__name__)

OBJECT_TYPE = "ballots.appraisalsession"
# Crockford base32: no I, L, O, U — easy to type from a printed card.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 60 random bits
RECEIPT_LENGTH = 8  # 40 random bits, unique within a session
GRADES = tuple(Grade.values)
_random = secrets.SystemRandom()


class Refused(ValidationError):
    """A vote or an action the rules do not allow. Nothing was changed."""


@dataclass(frozen=True)
class IssuedCard:
    code: str  # for printing only; never stored
    receipt: str


@dataclass(frozen=True)
class StorageScrub:
    """What the close did to the storage after commit (for tests and the closing page)."""

    vendor: str
    secure_delete: bool = False
    wal_checkpoint: tuple | None = None  # SQLite: (busy, log frames, checkpointed frames)
    vacuumed: bool = False
    skipped: str = ""


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
    campaign: Any,
    unit: Unit,
    meeting: Any = None,
    quorum: Decimal | str | None = None,
    allow_login_voting: bool = False,
) -> AppraisalSession:
    eligible_members(unit)  # refuses a unit that is neither a branch nor a party group
    quorum_value = Decimal("0.5") if quorum is None else Decimal(str(quorum))
    if not (Decimal("0") <= quorum_value < Decimal("1")):
        raise Refused({"quorum": _("有效投票比例须在 0 到 1 之间。")})
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


def session_open(*, session: AppraisalSession, user: Any = None) -> AppraisalSession:
    """Open the vote and freeze the roll: the unit's active members at this moment;
    formal members are candidates, probationary members vote only (不定等次)."""
    with transaction.atomic():
        members = list(eligible_members(session.unit).order_by("number"))
        if not any(m.standing == Member.Standing.FORMAL for m in members):
            raise Refused(_("该组织没有正式党员，无法开始民主评议投票。"))
        now = timezone.now()
        opened = AppraisalSession.objects.filter(
            pk=session.pk, status=AppraisalSession.Status.DRAFT
        ).update(status=AppraisalSession.Status.OPEN, opened_at=now)
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
        session.status, session.opened_at = AppraisalSession.Status.OPEN, now
        audit_record(
            action=AuditEntry.Action.UPDATE,
            obj=session,
            object_type=OBJECT_TYPE,
            before={"status": AppraisalSession.Status.DRAFT},
            after={"status": AppraisalSession.Status.OPEN, "voters": len(members)},
            note="ballots.open",
            actor=user,
        )
    return session


def cards_issue(*, session: AppraisalSession, spares: int) -> list[IssuedCard]:
    """Create one card per voter (the frozen roll once open, the unit's eligible members
    before) plus `spares`. The raw codes are returned ONCE, for printing; only their
    hashes are stored."""
    if spares < 0:
        raise Refused({"spares": _("备用卡数量不能为负数。")})
    with transaction.atomic():
        current = AppraisalSession.objects.get(pk=session.pk)
        if current.status == AppraisalSession.Status.CLOSED:
            raise Refused(_("投票已结束，不能再印制投票卡。"))
        if current.status == AppraisalSession.Status.OPEN:
            voters = current.roll.count()
        else:
            voters = eligible_members(current.unit).count()
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
    """Tick (or untick) a member present at the door, where they draw a card."""
    with transaction.atomic():
        entry = (
            RollEntry.objects.select_related("session")
            .filter(session=session, member=member)
            .first()
        )
        if entry is None:
            raise Refused(_("该党员不在本次投票的名册上。"))
        if entry.session.status != AppraisalSession.Status.OPEN:
            raise Refused(_("投票未在进行中。"))
        if present and entry.login_voted:
            raise Refused(_("该党员已登录投票，不能再领取投票卡。"))
        RollEntry.objects.filter(pk=entry.pk).update(present=present)
        entry.present = present
    return entry


# --- voting -------------------------------------------------------------------


def _candidate_ids(session: AppraisalSession) -> list[int]:
    return list(
        RollEntry.objects.filter(session=session, is_candidate=True)
        .order_by("member_id")
        .values_list("member_id", flat=True)
    )


def clean_grades(*, session: AppraisalSession, grades: Mapping[Any, Any]) -> dict[str, str]:
    """Every candidate graded exactly once with one of the four grades; the result has
    its keys sorted (the member ids, as text)."""
    candidates = _candidate_ids(session)
    wanted = {str(pk) for pk in candidates}
    given = {str(k): v for k, v in (grades or {}).items()}
    if set(given) != wanted:
        raise Refused(_("请为名单上的每一位党员评定等次，且只评定名单上的党员。"))
    if any(value not in GRADES for value in given.values()):
        raise Refused(_("等次只能是优秀、合格、基本合格或不合格。"))
    return {str(pk): given[str(pk)] for pk in candidates}


def _lock_open_session(session_id: int) -> bool:
    """Hold the session open for the rest of this transaction. On PostgreSQL a shared
    row lock: votes run side by side, and the close (which takes an exclusive lock)
    waits for them. SQLite's IMMEDIATE transactions are serialised anyway."""
    table = AppraisalSession._meta.db_table
    with connection.cursor() as cursor:
        suffix = " FOR SHARE" if connection.vendor == "postgresql" else ""
        cursor.execute(
            f"SELECT 1 FROM {table} WHERE id = %s AND status = %s{suffix}",  # noqa: S608
            [session_id, AppraisalSession.Status.OPEN],
        )
        return cursor.fetchone() is not None


def _insert_ballot(*, session_id: int, grades: dict[str, str]) -> None:
    Ballot.objects.create(session_id=session_id, grades=grades)


def vote_by_card(*, session: AppraisalSession, code: str, grades: Mapping[Any, Any]) -> None:
    """Cast a ballot with a card's code. The code is marked used and the ballot written in
    ONE transaction; a used, void, unknown or other session's code, or a session that is
    not open, is refused with the same message (no oracle). Returns nothing: not even
    the ballot's id leaves this function."""
    cleaned = clean_grades(session=session, grades=grades)
    refused = Refused(_("投票码无效、已使用，或投票未在进行中。"))
    with transaction.atomic():
        if not _lock_open_session(session.pk):
            raise refused
        marked = VotingCard.objects.filter(
            session_id=session.pk, code_hash=code_hash(code), used=False, void=False
        ).update(used=True)
        if marked != 1:
            raise refused
        _insert_ballot(session_id=session.pk, grades=cleaned)


def vote_logged_in(*, session: AppraisalSession, user: Any, grades: Mapping[Any, Any]) -> None:
    """Cast the ballot of a member who cannot attend, if the committee allowed it. The
    "has voted" mark is set by a conditional UPDATE in the same transaction as the
    ballot, so two tabs or two concurrent requests count once."""
    member = getattr(user, "member", None) if getattr(user, "is_authenticated", False) else None
    if member is None:
        raise Refused(_("只有名册上的党员本人可以登录投票。"))
    cleaned = clean_grades(session=session, grades=grades)
    with transaction.atomic():
        if not _lock_open_session(session.pk):
            raise Refused(_("投票未在进行中。"))
        if not AppraisalSession.objects.filter(pk=session.pk, allow_login_voting=True).exists():
            raise Refused(_("本次投票未开放登录投票，请在会场领取投票卡。"))
        marked = RollEntry.objects.filter(
            session_id=session.pk, member=member, login_voted=False, present=False
        ).update(login_voted=True)
        if marked != 1:
            if not RollEntry.objects.filter(session_id=session.pk, member=member).exists():
                raise Refused(_("您不在本次投票的名册上。"))
            raise Refused(_("您已经投过票，或已在会场领取投票卡。"))
        _insert_ballot(session_id=session.pk, grades=cleaned)


# --- close ----------------------------------------------------------------------


def _rewrite_ballots_shuffled(session_id: int) -> int:
    """Delete the session's ballots and insert them again in random order with new
    random ids, so that neither the ids nor the storage order (SQLite's rowid,
    PostgreSQL's ctid) follow the order of voting."""
    rows = list(Ballot.objects.filter(session_id=session_id).values_list("grades", flat=True))
    Ballot.objects.filter(session_id=session_id).delete()
    _random.shuffle(rows)
    Ballot.objects.bulk_create(Ballot(session_id=session_id, grades=g) for g in rows)
    return len(rows)


def scrub_storage() -> StorageScrub:
    """After the close has committed: leave no earlier copy of the ballots in storage.

    SQLite: the delete ran with secure_delete on (freed cells zeroed); now checkpoint
    the write-ahead log into the database file and truncate it to 0 bytes.
    PostgreSQL: VACUUM the ballot table, so the dead tuples of the old order are pruned.
    Not possible inside a transaction: then it is skipped and says so.
    """
    vendor = connection.vendor
    if connection.in_atomic_block:
        return StorageScrub(vendor=vendor, skipped="in_transaction")
    table = Ballot._meta.db_table
    try:
        with connection.cursor() as cursor:
            if vendor == "sqlite":
                cursor.execute("PRAGMA secure_delete")
                secure = bool(cursor.fetchone()[0])
                result = None
                for _attempt in range(5):
                    cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    result = tuple(cursor.fetchone())
                    if result[0] == 0:
                        break
                if result and result[0] != 0:
                    logger.warning("ballots: WAL checkpoint busy after close")
                return StorageScrub(vendor=vendor, secure_delete=secure, wal_checkpoint=result)
            if vendor == "postgresql":
                cursor.execute(f"VACUUM {table}")
                return StorageScrub(vendor=vendor, vacuumed=True)
    except Exception:  # the close itself has committed; report, never raise
        logger.exception("ballots: storage scrub after close failed")
        return StorageScrub(vendor=vendor, skipped="error")
    return StorageScrub(vendor=vendor, skipped="unsupported")


@dataclass
class CloseResult:
    session: AppraisalSession
    ballots: int
    cards_voided: int
    scrub: StorageScrub | None = field(default=None)


def session_close(*, session: AppraisalSession, user: Any = None) -> CloseResult:
    """Close the vote: status closed, unused cards voided, ballots rewritten in random
    order; after commit the storage is scrubbed (see `scrub_storage`)."""
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
        AppraisalSession.objects.filter(pk=session.pk).update(
            status=AppraisalSession.Status.CLOSED, closed_at=now
        )
        result.cards_voided = VotingCard.objects.filter(
            session_id=session.pk, used=False, void=False
        ).update(void=True)
        result.ballots = _rewrite_ballots_shuffled(session.pk)
        session.status, session.closed_at = AppraisalSession.Status.CLOSED, now
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

        transaction.on_commit(_scrub, robust=True)
    return result


# --- results --------------------------------------------------------------------


def _share(part: int, whole: int) -> Decimal:
    if whole == 0:
        return Decimal("0")
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CandidateTally:
    member_id: int
    name: str
    number: str
    counts: dict[str, int]
    shares: dict[str, Decimal]


@dataclass(frozen=True)
class Reconciliation:
    """ballots = card codes used + logged-in votes; card codes used ≤ cards handed out,
    and cards handed out = members ticked present (one card drawn per member at the
    door, which is all anyone knows about who holds which card)."""

    voters_on_roll: int
    present: int  # = cards handed out
    login_votes: int
    cards_printed: int
    cards_used: int
    cards_void: int
    ballots: int

    @property
    def ballots_match_codes(self) -> bool:
        return self.ballots == self.cards_used + self.login_votes

    @property
    def codes_within_cards_handed_out(self) -> bool:
        return self.cards_used <= self.present

    @property
    def consistent(self) -> bool:
        return self.ballots_match_codes and self.codes_within_cards_handed_out


@dataclass(frozen=True)
class Tally:
    session: AppraisalSession
    candidates: list[CandidateTally]
    not_graded: list[Member]  # probationary members: 不定等次
    ballots: int
    voters_on_roll: int
    turnout: Decimal
    quorum: Decimal
    quorum_met: bool
    reconciliation: Reconciliation


def reconciliation(session: AppraisalSession) -> Reconciliation:
    roll = RollEntry.objects.filter(session_id=session.pk)
    cards = VotingCard.objects.filter(session_id=session.pk)
    return Reconciliation(
        voters_on_roll=roll.count(),
        present=roll.filter(present=True).count(),
        login_votes=roll.filter(login_voted=True).count(),
        cards_printed=cards.count(),
        cards_used=cards.filter(used=True).count(),
        cards_void=cards.filter(void=True).count(),
        ballots=Ballot.objects.filter(session_id=session.pk).count(),
    )


def tally(*, session: AppraisalSession, user: Any = None) -> Tally:
    """The result of a CLOSED session, over all its ballots. There is deliberately no
    way to count a subset of the ballots or of the voters."""
    with transaction.atomic():
        current = AppraisalSession.objects.get(pk=session.pk)
        if current.status != AppraisalSession.Status.CLOSED:
            raise Refused(_("投票结束前不能计票。"))
        roll = list(
            RollEntry.objects.filter(session=current)
            .select_related("member")
            .order_by("member__number")
        )
        counts = {e.member_id: dict.fromkeys(GRADES, 0) for e in roll if e.is_candidate}
        total = 0
        for grades in Ballot.objects.filter(session=current).values_list("grades", flat=True):
            total += 1
            for member_id, grade in grades.items():
                counts[int(member_id)][grade] += 1
        candidates = [
            CandidateTally(
                member_id=e.member_id,
                name=e.member.name,
                number=e.member.number,
                counts=counts[e.member_id],
                shares={g: _share(n, total) for g, n in counts[e.member_id].items()},
            )
            for e in roll
            if e.is_candidate
        ]
        voters = len(roll)
        result = Tally(
            session=current,
            candidates=candidates,
            not_graded=[e.member for e in roll if not e.is_candidate],
            ballots=total,
            voters_on_roll=voters,
            turnout=_share(total, voters),
            quorum=current.quorum,
            quorum_met=Decimal(total) > current.quorum * voters,
            reconciliation=reconciliation(current),
        )
        audit_record(
            action=AuditEntry.Action.OTHER,
            obj=current,
            object_type=OBJECT_TYPE,
            after={"ballots": total, "voters": voters},
            note="ballots.tally",
            actor=user,
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
