"""The one access layer: every "may this person do this to that?" is answered here.

Views and API endpoints never filter by role themselves; they call the
`visible_*` selectors for lists and the `get_*_for_user` helpers for single
objects. An object outside the person's scope is a 404 (its existence is not
revealed); an object they may see but not change is a 403 on a write.

Roles are held over a unit and reach everything below it (its subtree, by the
unit's materialised path). A member who holds no role sees themself and the
name of their own branch.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from vanguard.accounts.models import Role, RoleAssignment
from vanguard.lib.paths import path_ids

if TYPE_CHECKING:
    from vanguard.organization.models import Member, Unit

# Who may read the people and units in their scope.
READ_ROLES = frozenset(
    {
        Role.COMMITTEE_ADMIN,
        Role.SUPERVISOR,
        Role.GENERAL_BRANCH_SECRETARY,
        Role.BRANCH_SECRETARY,
        Role.BRANCH_COMMITTEE,
        Role.OBSERVER,
    }
)
# Party-group leaders read only their group's members (and their group).
GROUP_ROLES = frozenset({Role.GROUP_LEADER})
# Who may keep a roster: add, change and move members, import and export.
ROSTER_ROLES = frozenset(
    {Role.COMMITTEE_ADMIN, Role.GENERAL_BRANCH_SECRETARY, Role.BRANCH_SECRETARY}
)
ADMIN_ROLES = frozenset({Role.COMMITTEE_ADMIN})


@dataclass(frozen=True)
class Scope:
    role: str
    unit_id: int
    path: str


def scopes(user: Any) -> list[Scope]:
    """The roles a user holds, each with the path of its unit; cached on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_vanguard_scopes", None)
    if cached is not None:
        return cached
    found = [
        Scope(role=role, unit_id=unit_id, path=path)
        for role, unit_id, path in RoleAssignment.objects.filter(
            user=user, unit__is_active=True
        ).values_list("role", "unit_id", "unit__path")
    ]
    if user.is_superuser:
        # The superuser made by `createsuperuser` is the first committee admin of everything.
        found.append(Scope(role=Role.COMMITTEE_ADMIN, unit_id=0, path="/"))
    user._vanguard_scopes = found
    return found


def forget_scopes(user: Any) -> None:
    """Call after changing a user's roles in the same request."""
    if hasattr(user, "_vanguard_scopes"):
        del user._vanguard_scopes


def roles(user: Any) -> set[str]:
    return {scope.role for scope in scopes(user)}


def paths(user: Any, allowed: Iterable[str]) -> list[str]:
    allowed = set(allowed)
    return sorted({scope.path for scope in scopes(user) if scope.role in allowed})


def _covers(path_list: list[str], path: str) -> bool:
    return any(path.startswith(prefix) for prefix in path_list)


def _under(path_list: list[str], field: str) -> Q:
    """Rows whose `field` path lies under any of the given paths (nothing if none)."""
    query = Q(pk__in=[])
    for prefix in path_list:
        query |= Q(**{f"{field}__startswith": prefix})
    return query


def member_of(user: Any) -> Member | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.member
    except Exception:  # RelatedObjectDoesNotExist
        return None


def is_committee_admin(user: Any) -> bool:
    return Role.COMMITTEE_ADMIN in roles(user)


# --- Units --------------------------------------------------------------------


def visible_units(user: Any) -> QuerySet[Unit]:
    from vanguard.organization.models import Unit

    query = _under(paths(user, READ_ROLES | GROUP_ROLES), "path")
    member = member_of(user)
    if member is not None:
        query |= Q(pk=member.branch_id)
    return Unit.objects.filter(query, is_active=True)


def can_view_unit(user: Any, unit: Unit) -> bool:
    if _covers(paths(user, READ_ROLES | GROUP_ROLES), unit.path):
        return True
    member = member_of(user)
    return member is not None and member.branch_id == unit.pk


def can_list_unit_members(user: Any, unit: Unit) -> bool:
    """May see the roster of this unit (a member sees only their branch's name, not its roster)."""
    return _covers(paths(user, READ_ROLES | GROUP_ROLES), unit.path)


def can_manage_roster(user: Any, unit: Unit) -> bool:
    """May import, export and change members of this unit's subtree."""
    return _covers(paths(user, ROSTER_ROLES), unit.path)


