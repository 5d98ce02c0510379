"""Grading's business rules: proposals, the cap on excellent, submission, the
committee's decision, and the handling of a member proposed unqualified. Every function
takes keyword arguments, runs in one transaction and changes nothing when it refuses
(`ValidationError` with a message naming the member or field at fault).

Writes go through `Model.save()` under `acting_as(user)`, so the audit trail records
each proposal and each step with its author. Who may act is the caller's to check,
through `grading.access` (the branch's officers propose, the committee decides, each
step of a case has its recorder); these functions trust it.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts.access import holders
from vanguard.accounts.models import Role, User
from vanguard.audit.context import acting_as
from vanguard.ballots.models import Grade
from vanguard.ballots.services import CandidateTally
from vanguard.campaigns.models import Campaign
from vanguard.grading import selectors
from vanguard.grading.models import BranchGrading, GradeProposal, GradingRule, UnqualifiedCase
from vanguard.notices.services import Message, notify_many, site_language
from vanguard.organization.models import Member, Unit

RATIONALE_MAX = 500
NOTE_MAX = 2000


def rule_set(*, campaign: Campaign, numerator: int, denominator: int, user: User) -> GradingRule:
    """The committee sets the campaign's cap on excellent (e.g. 1/3, 3/10)."""
    if not (0 < denominator <= 100 and 0 <= numerator <= denominator):
        raise ValidationError({"cap": _("优秀比例须是 0 到 1 之间的分数，例如 1/3 或 30%。")})
    with transaction.atomic(), acting_as(user):
        rule, _created = GradingRule.objects.select_for_update().get_or_create(campaign=campaign)
        rule.excellent_numerator, rule.excellent_denominator = numerator, denominator
        rule.save()
    return rule


def grading_start(*, campaign: Campaign, branch: Unit) -> BranchGrading:
    grading, _created = BranchGrading.objects.get_or_create(campaign=campaign, branch=branch)
    return grading


def _locked(grading: BranchGrading) -> BranchGrading:
    return BranchGrading.objects.select_for_update().get(pk=grading.pk)


def _require_editable(grading: BranchGrading) -> None:
    if not grading.editable:
        raise ValidationError(
            _("本支部的等级初评已报党委（当前状态：%(status)s），不能再修改。")
            % {"status": grading.get_status_display()}
        )


def plurality(tally: CandidateTally | None) -> str:
    """The grade a candidate's published tally gave most votes (a `CandidateTally`), or
    "" when there is none: no tally, no votes, or a tie at the top."""
    if tally is None:
        return ""
    counts = {g: tally.counts[g] for g in Grade.values}
    top = max(counts.values())
    leaders = [g for g, n in counts.items() if n == top]
    return leaders[0] if top > 0 and len(leaders) == 1 else ""


def proposals_save(
    *, grading: BranchGrading, entries: Mapping[int, tuple[str, str]], user: User
) -> int:
    """Save the branch's proposals: member id → (grade, rationale). A row with neither is
    left as it is. A grade needs a rationale unless it is the plurality of the member's
    published tally (`plurality`): a proposal that departs from the vote, or has no
    clear vote behind it, says why. Returns the number of proposals changed."""
    members = {m.pk: m for m in selectors.formal_members(grading.branch)}
    pluralities = {
        pk: plurality(found.candidate)
        for pk, found in selectors.member_tallies(grading.campaign, list(members)).items()
        if found.published
    }
    errors: list[str] = []
    cleaned: dict[int, tuple[str, str]] = {}
    for member_id, (grade, rationale) in entries.items():
        member = members.get(int(member_id))
        if member is None:
            errors.append(_("第 %(id)s 号不是本支部的正式党员，不能评定等次。") % {"id": member_id})
            continue
        grade, rationale = (grade or "").strip(), (rationale or "").strip()
        if not grade and not rationale:
            continue
        if grade not in Grade.values:
            errors.append(_("%(name)s：请选择等次。") % {"name": member.name})
        elif not rationale and grade != pluralities.get(member.pk, ""):
            if pluralities.get(member.pk):
                errors.append(
                    _("%(name)s：拟评等次与民主评议得票最多的“%(grade)s”不同，请写明评定理由。")
                    % {"name": member.name, "grade": Grade(pluralities[member.pk]).label}
                )
            else:
                errors.append(_("%(name)s：请写明评定理由。") % {"name": member.name})
        elif len(rationale) > RATIONALE_MAX:
            errors.append(
                _("%(name)s：评定理由最多 %(max)s 字。")
                % {"name": member.name, "max": RATIONALE_MAX}
            )
        else:
            cleaned[member.pk] = (grade, rationale)
    if errors:
        raise ValidationError(errors)
    changed = 0
    with transaction.atomic(), acting_as(user):
        _require_editable(_locked(grading))
        existing = {
            p.member_id: p
            for p in GradeProposal.objects.filter(grading=grading).select_related(
                "unqualified_case"
            )
        }
        for member_id, (grade, rationale) in cleaned.items():
            proposal = existing.get(member_id)
            if proposal is None:
                proposal = GradeProposal(grading=grading, member_id=member_id)
            elif (proposal.grade, proposal.rationale) == (grade, rationale):
                continue
            proposal.grade, proposal.rationale = grade, rationale
            proposal.save()
            changed += 1
            _sync_case(proposal)
    return changed


