"""The card page's cost (issue 17, the voting burst): a card vote loads no session and
looks up no user, even from a phone that is signed in; what does not change while the
vote is open comes from the cache, so the queries per answer do not grow with the
candidates; the cached page is dropped when the vote closes, and a stale copy lets no
vote through; nothing of a voter, a card or a code ever enters the cache."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.functional import empty

from vanguard.accounts.models import User
from vanguard.ballots import card_cache, services
from vanguard.ballots.models import Ballot, VotingCard
from vanguard.ballots.tests import factories as f

ORIGIN = "http://testserver"
DONE = 'class="vote-done"'
NEUTRAL = "投票码无效、已使用，或投票未在进行中。"


def _open_session(formal: int, prefix: str):
    unit, _members = f.branch(
        name=f"评议测试党支部{prefix}", formal=formal, probationary=1, prefix=prefix
    )
    session = f.session_for(unit)
    services.session_open(session=session)
    cards = services.cards_issue(session=session, spares=0)
    f.tick_all_present(session)
    return session, cards


def _ballot_form(session, code: str, n: int) -> dict[str, str]:
    grades = f.ballot_for(session, n)
    return {"code": code, "step": "vote", **{f"c{pk}": g for pk, g in grades.items()}}


def _signed_in_phone() -> Client:
    """A member's phone still signed in to the site: it sends its session cookie."""
    phone = Client()
    phone.force_login(User.objects.create_user(username="phone-owner", password="x"))
    return phone


@pytest.mark.django_db
@pytest.mark.parametrize("formal", [3, 12])
def test_a_card_vote_reads_no_session_no_user_and_a_fixed_number_of_queries(
    formal, django_assert_max_num_queries
):
    session, cards = _open_session(formal, prefix=f"Q{formal}")
    phone = _signed_in_phone()
    phone.get(f"/v/{session.pk}/")  # the first visit builds the cached page
    ballot = _ballot_form(session, cards[0].code, 1)
    pages = []
    with CaptureQueriesContext(connection) as seen:
        with django_assert_max_num_queries(1):  # the code check, one query
            pages.append(phone.get(f"/v/{session.pk}/{cards[0].code}/"))
        # The transaction: lock the session, mark the card, count, insert (+ savepoint).
        with django_assert_max_num_queries(6):
            pages.append(phone.post(f"/v/{session.pk}/", ballot, HTTP_ORIGIN=ORIGIN))
    assert 'class="ballot-form"' in pages[0].content.decode()
    assert DONE in pages[1].content.decode()
    sql = " ".join(q["sql"] for q in seen.captured_queries).lower()
    assert "django_session" not in sql and User._meta.db_table not in sql
    for page in pages:
        request = page.wsgi_request
        assert request.user._wrapped is empty  # request.user never evaluated
        assert not request.session.accessed
        assert not page.cookies  # and no cookie set or refreshed
    assert Ballot.objects.filter(session=session).count() == 1


