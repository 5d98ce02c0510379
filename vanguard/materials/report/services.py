"""Writes of the drafted report: the committee's choice of examples."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vanguard.accounts.models import User
from vanguard.campaigns.models import Campaign
from vanguard.materials.report.candidates import Candidate
from vanguard.materials.report.models import ReportSelection

MAX_CHOSEN = 30


@transaction.atomic
def report_selection_save(
    *, campaign: Campaign, user: User, refs: Iterable[str], candidates: list[Candidate]
) -> list[ReportSelection]:
    """The examples ticked, in the order given, replace the campaign's earlier choice.
    Each must be one of the person's candidates (`candidates`); any other, or too many,
    and nothing is written."""
    wanted = list(dict.fromkeys(str(ref) for ref in refs))
    known = {candidate.ref: candidate for candidate in candidates}
    unknown = [ref for ref in wanted if ref not in known]
    if unknown:
        raise ValidationError(
            {
                "chosen": _("选用的事例中有%(n)d项不在候选事例之中，请刷新页面后重新勾选。")
                % {"n": len(unknown)}
            }
        )
    if len(wanted) > MAX_CHOSEN:
        raise ValidationError(
            {"chosen": _("选用的事例最多%(max)d项，请减少勾选。") % {"max": MAX_CHOSEN}}
        )
    ReportSelection.objects.filter(campaign=campaign).delete()
    return ReportSelection.objects.bulk_create(
        [
            ReportSelection(
                campaign=campaign,
                kind=known[ref].kind,
                ref=ref,
                order=index,
                chosen_by=user,
            )
            for index, ref in enumerate(wanted, start=1)
        ]
    )
