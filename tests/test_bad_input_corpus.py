"""The bad-input corpus (issue 12) is at least 100 generated files across its kinds:
rosters as offices send them, uploads (reading notes and e-mail attachments) and
e-mails. Each module asserts every file's outcome; this counts what they hold, so
that the corpus cannot shrink unnoticed."""

from __future__ import annotations

from vanguard.lib.tests.test_upload_corpus import CORPUS as UPLOADS
from vanguard.opinions.tests.test_email_corpus import CORPUS as EMAILS
from vanguard.organization.tests.test_roster_corpus import CORPUS as ROSTERS


def _names(corpus: list) -> list[str]:
    return [
        getattr(case, "name", None) or getattr(case, "id", None) or repr(case) for case in corpus
    ]


def test_the_corpus_holds_at_least_100_files_across_its_kinds():
    sizes = {"rosters": len(ROSTERS), "uploads": len(UPLOADS), "e-mails": len(EMAILS)}
    assert sum(sizes.values()) >= 100, sizes
    assert min(sizes.values()) >= 30, sizes


def test_every_file_of_the_corpus_has_its_own_name():
    for corpus in (ROSTERS, UPLOADS, EMAILS):
        names = _names(corpus)
        assert len(set(names)) == len(names)
