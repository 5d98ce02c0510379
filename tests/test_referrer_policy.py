"""No page breaks its own forms with its referrer policy (issue 10, finding 11).

Under `Referrer-Policy: no-referrer` a browser sends `Origin: null` on every POST the
page makes — a form's or htmx's — and Django's CSRF check refuses it (403), while
Django's test client, which sends no Origin at all, sees nothing wrong. Every page
extends base.html, whose language switch (and, once signed in, the sign-out button)
is a POST form, so the rule is checked on every page the access table reaches, for
every role (tests/test_access_table.py calls `assert_post_forms_keep_origin` on each
response it gets, so that every page is requested once for both checks), and on every
template: a page that must keep its address (a token) from leaving the site uses
`same-origin`, which sends the full Origin to the site itself and nothing to anyone
else."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.http import HttpResponseBase

from tests.access import AccessRow, html_of

ROOT = Path(__file__).resolve().parents[1]

# The policies a browser knows (the Referrer Policy spec); an unknown token is ignored.
KNOWN = {
    "no-referrer",
    "no-referrer-when-downgrade",
    "same-origin",
    "origin",
    "strict-origin",
    "origin-when-cross-origin",
    "strict-origin-when-cross-origin",
    "unsafe-url",
}
# Policies under which a same-origin POST carries `Origin: null` (Fetch, "append a
# request Origin header"). The downgrade rules (https page posting to http) cannot
# apply to a form posting to its own site.
NULLS_ORIGIN = {"no-referrer"}

POST_FORM = re.compile(r"<form\b[^>]*\bmethod\s*=\s*[\"']?post\b", re.IGNORECASE)
HTMX_WRITE = re.compile(r"\bhx-(post|put|patch|delete)\s*=", re.IGNORECASE)
META_REFERRER = re.compile(
    r"<meta\b(?=[^>]*\bname\s*=\s*[\"']?referrer\b)[^>]*\bcontent\s*=\s*[\"']?([^\"'>]*)",
    re.IGNORECASE,
)
FORM_NOREFERRER = re.compile(r"<form\b[^>]*\brel\s*=\s*[\"']?[^\"'>]*\bnoreferrer\b", re.I)


def effective_policy(header: str) -> str:
    """The policy a browser applies for a Referrer-Policy header: the last known token
    of the comma-separated list (an empty or unknown header leaves the default)."""
    known = [t.strip().lower() for t in header.split(",") if t.strip().lower() in KNOWN]
    return known[-1] if known else "strict-origin-when-cross-origin"


def policies_of_page(header: str, html: str) -> list[str]:
    """Every policy the page's POSTs may go out under: the header's, any
    `<meta name="referrer">` (which overrides it) and `no-referrer` for a
    `<form rel="noreferrer">`."""
    found = [effective_policy(header)]
    found += [effective_policy(content) for content in META_REFERRER.findall(html)]
    if FORM_NOREFERRER.search(html):
        found.append("no-referrer")
    return found


def test_the_rule_knows_the_policies_that_null_origin():
    assert effective_policy("no-referrer") == "no-referrer"
    assert effective_policy("same-origin, no-referrer") == "no-referrer"
    assert effective_policy("no-referrer, bogus") == "no-referrer"
    assert effective_policy("no-referrer, same-origin") == "same-origin"
    assert effective_policy("") == "strict-origin-when-cross-origin"
    page = '<meta name="referrer" content="no-referrer"><form method="post">'
    assert "no-referrer" in policies_of_page("same-origin", page)
    assert "no-referrer" in policies_of_page("", '<form rel="noreferrer" method=post>')


def test_the_site_wide_policy_keeps_origin():
    assert effective_policy(settings.SECURE_REFERRER_POLICY or "") not in NULLS_ORIGIN


def test_no_template_sets_a_policy_that_nulls_origin():
    bad = []
    for path in sorted(ROOT.glob("templates/**/*.html")) + sorted(
        ROOT.glob("vanguard/**/templates/**/*.html")
    ):
        html = path.read_text(encoding="utf-8")
        for policy in policies_of_page("", html):
            if policy in NULLS_ORIGIN:
                bad.append(f"{path.relative_to(ROOT)}: {policy}")
    assert not bad, bad


def _writes(html: str) -> bool:
    return bool(POST_FORM.search(html) or HTMX_WRITE.search(html))


def assert_post_forms_keep_origin(row: AccessRow, role: str, response: HttpResponseBase) -> None:
    """The page a URL of the access table answers a role with (to a GET, or rendered
    back after a POST) sends no policy that makes its POSTs carry `Origin: null`."""
    html = html_of(response)
    if html is None or not _writes(html):
        return
    policies = policies_of_page(response.get("Referrer-Policy", ""), html)
    bad = [p for p in policies if p in NULLS_ORIGIN]
    assert not bad, (
        f"{row.method.upper()} {row.pattern} as {role} ({response.status_code}) has a "
        f"POST form but its referrer policy {bad[0]!r} makes the browser send "
        "`Origin: null`: every submit fails the CSRF check. Use 'same-origin'."
    )
