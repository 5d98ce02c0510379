"""What the public card page needs that does not change while a vote is open, kept in
Django's cache so that a hall of phones voting at once costs the server only the work
each vote really is (issue 17).

While a session is open its roll is frozen (`services.session_open`), so the candidates,
their names and order, the unit's name and the ballot form's radios are the same for
every voter until the close. `card_page(pk)` returns them from the cache, keyed by the
session's id and a version that `bump(pk)` changes at open and close; a page built
under an older version is never read again, even if it was written after the bump.

What is cached is the same for every voter: nothing per voter, per card or per code
(no code, hash, receipt, grade, address or time of a vote) ever enters the cache, and
nothing in it says how many have voted. The seal's salt is not cached either: it is
read under the session's lock by each vote.

The cache is only a shortcut for the page's display and the form's checks; every rule
is still decided by the database, in the vote's transaction (`services.vote_by_card`
locks the session and refuses unless it is open). A stale entry (a per-process cache
such as locmem in one of several workers, where a bump in another process is not seen)
can therefore show the form of a session that has just closed, but cannot let a vote
through: the code check and the vote refuse it with the one neutral message. Entries
also expire after `TIMEOUT` seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.translation import get_language

from vanguard.ballots.models import AppraisalSession

TIMEOUT = 10 * 60
_PREFIX = "ballots:card-page"
# Where a cached answer holds the voter's code until it is sent: letters and digits
# only, so that escaping leaves it as it is, and nothing else on the page looks like it.
CODE_MARK = "VANGUARDCARDCODEMARK"


@dataclass(frozen=True)
class CardPage:
    """An open session as the card page shows it: the same for every voter."""

    session_id: int
    unit_name: str
    candidates: tuple[tuple[int, str], ...]  # (member id, name) in the ballot form's order
    # The grades form's radios (the cache key names the language): blank, and all 合格.
    fields_html: str
    filled_html: str
    # The three answers most voters get, whole, rendered once (`answer_html`): the code
    # accepted with the radios blank or all 合格 (CODE_MARK where the code goes:
    # `with_code`), and the ballot counted. No code is in them.
    grades_answer: str = ""
    filled_answer: str = ""
    done_answer: str = ""

    @property
    def candidate_ids(self) -> list[int]:
        """In `services.clean_grades`' order (member id): the seal's byte order."""
        return sorted(pk for pk, _name in self.candidates)

    def entries(self) -> list[SimpleNamespace]:
        """The candidates as `forms.GradesForm` reads roll entries (`member_id`,
        `member.name`), for the rare answer that shows the form with the voter's choices
        or errors."""
        return [
            SimpleNamespace(member_id=pk, member=SimpleNamespace(name=name))
            for pk, name in self.candidates
        ]


def _version_key(session_id: int) -> str:
    return f"{_PREFIX}:{session_id}:version"


def _page_key(session_id: int, version: int, language: str) -> str:
    return f"{_PREFIX}:{session_id}:v{version}:{language}"


def bump(session_id: int) -> None:
    """The session changed (opened, closed): every page cached before is dropped."""
    key = _version_key(session_id)
    try:
        cache.incr(key)
    except ValueError:  # no version yet: the first change
        cache.set(key, 1, timeout=None)


def card_page(session_id: int) -> CardPage | None:
    """The open session's page parts, from the cache or built now; None when the
    session does not exist or is not open (nothing is cached then)."""
    version = int(cache.get(_version_key(session_id)) or 0)
    language = get_language() or ""
    key = _page_key(session_id, version, language)
    page = cache.get(key)
    if page is None:
        page = _build(session_id)
        if page is not None:
            cache.set(key, page, timeout=TIMEOUT)
    return page


def answer_html(context: dict[str, Any]) -> str:
    """The card page rendered without the request: no context processor runs, so
    nothing reads the user, the session or the messages (and no CSRF token: the page
    sets no cookie)."""
    return render_to_string("ballots/vote_card.html", context)


def with_code(answer: str, code: str) -> str:
    """A cached answer with the voter's code put in, escaped as the template escapes it."""
    return answer.replace(CODE_MARK, str(conditional_escape(code)))


def _answers(session_id: int, unit_name: str, fields: str, filled: str) -> dict[str, str]:
    from django.utils.safestring import mark_safe

    from vanguard.ballots.forms import CodeForm

    base = {"session_pk": session_id, "unit_name": unit_name, "error": "", "prefilled": ""}
    accepted = {
        **base,
        "done": False,
        "step": "grades",
        "code_form": CodeForm({"code": CODE_MARK}),
        "form": None,
    }
    return {
        "grades_answer": answer_html({**accepted, "fields_html": mark_safe(fields)}),  # noqa: S308 - our own render
        "filled_answer": answer_html({**accepted, "fields_html": mark_safe(filled)}),  # noqa: S308
        "done_answer": answer_html({**base, "done": True}),
    }


def _build(session_id: int) -> CardPage | None:
    from vanguard.ballots import selectors
    from vanguard.ballots.forms import GradesForm

    session = (
        AppraisalSession.objects.select_related("unit")
        .filter(pk=session_id, status=AppraisalSession.Status.OPEN)
        .first()
    )
    if session is None:
        return None
    entries = list(selectors.candidates(session))
    blank = GradesForm(candidates=entries)
    filled = GradesForm(candidates=entries, initial=GradesForm.all_qualified(entries))
    fields_html = render_to_string("ballots/_ballot_fields.html", {"form": blank})
    filled_html = render_to_string("ballots/_ballot_fields.html", {"form": filled})
    return CardPage(
        session_id=session.pk,
        unit_name=session.unit.name,
        candidates=tuple((e.member_id, e.member.name) for e in entries),
        fields_html=fields_html,
        filled_html=filled_html,
        **_answers(session.pk, session.unit.name, fields_html, filled_html),
    )