def _sync_case(proposal: GradeProposal) -> None:
    """A proposal of unqualified opens (or takes up again) its handling case; another
    grade withdraws it, keeping the steps already recorded."""
    case = UnqualifiedCase.objects.filter(proposal=proposal).first()
    unqualified = proposal.grade == Grade.UNQUALIFIED
    if case is None:
        if unqualified:
            UnqualifiedCase.objects.create(proposal=proposal)
        return
    if case.withdrawn == (not unqualified):
        return
    case.withdrawn = not unqualified
    case.save()


def submission_problems(
    grading: BranchGrading, explanation: str = "", rows: list[selectors.Row] | None = None
) -> list[str]:
    """Why the branch's proposals cannot go to the committee yet (empty when they can).
    `rows`: the page's rows when it has them already (each costs the branch's tallies)."""
    campaign, branch = grading.campaign, grading.branch
    if rows is None:
        rows = selectors.rows(campaign=campaign, branch=branch, grading=grading)
    problems: list[str] = []
    if not rows:
        problems.append(_("本支部没有正式党员，无需评定等次。"))
    missing = [r.member.name for r in rows if r.proposal is None]
    if missing:
        problems.append(_("以下党员尚未评定等次：%(names)s。") % {"names": _("、").join(missing)})
    no_vote = [r.member.name for r in rows if r.tally is None and not r.withheld]
    if no_vote:
        problems.append(
            _("以下党员尚未经过民主评议投票（投票结束后才能上报）：%(names)s。")
            % {"names": _("、").join(no_vote)}
        )
    # A vote whose results are withheld graded nobody: it needs a new vote.
    withheld = [r.member.name for r in rows if r.tally is None and r.withheld]
    if withheld:
        problems.append(
            _(
                "以下党员的民主评议投票收回选票太少或未达到有效人数，不公布得票，"
                "不能作为评定依据，请重新投票后再上报：%(names)s。"
            )
            % {"names": _("、").join(withheld)}
        )
    for row in rows:
        unqualified = row.proposal is not None and row.proposal.grade == Grade.UNQUALIFIED
        if unqualified and (row.case is None or not row.case.ready_for_committee):
            problems.append(
                _("%(name)s 拟评为不合格：须先完成谈话、上级预审和支部表决。")
                % {"name": row.member.name}
            )
    check = selectors.excellent_check(campaign=campaign, rows=rows)
    if check["exceeded"] and not explanation.strip():
        problems.append(
            _(
                "拟评优秀 %(count)s 名，超过上限 %(cap)s 名（正式党员 %(formal)s 名的 "
                "%(label)s），请写明超出比例的理由。"
            )
            % {
                "count": check["count"],
                "cap": check["cap"],
                "formal": len(rows),
                "label": check["label"],
            }
        )
    return problems