def get_unit_for_user(user: Any, pk: Any, *, write: bool = False) -> Unit:
    from vanguard.organization.models import Unit

    unit = Unit.objects.filter(pk=pk, is_active=True).select_related("parent").first()
    if unit is None or not can_view_unit(user, unit):
        raise Http404
    if write and not can_manage_roster(user, unit):
        raise PermissionDenied
    return unit


# --- Members ------------------------------------------------------------------


def visible_members(user: Any) -> QuerySet[Member]:
    from vanguard.organization.models import Member

    query = _under(paths(user, READ_ROLES), "branch__path")
    query |= _under(paths(user, GROUP_ROLES), "party_group__path")
    if getattr(user, "is_authenticated", False):
        query |= Q(user=user)
    return Member.objects.filter(query)


def can_view_member(user: Any, member: Member) -> bool:
    if _covers(paths(user, READ_ROLES), member.branch.path):
        return True
    if member.party_group_id and _covers(paths(user, GROUP_ROLES), member.party_group.path):  # type: ignore[union-attr]
        return True
    return bool(member.user_id) and member.user_id == getattr(user, "pk", None)


def can_edit_member(user: Any, member: Member) -> bool:
    return can_manage_roster(user, member.branch)


def can_view_member_contact(user: Any, member: Member) -> bool:
    """Phone and e-mail: for those who keep the member's roster, and the member themself."""
    if bool(member.user_id) and member.user_id == getattr(user, "pk", None):
        return True
    return can_edit_member(user, member)


def manages_any_roster(user: Any) -> bool:
    """Holds a roster role somewhere (decides whether the roster-import link is shown)."""
    return bool(paths(user, ROSTER_ROLES))


def get_member_for_user(user: Any, pk: Any, *, write: bool = False) -> Member:
    from vanguard.organization.models import Member

    member = Member.objects.filter(pk=pk).select_related("branch", "party_group", "user").first()
    if member is None or not can_view_member(user, member):
        raise Http404
    if write and not can_edit_member(user, member):
        raise PermissionDenied
    return member


def roster_units(user: Any) -> QuerySet[Unit]:
    """Units whose roster this user may import into or export."""
    from vanguard.organization.models import Unit

    return Unit.objects.filter(_under(paths(user, ROSTER_ROLES), "path"), is_active=True)


# --- Back office --------------------------------------------------------------


def can_use_admin(user: Any) -> bool:
    """Django admin is for committee admins only, each inside their scope (see
    `accounts.admin.ScopedAdmin`); a superuser's scope is everything."""
    return is_committee_admin(user)


def admin_scope(user: Any, field: str) -> Q:
    """Rows whose `field` (a unit path) lies under a unit this person is committee admin of."""
    return _under(paths(user, ADMIN_ROLES), field)


def in_admin_scope(user: Any, unit: Unit) -> bool:
    return _covers(paths(user, ADMIN_ROLES), unit.path)


def admin_users(user: Any) -> QuerySet[Any]:
    """Logins a committee admin may look up in the back office: those of members in their
    scope and of people holding a role in it. A login attached to nothing is seen only
    by superusers (nobody can tell whose it is)."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.all()
    if getattr(user, "is_superuser", False) and user.is_active:
        return users
    scope = paths(user, ADMIN_ROLES)
    holders = RoleAssignment.objects.filter(_under(scope, "unit__path")).values("user_id")
    return users.filter(_under(scope, "member__branch__path") | Q(pk__in=holders))


def can_manage_user(actor: Any, target: Any) -> bool:
    """May change this login (its details, active flag, password): a superuser, or a
    committee admin over everything the login reaches — its member record and every role
    it holds. Nobody but a superuser changes a superuser or a staff login, so nobody takes
    over a login that sees more than they do."""
    if getattr(actor, "is_superuser", False) and actor.is_active:
        return True
    if target.is_superuser or target.is_staff:
        return False
    scope = paths(actor, ADMIN_ROLES)
    if not scope:
        return False
    reaches = list(RoleAssignment.objects.filter(user=target).values_list("unit__path", flat=True))
    member = member_of(target)
    if member is not None:
        reaches.append(member.branch.path)
    return bool(reaches) and all(_covers(scope, path) for path in reaches)


def can_grant_role(actor: Any, role: str, unit: Unit) -> bool:
    """May give (or take away) `role` over `unit`: a committee admin over the unit. The
    committee admin is the highest role, so no role granted inside their scope is above
    their own; a unit above their scope is refused, whatever the role."""
    return role in Role.values and _covers(paths(actor, ADMIN_ROLES), unit.path)


# --- Roster import jobs -------------------------------------------------------


def can_view_import_job(user: Any, job: Any) -> bool:
    """A roster import job (its errors quote the file) is seen by the person who started
    it and by committee admins over its unit, no one else."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if job.created_by_id is not None and job.created_by_id == user.pk:
        return True
    return _covers(paths(user, ADMIN_ROLES), job.unit.path)


