"""The English translation, as an English-speaking user meets it.

Vanguard is Chinese-first: every source string is Chinese and English comes from
locale/en/LC_MESSAGES/django.po. The pages are rendered with a catalogue compiled
here from the .po file itself, so a stale or missing .mo file in the tree can neither
hide a gap nor fake a pass. A string added to the code without an English
translation fails `test_every_string_is_in_the_catalogue` (not yet in the .po: the
English page would show it in Chinese) or `test_every_string_has_an_english_translation`
(in the .po with no msgstr), naming it.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.urls import reverse

from vanguard.accounts.models import User
from vanguard.organization.models import Member, Unit

ROOT = Path(__file__).resolve().parent.parent
PO_FILE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Chinese punctuation (，：（）、“” …) left in an English page.
CJK_PUNCTUATION = re.compile(r"[\u3000-\u303f\uff00-\uffef]")
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdfr]|%[sd]|\{\w*\}|</?[a-zA-Z][^>]*>")


# --- The .po file -------------------------------------------------------------------


def describe(entry: polib.POEntry) -> str:
    where = ", ".join(f"{path}:{line}" if line else path for path, line in entry.occurrences)
    return f"{entry.msgid!r} ({where or 'no source reference'})"


def msgstrs(entry: polib.POEntry) -> dict[str, str]:
    """The translations of an entry, keyed as in the file (msgstr, msgstr[0], msgstr[1]…)."""
    if entry.msgid_plural:
        return {f"msgstr[{n}]": text for n, text in sorted(entry.msgstr_plural.items())}
    return {"msgstr": entry.msgstr}


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    catalogue = polib.pofile(str(PO_FILE), wrapwidth=0)
    assert catalogue.metadata, f"{PO_FILE} has no header entry"
    return catalogue


@pytest.fixture(scope="module")
def po_entries(catalogue) -> list[polib.POEntry]:
    """Every live entry (obsolete `#~` entries left out)."""
    return [entry for entry in catalogue if not entry.obsolete]


# The calls that mark a string for translation in Python: (name, which argument).
GETTEXT_CALLS = {
    "_": 0,
    "gettext": 0,
    "gettext_lazy": 0,
    "gettext_noop": 0,
    "ngettext": 0,
    "ngettext_lazy": 0,
    "pgettext": 1,
    "pgettext_lazy": 1,
    "npgettext": 1,
    "npgettext_lazy": 1,
}
# `{% translate "…" %}` and `{% trans '…' %}` with a literal (makemessages writes a
# template string's % as %%). `{% blocktranslate %}` is left to makemessages.
TRANSLATE_TAG = re.compile(r"""{%\s*(?:translate|trans)\s+(?:"([^"]*)"|'([^']*)')""")


