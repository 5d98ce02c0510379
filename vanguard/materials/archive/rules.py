"""The rule of what goes into a member's personal file (档案), in words, for the
archive page and the archive's README — one text, so the two never disagree."""

from __future__ import annotations

from django.utils.translation import gettext as _


def personal_file_rule() -> str:
    return _(
        "党委审批为“优秀”的党员，以及审批为“不合格”并作组织处置（限期改正、劝退、除名，"
        "或处置尚在进行）的党员，其党员评议登记表和本人的整改计划及落实情况归入本人档案；"
        "personal_files/ 下按支部、按人各一个文件夹，文件夹名注明归档原因。"
        "其他党员的登记表随支部材料归档（documents/），不单独入档。"
    )


def never_archived() -> str:
    return _(
        "选票、投票卡、签到名册和任何人的投票情况一概不含，评议结果只有已公布的票数；"
        "征求到的意见只有按渠道统计的条数，不含意见内容、提供人、联系方式和日期。"
    )
