"""The note sample (抽查): drawn by branch with a recorded seed and method, frozen once
drawn, and reproducible by anyone from what the sample page shows."""

from __future__ import annotations

import math
import random
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from vanguard.campaigns.models import Phase
from vanguard.supervision.models import Round, Sample, SampledMember
from vanguard.supervision.notes import sampling, selectors, services
from vanguard.supervision.tests import factories_notes as data

pytestmark = pytest.mark.django_db


@pytest.fixture
def f(org, cast):
    return SimpleNamespace(org=org, cast=cast)


def _grow(f, branch, count, prefix):
    members = [data.member_in(branch, f"{prefix}{i:03d}") for i in range(count)]
    for member in members:
        data.note(f, member)
    return members


def _by_hand(seed, share, minimum, strata):
    """The method as the sample page words it, written again independently."""
    found = {}
    for branch_id, ids in strata:
        ids = sorted(ids)
        k = min(len(ids), max(minimum, math.ceil(Decimal(share) * len(ids))))
        found[branch_id] = random.Random(f"{seed}:{branch_id}").sample(ids, k)
    return found


@pytest.mark.parametrize(
    ("n", "share", "minimum", "k"),
    [
        (0, "0.50", 1, 0),
        (1, "0.50", 1, 1),
        (5, "0.50", 1, 3),  # ceil(2.5)
        (10, "0.50", 1, 5),
        (3, "0.10", 2, 2),  # the minimum wins over the share
        (1, "0.10", 2, 1),  # never more than the branch has
        (7, "1.00", 1, 7),
    ],
)
def test_a_branch_draws_its_share_rounded_up_and_at_least_the_minimum(n, share, minimum, k):
    assert sampling.stratum_size(n, share=Decimal(share), minimum=minimum) == k


def test_the_same_seed_draws_the_same_members_and_another_seed_others():
    strata = [sampling.Stratum(7, tuple(range(100, 140))), sampling.Stratum(3, (5, 6, 9))]
    first = sampling.draw("stratified-v1", strata, seed=99, share=Decimal("0.5"), minimum=1)
    again = sampling.draw("stratified-v1", strata, seed=99, share=Decimal("0.5"), minimum=1)
    other = sampling.draw("stratified-v1", strata, seed=100, share=Decimal("0.5"), minimum=1)
    assert first == again
    assert first != other
    assert [len(d.member_ids) for d in first] == [20, 2]


def test_a_stored_sample_is_recomputed_from_its_recorded_seed_and_method(f):
    _grow(f, f.org.branch_a1, 9, "A")
    _grow(f, f.org.branch_a2, 4, "B")
    _grow(f, f.org.branch_b1, 1, "C")
    sample = services.sample_draw(
        campaign=data.campaign(f), title="期中抽查", actor=f.cast.committee_admin
    )
    sample.refresh_from_db()
    assert sample.method == "stratified-v1"
    assert 0 <= sample.seed < 2**63
    assert (sample.population, sample.size) == (14, 5 + 2 + 1)

    # Recompute by hand from what is recorded: the seed, the share, the minimum and
    # the population the sample was drawn from, not from today's roster.
    assert [len(ids) for _branch, ids in sample.strata] == [9, 4, 1]
    expected = _by_hand(sample.seed, sample.share, sample.minimum_per_branch, sample.strata)
    stored = {}
    for row in SampledMember.objects.filter(sample=sample).order_by("branch_id", "position"):
        stored.setdefault(row.branch_id, []).append(row.member_id)
    assert stored == expected
    assert selectors.sample_verify(sample).matches


def test_the_sample_is_frozen_when_members_leave_or_write_later(f):
    members = _grow(f, f.org.branch_a1, 6, "A")
    sample = services.sample_draw(
        campaign=data.campaign(f), title="期中抽查", seed=4242, actor=f.cast.committee_admin
    )
    drawn = list(SampledMember.objects.filter(sample=sample).values_list("member_id", flat=True))
    for member in members:
        member.is_active = False
        member.save()
    _grow(f, f.org.branch_a1, 5, "N")  # new notes after the draw

    assert (
        list(SampledMember.objects.filter(sample=sample).values_list("member_id", flat=True))
        == drawn
    )
    assert selectors.sample_verify(sample).matches