def get_import_job_for_user(user: Any, pk: Any) -> Any:
    from vanguard.organization.models import ImportJob

    job = ImportJob.objects.filter(pk=pk).select_related("unit", "created_by").first()
    if job is None or not can_view_import_job(user, job):
        raise Http404
    return job


# --- Campaigns, study and meetings -------------------------------------------
# Who keeps a branch's records (plans, sessions, meetings, attendance).
ACTIVITY_ROLES = frozenset(
    {
        Role.COMMITTEE_ADMIN,
        Role.GENERAL_BRANCH_SECRETARY,
        Role.BRANCH_SECRETARY,
        Role.BRANCH_COMMITTEE,
    }
)
# Who may look at (and mark as reviewed) members' study work.
REVIEW_ROLES = ACTIVITY_ROLES | {Role.SUPERVISOR}
# Who may approve a branch moving on to the next phase (转段).
TRANSITION_ROLES = frozenset({Role.COMMITTEE_ADMIN, Role.SUPERVISOR})


def _member_path(user: Any) -> str | None:
    member = member_of(user)
    return member.branch.path if member is not None else None


def visible_campaigns(user: Any) -> QuerySet[Any]:
    """Campaigns running in a unit that contains, or lies inside, the person's scope."""
    from vanguard.campaigns.models import Campaign

    own = [scope.path for scope in scopes(user)]
    member_path = _member_path(user)
    if member_path:
        own.append(member_path)
    query = Q(pk__in=[])
    for path in set(own):
        unit_ids = path_ids(path)
        query |= Q(unit_id__in=unit_ids) | Q(unit__path__startswith=path)
    # Drafts are seen only by the committee admins who prepare them.
    query = (query & ~Q(status="draft")) | _under(paths(user, ADMIN_ROLES), "unit__path")
    return Campaign.objects.filter(query).select_related("unit")


def can_manage_campaign(user: Any, campaign: Any) -> bool:
    return _covers(paths(user, ADMIN_ROLES), campaign.unit.path)


def get_campaign_for_user(user: Any, pk: Any, *, write: bool = False) -> Any:
    campaign = visible_campaigns(user).filter(pk=pk).select_related("unit").first()
    if campaign is None:
        raise Http404
    if write and not can_manage_campaign(user, campaign):
        raise PermissionDenied
    return campaign


def can_view_progress(user: Any, unit: Unit) -> bool:
    """Progress of a unit and everything below it: officers and observers over it."""
    return _covers(paths(user, READ_ROLES), unit.path)


def progress_units(user: Any) -> QuerySet[Unit]:
    from vanguard.organization.models import Unit

    return Unit.objects.filter(_under(paths(user, READ_ROLES), "path"), is_active=True)


def can_keep_records(user: Any, unit: Unit) -> bool:
    """May add and change the unit's plans, sessions, meetings and attendance."""
    return _covers(paths(user, ACTIVITY_ROLES), unit.path)


def record_units(user: Any) -> QuerySet[Unit]:
    """Units whose records this person keeps (for choosing where a meeting belongs)."""
    from vanguard.organization.models import Unit

    return Unit.objects.filter(_under(paths(user, ACTIVITY_ROLES), "path"), is_active=True)


def can_view_records(user: Any, unit: Unit) -> bool:
    """May read the unit's plans, sessions and meetings: officers over it, and its members.

    A member reads the records of their own branch and of the units above it
    (a lecture for the whole college, a notice from the general branch)."""
    if _covers(paths(user, READ_ROLES), unit.path):
        return True
    member_path = _member_path(user)
    return member_path is not None and member_path.startswith(unit.path)


def can_approve_transition(user: Any, branch: Unit) -> bool:
    return _covers(paths(user, TRANSITION_ROLES), branch.path)


def can_review_work(user: Any, member: Member) -> bool:
    return _covers(paths(user, REVIEW_ROLES), member.branch.path)


