"""The vote in few taps (issue 16): the voter's code is checked before any grade is
asked for, "全部合格，再改个别" marks every candidate 合格, the door roll is one list
("全部到会", untick the absent, save once), "结束投票" asks for confirmation, and the
tally leads on to grading. Each shortcut writes nothing a ballot could be linked by."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from vanguard.ballots import services
from vanguard.ballots.models import AppraisalSession, Ballot, Grade, RollEntry, VotingCard
from vanguard.ballots.tests.test_pages import (
    NEUTRAL,
    ORIGIN,
    _ballot_data,
    _create_and_open,
    _print_codes,
    _tick_all,
)
from vanguard.meetings.tests.factories import education_campaign


@pytest.fixture
def opened(org, cast, client):
    education_campaign(org.committee)
    client.force_login(cast.secretary)
    session = _create_and_open(client, org)
    return session


def _radios_checked(page: str) -> list[str]:
    return re.findall(r'type="radio" name="c\d+" value="(\w+)"[^>]* checked', page)


def _card_state(session) -> list[tuple[bool, bool]]:
    return list(VotingCard.objects.filter(session=session).values_list("used", "void"))


@pytest.mark.django_db
def test_a_used_or_invalid_code_is_told_before_any_grade_is_asked_for(opened, client, caplog):
    caplog.set_level("DEBUG")
    _tick_all(client, opened)
    codes = _print_codes(client, opened)
    voter = Client()
    # From the QR code: checked on arrival, the grades follow with the code carried.
    good = voter.get(reverse("ballots_public:vote_code", args=[opened.pk, codes[0]]))
    page = good.content.decode()
    assert 'id="code-ok"' in page and 'type="radio"' in page
    assert not good.cookies
    # A wrong code, typed or from an address: the neutral message, no grading form.
    for answer in (
        voter.get(reverse("ballots_public:vote_code", args=[opened.pk, "0000-0000-0000"])),
        voter.post(
            reverse("ballots_public:vote", args=[opened.pk]),
            {"code": "0000-0000-0000", "step": "check"},
            HTTP_ORIGIN=ORIGIN,
        ),
    ):
        text = answer.content.decode()
        assert answer.status_code == 200 and NEUTRAL in text
        assert 'type="radio"' not in text
    # Checking wrote nothing: the card is still unused, no ballot exists.
    assert _card_state(opened) == [(False, False)] * len(codes)
    assert not Ballot.objects.exists()
    # Once used, the same card is refused at the first step.
    voter.post(
        reverse("ballots_public:vote", args=[opened.pk]),
        _ballot_data(opened, codes[0], Grade.QUALIFIED),
        HTTP_ORIGIN=ORIGIN,
    )
    assert Ballot.objects.count() == 1
    again = Client().get(reverse("ballots_public:vote_code", args=[opened.pk, codes[0]]))
    assert NEUTRAL in again.content.decode() and 'type="radio"' not in again.content.decode()
    assert codes[0] not in caplog.text and codes[0].replace("-", "") not in caplog.text


@pytest.mark.django_db
def test_a_checked_code_from_another_site_or_too_many_wrong_codes_are_held_back(
    opened, client, settings
):
    _tick_all(client, opened)
    code = _print_codes(client, opened)[0]
    url = reverse("ballots_public:vote", args=[opened.pk])
    forged = Client().post(url, {"code": code, "step": "check"}, HTTP_ORIGIN="https://x.example")
    assert "请从投票页面提交" in forged.content.decode()
    settings.VANGUARD_BALLOT_WRONG_CODE_LIMITS = {"address": (2, 900), "session": (100, 900)}
    for _ in range(2):
        Client().get(reverse("ballots_public:vote_code", args=[opened.pk, "0000-0000-0000"]))
    held = Client().get(reverse("ballots_public:vote_code", args=[opened.pk, code]))
    assert "输入无效投票码的次数过多" in held.content.decode()
    assert 'type="radio"' not in held.content.decode()


@pytest.mark.django_db
def test_all_qualified_marks_every_candidate_and_casts_nothing(opened, client):
    _tick_all(client, opened)
    code = _print_codes(client, opened)[0]
    url = reverse("ballots_public:vote", args=[opened.pk])
    voter = Client()
    before = voter.get(reverse("ballots_public:vote_code", args=[opened.pk, code]))
    assert _radios_checked(before.content.decode()) == []  # nothing preselected
    filled = voter.post(url, {"code": code, "step": "fill"}, HTTP_ORIGIN=ORIGIN)
    candidates = RollEntry.objects.filter(session=opened, is_candidate=True).count()
    assert _radios_checked(filled.content.decode()) == [Grade.QUALIFIED] * candidates
    assert "已计入" not in filled.content.decode()
    assert not Ballot.objects.exists() and _card_state(opened)[0] == (False, False)
    # The voter changes one exception and submits: counted, with that grade.
    data = _ballot_data(opened, code, Grade.QUALIFIED)
    first = next(k for k in data if re.fullmatch(r"c\d+", k))
    data[first] = Grade.EXCELLENT
    done = voter.post(url, {**data, "step": "vote"}, HTTP_ORIGIN=ORIGIN)
    assert "已计入" in done.content.decode()
    services.session_close(session=opened)
    ballot = Ballot.objects.get(session=opened)
    assert ballot.grades[first[1:]] == Grade.EXCELLENT
    assert sorted(ballot.grades.values()).count(Grade.QUALIFIED) == candidates - 1


@pytest.mark.django_db
def test_the_logged_in_voter_has_the_same_control(opened, client, cast):
    client.force_login(cast.committee_admin)
    client.post(reverse("ballots:login_voting", args=[opened.pk]), {"allow": "1"})
    client.force_login(cast.member)
    url = reverse("ballots:vote", args=[opened.pk])
    filled = client.post(url, {"step": "fill"}).content.decode()
    assert set(_radios_checked(filled)) == {Grade.QUALIFIED}
    assert not Ballot.objects.exists()


@pytest.mark.django_db
def test_the_door_roll_all_present_then_untick_the_absent(opened, client, cast):
    url = reverse("ballots:roll", args=[opened.pk])
    everyone = list(RollEntry.objects.filter(session=opened).values_list("member_id", flat=True))
    # Without JS, "全部到会" comes back with every box ticked and saves nothing.
    page = client.post(url, {"all": "1"}).content.decode()
    assert len(re.findall(r'name="present" value="\d+" checked', page)) == len(everyone)
    assert not RollEntry.objects.filter(session=opened, present=True).exists()
    absent = cast.colleague_record.pk
    response = client.post(url, {"present": [m for m in everyone if m != absent]})
    assert response.status_code == 302
    entries = {e.member_id: e for e in RollEntry.objects.filter(session=opened)}
    assert not entries[absent].present and not entries[absent].card_drawn  # never ticked
    assert all(entries[m].present and entries[m].card_drawn for m in everyone if m != absent)


@pytest.mark.django_db
def test_roll_set_present_keeps_the_door_rules(opened, cast):
    me, colleague = cast.member_record.pk, cast.colleague_record.pk
    services.session_set_login_voting(session=opened, allow=True)
    services.vote_logged_in(
        session=opened,
        user=cast.member,
        grades={str(pk): Grade.QUALIFIED for pk in services._candidate_ids(opened)},
    )
    with pytest.raises(services.Refused, match="已登录投票"):
        services.roll_set_present(session=opened, present=[me, colleague])
    assert not RollEntry.objects.filter(session=opened, present=True).exists()  # nothing
    assert services.roll_set_present(session=opened, present=[colleague]) == (1, 0)
    code = services.cards_issue(session=opened, spares=0)[0].code
    services.vote_by_card(
        session=opened,
        code=code,
        grades={str(pk): Grade.QUALIFIED for pk in services._candidate_ids(opened)},
    )
    # One card used, one member ticked: the tick cannot be taken back.
    with pytest.raises(services.Refused, match="不能再取消到会登记"):
        services.roll_set_present(session=opened, present=[])
    assert RollEntry.objects.get(session=opened, member_id=colleague).present


@pytest.mark.django_db
def test_closing_asks_for_confirmation_first(opened, client):
    url = reverse("ballots:close", args=[opened.pk])
    confirm = client.get(url).content.decode()
    assert "确认结束投票" in confirm and 'name="confirm" value="1"' in confirm
    assert client.post(url).status_code == 200  # a POST without the confirmation asks again
    opened.refresh_from_db()
    assert opened.status == AppraisalSession.Status.OPEN
    response = client.post(url, {"confirm": "1"})
    assert response.url == reverse("ballots:tally", args=[opened.pk])
    opened.refresh_from_db()
    assert opened.status == AppraisalSession.Status.CLOSED


@pytest.mark.django_db
def test_the_tally_leads_on_to_grading(opened, client, org):
    _tick_all(client, opened)
    codes = _print_codes(client, opened)
    for code in codes[:3]:
        Client().post(
            reverse("ballots_public:vote", args=[opened.pk]),
            _ballot_data(opened, code, Grade.QUALIFIED),
            HTTP_ORIGIN=ORIGIN,
        )
    client.post(reverse("ballots:close", args=[opened.pk]), {"confirm": "1"})
    page = client.get(reverse("ballots:tally", args=[opened.pk])).content.decode()
    target = reverse("grading:branch", args=[opened.campaign_id, org.branch_a1.pk])
    assert f'id="to-grading" href="{target}"' in page


@pytest.mark.django_db
def test_a_secretary_with_one_unit_finds_it_chosen(org, cast, client):
    from conftest import make_user
    from vanguard.accounts.models import Role, RoleAssignment

    education_campaign(org.committee)
    secretary = make_user("a2secretary")
    RoleAssignment.objects.create(user=secretary, role=Role.BRANCH_SECRETARY, unit=org.branch_a2)
    client.force_login(secretary)
    page = client.get(reverse("ballots:list")).content.decode()
    assert re.search(rf'<option value="{org.branch_a2.pk}" selected>', page)
    client.force_login(cast.secretary)  # a branch and its party group: the choice is theirs
    page = client.get(reverse("ballots:list")).content.decode()
    assert '<option value="" selected>' in page.split('name="unit"')[1]


@pytest.mark.django_db
def test_a_roll_page_loaded_earlier_does_not_untick_a_late_arrival(opened, client, cast):
    me, colleague = cast.member_record.pk, cast.colleague_record.pk
    url = reverse("ballots:roll", args=[opened.pk])
    client.post(url, {"present": [me]})
    page = client.get(url).content.decode()  # one device shows 王小明 ticked
    assert f'name="shown" value="{me}"' in page
    services.roll_mark_present(session=opened, member=cast.colleague_record)  # another device
    client.post(url, {"present": [me], "shown": [me]})  # the first saves what it showed
    present = set(
        RollEntry.objects.filter(session=opened, present=True).values_list("member_id", flat=True)
    )
    assert present == {me, colleague}
    client.post(url, {"present": [], "shown": [me]})  # unticking what it showed still works
    assert not RollEntry.objects.get(session=opened, member_id=me).present