def grading_submit(*, grading: BranchGrading, explanation: str, user: User) -> BranchGrading:
    """The branch reports its proposals to the committee (等级初评上报)."""
    explanation = (explanation or "").strip()
    if len(explanation) > NOTE_MAX:
        raise ValidationError(
            {"excellent_explanation": _("说明最多 %(max)s 字。") % {"max": NOTE_MAX}}
        )
    with transaction.atomic(), acting_as(user):
        current = _locked(grading)
        _require_editable(current)
        problems = submission_problems(current, explanation)
        if problems:
            raise ValidationError(problems)
        current.status = BranchGrading.Status.SUBMITTED
        current.excellent_explanation = explanation
        current.submitted_at, current.submitted_by = timezone.now(), user
        current.return_reason = ""
        current.save()
        _notify_committee(current)
    return current


def grading_decide(
    *, grading: BranchGrading, approve: bool, reason: str, user: User
) -> BranchGrading:
    """The committee approves (审批) the branch's proposals as they stand, or returns them
    with a reason. Approving also records the committee's approval of each case of a
    member proposed unqualified; the grades become visible to the members."""
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("退回时必须写明理由。")})
    with transaction.atomic(), acting_as(user):
        current = _locked(grading)
        if current.status != BranchGrading.Status.SUBMITTED:
            raise ValidationError(
                _("只有已报党委的等级初评可以审批（当前状态：%(status)s）。")
                % {"status": current.get_status_display()}
            )
        now = timezone.now()
        current.decided_at, current.decided_by = now, user
        if approve:
            current.status = BranchGrading.Status.APPROVED
            cases = UnqualifiedCase.objects.filter(
                proposal__grading=current, withdrawn=False, committee_on__isnull=True
            )
            for case in cases:
                case.committee_on, case.committee_by = timezone.localdate(now), user
                case.save()
        else:
            current.status = BranchGrading.Status.RETURNED
            current.return_reason = reason
        current.save()
        _notify_decision(current)
    return current


# --- Notifications -------------------------------------------------------------------


def _branch_url(grading: BranchGrading) -> str:
    return reverse("grading:branch", args=[grading.campaign_id, grading.branch_id])


def _notify_committee(grading: BranchGrading) -> None:
    """The committee admins over the branch learn that proposals wait for them."""
    admins = holders(grading.branch, {Role.COMMITTEE_ADMIN}).values_list("pk", flat=True)
    stamp = grading.submitted_at.isoformat() if grading.submitted_at else ""
    with site_language():
        text = _("%(branch)s的等级初评已报党委，请审批。") % {"branch": grading.branch.name}
    notify_many(
        Message(
            user_id=pk,
            text=text,
            url=_branch_url(grading),
            key=f"grading-submitted:{grading.pk}:{stamp}",
        )
        for pk in admins
    )


def _notify_decision(grading: BranchGrading) -> None:
    """Approved: each graded member with an account learns their grade is there to
    read. Returned: whoever submitted learns why."""
    stamp = grading.decided_at.isoformat() if grading.decided_at else ""
    with site_language():
        if grading.status == BranchGrading.Status.APPROVED:
            text = _("您在%(campaign)s中的评议等级已经党委审批。") % {
                "campaign": grading.campaign.name
            }
            users: list[int] = list(
                GradeProposal.objects.filter(
                    grading=grading, member__user__isnull=False
                ).values_list("member__user_id", flat=True)
            )
            url = reverse("grading:home")
        else:
            text = _("%(branch)s的等级初评被党委退回：%(reason)s") % {
                "branch": grading.branch.name,
                "reason": grading.return_reason,
            }
            users = [grading.submitted_by_id] if grading.submitted_by_id else []
            url = _branch_url(grading)
    notify_many(
        Message(
            user_id=pk, text=text, url=url, key=f"grading-{grading.status}:{grading.pk}:{stamp}"
        )
        for pk in users
    )


# --- Handling of a member proposed unqualified ------------------------------------
# Who records each step is `grading.access.STEP_RECORDERS`'s; the committee's approval
# comes with its decision on the branch's grades (`grading_decide`).