def visible_study_works(user: Any) -> QuerySet[Any]:
    """A member's own work, and the work of members a reviewer or observer covers."""
    from vanguard.study.models import StudyWork

    query = _under(paths(user, REVIEW_ROLES | {Role.OBSERVER}), "member__branch__path")
    if getattr(user, "is_authenticated", False):
        query |= Q(member__user=user)
    return StudyWork.objects.filter(query).select_related("member", "member__branch", "campaign")


def get_study_work_for_user(user: Any, pk: Any, *, write: bool = False) -> Any:
    """`write` means the member editing their own work, allowed until it is reviewed."""
    work = visible_study_works(user).filter(pk=pk).first()
    if work is None:
        raise Http404
    if write and (work.member.user_id != user.pk or work.is_locked):
        raise PermissionDenied
    return work


# --- Meetings -----------------------------------------------------------------
# Meetings of the units above a member's branch that are for officers only: a member
# reads the college's all-member meeting, not its leading group's minutes (unless
# they attended).
OFFICER_MEETING_KINDS = frozenset({"secretary", "leading_group"})


def visible_meetings(user: Any) -> QuerySet[Any]:
    """Meetings of the units an officer, observer or group leader covers; for a member,
    the meetings of their branch and party group, the open meetings of the units above
    it, and any meeting they are on the attendance list of."""
    from vanguard.meetings.models import Meeting, MeetingAttendance

    query = _under(paths(user, READ_ROLES | GROUP_ROLES), "unit__path")
    member = member_of(user)
    if member is not None:
        branch_path = member.branch.path
        above = path_ids(branch_path)[:-1]
        query |= Q(unit_id=member.branch_id)
        if member.party_group_id:
            query |= Q(unit_id=member.party_group_id)
        query |= Q(unit_id__in=above) & ~Q(kind__in=OFFICER_MEETING_KINDS)
        query |= Q(pk__in=MeetingAttendance.objects.filter(member=member).values("meeting_id"))
    return Meeting.objects.filter(query)


def can_view_meeting_attendance(user: Any, meeting: Any) -> bool:
    """Who was absent, and why: for officers and observers over the meeting's unit (a
    member sees the counts and their own line)."""
    return _covers(paths(user, READ_ROLES | GROUP_ROLES), meeting.unit.path)


def get_meeting_for_user(user: Any, pk: Any, *, write: bool = False) -> Any:
    meeting = (
        visible_meetings(user)
        .filter(pk=pk)
        .select_related("unit", "campaign", "phase", "created_by")
        .first()
    )
    if meeting is None:
        raise Http404
    if write and not can_keep_records(user, meeting.unit):
        raise PermissionDenied
    return meeting


# --- Campaign management and notices -----------------------------------------


def managed_campaigns(user: Any) -> QuerySet[Any]:
    """Campaigns whose phases and requirements this person edits (committee admins)."""
    from vanguard.campaigns.models import Campaign

    return Campaign.objects.filter(_under(paths(user, ADMIN_ROLES), "unit__path")).select_related(
        "unit"
    )


def campaign_units(user: Any) -> QuerySet[Unit]:
    """Units a committee admin may start a campaign in (a committee or general branch)."""
    from vanguard.organization.models import Unit

    return Unit.objects.filter(
        _under(paths(user, ADMIN_ROLES), "path"),
        kind__in=[Unit.Kind.COMMITTEE, Unit.Kind.GENERAL_BRANCH],
        is_active=True,
    )


# Secretaries publish notices to their own unit; committee admins to any unit they cover.
NOTICE_OWN_UNIT_ROLES = frozenset({Role.GENERAL_BRANCH_SECRETARY, Role.BRANCH_SECRETARY})


def notice_units(user: Any) -> QuerySet[Unit]:
    from vanguard.organization.models import Unit

    own = [s.unit_id for s in scopes(user) if s.role in NOTICE_OWN_UNIT_ROLES]
    return Unit.objects.filter(
        _under(paths(user, ADMIN_ROLES), "path") | Q(pk__in=own),
        is_active=True,
    ).exclude(kind=Unit.Kind.PARTY_GROUP)


def can_publish_notice(user: Any, unit: Unit) -> bool:
    if unit.kind == "party_group":
        return False
    if _covers(paths(user, ADMIN_ROLES), unit.path):
        return True
    return any(s.unit_id == unit.pk for s in scopes(user) if s.role in NOTICE_OWN_UNIT_ROLES)