def marked_strings() -> list[tuple[str, str]]:
    """(where, string) of every literal marked for translation in the project's Python
    (its tests and migrations left out) and templates."""
    found: list[tuple[str, str]] = []
    sources = [*(ROOT / "vanguard").rglob("*.py"), *(ROOT / "config").glob("*.py")]
    for path in sources:
        if {"tests", "migrations"} & set(path.relative_to(ROOT).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            index = GETTEXT_CALLS.get(name or "")
            if index is None or len(node.args) <= index:
                continue
            text = node.args[index]
            if isinstance(text, ast.Constant) and isinstance(text.value, str):
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", text.value))
    for path in (ROOT / "templates").rglob("*.html"):
        for match in TRANSLATE_TAG.finditer(path.read_text(encoding="utf-8")):
            text = match.group(1) if match.group(1) is not None else match.group(2)
            found.append((str(path.relative_to(ROOT)), text.replace("%", "%%")))
    return found


def test_every_string_is_in_the_catalogue(po_entries):
    """A string marked in the code but never added to the .po (makemessages not run)
    stays Chinese on the English page, and no other test of the catalogue sees it."""
    known = {entry.msgid for entry in po_entries}
    strings = marked_strings()
    assert len(strings) > 1000  # the extraction found the project's strings
    missing = sorted({f"{text!r} ({where})" for where, text in strings if text not in known})
    assert not missing, (
        "Marked for translation but not in locale/en/LC_MESSAGES/django.po (run "
        "makemessages -l en, then fill in msgstr):\n  " + "\n  ".join(missing)
    )


def test_every_string_has_an_english_translation(po_entries):
    untranslated = [describe(e) for e in po_entries if not all(msgstrs(e).values())]
    assert not untranslated, (
        "These strings have no English translation in locale/en/LC_MESSAGES/django.po "
        "(run makemessages -l en, then fill in msgstr):\n  " + "\n  ".join(untranslated)
    )


def test_no_translation_is_left_fuzzy(catalogue, po_entries):
    # gettext ignores fuzzy entries, so the page would silently stay Chinese.
    fuzzy = [describe(e) for e in po_entries if e.fuzzy]
    assert not fuzzy, "Fuzzy (unchecked) translations, ignored at runtime:\n  " + "\n  ".join(fuzzy)
    assert not catalogue.metadata_is_fuzzy, "the .po header is still marked fuzzy"


def test_english_plurals_have_both_forms(po_entries):
    incomplete = [
        describe(e)
        for e in po_entries
        if e.msgid_plural and set(msgstrs(e)) != {"msgstr[0]", "msgstr[1]"}
    ]
    assert not incomplete, "Plural strings without msgstr[0] and msgstr[1]:\n  " + "\n  ".join(
        incomplete
    )


def test_translations_keep_every_placeholder_and_tag(po_entries):
    broken = []
    for e in po_entries:
        wanted = sorted(PLACEHOLDER.findall(e.msgid))
        for key, text in msgstrs(e).items():
            if text and sorted(PLACEHOLDER.findall(text)) != wanted:
                broken.append(
                    f"{describe(e)} {key}: {wanted} became {sorted(PLACEHOLDER.findall(text))}"
                )
    assert not broken, "Placeholders or HTML tags changed:\n  " + "\n  ".join(broken)


def test_english_translations_contain_no_chinese_characters(po_entries):
    # Quoted file values such as “是” are allowed where the file itself holds Chinese.
    allowed = {"“是”", "“否”"}
    chinese = []
    for e in po_entries:
        for text in msgstrs(e).values():
            for word in allowed:
                text = text.replace(word, "")
            if HAN.search(text):
                chinese.append(f"{describe(e)}: {text!r}")
    assert not chinese, "English translations still holding Chinese:\n  " + "\n  ".join(chinese)


# --- The pages ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def compiled_locale(tmp_path_factory) -> Path:
    """The English catalogue compiled from the .po file now, with gettext's own checks."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.fail("msgfmt is missing: sudo apt-get install gettext (make test installs it)")
    locale = tmp_path_factory.mktemp("locale")
    target = locale / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    result = subprocess.run(  # noqa: S603
        [msgfmt, "--check-format", "-o", str(target / "django.mo"), str(PO_FILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"msgfmt --check-format refused {PO_FILE}:\n{result.stderr}"
    return locale


@pytest.fixture
def english(compiled_locale, settings, client):
    """The client, after choosing English with the header's language switch."""
    # Changing LOCALE_PATHS makes Django drop its cached catalogues.
    settings.LOCALE_PATHS = [compiled_locale]
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


class VisibleText(HTMLParser):
    """The text a reader meets: <title> and body text, without what is hidden from
    them (aria-hidden) and without elements marked as another language (the switch
    back to 中文 is rightly written in Chinese)."""

    SKIP = {"script", "style"}
    VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []  # per open element: is it skipped?
        self.chunks: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            attributes = dict(attrs)
            if any(self.stack) or attributes.get("type") == "hidden":
                return
            for name in ("placeholder", "aria-label", "value", "title", "alt"):
                if attributes.get(name):
                    self.chunks.append(attributes[name] or "")
            return
        attributes = dict(attrs)
        lang = attributes.get("lang")
        skipped = (
            tag in self.SKIP
            or attributes.get("aria-hidden") == "true"
            or (lang is not None and tag != "html" and not lang.startswith("en"))
        )
        if not any(self.stack) and not skipped:
            for name in ("aria-label", "title", "placeholder", "alt"):
                if attributes.get(name):
                    self.chunks.append(attributes[name] or "")
        self.stack.append(skipped)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not any(self.stack) and data.strip():
            self.chunks.append(data.strip())


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(parser.chunks)


def without_data(text: str) -> str:
    """The page's text with the organisation's own data (unit and member names, user
    names) removed: those stay Chinese in English. What is left is the interface."""
    names = [
        *Unit.objects.values_list("name", flat=True),
        *Member.objects.values_list("name", flat=True),
        *(str(user) for user in User.objects.all()),
    ]
    for name in sorted(set(names), key=len, reverse=True):
        text = text.replace(name, "")
    return text


def assert_no_untranslated_chinese(html: str, page: str) -> None:
    leftovers = [line for line in without_data(visible_text(html)).splitlines() if HAN.search(line)]
    assert not leftovers, f"Untranslated Chinese on the English {page}:\n  " + "\n  ".join(
        leftovers
    )


def get_page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_login_page_is_chinese_by_default(client):
    html = get_page(client, reverse("accounts:login"))
    assert '<html lang="zh-hans"' in html
    text = visible_text(html)
    assert "登录" in text
    assert "用户名" in text and "密码" in text
    assert "English" in text  # the switch


def test_choosing_english_turns_the_login_page_english(db, english):
    html = get_page(english, reverse("accounts:login"))
    assert '<html lang="en"' in html
    text = visible_text(html)
    for label in ("Log in to Vanguard", "Username", "Password", "Log in", "Skip to content"):
        assert label in text
    assert "中文" in html  # the switch back, in its own language
    assert_no_untranslated_chinese(html, "login page")


def test_choosing_chinese_again_turns_it_back(db, english):
    english.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "登录先锋" in visible_text(get_page(english, reverse("accounts:login")))


# What each person's home page shows in English: the labels they must see.
HOME_LABELS = {
    "member": ["My details", "Branch Secretary", "Date joined the Party", "Full member"],
    "secretary": ["Roster:", "Total members", "Probationary member", "Staff/student no."],
    "branch_committee": ["Roster:", "Total members", "View branch details"],
    "group_leader": ["Roster:", "Party Group Leader"],
    "gb_secretary": ["General Branch Secretary", "Organisation", "Full member"],
    "supervisor": ["Branches I supervise", "Branch Secretary", "General Branch"],
    "committee_admin": ["Committee administrator", "Organisation", "Total members", "Admin"],
    "observer": ["Observer", "Organisation", "Read only"],
    "other_member": ["My details", "My branch"],
}


@pytest.mark.parametrize("role", HOME_LABELS)
def test_home_page_in_english_shows_english_labels_only(english, cast, role):
    english.force_login(getattr(cast, role))
    html = get_page(english, reverse("home"))
    text = visible_text(html)
    for label in ["Home", "Change password", "Log out", *HOME_LABELS[role]]:
        assert label in text, f"{label!r} missing from {role}'s English home page"
    assert_no_untranslated_chinese(html, f"home page of {role}")


def test_organisation_pages_in_english_have_no_untranslated_labels(english, org, cast):
    english.force_login(cast.committee_admin)
    pages = {
        "organisation browser": reverse("organization:browse"),
        "branch page": reverse("organization:unit_detail", args=[org.branch_a1.pk]),
        "member page": reverse("organization:member_detail", args=[cast.member_record.pk]),
        "member edit page": reverse("organization:member_edit", args=[cast.member_record.pk]),
        "transfer page": reverse("organization:member_move", args=[cast.member_record.pk]),
        "password page": reverse("accounts:password_change"),
    }
    for page, url in pages.items():
        assert_no_untranslated_chinese(get_page(english, url), page)


def test_english_home_page_has_no_chinese_punctuation(english, cast):
    english.force_login(cast.member)
    text = without_data(visible_text(get_page(english, reverse("home"))))
    assert not CJK_PUNCTUATION.search(text), text