def _case_step(case: UnqualifiedCase, step: str) -> UnqualifiedCase:
    """Lock the case and check the step is the next one."""
    current = (
        UnqualifiedCase.objects.select_for_update()
        .select_related("proposal__grading__branch", "proposal__member")
        .get(pk=case.pk)
    )
    if current.withdrawn:
        raise ValidationError(_("该党员已不再拟评为不合格，处置程序已撤回。"))
    if current.next_step != step:
        raise ValidationError(
            _("请按顺序办理：谈话、上级预审、支部表决、党委审批、处置结果。下一步是：%(step)s。")
            % {"step": step_label(current.next_step)}
        )
    return current


def step_label(step: str) -> str:
    return {
        "talk": _("与本人谈话"),
        "prereview": _("上级党组织预审"),
        "vote": _("支部大会表决"),
        "committee": _("党委审批"),
        "outcome": _("处置结果"),
        "": _("已办结"),
    }[step]


def _note(text: str, field: str, *, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({field: _("请填写这一项。")})
    if len(text) > NOTE_MAX:
        raise ValidationError({field: _("最多 %(max)s 字。") % {"max": NOTE_MAX}})
    return text


def _date(on: datetime.date | None, field: str) -> datetime.date:
    if on is None:
        raise ValidationError({field: _("请填写日期。")})
    if on > timezone.localdate():
        raise ValidationError({field: _("日期不能晚于今天。")})
    return on


def case_record_talk(
    *, case: UnqualifiedCase, on: datetime.date | None, note: str, user: User
) -> UnqualifiedCase:
    on, note = _date(on, "talk_on"), _note(note, "talk_note")
    with transaction.atomic(), acting_as(user):
        current = _case_step(case, "talk")
        current.talk_on, current.talk_note, current.talk_by = on, note, user
        current.save()
    return current


def case_record_prereview(
    *, case: UnqualifiedCase, on: datetime.date | None, agrees: bool, note: str, user: User
) -> UnqualifiedCase:
    on, note = _date(on, "prereview_on"), _note(note, "prereview_note")
    with transaction.atomic(), acting_as(user):
        current = _case_step(case, "prereview")
        if on < current.talk_on:  # type: ignore[operator]
            raise ValidationError({"prereview_on": _("预审日期不能早于谈话日期。")})
        current.prereview_on, current.prereview_note = on, note
        current.prereview_agrees, current.prereview_by = agrees, user
        current.save()
    return current


def case_record_vote(
    *,
    case: UnqualifiedCase,
    on: datetime.date | None,
    votes_for: int,
    votes_against: int,
    votes_abstain: int,
    proposed_outcome: str,
    user: User,
) -> UnqualifiedCase:
    on = _date(on, "vote_on")
    if proposed_outcome not in UnqualifiedCase.Outcome.values:
        raise ValidationError({"proposed_outcome": _("请选择支部建议的处置方式。")})
    if min(votes_for, votes_against, votes_abstain) < 0:
        raise ValidationError({"votes_for": _("票数不能为负数。")})
    with transaction.atomic(), acting_as(user):
        current = _case_step(case, "vote")
        branch = current.proposal.grading.branch
        voters = Member.objects.filter(branch=branch, is_active=True).count()
        if votes_for + votes_against + votes_abstain > voters:
            raise ValidationError(
                {"votes_for": _("表决票数合计超过了支部党员人数（%(n)s 人）。") % {"n": voters}}
            )
        if on < current.prereview_on:  # type: ignore[operator]
            raise ValidationError({"vote_on": _("表决日期不能早于预审日期。")})
        current.vote_on, current.vote_by = on, user
        current.votes_for, current.votes_against = votes_for, votes_against
        current.votes_abstain, current.proposed_outcome = votes_abstain, proposed_outcome
        current.save()
    return current


def case_record_outcome(
    *, case: UnqualifiedCase, outcome: str, on: datetime.date | None, note: str, user: User
) -> UnqualifiedCase:
    on, note = _date(on, "outcome_on"), _note(note, "outcome_note", required=False)
    if outcome not in UnqualifiedCase.Outcome.values:
        raise ValidationError({"outcome": _("请选择处置结果。")})
    with transaction.atomic(), acting_as(user):
        current = _case_step(case, "outcome")
        current.outcome, current.outcome_on = outcome, on
        current.outcome_note, current.outcome_by = note, user
        current.save()
    return current