def visible_notices(user: Any) -> QuerySet[Any]:
    """Notices to the person's branch or any unit above it, or above any unit they hold a
    role over; officers and observers also see the notices inside their scope."""
    from vanguard.notices.models import Notice

    above: set[int] = set()
    member_path = _member_path(user)
    if member_path:
        above.update(path_ids(member_path))
    for scope in scopes(user):
        above.update(path_ids(scope.path))
    query = Q(unit_id__in=above) | _under(paths(user, READ_ROLES), "unit__path")
    return Notice.objects.filter(query).select_related("unit", "published_by")


def get_notice_for_user(user: Any, pk: Any) -> Any:
    notice = visible_notices(user).filter(pk=pk).first()
    if notice is None:
        raise Http404
    return notice


def progress_roots(user: Any) -> list[Unit]:
    """The units at the top of a person's progress view: those over which they hold a
    role that reads progress (the committee, a general branch, supervised branches)."""
    from vanguard.organization.models import Unit

    found = [scope for scope in scopes(user) if scope.role in READ_ROLES]
    if any(scope.path == "/" for scope in found):  # the superuser
        return list(Unit.objects.filter(parent__isnull=True, is_active=True))
    units = Unit.objects.filter(pk__in={scope.unit_id for scope in found}, is_active=True)
    return sorted(units, key=lambda unit: (unit.path.count("/"), unit.path))


def get_study_session_for_user(user: Any, pk: Any, *, write: bool = False) -> Any:
    """A study session or lecture: read by officers over its unit and by the members
    under it; `write` (attendance, the sign-in QR code) by those who keep its records."""
    from vanguard.study.models import StudySession

    session = StudySession.objects.filter(pk=pk).select_related("unit", "campaign").first()
    if session is None or not can_view_records(user, session.unit):
        raise Http404
    if write and not can_keep_records(user, session.unit):
        raise PermissionDenied
    return session


def visible_study_sessions(user: Any) -> QuerySet[Any]:
    """Study sessions and lectures whose records the person may read (the list form of
    `can_view_records`): officers and observers over the unit, and members of the unit
    or of a unit below it."""
    from vanguard.study.models import StudySession

    query = _under(paths(user, READ_ROLES), "unit__path")
    member_path = _member_path(user)
    if member_path:
        query |= Q(unit_id__in=path_ids(member_path))
    return StudySession.objects.filter(query).select_related("unit", "campaign")


# --- Opinions (征求意见) -------------------------------------------------------
# Those who keep a unit's records also gather and sort its opinions, and may see
# where an opinion came from (to answer an e-mail, to follow up a talk) unless they
# could be its subject (see `sources_shown_filter` below). Supervisors
# and observers read opinions without their sources. Nobody — whatever their roles —
# sees an opinion about themself in the sorting pages: they read it on their own
# feedback sheet, where no source is ever shown.
OPINION_READ_ROLES = frozenset({Role.SUPERVISOR, Role.OBSERVER})


def _not_about_self(user: Any) -> Q:
    member = member_of(user)
    return ~Q(subject_member=member) if member is not None else Q()


def visible_opinions(user: Any) -> QuerySet[Any]:
    from vanguard.opinions.models import Opinion

    query = _under(paths(user, ACTIVITY_ROLES | OPINION_READ_ROLES), "branch__path")
    return (
        Opinion.objects.filter(query)
        .filter(_not_about_self(user))
        .select_related("branch", "subject_member", "subject_unit", "aspect", "campaign")
    )


def can_sort_opinions(user: Any, unit: Unit) -> bool:
    """May enter, sort, merge and set aside opinions gathered in this unit."""
    return _covers(paths(user, ACTIVITY_ROLES), unit.path)


# Who sees an opinion's source (its contact and source, an e-mail's sender, subject,
# attachments and the notes on dropped ones, a talk's participants and notes): those
# who sort it and cannot be its subject. An opinion may be about anyone in the unit
# that gathered it until it is sorted — and a sorter must not be able to open the
# source by choosing another subject — so a sorter who belongs to that unit (or to the
# unit the opinion is about, or is its subject) never sees the source; a sorter above
# them does (the general-branch secretary, the committee). Opinions entered from one
# talk, symposium or e-mail share their source, so one of them that may concern the
# sorter hides the source of all. `sources_shown_filter` is the rule; every page, API
# answer and download asks `can_see_opinion_sources` (or the annotation of
# `with_sources_shown`, which is the same rule).


