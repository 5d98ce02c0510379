"""A small scope's rows are found by its units' ids (Context.unit_ids) and a large
one's by their paths: both ways give the same progress, inactive units and party
groups included."""

from __future__ import annotations

import pytest

from vanguard.campaigns import progress as engine
from vanguard.campaigns.tests import progress_data as data
from vanguard.organization.models import Unit


def _figures(progress: engine.Progress) -> dict:
    return {
        unit.id: (
            unit.percent,
            unit.members_total,
            unit.members_complete,
            unit.silent_members,
            unit.without_plan,
            unit.without_meeting,
            [(r.label, r.done, r.total) for r in unit.results],
            [
                (m.number, m.submitted, m.study_works, [i.value for i in m.items])
                for m in unit.members
            ],
        )
        for unit in progress.units.values()
    }


@pytest.mark.parametrize("scope", ["committee", "gb_a", "branch_a1"])
def test_scope_by_ids_and_by_paths_agree(cast, org, scope, monkeypatch):
    campaign = data.make_campaign(org.committee)
    data.complete_study(campaign, org.branch_a1)
    data.plan(campaign, org.branch_b1)
    data.work(campaign, cast.other_member_record)
    # A meeting of the party group counts for its branch; a closed branch counts for none.
    data.meeting(campaign, org.group_a1, "mobilisation", day=data.today())
    closed = Unit.objects.create(
        name="已撤销党支部", kind=Unit.Kind.BRANCH, parent=org.gb_a, is_active=False
    )
    data.plan(campaign, closed)
    root = getattr(org, scope)

    by_ids = engine.campaign_progress(campaign=campaign, roots=[root], weekly=True)
    monkeypatch.setattr(engine, "SCOPE_ID_LIMIT", 0)
    by_paths = engine.campaign_progress(campaign=campaign, roots=[root], weekly=True)

    assert _figures(by_ids) == _figures(by_paths)
    assert by_ids.weekly == by_paths.weekly
    assert [u.id for u in by_ids.ancestors] == [u.id for u in by_paths.ancestors]
    assert by_ids.units[org.branch_a1.pk].has_meeting
    assert by_ids.units[org.branch_a1.pk].percent == 100