def test_verify_says_so_when_the_stored_members_were_changed(f, client):
    _grow(f, f.org.branch_a1, 6, "A")
    sample = services.sample_draw(
        campaign=data.campaign(f), title="期中抽查", seed=1, actor=f.cast.committee_admin
    )
    client.force_login(f.cast.committee_admin)
    page = client.get(f"/supervision/samples/{sample.pk}/?verify=1").content.decode()
    assert "核验一致" in page

    SampledMember.objects.filter(sample=sample).order_by("pk").first().delete()
    page = client.get(f"/supervision/samples/{sample.pk}/?verify=1").content.decode()
    assert "核验不一致" in page


def test_the_committee_draws_a_sample_in_the_browser_and_the_page_shows_how(f, client):
    _grow(f, f.org.branch_a1, 4, "A")
    _grow(f, f.org.branch_b1, 3, "C")
    client.force_login(f.cast.committee_admin)
    campaign = data.campaign(f)
    form = client.get(f"/supervision/c/{campaign.pk}/samples/new/").content.decode()
    assert 'name="seed"' in form and 'value="' in form

    response = client.post(
        f"/supervision/c/{campaign.pk}/samples/new/",
        {"title": "学习阶段中期抽查", "share": "0.50", "minimum_per_branch": "1", "seed": "123"},
    )
    sample = Sample.objects.get(title="学习阶段中期抽查")
    assert response.status_code == 302
    assert response["Location"] == f"/supervision/samples/{sample.pk}/"
    assert (sample.seed, sample.population, sample.size) == (123, 7, 2 + 2)

    page = client.get(response["Location"]).content.decode()
    for shown in ("123", "stratified-v1", "random.Random", f.org.branch_a1.name, "0.50"):
        assert shown in page
    # A1's supervisor sees the sample and the names of A1's members drawn, not B1's.
    client.force_login(f.cast.supervisor)
    page = client.get(f"/supervision/samples/{sample.pk}/").content.decode()
    a1 = SampledMember.objects.filter(sample=sample, branch=f.org.branch_a1).first()
    b1 = SampledMember.objects.filter(sample=sample, branch=f.org.branch_b1).first()
    assert a1.member.name in page
    assert b1.member.name not in page


def test_a_round_limits_the_sample_to_its_branches(f):
    _grow(f, f.org.branch_a1, 4, "A")
    _grow(f, f.org.branch_b1, 4, "C")
    campaign = data.campaign(f)
    round_ = Round.objects.create(
        campaign=campaign,
        phase=campaign.phases.get(key=Phase.Key.STUDY),
        title="学习阶段第二次检查",
        starts_on="2026-04-01",
        due_on="2026-04-03",
    )
    round_.branches.set([f.org.branch_b1])
    sample = services.sample_draw(
        campaign=campaign, title="轮次抽查", round=round_, actor=f.cast.committee_admin
    )
    assert set(SampledMember.objects.filter(sample=sample).values_list("branch", flat=True)) == {
        f.org.branch_b1.pk
    }
    assert sample.population == 4


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"share": "0"}, "share"),
        ({"share": "1.5"}, "share"),
        ({"share": "0.333"}, "share"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**63}, "seed"),
        ({"title": " "}, "title"),
    ],
)
def test_a_draw_with_a_bad_setting_is_refused_and_writes_nothing(f, change, field):
    data.cast_notes(f)
    arguments = {"campaign": data.campaign(f), "title": "抽查", "actor": f.cast.committee_admin}
    with pytest.raises(ValidationError) as raised:
        services.sample_draw(**{**arguments, **change})
    assert field in raised.value.message_dict
    assert not Sample.objects.exists()


def test_no_sample_without_notes(f):
    with pytest.raises(ValidationError) as raised:
        services.sample_draw(campaign=data.campaign(f), title="抽查", actor=f.cast.committee_admin)
    assert "读书笔记" in raised.value.message_dict["campaign"][0]