def _could_concern(member: Member) -> Q:
    """Opinions that are, or may turn out to be, about this member."""
    above = path_ids(member.branch.path)
    return Q(subject_member=member) | Q(branch_id__in=above) | Q(subject_unit_id__in=above)


def sources_shown_filter(user: Any) -> Q:
    """The opinions whose sources this person may see, as a query condition."""
    from django.db.models import Exists, OuterRef

    from vanguard.opinions.models import Opinion

    query = _under(paths(user, ACTIVITY_ROLES), "branch__path")
    member = member_of(user)
    if member is None:
        return query
    concern = _could_concern(member)
    sharing_a_source = Opinion.objects.filter(concern).filter(
        Q(record_id=OuterRef("record_id")) | Q(email_id=OuterRef("email_id"))
    )
    return Q(query, ~concern, ~Exists(sharing_a_source))


def with_sources_shown(opinions: QuerySet[Any], user: Any) -> QuerySet[Any]:
    """The opinions annotated with `sources_shown` for this person (one query for a list)."""
    from django.db.models import BooleanField, Case, Value, When

    return opinions.annotate(
        sources_shown=Case(
            When(sources_shown_filter(user), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def can_see_opinion_sources(user: Any, opinion: Any) -> bool:
    shown = getattr(opinion, "sources_shown", None)
    if shown is not None:
        return bool(shown)
    if not can_sort_opinions(user, opinion.branch):
        return False
    from vanguard.opinions.models import Opinion

    return Opinion.objects.filter(pk=opinion.pk).filter(sources_shown_filter(user)).exists()


def can_see_sources_in(user: Any, unit: Unit) -> bool:
    """May see who gave the opinions gathered in this unit (a survey's respondents,
    a record's participants) — the unit-wide part of the rule above."""
    if not can_sort_opinions(user, unit):
        return False
    member = member_of(user)
    return member is None or not member.branch.path.startswith(unit.path)


def can_see_record_sources(user: Any, record: Any) -> bool:
    """May see who took part in a talk or symposium, and its notes."""
    from vanguard.opinions.models import Opinion

    if not can_see_sources_in(user, record.branch):
        return False
    member = member_of(user)
    if member is None:
        return True
    return not Opinion.objects.filter(record=record).filter(_could_concern(member)).exists()


def opinion_units(user: Any) -> QuerySet[Unit]:
    """Units whose opinions this person gathers and sorts."""
    return record_units(user)


def get_opinion_for_user(user: Any, pk: Any, *, write: bool = False) -> Any:
    opinion = visible_opinions(user).filter(pk=pk).first()
    if opinion is None:
        raise Http404
    if write and not can_sort_opinions(user, opinion.branch):
        raise PermissionDenied
    return opinion


def can_view_feedback_sheet(user: Any, member: Member) -> bool:
    """A member's feedback sheet (反馈表: the opinions about them, with no source): the
    member themself, and those who review the member's work or sort the opinions of
    the member's branch."""
    if member.user_id is not None and member.user_id == getattr(user, "pk", None):
        return True
    return can_review_work(user, member) or can_sort_opinions(user, member.branch)


def reads_opinions(user: Any) -> bool:
    """Holds a role that reads gathered opinions somewhere (the sorting list and the
    opinion dashboard): those who sort them, and supervisors and observers."""
    return bool(paths(user, ACTIVITY_ROLES | OPINION_READ_ROLES))


# --- Opinion mailboxes (电子信箱) ----------------------------------------------------
# Their settings hold a password: only the committee and the secretaries keep them.
MAILBOX_ROLES = frozenset(
    {Role.COMMITTEE_ADMIN, Role.GENERAL_BRANCH_SECRETARY, Role.BRANCH_SECRETARY}
)


def can_manage_mailbox(user: Any, unit: Unit) -> bool:
    """May set up, change and poll the opinion mailboxes of this unit."""
    return _covers(paths(user, MAILBOX_ROLES), unit.path)


def mailbox_units(user: Any) -> QuerySet[Unit]:
    from vanguard.organization.models import Unit

    return Unit.objects.filter(_under(paths(user, MAILBOX_ROLES), "path"), is_active=True)


def visible_mailboxes(user: Any) -> QuerySet[Any]:
    from vanguard.opinions.models import Mailbox

    return Mailbox.objects.filter(
        _under(paths(user, MAILBOX_ROLES), "branch__path")
    ).select_related("campaign", "branch")


def get_mailbox_for_user(user: Any, pk: Any) -> Any:
    mailbox = visible_mailboxes(user).filter(pk=pk).first()
    if mailbox is None:
        raise Http404
    return mailbox


# --- Self-analysis and personal summary (三上三下) ----------------------------
# The branch secretary and branch committee review their members' documents; the
# committee gives guidance, opinion and approval; general-branch secretaries,
# supervisors and observers read their scope. Nobody reviews their own document.
BRANCH_REVIEW_ROLES = frozenset({Role.BRANCH_SECRETARY, Role.BRANCH_COMMITTEE})
SELF_ANALYSIS_READ_ROLES = frozenset(
    {
        Role.COMMITTEE_ADMIN,
        Role.GENERAL_BRANCH_SECRETARY,
        Role.BRANCH_SECRETARY,
        Role.BRANCH_COMMITTEE,
        Role.SUPERVISOR,
        Role.OBSERVER,
    }
)


def visible_self_analyses(user: Any) -> QuerySet[Any]:
    from vanguard.reviews.models import SelfAnalysis

    query = _under(paths(user, SELF_ANALYSIS_READ_ROLES), "member__branch__path")
    if getattr(user, "is_authenticated", False):
        query |= Q(member__user=user)
    return SelfAnalysis.objects.filter(query).select_related("member", "member__branch", "campaign")


def _is_author(user: Any, document: Any) -> bool:
    return bool(document.member.user_id) and document.member.user_id == getattr(user, "pk", None)


def can_edit_self_analysis(user: Any, document: Any) -> bool:
    """Only the member writes their own document."""
    return _is_author(user, document)


def can_branch_review(user: Any, document: Any) -> bool:
    return not _is_author(user, document) and _covers(
        paths(user, BRANCH_REVIEW_ROLES), document.member.branch.path
    )


def can_committee_respond(user: Any, document: Any) -> bool:
    return not _is_author(user, document) and _covers(
        paths(user, ADMIN_ROLES), document.member.branch.path
    )


def get_self_analysis_for_user(user: Any, pk: Any, *, write: bool = False) -> Any:
    """`write` means the author editing or submitting their own document."""
    document = visible_self_analyses(user).filter(pk=pk).first()
    if document is None:
        raise Http404
    if write and not can_edit_self_analysis(user, document):
        raise PermissionDenied
    return document


def branch_review_units(user: Any) -> QuerySet[Unit]:
    """Branches whose members' documents this person reviews (the review queue)."""
    from vanguard.organization.models import Unit

    return Unit.objects.filter(
        _under(paths(user, BRANCH_REVIEW_ROLES), "path"), kind=Unit.Kind.BRANCH, is_active=True
    )


def committee_review_units(user: Any) -> QuerySet[Unit]:
    """Units under which this person gives the committee's guidance, opinion and approval."""
    from vanguard.organization.models import Unit

    return Unit.objects.filter(_under(paths(user, ADMIN_ROLES), "path"), is_active=True)


# --- Democratic appraisal: the secret ballot (ballots) -------------------------


def can_run_appraisal(user: Any, unit: Unit) -> bool:
    """May create, open and close the unit's appraisal vote, tick the roll, print cards
    and read the tally: the officers who keep the unit's records (ACTIVITY_ROLES)."""
    return _covers(paths(user, ACTIVITY_ROLES), unit.path)


def can_allow_login_voting(user: Any, unit: Unit) -> bool:
    """Only the committee may allow logged-in voting (it weakens secrecy during the vote)."""
    return _covers(paths(user, ADMIN_ROLES), unit.path)


def appraisal_units(user: Any) -> QuerySet[Unit]:
    """Branches and party groups whose appraisal vote this person may run."""
    from vanguard.organization.models import Unit

    return Unit.objects.filter(
        _under(paths(user, ACTIVITY_ROLES), "path"),
        kind__in=[Unit.Kind.BRANCH, Unit.Kind.PARTY_GROUP],
        is_active=True,
    )


def visible_appraisal_sessions(user: Any) -> QuerySet[Any]:
    """Sessions this person runs, and those whose roll they are on (to vote by logging
    in, or to check their receipt after the close)."""
    from vanguard.ballots.models import AppraisalSession

    query = _under(paths(user, ACTIVITY_ROLES), "unit__path")
    member = member_of(user)
    if member is not None:
        query |= Q(roll__member=member)
    return AppraisalSession.objects.filter(query).distinct().select_related("unit", "campaign")


def get_appraisal_session_for_user(user: Any, pk: Any, *, write: bool = False) -> Any:
    session = visible_appraisal_sessions(user).filter(pk=pk).first()
    if session is None:
        raise Http404
    if write and not can_run_appraisal(user, session.unit):
        raise PermissionDenied
    return session


def can_enter_paper_totals(user: Any, session: Any) -> bool:
    """May type in the paper ballots' totals after the close: whoever runs the vote."""
    return can_run_appraisal(user, session.unit)


def can_confirm_paper_totals(user: Any, session: Any) -> bool:
    """The second pair of eyes on the paper totals: a committee admin over the unit who
    did not enter them (two-person rule)."""
    if not _covers(paths(user, ADMIN_ROLES), session.unit.path):
        return False
    from vanguard.ballots.models import PaperTally

    return not PaperTally.objects.filter(session_id=session.pk, entered_by_id=user.pk).exists()


# --- Grading: proposals, approval, handling of unqualified members (grading) -------
# The branch secretary and branch committee propose; the committee approves or returns;
# the level above the branch (its general branch, or the committee) pre-reviews a
# proposal of unqualified; supervisors, observers and general-branch secretaries read.
# A member sees only their own grade, and only once the committee has approved it.
GRADING_PROPOSE_ROLES = BRANCH_REVIEW_ROLES
GRADING_PREREVIEW_ROLES = frozenset({Role.GENERAL_BRANCH_SECRETARY, Role.COMMITTEE_ADMIN})
GRADING_READ_ROLES = SELF_ANALYSIS_READ_ROLES


def can_view_grading(user: Any, branch: Unit) -> bool:
    return _covers(paths(user, GRADING_READ_ROLES), branch.path)


def can_propose_grades(user: Any, branch: Unit) -> bool:
    return _covers(paths(user, GRADING_PROPOSE_ROLES), branch.path)


def can_decide_grades(user: Any, branch: Unit) -> bool:
    return _covers(paths(user, ADMIN_ROLES), branch.path)


def can_view_registration_form(user: Any, member: Member) -> bool:
    """A member's appraisal registration form (党员评议登记表): the member themself, and
    those who read the member's branch grading. (What the member themself sees of their
    grade before the committee's approval is decided by the form's selector.)"""
    if member.user_id is not None and member.user_id == getattr(user, "pk", None):
        return True
    return can_view_grading(user, member.branch)


def can_prereview_unqualified(user: Any, branch: Unit) -> bool:
    """The level above the branch: a general-branch secretary over it, or the committee
    (a branch's own officers cannot pre-review their own proposal)."""
    return any(
        scope.role in GRADING_PREREVIEW_ROLES
        and branch.path.startswith(scope.path)
        and scope.path != branch.path
        for scope in scopes(user)
    )


def grading_branches(user: Any) -> QuerySet[Unit]:
    """Branches whose grading this person reads (and, by role, proposes or decides)."""
    from vanguard.organization.models import Unit

    return Unit.objects.filter(
        _under(paths(user, GRADING_READ_ROLES), "path"), kind=Unit.Kind.BRANCH, is_active=True
    )


def get_grading_branch_for_user(user: Any, pk: Any, *, write: bool = False) -> Unit:
    """A branch whose grading page this person may open; `write` means proposing."""
    branch = grading_branches(user).filter(pk=pk).first()
    if branch is None:
        raise Http404
    if write and not can_propose_grades(user, branch):
        raise PermissionDenied
    return branch


def get_campaign_covering(pk: Any, unit: Unit) -> Any:
    """The campaign `pk` if its unit contains `unit` (a branch whose page the person may
    already open), else 404."""
    from vanguard.campaigns.models import Campaign

    campaign = Campaign.objects.select_related("unit").filter(pk=pk).first()
    if campaign is None or not unit.path.startswith(campaign.unit.path):
        raise Http404
    return campaign


def get_grade_proposal_for_user(user: Any, pk: Any) -> Any:
    from vanguard.grading.models import GradeProposal

    proposal = (
        GradeProposal.objects.select_related(
            "grading", "grading__branch", "grading__campaign", "member"
        )
        .filter(pk=pk, grading__branch__in=grading_branches(user))
        .first()
    )
    if proposal is None:
        raise Http404
    return proposal
