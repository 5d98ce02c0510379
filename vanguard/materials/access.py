"""Who may see and make the branch's materials, the college's figures, the drafted
report, the paper forms and the archive. Built on the vocabulary of `accounts.access`
and the access modules of the apps whose records the documents hold; views and tasks
ask here, never decide themselves."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from vanguard.accounts.access import (
    ADMIN_ROLES,
    READ_ROLES,
    Person,
    covers,
    get_for_user,
    holders,
    paths,
    roles,
    under,
)
from vanguard.accounts.models import Role
from vanguard.ballots import access as ballots_access
from vanguard.ballots.models import AppraisalSession
from vanguard.campaigns import access as campaigns_access
from vanguard.campaigns.access import (
    can_manage_campaign,
    get_campaign_for_user,
    visible_campaigns,
)
from vanguard.campaigns.models import Campaign, Phase
from vanguard.grading import access as grading_access
from vanguard.materials.archive.models import ArchiveJob
from vanguard.materials.bundles.models import BundleJob
from vanguard.materials.jobs import MaterialJob
from vanguard.materials.stage_summary.models import StageSummary
from vanguard.materials.workbook.models import WorkbookJob
from vanguard.opinions import access as opinions_access
from vanguard.opinions.models import Survey
from vanguard.organization.models import Member, Unit

# --- The background jobs (bundles, the workbook, the archive) ---------------------------

J = TypeVar("J", bound=MaterialJob)


def own_job_for_user(
    model: type[J],
    user: Person,
    pk: object,
    *,
    related: tuple[str, ...],
    need: Callable[[Person, J], bool],
) -> J:
    """A job of `model` the person asked for — nobody else's, whoever they are: a 404 —
    while `need` still holds for them (a 403 once it does not)."""
    own = model._default_manager.filter(created_by_id=getattr(user, "pk", None))
    return get_for_user(own.select_related(*related), user, pk, need=need)


def job_with_file(job: J) -> J:
    """A job whose file the person downloads: built, its file still kept (a 404 before,
    after a failure, or once deleted)."""
    if job.state != job.State.DONE or not job.file:
        raise Http404
    if not job.file.storage.exists(job.file.name):
        raise Http404
    return job


# --- The college statistics workbook (统计表) -----------------------------------------


# The committee for the college, a general branch's secretary for theirs, supervisors
# and observers for what they watch: those who read figures across branches. A branch's
# own officers have the dashboard and their branch's materials instead.
WORKBOOK_ROLES = frozenset(
    {Role.COMMITTEE_ADMIN, Role.GENERAL_BRANCH_SECRETARY, Role.SUPERVISOR, Role.OBSERVER}
)
WORKBOOK_UNIT_KINDS = (Unit.Kind.COMMITTEE, Unit.Kind.GENERAL_BRANCH, Unit.Kind.BRANCH)


def workbook_roots(user: Person, campaign: Campaign) -> list[Unit]:
    """The units at the top of the person's workbook for the campaign: the campaign's
    unit when a role covers it, else the units inside it over which they hold a
    workbook role (a general branch, a supervisor's branches), each subtree once."""
    held = paths(user, WORKBOOK_ROLES)
    top = campaign.unit.path
    if any(top.startswith(path) for path in held):
        return [campaign.unit]
    inside = sorted((path for path in held if path.startswith(top)), key=len)
    kept: list[str] = []
    for path in inside:
        if not any(path.startswith(other) for other in kept):
            kept.append(path)
    if not kept:
        return []
    return list(
        Unit.objects.filter(path__in=kept, is_active=True, kind__in=WORKBOOK_UNIT_KINDS).order_by(
            "path"
        )
    )


def can_make_workbook(user: Person, campaign: Campaign) -> bool:
    return bool(workbook_roots(user, campaign))


def workbook_campaigns(user: Person) -> list[Campaign]:
    """The campaigns (not drafts) whose workbook this person may make, newest first."""
    found = visible_campaigns(user).exclude(status=Campaign.Status.DRAFT).order_by("-year", "-pk")
    return [campaign for campaign in found if can_make_workbook(user, campaign)]


def get_workbook_campaign_for_user(user: Person, pk: object) -> Campaign:
    """A campaign whose workbook this person makes: a 404 outside their sight, a 403 in
    sight without a workbook role (a member, a branch's own officers)."""
    return get_campaign_for_user(user, pk, need=can_make_workbook)


def get_workbook_unit_for_user(user: Person, campaign: Campaign, pk: object) -> Unit:
    """A unit (committee, general branch or branch) inside one of the person's workbook
    roots for the campaign, to narrow the workbook to; a 404 for any other."""
    roots = workbook_roots(user, campaign)
    units = Unit.objects.filter(is_active=True, kind__in=WORKBOOK_UNIT_KINDS)
    return get_for_user(
        units, user, pk, see=lambda _user, unit: any(unit.path.startswith(r.path) for r in roots)
    )


def get_workbook_job_for_user(user: Person, pk: object) -> WorkbookJob:
    """A workbook job the person asked for (nobody else's: a 404), while they may still
    make that campaign's workbook (a 403 once they may not)."""
    return own_job_for_user(
        WorkbookJob,
        user,
        pk,
        related=("campaign__unit", "unit"),
        need=lambda person, job: can_make_workbook(person, job.campaign),
    )


def get_workbook_campaigns_for_user(user: Person) -> list[Campaign]:
    """The workbook page's campaigns: a 403 for a person who may make none."""
    found = workbook_campaigns(user)
    if not found:
        raise PermissionDenied
    return found


def get_workbook_file_job_for_user(user: Person, pk: object) -> WorkbookJob:
    """A job whose file the person downloads: theirs (as `get_workbook_job_for_user`),
    and built (a 404 before, or after a failure: there is no file)."""
    return job_with_file(get_workbook_job_for_user(user, pk))


# --- The paper forms (纸质表格) ------------------------------------------------------------


def get_paper_session_for_user(user: Person, pk: object) -> AppraisalSession:
    """A vote whose blank appraisal sheets (测评表) and tally sheet (汇总表) this person
    prints: whoever runs the vote, by the ballots app's own rule (`can_run_session`);
    a 404 outside its sight, a 403 for a voter on its roll who does not run it."""
    return ballots_access.get_appraisal_session_for_user(
        user, pk, need=ballots_access.can_run_session
    )


def get_paper_survey_for_user(user: Person, pk: object) -> Survey:
    """A written survey whose blank paper form (征求意见表) this person prints: those who
    gather its branch's opinions, by the opinions app's rule (`get_survey_for_user`)."""
    return opinions_access.get_survey_for_user(user, pk)


# --- The archive for the records office (归档) ------------------------------------------------


def can_archive_campaign(user: Person, campaign: Campaign) -> bool:
    """The whole campaign goes to the records office from the committee that runs it:
    a committee admin over the campaign's unit (`campaigns.access.can_manage_campaign`)."""
    return can_manage_campaign(user, campaign)


def archive_campaigns(user: Person) -> list[Campaign]:
    """The campaigns (not drafts) this person may archive, newest first."""
    found = visible_campaigns(user).exclude(status=Campaign.Status.DRAFT).order_by("-year", "-pk")
    return [campaign for campaign in found if can_archive_campaign(user, campaign)]


def get_archive_campaigns_for_user(user: Person) -> list[Campaign]:
    """As `archive_campaigns`; 403 for one who may archive none (the archive page)."""
    campaigns = archive_campaigns(user)
    if not campaigns:
        raise PermissionDenied
    return campaigns


def get_archive_campaign_for_user(user: Person, pk: object) -> Campaign:
    """A campaign to archive: a 404 outside the person's sight, a 403 in sight for
    anyone but a committee admin over it."""
    return get_campaign_for_user(user, pk, need=can_archive_campaign)


def get_archive_job_for_user(user: Person, pk: object) -> ArchiveJob:
    """An archive job the person asked for (nobody else's: a 404), while they may still
    archive that campaign (a 403 once they may not)."""
    return own_job_for_user(
        ArchiveJob,
        user,
        pk,
        related=("campaign__unit",),
        need=lambda person, job: can_archive_campaign(person, job.campaign),
    )


def get_archive_file_for_user(user: Person, pk: object) -> ArchiveJob:
    """A finished archive to download: the person's own job (as above), with its zip;
    a 404 while it is not built, or when it failed."""
    return job_with_file(get_archive_job_for_user(user, pk))


# --- The drafted campaign review report (工作回顾初稿) -----------------------------------------


def can_draft_report(user: Person, campaign: Campaign) -> bool:
    """The college's review is the committee's: a committee admin over the campaign's
    unit chooses the examples and drafts it."""
    return can_manage_campaign(user, campaign)


def can_read_report(user: Person, campaign: Campaign) -> bool:
    """Who drafts it, and the observers over the campaign's unit (上级督导组), who read
    everything but ballots and sources: they see the page and the draft, choose nothing."""
    return can_draft_report(user, campaign) or covers(
        paths(user, {Role.OBSERVER}), campaign.unit.path
    )


def report_campaigns(user: Person) -> list[Campaign]:
    """The campaigns (not drafts) whose report this person reads, newest first."""
    found = visible_campaigns(user).exclude(status=Campaign.Status.DRAFT).order_by("-year", "-pk")
    return [campaign for campaign in found if can_read_report(user, campaign)]


def get_report_campaign_for_user(user: Person, pk: object, *, draft: bool = False) -> Campaign:
    """A campaign whose report this person reads (`draft=True`: drafts, choosing the
    examples): a 404 outside their sight, a 403 in sight without the capability."""
    return get_campaign_for_user(user, pk, need=can_draft_report if draft else can_read_report)


# --- The branch meeting record book (支部大会记录本) ------------------------------------


# Who reads a branch's book: the officers and observers over the branch who read its
# meetings' attendance (`meetings.access.can_view_meeting_attendance`: who was absent,
# and why) and its grading, where the vote's published counts are already theirs to
# read (`grading.access.GRADING_READ_ROLES`) — the branch's secretary and committee, the
# general branch's secretary, the committee, supervisors and observers over it. A
# member reads their branch's meetings, not the book (everyone's absences); a
# party-group leader, their group's.
MEETING_BOOK_ROLES = READ_ROLES & grading_access.GRADING_READ_ROLES


def can_read_meeting_book(user: Person, branch: Unit) -> bool:
    return covers(paths(user, MEETING_BOOK_ROLES), branch.path)


def meeting_book_campaigns(user: Person) -> list[Campaign]:
    """The campaigns (not drafts) the person sees, newest first, for the book's page."""
    found = visible_campaigns(user).exclude(status=Campaign.Status.DRAFT)
    return list(found.order_by("-year", "-pk"))


def meeting_book_branches(user: Person, campaign: Campaign) -> QuerySet[Unit]:
    """The branches of the campaign whose book the person reads."""
    return Unit.objects.filter(
        under(paths(user, MEETING_BOOK_ROLES), "path"),
        kind=Unit.Kind.BRANCH,
        path__startswith=campaign.unit.path,
    )


def get_meeting_book_branch_for_user(user: Person, pk: object) -> Unit:
    """A branch whose book the person reads: a 404 for a branch whose records they do
    not see, a 403 for one they see without reading its book (its own members)."""
    return get_for_user(
        Unit.objects.filter(kind=Unit.Kind.BRANCH),
        user,
        pk,
        see=campaigns_access.can_view_records,
        need=can_read_meeting_book,
    )


def get_meeting_book_campaign_for_user(user: Person, pk: object, branch: Unit) -> Campaign:
    """A campaign (not a draft) the person sees that runs in `branch`; else a 404."""
    return get_for_user(
        visible_campaigns(user).exclude(status=Campaign.Status.DRAFT),
        user,
        pk,
        see=lambda _user, campaign: branch.path.startswith(campaign.unit.path),
    )


# --- The branch's stage summary (支部阶段工作小结) ----------------------------------------

# The branch's officers write their branch's summaries.
STAGE_SUMMARY_WRITE_ROLES = frozenset({Role.BRANCH_SECRETARY, Role.BRANCH_COMMITTEE})
# Who reads the summaries of the branches in their scope: the writers, the reviewers
# (general-branch secretary, committee) and those who watch (supervisors, observers).
# Not a member, nor a party-group leader: the summary is the branch's report upward.
STAGE_SUMMARY_READ_ROLES = STAGE_SUMMARY_WRITE_ROLES | {
    Role.COMMITTEE_ADMIN,
    Role.GENERAL_BRANCH_SECRETARY,
    Role.SUPERVISOR,
    Role.OBSERVER,
}
STAGE_SUMMARY_GENERAL_BRANCH_ROLES = frozenset({Role.GENERAL_BRANCH_SECRETARY})


def visible_stage_summaries(user: Person) -> QuerySet[StageSummary]:
    return StageSummary.objects.filter(
        under(paths(user, STAGE_SUMMARY_READ_ROLES), "branch__path")
    ).select_related("campaign", "branch", "phase")


def can_write_stage_summary(user: Person, branch: Unit) -> bool:
    """Draft, edit, redraft and submit the branch's summaries: its secretary and
    branch committee."""
    return branch.kind == Unit.Kind.BRANCH and covers(
        paths(user, STAGE_SUMMARY_WRITE_ROLES), branch.path
    )


def can_edit_stage_summary(user: Person, summary: StageSummary) -> bool:
    return summary.editable and can_write_stage_summary(user, summary.branch)


def can_review_stage_summary(user: Person, summary: StageSummary) -> bool:
    """Decide on the summary where it now waits: a submitted one, the secretary of a
    general branch over the branch; one with the committee, a committee admin over it."""
    if summary.state == StageSummary.State.SUBMITTED:
        roles = STAGE_SUMMARY_GENERAL_BRANCH_ROLES
    elif summary.state == StageSummary.State.WITH_COMMITTEE:
        roles = ADMIN_ROLES
    else:
        return False
    return covers(paths(user, roles), summary.branch.path)


def stage_summary_branches(user: Person, campaign: Campaign) -> QuerySet[Unit]:
    """The campaign's active branches whose summaries this person writes."""
    return Unit.objects.filter(
        under(paths(user, STAGE_SUMMARY_WRITE_ROLES), "path"),
        kind=Unit.Kind.BRANCH,
        is_active=True,
        path__startswith=campaign.unit.path,
    ).order_by("path")


def can_read_stage_summaries(user: Person, campaign: Campaign) -> bool:
    held = paths(user, STAGE_SUMMARY_READ_ROLES)
    top = campaign.unit.path
    return any(top.startswith(path) or path.startswith(top) for path in held)


def stage_summary_campaigns(user: Person) -> list[Campaign]:
    """The campaigns (not drafts) whose branches' summaries this person reads."""
    found = visible_campaigns(user).exclude(status=Campaign.Status.DRAFT).order_by("-year", "-pk")
    return [campaign for campaign in found if can_read_stage_summaries(user, campaign)]


def can_write_summary_of_branch(user: Person, summary: StageSummary) -> bool:
    """Write to this summary's branch's summaries (whatever the summary's state: a save
    on an accepted one is told why it cannot be changed)."""
    return can_write_stage_summary(user, summary.branch)


def get_stage_summary_campaigns_for_user(user: Person) -> list[Campaign]:
    """The campaigns whose summaries the person reads; a 403 for one who reads none (a
    member, a party-group leader)."""
    found = stage_summary_campaigns(user)
    if not found:
        raise PermissionDenied
    return found


def get_stage_summary_phase_for_user(user: Person, campaign: Campaign, pk: object) -> Phase:
    """A phase of a campaign the person already reached (a 404 for any other id)."""
    return get_for_user(campaign.phases.all(), user, pk)


def get_stage_summary_for_user(user: Person, pk: object, *, need=None) -> StageSummary:
    """A summary in the person's reading scope (else a 404); `need` a capability (else
    a 403)."""
    return get_for_user(visible_stage_summaries(user), user, pk, need=need)


def get_stage_summary_branch_for_user(user: Person, campaign: Campaign, pk: object) -> Unit:
    """A branch of the campaign whose summaries this person writes: a 404 outside the
    branches whose summaries they read, a 403 for one they only read."""
    readable = Unit.objects.filter(
        under(paths(user, STAGE_SUMMARY_READ_ROLES), "path"),
        kind=Unit.Kind.BRANCH,
        is_active=True,
        path__startswith=campaign.unit.path,
    )
    return get_for_user(readable, user, pk, need=can_write_stage_summary)


def stage_summary_readers(branch: Unit) -> QuerySet[Member]:
    """The members among those who read the branch's stage summaries — on their pages
    or in the branch's bundle (its officers, the general branch's secretary, the
    committee, supervisors and observers over it). Its figures leave out the opinions
    about every one of them (`materials.figures`): the opinions app never lets anyone
    count the opinions about themself."""
    readers = holders(branch, STAGE_SUMMARY_READ_ROLES | BUNDLE_BRANCH_ROLES)
    return Member.objects.filter(user__in=readers)


# --- Bundles: a branch's three materials, a college's branches (材料包) ----------------


# A branch's bundle for whoever reads all three of its materials: the registration
# forms' vote counts and grades are the grading readers' (`GRADING_READ_ROLES`), the
# same people who read the book and the summaries — the branch's secretary and
# committee, the general branch's secretary, the committee, supervisors and observers
# over the branch. Not a member, nor a party-group leader (everyone's forms).
BUNDLE_BRANCH_ROLES = grading_access.GRADING_READ_ROLES
# The bundle of every branch under a unit: the committee over it, and a general
# branch's secretary for their general branch.
BUNDLE_COLLEGE_ROLES = frozenset({Role.COMMITTEE_ADMIN, Role.GENERAL_BRANCH_SECRETARY})
BUNDLE_COLLEGE_KINDS = (Unit.Kind.COMMITTEE, Unit.Kind.GENERAL_BRANCH)


def can_bundle(user: Person, unit: Unit) -> bool:
    """May have the bundle of `unit`: a branch's three materials, or (a committee or a
    general branch) every branch's under it."""
    if unit.kind == Unit.Kind.BRANCH:
        return covers(paths(user, BUNDLE_BRANCH_ROLES), unit.path)
    return unit.kind in BUNDLE_COLLEGE_KINDS and covers(
        paths(user, BUNDLE_COLLEGE_ROLES), unit.path
    )


def campaign_covers(campaign: Campaign, unit: Unit) -> bool:
    """The campaign runs in (some of) the unit: over it, or inside it."""
    return unit.path.startswith(campaign.unit.path) or campaign.unit.path.startswith(unit.path)


def bundle_units(user: Person, campaign: Campaign) -> QuerySet[Unit]:
    """The active units of the campaign the person may have a bundle of, in tree order:
    the branches they read, the general branches and committees over which they hold
    a college role."""
    top = campaign.unit.path
    return Unit.objects.filter(
        (
            under(paths(user, BUNDLE_BRANCH_ROLES), "path")
            & Q(kind=Unit.Kind.BRANCH, path__startswith=top)
        )
        | (
            under(paths(user, BUNDLE_COLLEGE_ROLES), "path")
            & Q(kind__in=BUNDLE_COLLEGE_KINDS)
            & (Q(path__startswith=top) | Q(pk=campaign.unit_id))
        ),
        is_active=True,
    ).order_by("path")


def bundle_campaigns(user: Person) -> list[Campaign]:
    """The campaigns (not drafts) with a unit this person may bundle, newest first."""
    found = visible_campaigns(user).exclude(status=Campaign.Status.DRAFT).order_by("-year", "-pk")
    return [campaign for campaign in found if bundle_units(user, campaign).exists()]


def get_bundle_campaigns_for_user(user: Person) -> list[Campaign]:
    """The bundle page's campaigns: a 403 for a person with nothing to bundle."""
    found = bundle_campaigns(user)
    if not found:
        raise PermissionDenied
    return found


def get_bundle_campaign_for_user(user: Person, pk: object) -> Campaign:
    """A campaign to bundle: a 404 outside the person's sight, a 403 in sight with
    nothing to bundle (a member)."""
    return get_campaign_for_user(
        user, pk, need=lambda person, campaign: bundle_units(person, campaign).exists()
    )


def get_bundle_unit_for_user(user: Person, campaign: Campaign, pk: object) -> Unit:
    """A unit of the campaign the person may bundle; a 404 for any other."""
    return get_for_user(bundle_units(user, campaign), user, pk)


def get_bundle_job_for_user(user: Person, pk: object) -> BundleJob:
    """A bundle job the person asked for — nobody else's, whoever they are: a 404 —
    while they may still have that unit's bundle (a 403 once they may not)."""
    return own_job_for_user(
        BundleJob,
        user,
        pk,
        related=("campaign__unit", "unit"),
        need=lambda person, job: can_bundle(person, job.unit),
    )


def get_bundle_file_job_for_user(user: Person, pk: object) -> BundleJob:
    """A job whose zip the person downloads: theirs (as `get_bundle_job_for_user`) and
    built, its file still kept (a 404 before, after a failure, or once deleted)."""
    return job_with_file(get_bundle_job_for_user(user, pk))


# --- The front page (/materials/) and the navigation ---------------------------------


def reads_materials(user: Person) -> bool:
    """Holds a role whose holder reads some branch's materials or the college's figures
    (the navigation's link; no query beyond the cached scopes)."""
    return bool(roles(user) & READ_ROLES)


def check_reads_materials(user: Person) -> None:
    """The front page is for those `reads_materials` admits (403 for anyone else)."""
    if not reads_materials(user):
        raise PermissionDenied
