"""Creates that must happen once: the suggestion box form sent twice, an API intake
retried with the same Idempotency-Key, a round of solicitation opened twice — by a
double click or by two requests at the same moment."""

from __future__ import annotations

import re
import threading
from types import SimpleNamespace

import pytest
from django.urls import reverse

from conftest import build_cast, build_org
from vanguard.ballots.tests.factories import thread_db
from vanguard.opinions.intake import services as intake_services
from vanguard.opinions.models import Opinion, OpinionRound, SubmissionToken
from vanguard.opinions.sorting import services as sorting_services
from vanguard.opinions.tests import access_table_intake as intake
from vanguard.opinions.tests.access_table_sorting import _api_intake
from vanguard.opinions.tests.sorting_data import campaign

REASON = "首轮肯定和表扬的意见多，组织小组面对面征求意见"


def _token(page: str) -> str:
    found = re.search(r'name="submission_token" value="([^"]+)"', page)
    assert found, "the form carries a one-time token"
    return found.group(1)


# --- the suggestion box -------------------------------------------------------------


@pytest.mark.django_db
def test_the_box_form_sent_twice_leaves_one_opinion(client, org, cast):
    url = reverse(
        "opinions_public:box", args=[intake.box_slug(SimpleNamespace(org=org, cast=cast))]
    )
    token = _token(client.get(url).content.decode())
    data = {"about": "branch", "text": "希望支部多组织学习。", "contact": "", "website": ""}
    first = client.post(url, {**data, "submission_token": token})
    second = client.post(url, {**data, "submission_token": token})
    assert first.status_code == second.status_code == 302
    assert "thanks" in second["Location"] or second["Location"] == first["Location"]
    assert Opinion.objects.count() == 1


@pytest.mark.django_db
def test_each_showing_of_the_box_form_has_its_own_token_and_is_never_cached(client, org, cast):
    # A shared cache handing one page to many people would fold their opinions into one.
    url = reverse(
        "opinions_public:box", args=[intake.box_slug(SimpleNamespace(org=org, cast=cast))]
    )
    first, second = client.get(url), client.get(url)
    assert _token(first.content.decode()) != _token(second.content.decode())
    assert "no-store" in first["Cache-Control"] or "no-cache" in first["Cache-Control"]


@pytest.mark.django_db
def test_two_box_forms_leave_two_opinions_and_a_token_names_no_one(client, org, cast):
    url = reverse(
        "opinions_public:box", args=[intake.box_slug(SimpleNamespace(org=org, cast=cast))]
    )
    client.force_login(cast.member)
    for text in ("第一条意见", "第二条意见"):
        token = _token(client.get(url).content.decode())
        client.post(url, {"about": "branch", "text": text, "submission_token": token})
    assert Opinion.objects.count() == 2
    for stored in SubmissionToken.objects.values():
        assert set(stored) == {"id", "token", "opinion_id"}  # no time, no person
        assert cast.member.username not in str(stored)


# --- the API's intake ---------------------------------------------------------------


def _intake(client, f, key=None, **changes):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(
        "/api/v1/opinions/",
        {**_api_intake(f), **changes},
        content_type="application/json",
        **headers,
    )


@pytest.mark.django_db
def test_an_intake_retried_with_its_key_enters_one_opinion(client, org, cast):
    f = SimpleNamespace(org=org, cast=cast)
    client.force_login(cast.secretary)
    first = _intake(client, f, key="retry-7f3a")
    second = _intake(client, f, key="retry-7f3a")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert Opinion.objects.count() == 1


@pytest.mark.django_db
def test_without_a_key_or_with_another_key_each_intake_counts(client, org, cast):
    f = SimpleNamespace(org=org, cast=cast)
    client.force_login(cast.secretary)
    _intake(client, f)
    _intake(client, f)
    _intake(client, f, key="a-1")
    _intake(client, f, key="a-2")
    assert Opinion.objects.count() == 4


