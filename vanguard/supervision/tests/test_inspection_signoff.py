"""The supervision group's sign-off on a branch's move to the next phase (转段): a
campaign asks for it by adding the requirement `branch_supervision_signed_off` to a
phase; a branch without the sign-off is held back, and moves on once its supervisor
has signed."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from vanguard.campaigns import progress
from vanguard.campaigns import services as campaign_services
from vanguard.campaigns.models import PhaseTransition
from vanguard.campaigns.tests.progress_data import plan
from vanguard.supervision.models import PhaseSignoff
from vanguard.supervision.tests.factories_inspection import a1_check, campaign, study_phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def f(org, cast):
    return SimpleNamespace(org=org, cast=cast)


def _require_signoff(f):
    return campaign_services.requirement_add(
        phase=study_phase(f), kind="branch_supervision_signed_off", params={}
    )


def test_a_branch_without_the_sign_off_is_held_back_and_moves_on_after_it(f, client):
    c = campaign(f)
    plan(c, f.org.branch_a1)  # the study phase's other requirement
    requirement = _require_signoff(f)
    assert requirement.label == "督查组签字同意支部转段"
    met, unmet = progress.branch_requirements_met(
        campaign=c, branch=f.org.branch_a1, phase=study_phase(f)
    )
    assert not met and unmet == ["督查组签字同意支部转段"]
    with pytest.raises(ValidationError, match="督查组签字同意支部转段"):
        campaign_services.phase_transition_approve(
            campaign=c,
            branch=f.org.branch_a1,
            from_phase=study_phase(f),
            reason="学习阶段任务完成",
            actor=f.cast.supervisor,
        )

    client.force_login(f.cast.supervisor)
    response = client.post(
        f"/supervision/signoff/{c.pk}/{f.org.branch_a1.pk}/",
        {"phase": str(study_phase(f).pk), "note": "学习计划、记录齐全，同意转段"},
    )
    assert response.status_code == 302
    signed = PhaseSignoff.objects.get(branch=f.org.branch_a1)
    assert signed.signed_by == f.cast.supervisor and signed.note == "学习计划、记录齐全，同意转段"

    met, unmet = progress.branch_requirements_met(
        campaign=c, branch=f.org.branch_a1, phase=study_phase(f)
    )
    assert met and unmet == []
    moved = campaign_services.phase_transition_approve(
        campaign=c,
        branch=f.org.branch_a1,
        from_phase=study_phase(f),
        reason="学习阶段任务完成",
        actor=f.cast.supervisor,
    )
    assert moved.requirements_met
    assert PhaseTransition.objects.filter(branch=f.org.branch_a1).count() == 1


def test_the_sign_off_of_one_branch_or_phase_does_not_count_for_another(f):
    c = campaign(f)
    _require_signoff(f)
    analysis = c.phases.get(key="analysis")
    PhaseSignoff.objects.create(campaign=c, branch=f.org.branch_a2, phase=study_phase(f))
    PhaseSignoff.objects.create(campaign=c, branch=f.org.branch_a1, phase=analysis)
    plan(c, f.org.branch_a1)
    met, unmet = progress.branch_requirements_met(
        campaign=c, branch=f.org.branch_a1, phase=study_phase(f)
    )
    assert not met and "督查组签字同意支部转段" in unmet


def test_signing_off_from_the_check_page_returns_to_it_and_is_shown_there(f, client):
    check = a1_check(f)
    client.force_login(f.cast.supervisor)
    page = client.get(f"/supervision/checks/{check.pk}/").content.decode()
    assert "签字同意转段" in page
    response = client.post(
        f"/supervision/signoff/{check.round.campaign_id}/{f.org.branch_a1.pk}/",
        {"phase": str(check.round.phase_id), "note": "", "check": str(check.pk)},
    )
    assert response["Location"] == f"/supervision/checks/{check.pk}/"
    page = client.get(f"/supervision/checks/{check.pk}/").content.decode()
    assert "已签字同意结束“学习动员”阶段" in page


def test_a_second_sign_off_for_the_same_phase_is_refused(f, client):
    c = campaign(f)
    client.force_login(f.cast.committee_admin)
    url = f"/supervision/signoff/{c.pk}/{f.org.branch_a1.pk}/"
    client.post(url, {"phase": str(study_phase(f).pk)})
    page = client.post(url, {"phase": str(study_phase(f).pk)}).content.decode()
    assert "已有督查签字" in page
    assert PhaseSignoff.objects.count() == 1


def test_the_branch_secretary_may_not_sign_their_own_branch_off(f, client):
    c = campaign(f)
    client.force_login(f.cast.secretary)
    response = client.post(
        f"/supervision/signoff/{c.pk}/{f.org.branch_a1.pk}/", {"phase": str(study_phase(f).pk)}
    )
    assert response.status_code == 403
    assert not PhaseSignoff.objects.exists()
