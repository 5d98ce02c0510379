"""Wrong codes on the public card-vote page are limited per address and per appraisal
session: past the limit every attempt is held back — a valid code too, so the answer
says nothing about the code — with a Chinese message saying when to try again. The
page still answers 200 and sets no cookie, and nothing links a tried code to anyone:
no code in the logs, the cache or the database."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from vanguard.ballots.models import Ballot, Grade
from vanguard.ballots.tests.test_pages import (
    NEUTRAL,
    ORIGIN,
    _ballot_data,
    _create_and_open,
    _print_codes,
    _tick_all,
)
from vanguard.meetings.tests.factories import education_campaign

HALL = "10.0.0.7"
OTHER = "198.51.100.23"
HELD_BACK = "输入无效投票码的次数过多"


@pytest.fixture
def opened(org, cast, client):
    education_campaign(org.committee)
    client.force_login(cast.secretary)
    ballot_session = _create_and_open(client, org)
    _tick_all(client, ballot_session)
    codes = _print_codes(client, ballot_session)
    return ballot_session, codes


def _vote(session, code, address, grade=Grade.QUALIFIED):
    from django.test import Client

    voter = Client()
    url = reverse("ballots_public:vote", args=[session.pk])
    return voter.post(
        url, _ballot_data(session, code, grade), HTTP_ORIGIN=ORIGIN, REMOTE_ADDR=address
    )


@pytest.mark.django_db
def test_too_many_wrong_codes_from_one_address_hold_it_back(opened, settings, caplog):
    caplog.set_level("DEBUG")
    settings.VANGUARD_BALLOT_WRONG_CODE_LIMITS = {"address": (5, 900), "session": (100, 900)}
    session, codes = opened
    wrong = [f"0000-0000-{n:04d}" for n in range(5)]
    for code in wrong:
        answer = _vote(session, code, HALL)
        assert answer.status_code == 200 and NEUTRAL in answer.content.decode()

    held = _vote(session, codes[0], HALL)  # a valid code, from the same address
    page = held.content.decode()
    assert held.status_code == 200 and not held.cookies
    assert HELD_BACK in page and "15 分钟后再试" in page
    assert not Ballot.objects.filter(session=session).exists()

    # Another voter at another address votes, with the card that was held back.
    assert "已计入" in _vote(session, codes[0], OTHER).content.decode()
    assert Ballot.objects.filter(session=session).count() == 1

    # No tried code anywhere: not in the logs, the cache, or any table.
    stored = str(getattr(cache, "_cache", {}))
    for code in wrong + codes[:1]:
        bare = code.replace("-", "")
        assert code not in caplog.text and bare not in caplog.text
        assert code not in stored and bare not in stored
    assert HALL not in stored and OTHER not in stored


@pytest.mark.django_db
def test_wrong_codes_against_one_session_from_many_addresses_hold_it_back(opened, settings):
    settings.VANGUARD_BALLOT_WRONG_CODE_LIMITS = {"address": (100, 900), "session": (6, 900)}
    session, codes = opened
    for n in range(6):
        _vote(session, f"0000-0000-{n:04d}", f"203.0.113.{n + 1}")
    assert HELD_BACK in _vote(session, codes[0], OTHER).content.decode()
    assert not Ballot.objects.filter(session=session).exists()


@pytest.mark.django_db
def test_a_few_typos_in_a_meeting_hall_stop_no_one(opened):
    session, codes = opened
    for n in range(10):  # ten voters behind one address each mistype once
        assert NEUTRAL in _vote(session, f"0000-0000-{n:04d}", HALL).content.decode()
    for code in codes[:3]:
        assert "已计入" in _vote(session, code, HALL).content.decode()
    assert Ballot.objects.filter(session=session).count() == 3


@pytest.mark.django_db
def test_the_limit_is_lifted_when_its_window_ends(opened, settings):
    settings.VANGUARD_BALLOT_WRONG_CODE_LIMITS = {"address": (2, 900), "session": (100, 900)}
    session, codes = opened
    for n in range(2):
        _vote(session, f"0000-0000-{n:04d}", HALL)
    assert HELD_BACK in _vote(session, codes[0], HALL).content.decode()
    cache.clear()  # what the end of the window amounts to
    assert "已计入" in _vote(session, codes[0], HALL).content.decode()
