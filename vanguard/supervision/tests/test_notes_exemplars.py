"""Note types and exemplars (范例): the committee names the types and publishes assessed
notes, signed with the author's consent or anonymised — an anonymised exemplar never
shows its author or their branch, on any page or API answer; every member of the
campaign reads them; and the figures of notes read."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from vanguard.supervision.models import Exemplar, NoteAssessment, NoteType
from vanguard.supervision.notes import selectors, services
from vanguard.supervision.selectors import campaign_branches
from vanguard.supervision.tests import factories_notes as data

pytestmark = pytest.mark.django_db

AUTHOR = "王小明"


@pytest.fixture
def f(org, cast):
    return SimpleNamespace(org=org, cast=cast)


def test_the_committee_adds_renames_and_orders_note_types(f, client):
    campaign = data.campaign(f)
    client.force_login(f.cast.committee_admin)
    url = f"/supervision/c/{campaign.pk}/note-types/"
    client.post(url, {"name": "摘录型", "description": "摘抄原文"})
    client.post(url, {"name": "心得型"})
    response = client.post(url, {"name": "摘录型"})
    assert "已有名为" in response.content.decode()
    kept = NoteType.objects.get(name="心得型")
    client.post(
        f"/supervision/note-types/{kept.pk}/edit/",
        {f"t{kept.pk}-name": "心得体会型", f"t{kept.pk}-order": "0"},
    )
    assert list(NoteType.objects.order_by("order").values_list("name", flat=True)) == [
        "心得体会型",
        "摘录型",
    ]


def test_an_anonymised_exemplar_never_shows_its_author_or_branch(f, client):
    exemplar = data.exemplar(f, consent=Exemplar.Consent.ANONYMISED)
    campaign = data.campaign(f)
    branch = f.org.branch_a1.name
    for user in (f.cast.member, f.cast.other_member, f.cast.committee_admin, f.cast.supervisor):
        client.force_login(user)
        for url in (
            f"/supervision/c/{campaign.pk}/exemplars/",
            f"/supervision/exemplars/{exemplar.pk}/",
            f"/api/v1/supervision/exemplars?campaign={campaign.pk}",
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            text = response.content.decode()
            if url.startswith("/api/"):  # its JSON escapes the Chinese characters
                text = json.dumps(response.json(), ensure_ascii=False)
            assert "学习党章的体会" in text, url
            assert AUTHOR not in text, (user, url)
            assert branch not in text, (user, url)
    items = client.get("/api/v1/supervision/exemplars").json()["items"]
    assert (items[0]["author"], items[0]["branch"]) == (None, None)


def test_a_signed_exemplar_names_its_author_with_consent_recorded(f, client):
    data.assessment(f)
    campaign = data.campaign(f)
    work = data.note(f, f.cast.member_record)
    client.force_login(f.cast.committee_admin)
    url = f"/supervision/c/{campaign.pk}/exemplars/new/"
    body = {"work": work.pk, "consent": "consented", "comment": "结合教学实际"}
    response = client.post(url, body)
    assert "须先征得作者本人同意" in response.content.decode()
    assert not Exemplar.objects.exists()

    response = client.post(url, {**body, "consent_confirmed": "on"})
    exemplar = Exemplar.objects.get()
    assert (exemplar.consent, exemplar.published_by) == ("consented", f.cast.committee_admin)
    client.force_login(f.cast.other_member)
    page = client.get(f"/supervision/exemplars/{exemplar.pk}/").content.decode()
    assert AUTHOR in page and f.org.branch_a1.name in page


def test_only_an_assessed_note_is_published(f):
    work = data.note(f, f.cast.colleague_record)
    with pytest.raises(Exception) as raised:
        services.exemplar_publish(
            campaign=data.campaign(f),
            work=work,
            consent="anonymised",
            comment="好",
            actor=f.cast.committee_admin,
        )
    assert "评阅后才能" in str(raised.value)


def test_a_withdrawn_exemplar_is_gone_for_members(f, client):
    exemplar = data.exemplar(f)
    client.force_login(f.cast.committee_admin)
    client.post(f"/supervision/exemplars/{exemplar.pk}/withdraw/")
    exemplar.refresh_from_db()
    assert exemplar.withdrawn_at is not None
    client.force_login(f.cast.member)
    assert client.get(f"/supervision/exemplars/{exemplar.pk}/").status_code == 404
    page = client.get(f"/supervision/c/{data.campaign(f).pk}/exemplars/").content.decode()
    assert "学习党章的体会" not in page


def test_the_figures_count_notes_read_by_grade_and_type_per_branch(f, client):
    campaign = data.campaign(f)
    data.assessment(f)  # 王小明 (A1): good, 心得型
    data.note(f, f.cast.member_record, title="第二篇笔记")  # two notes: still one member
    data.sample(f)  # drawn again below: each member counted once
    services.sample_draw(campaign=campaign, title="复查", actor=f.cast.committee_admin)
    services.assessment_save(
        campaign=campaign,
        member=f.cast.other_member_record,
        level=NoteAssessment.Level.COLLEGE,
        sampled=data.b1_sampled(f),
        books="poor",
        content="fair",
        practice="poor",
        attitude="fair",
        grade="insufficient",
        actor=f.cast.committee_admin,
    )
    figures = selectors.note_figures(campaign, campaign_branches(campaign))
    college = figures["college"]
    assert (college.members_with_notes, college.sampled, college.read) == (3, 3, 2)
    assert college.by_grade == {"good": 1, "insufficient": 1}
    assert college.by_type == {"心得型": 1, "": 1}
    a1 = next(b for b in figures["branches"] if b.name == f.org.branch_a1.name)
    assert (a1.members_with_notes, a1.sampled, a1.read, a1.by_grade) == (2, 2, 1, {"good": 1})

    # The supervisor of A1 sees A1's line only.
    client.force_login(f.cast.supervisor)
    page = client.get(f"/supervision/c/{campaign.pk}/notes/figures/").content.decode()
    assert f.org.branch_a1.name in page
    assert f.org.branch_b1.name not in page