@pytest.mark.django_db
def test_closing_drops_the_cached_page_and_a_stale_copy_lets_no_vote_through(
    django_capture_on_commit_callbacks,
):
    session, cards = _open_session(3, prefix="C")
    other, other_cards = _open_session(3, prefix="D")
    voter = Client()
    for s, c in ((session, cards), (other, other_cards)):  # both pages cached
        assert 'class="ballot-form"' in voter.get(f"/v/{s.pk}/{c[0].code}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.session_close(session=session)
    # The close's version bump: the page says the vote is over, and takes no ballot.
    page = voter.get(f"/v/{session.pk}/{cards[1].code}/").content.decode()
    assert NEUTRAL in page and 'class="ballot-form"' not in page
    answer = voter.post(
        f"/v/{session.pk}/", _ballot_form(session, cards[1].code, 2), HTTP_ORIGIN=ORIGIN
    )
    assert DONE not in answer.content.decode()
    # Closed in a process whose bump this one does not see (a per-process cache): the
    # stale page may still show the form, but the vote itself is refused.
    services.session_close(session=other)  # on-commit callbacks not run: no bump here
    stale = voter.post(
        f"/v/{other.pk}/", _ballot_form(other, other_cards[1].code, 3), HTTP_ORIGIN=ORIGIN
    ).content.decode()
    assert DONE not in stale and NEUTRAL in stale
    assert Ballot.objects.filter(session__in=[session, other]).count() == 0
    assert not VotingCard.objects.filter(session__in=[session, other], used=True).exists()


@pytest.mark.django_db
def test_nothing_of_a_voter_or_a_card_enters_the_cache():
    session, cards = _open_session(4, prefix="K")
    voter = Client()
    for n, card in enumerate(cards[:3]):
        voter.get(f"/v/{session.pk}/{card.code}/")
        voter.post(f"/v/{session.pk}/", {"code": card.code, "step": "fill"}, HTTP_ORIGIN=ORIGIN)
        answer = voter.post(
            f"/v/{session.pk}/", _ballot_form(session, card.code, n), HTTP_ORIGIN=ORIGIN
        )
        assert DONE in answer.content.decode()
    voter.get(f"/v/{session.pk}/0000-0000-0000/")  # a wrong code: counted, as a number
    secrets = set()
    for card in cards:
        raw = services.normalise_code(card.code)
        secrets |= {card.code, raw, services.code_hash(raw), card.receipt}
    stored = cache._cache  # type: ignore[attr-defined]  # locmem: key → pickled value
    assert any("card-page" in key for key in stored), "the card page is cached"
    for key, value in stored.items():
        found = [x for x in secrets if x in key or x.encode() in value]
        assert not found, key
    # What is cached is the same for every voter: the unit, the candidates, the radios,
    # and the three common answers whole, with a mark where the code goes.
    page = card_cache.card_page(session.pk)
    assert page is not None
    assert {field.name for field in dataclasses.fields(page)} == {
        "session_id",
        "unit_name",
        "candidates",
        "fields_html",
        "filled_html",
        "grades_answer",
        "filled_answer",
        "done_answer",
    }
    assert "checked" not in page.fields_html
    assert "checked" not in page.grades_answer


def _rendered(session, page, **context):
    """The answer as the template renders it for this request (the slow way)."""
    from django.utils.safestring import mark_safe

    from vanguard.ballots.forms import CodeForm

    code = context.pop("code", None)
    base = {
        "session_pk": session.pk,
        "unit_name": page.unit_name,
        "error": "",
        "prefilled": "",
        "done": False,
        "step": "grades",
        "form": None,
    }
    if code is not None:
        base["code_form"] = CodeForm({"code": code})
    if "fields_html" in context:
        context["fields_html"] = mark_safe(context["fields_html"])  # noqa: S308 - our render
    return card_cache.answer_html({**base, **context})


@pytest.mark.django_db
@pytest.mark.parametrize(
    "code", ["AB12CD34", '"><script>alert(1)</script>', "码&amp;<'>", card_cache.CODE_MARK + "&"]
)
def test_a_cached_answer_with_the_code_put_in_is_the_page_the_template_renders(code):
    session, _cards = _open_session(3, prefix="S")
    page = card_cache.card_page(session.pk)
    assert card_cache.CODE_MARK not in page.done_answer
    for answer, fields in (
        (page.grades_answer, page.fields_html),
        (page.filled_answer, page.filled_html),
    ):
        assert card_cache.CODE_MARK in answer
        assert card_cache.with_code(answer, code) == _rendered(
            session, page, code=code, fields_html=fields
        )
    assert "<script>alert" not in card_cache.with_code(page.grades_answer, code)


@pytest.mark.django_db
def test_the_answers_most_voters_get_are_the_pages_the_template_renders():
    session, cards = _open_session(3, prefix="R")
    voter = Client()
    code = cards[0].code
    opened = voter.get(f"/v/{session.pk}/{code}/")  # from the card's QR code
    page = card_cache.card_page(session.pk)
    assert opened.content.decode() == _rendered(
        session, page, code=code, fields_html=page.fields_html
    )
    checked = voter.post(
        f"/v/{session.pk}/", {"code": code, "step": "fill"}, HTTP_ORIGIN=ORIGIN
    )  # 全部合格 without JavaScript
    assert checked.content.decode() == _rendered(
        session, page, code=code, fields_html=page.filled_html
    )
    counted = voter.post(f"/v/{session.pk}/", _ballot_form(session, code, 1), HTTP_ORIGIN=ORIGIN)
    assert counted.content.decode() == _rendered(session, page, done=True)
    assert DONE in counted.content.decode()
    assert Ballot.objects.filter(session=session).count() == 1
    # Nothing of the code is left in what the cache keeps.
    assert code not in repr(dataclasses.asdict(card_cache.card_page(session.pk)))
