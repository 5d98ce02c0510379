"""The materials' front page (/materials/): what this person may make or read here —
the branch's three materials, the bundles, the college's workbook and drafted report,
the archive — each as one link, in the order a branch secretary and a committee
office meet them. Paper forms are printed from the vote's and the survey's own pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from vanguard.accounts.access import Person
from vanguard.materials import access


@dataclass(frozen=True)
class Entry:
    title: str
    text: str
    url: str


def _entries(user: Person) -> list[Entry]:
    found = []
    for allowed, title, text, name in (
        (
            access.meeting_book_campaigns,
            _("支部大会记录本"),
            _("各支部本次活动的会议，按纸质记录本的格式排版，可打印（PDF、Word）。"),
            "materials:meeting_book_index",
        ),
        (
            access.stage_summary_campaigns,
            _("支部阶段工作小结"),
            _("根据数据起草、修改、提交审阅，审定后导出。"),
            "materials:stage_summary_index",
        ),
        (
            access.bundle_campaigns,
            _("材料包"),
            _("支部三项材料（记录本、阶段小结、党员评议登记表）一次下载；全院材料按支部打包。"),
            "materials:bundles",
        ),
        (
            access.workbook_campaigns,
            _("统计表（Excel）"),
            _("按专题分表的全院统计：进展、会议、学习、意见、审核、评议、整改。"),
            "materials:workbook",
        ),
        (
            access.report_campaigns,
            _("活动总结报告初稿"),
            _("按活动总结的结构起草的 Word 初稿，数据自动填入，典型事例由党委挑选。"),
            "materials:report_index",
        ),
        (
            access.archive_campaigns,
            _("归档"),
            _("整个活动的材料和数据，附清单与校验值，交档案室。"),
            "materials:archive",
        ),
    ):
        if allowed(user):
            found.append(Entry(str(title), str(text), reverse(name)))
    return found


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    access.check_reads_materials(request.user)
    entries = _entries(request.user)
    return render(request, "materials/index.html", {"entries": entries})