@pytest.mark.django_db
def test_one_callers_key_never_finds_another_callers_opinion(client, org, cast):
    f = SimpleNamespace(org=org, cast=cast)
    client.force_login(cast.secretary)
    _intake(client, f, key="shared-key")
    client.force_login(cast.gb_secretary)
    _intake(client, f, key="shared-key", text="另一位同志录入的意见")
    assert Opinion.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["k" * 201, "有中文", "with space"])
def test_an_unusable_key_is_refused_naming_the_header(client, org, cast, key):
    f = SimpleNamespace(org=org, cast=cast)
    client.force_login(cast.secretary)
    response = (
        _intake(client, f, key=key)
        if key.isascii()
        else client.post(
            "/api/v1/opinions/",
            _api_intake(f),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=key.encode().decode("latin-1"),
        )
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert not Opinion.objects.exists()


# --- rounds of solicitation ---------------------------------------------------------


@pytest.mark.django_db
def test_opening_a_round_twice_opens_one_and_skips_no_number(client, org, cast):
    f = SimpleNamespace(org=org, cast=cast)
    campaign(f)
    client.force_login(cast.secretary)
    url = f"/opinions/rounds/{org.branch_a1.pk}/open/"
    client.post(url, {"reason": REASON})
    client.post(url, {"reason": REASON})
    api = client.post(
        "/api/v1/opinions/rounds",
        {"branch_id": org.branch_a1.pk, "reason": REASON},
        content_type="application/json",
    )
    assert api.status_code == 201 and api.json()["number"] == 2
    assert list(OpinionRound.objects.values_list("number", flat=True)) == [2]


@pytest.mark.django_db
def test_a_round_with_opinions_in_it_is_followed_by_the_next_number(org, cast):
    f = SimpleNamespace(org=org, cast=cast)
    camp = campaign(f)
    second = sorting_services.round_open(
        campaign=camp, branch=org.branch_a1, reason=REASON, actor=cast.secretary
    )
    intake_services.box_submit(
        box=intake_services.box_for_branch(org.branch_a1), about="branch", text="第二轮的意见"
    )
    assert Opinion.objects.get().round == 2
    third = sorting_services.round_open(
        campaign=camp, branch=org.branch_a1, reason=REASON, actor=cast.secretary
    )
    assert (second.number, third.number) == (2, 3)


# --- at the same moment -------------------------------------------------------------


def _at_once(db_file, count, call):
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        with thread_db(db_file):
            barrier.wait()
            try:
                results[i] = call().pk
            except Exception as error:  # noqa: BLE001 - reported by the assertion
                results[i] = repr(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.django_db(transaction=True)
def test_rounds_opened_at_the_same_moment_make_one_round(db_file):
    with thread_db(db_file):
        org = build_org()
        cast = build_cast(org)
        camp = campaign(SimpleNamespace(org=org, cast=cast))
    results = _at_once(
        db_file,
        4,
        lambda: sorting_services.round_open(
            campaign=camp, branch=org.branch_a1, reason=REASON, actor=cast.secretary
        ),
    )
    with thread_db(db_file):
        rounds = list(OpinionRound.objects.values_list("pk", "number"))
    assert len(rounds) == 1 and rounds[0][1] == 2, rounds
    assert results == [rounds[0][0]] * 4, results


@pytest.mark.django_db(transaction=True)
def test_one_box_form_sent_at_the_same_moment_leaves_one_opinion(db_file):
    with thread_db(db_file):
        org = build_org()
        cast = build_cast(org)
        campaign(SimpleNamespace(org=org, cast=cast))
        box = intake_services.box_for_branch(org.branch_a1)
    assert box is not None
    results = _at_once(
        db_file,
        4,
        lambda: intake_services.box_submit(
            box=box, about="branch", text="同一张表单", submission_token="same-box-form-0123456789"
        ),
    )
    with thread_db(db_file):
        opinions = list(Opinion.objects.values_list("pk", flat=True))
    assert len(opinions) == 1, (opinions, results)
    assert results == opinions * 4, results
