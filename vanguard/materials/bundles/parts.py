"""Where the bundle's documents come from: the meeting record book from
`materials.meeting_book`, the stage summaries from `materials.stage_summary` (the
registration forms are grading's, called in `build`). The one place that knows those
workflows' functions: a change of theirs is answered here."""

from __future__ import annotations

from dataclasses import dataclass

from vanguard.campaigns.models import Campaign
from vanguard.materials.meeting_book import document as book_document
from vanguard.materials.meeting_book import selectors as book_selectors
from vanguard.materials.stage_summary import document as summary_document
from vanguard.materials.stage_summary import selectors as summary_selectors
from vanguard.materials.stage_summary.models import StageSummary
from vanguard.organization.models import Unit

# A summary the branch has not handed in (it goes into the bundle, marked as a draft).
UNSUBMITTED = frozenset({StageSummary.State.DRAFT, StageSummary.State.RETURNED})


@dataclass(frozen=True)
class MeetingBookFiles:
    pdf: bytes
    docx: bytes
    meetings: int  # the meetings recorded in the book
    not_held: list[str]  # the campaign's required meetings (必开会议) not held yet


@dataclass(frozen=True)
class StageSummaryFiles:
    stem: str  # the file name without its extension: the summary's title
    pdf: bytes
    docx: bytes
    state_label: str
    submitted: bool  # handed in (not a draft, not returned for revision)


def meeting_book(*, campaign: Campaign, branch: Unit) -> MeetingBookFiles:
    """The branch's meeting record book (支部大会记录本) in PDF and Word, its data read
    once for both."""
    book = book_selectors.meeting_book(campaign=campaign, branch=branch)
    return MeetingBookFiles(
        pdf=book_document.book_pdf(book),
        docx=book_document.book_docx(book),
        meetings=len(book.meetings),
        not_held=[required.label for required in book.required if not required.held],
    )


def stage_summaries(*, campaign: Campaign, branch: Unit) -> list[StageSummaryFiles]:
    """The branch's stage summary (支部阶段工作小结) of each phase that has one."""
    return [
        StageSummaryFiles(
            stem=summary_document.file_stem(summary),
            pdf=summary_document.stage_summary_pdf(summary=summary),
            docx=summary_document.stage_summary_docx(summary=summary),
            state_label=str(summary.get_state_display()),
            submitted=summary.state not in UNSUBMITTED,
        )
        for summary in summary_selectors.latest_summaries(campaign=campaign, branch=branch)
    ]
