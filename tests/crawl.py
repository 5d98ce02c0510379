"""The secrecy tests' crawl (opinions, rectification): every route under some URL
prefixes, found by walking the URL resolver (a page added later is covered without
editing a test), its parameters filled with the objects of the test, each answer read
as a person receives it — HTML and JSON as text (JSON un-escaped), PDFs through a PDF
reader, zip files (xlsx, docx) unpacked — and searched for markers that must not be
there."""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping

import pypdf
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from conftest import make_member
from vanguard.accounts import access as accounts_access
from vanguard.accounts.models import User
from vanguard.organization import access as organization_access
from vanguard.organization.models import Member, Unit

# A route's parameters: <int:pk>, <uuid:pk>, <slug> …
PARAM = re.compile(r"<(?:\w+:)?(\w+)>")

# route, parameter name -> the values to try for it
Candidates = Callable[[str, str], Iterable[str]]


def routes(
    prefixes: tuple[str, ...], resolver: URLResolver | None = None, prefix: str = ""
) -> list[str]:
    """Every route under the prefixes (spelt without the leading slash)."""
    resolver = resolver or get_resolver()
    found: list[str] = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern).lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            found.extend(routes(prefixes, entry, route))
        elif isinstance(entry, URLPattern) and route.startswith(prefixes):
            found.append(route)
    return sorted(set(found))


def word_before(route: str, name: str) -> str:
    """The path segment just before a parameter: "plans" for plans/<int:pk>/."""
    match = re.search(r"([\w-]+)/<(?:\w+:)?" + name + ">", route)
    return match.group(1) if match else ""


def urls(route: str, candidates: Candidates, query: Mapping[str, str] | None = None) -> list[str]:
    """The route with each parameter filled by every candidate value; a route without
    parameters also with the query string (a list page's filters)."""
    params = PARAM.findall(route)
    found = ["/" + route]
    for name in params:
        pattern = re.compile(r"<(?:\w+:)?" + name + ">")
        values = list(candidates(route, name))
        found = [pattern.sub(v, url, count=1) for url in found for v in values]
    if not params and query:
        found.append("/" + route + "?" + "&".join(f"{k}={v}" for k, v in query.items()))
    return found


def readable(response) -> str:
    """What the person received, as text: headers and body."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = " ".join(f"{k}: {v}" for k, v in response.items())
    content_type = response.get("Content-Type", "")
    if body.startswith(b"%PDF"):
        reader = pypdf.PdfReader(io.BytesIO(body))
        text = "".join(page.extract_text() for page in reader.pages)
        text += " ".join(str(v) for v in (reader.metadata or {}).values())
        # A table cell wraps its text onto several lines: read it joined up as well.
        text += "\n" + re.sub(r"\s+", "", text)
    elif body.startswith(b"PK"):
        # The XML inside may spell characters as references (openpyxl writes &#24207;).
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            text = " ".join(
                html.unescape(archive.read(n).decode("utf-8", "replace"))
                for n in archive.namelist()
            )
    elif "json" in content_type:
        try:
            text = json.dumps(json.loads(body), ensure_ascii=False)
        except ValueError:
            text = body.decode("utf-8", "replace")
    else:
        text = body.decode("utf-8", "replace")
    return headers + "\n" + text


def crawl(client: Client, addresses: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """GET each address as this client: address -> what it received; and the
    addresses that failed with a server error."""
    client.raise_request_exception = False
    seen: dict[str, str] = {}
    errors: list[str] = []
    for url in addresses:
        response = client.get(url, HTTP_ACCEPT="text/html,application/json")
        if response.status_code >= 500:
            errors.append(url)
        seen[url] = readable(response)
    return seen, errors


def leaks(seen: Mapping[str, str], markers: Iterable[str]) -> list[tuple[str, str]]:
    markers = tuple(markers)
    return [(url, m) for url, text in seen.items() for m in markers if m in text]


def member_record(user: User, *, branch: Unit, label: str) -> Member:
    """The member a login is: their own record, or one made in `branch` for the test
    (so a committee admin, a supervisor … is also proved blind to what concerns them)."""
    member = organization_access.member_of(user)
    if member is None:
        member = make_member(name=f"{label}本人", number=f"X-{label}", branch=branch, user=user)
        accounts_access.forget_scopes(user)
    return member
