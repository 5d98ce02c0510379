"""Who may open the intake pages: suggestion box, survey, talk and symposium records,
aspects (see tests/access.py). Those who gather branch A1's opinions (committee admin,
general-branch secretary, A1's secretary and committee member) use its pages; those
who may see A1 but not gather its opinions (supervisor, observer, A1's member) get a
403; the group leader and the member of B1 a 404. The public pages answer anyone with
a valid link, and a 404 to a forged one. The campaign, survey and record are made on
demand, since the cast's org has none; helpers here are shared with the intake tests."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse

from tests.access import LOGIN, AccessRow
from vanguard.campaigns.models import Campaign
from vanguard.meetings.tests.factories import education_campaign
from vanguard.opinions.intake import services as services_intake
from vanguard.opinions.models import OpinionRecord, Survey

GATHERERS = ("committee_admin", "gb_secretary", "secretary", "branch_committee")
READERS = {"supervisor": 403, "observer": 403, "member": 403}
OUTSIDE = {"group_leader": 404, "other_member": 404}
ALL_ROLES = (
    "anonymous",
    *GATHERERS,
    "supervisor",
    "observer",
    "member",
    "group_leader",
    "other_member",
)


def gatherers(status: int) -> dict[str, int | str]:
    return {"anonymous": LOGIN, **dict.fromkeys(GATHERERS, status), **READERS, **OUTSIDE}


def campaign(f: Any) -> Campaign:
    """The college's running education campaign, with its 8 aspects."""
    found = education_campaign(f.org.committee)
    services_intake.aspects_for(found)
    return found


def box_slug(f: Any) -> str:
    return services_intake.box_slug(campaign(f), f.org.branch_a1)


def survey(f: Any) -> Survey:
    campaign(f)
    found = Survey.objects.filter(branch=f.org.branch_a1, is_open=True).first()
    return found or services_intake.survey_create(branch=f.org.branch_a1, title="书面调查")


def survey_token(f: Any) -> str:
    return services_intake.survey_invite(survey=survey(f), outside=["群众甲"])[0].token


def record(f: Any) -> OpinionRecord:
    campaign(f)
    found = OpinionRecord.objects.filter(branch=f.org.branch_a1).first()
    return found or services_intake.record_create(
        branch=f.org.branch_a1,
        recorded_by=None,
        data={"kind": "talk", "held_on": datetime.date(2026, 4, 20)},
    )


def answer_data(f: Any) -> dict[str, str]:
    member = f.cast.colleague_record
    return {f"m{member.pk}-political-rating": "good", f"m{member.pk}-political-comment": "认真"}


def box_data(f: Any) -> dict[str, str]:
    campaign(f)
    return {"about": "branch", "text": "希望支部多组织学习。", "contact": "", "website": ""}


def record_data(f: Any) -> dict[str, str]:
    campaign(f)
    return {
        "branch": str(f.org.branch_a1.pk),
        "kind": "symposium",
        "held_on": "2026-04-20",
        "place": "会议室",
        "participants": "群众代表五人",
        "notes": "",
    }


def aspects_data(f: Any) -> dict[str, str]:
    """The aspects page posted back unchanged."""
    data = {"rows": "8"}
    for index, aspect in enumerate(services_intake.aspects_for(campaign(f))):
        data[f"aspect-{index}-pk"] = str(aspect.pk)
        data[f"aspect-{index}-name"] = aspect.name
        data[f"aspect-{index}-order"] = str(aspect.order)
    return data


def everyone(status: int) -> dict[str, int | str]:
    return dict.fromkeys(ALL_ROLES, status)


ROWS = [
    # --- Login pages
    AccessRow(
        "opinions/box/", lambda f: reverse("opinions:box_list"), {"anonymous": LOGIN}, default=200
    ),
    AccessRow(
        "opinions/box/<int:unit_pk>/poster/",
        lambda f: (campaign(f), reverse("opinions:box_poster", args=[f.org.branch_a1.pk]))[1],
        gatherers(200),
    ),
    AccessRow(
        "opinions/surveys/",
        lambda f: reverse("opinions:survey_list"),
        {"anonymous": LOGIN},
        default=200,
    ),
    AccessRow(
        "opinions/surveys/",
        lambda f: reverse("opinions:survey_list"),
        {
            "anonymous": LOGIN,
            **dict.fromkeys(GATHERERS, 302),
            **READERS,
            "group_leader": 403,
            "other_member": 403,
        },
        method="post",
        data=lambda f: (campaign(f), {"branch": str(f.org.branch_a1.pk), "title": ""})[1],
        note="those who gather no branch's opinions may not start a survey",
    ),
    AccessRow(
        "opinions/surveys/<int:pk>/",
        lambda f: reverse("opinions:survey_detail", args=[survey(f).pk]),
        gatherers(200),
    ),
    AccessRow(
        "opinions/surveys/<int:pk>/invite/",
        lambda f: reverse("opinions:survey_invite", args=[survey(f).pk]),
        gatherers(200),
        method="post",
        data=lambda f: {"inside": "党员甲", "outside": "群众乙"},
        note="the page of links is the answer itself (the tokens are shown once)",
    ),
    AccessRow(
        "opinions/surveys/<int:pk>/close/",
        lambda f: reverse("opinions:survey_close", args=[survey(f).pk]),
        gatherers(302),
        method="post",
    ),
    AccessRow(
        "opinions/surveys/<int:pk>/paper/",
        lambda f: reverse("opinions:survey_paper", args=[survey(f).pk]),
        gatherers(200),
    ),
    AccessRow(
        "opinions/surveys/<int:pk>/paper/",
        lambda f: reverse("opinions:survey_paper", args=[survey(f).pk]),
        gatherers(302),
        method="post",
        data=answer_data,
    ),
    AccessRow(
        "opinions/records/",
        lambda f: reverse("opinions:record_list"),
        {"anonymous": LOGIN},
        default=200,
    ),
    AccessRow(
        "opinions/records/new/",
        lambda f: (campaign(f), reverse("opinions:record_create"))[1],
        {
            "anonymous": LOGIN,
            **dict.fromkeys(GATHERERS, 200),
            **READERS,
            "group_leader": 403,
            "other_member": 403,
        },
    ),
    AccessRow(
        "opinions/records/new/",
        lambda f: reverse("opinions:record_create"),
        {
            "anonymous": LOGIN,
            **dict.fromkeys(GATHERERS, 302),
            **READERS,
            "group_leader": 403,
            "other_member": 403,
        },
        method="post",
        data=record_data,
    ),
    AccessRow(
        "opinions/records/<int:pk>/",
        lambda f: reverse("opinions:record_detail", args=[record(f).pk]),
        gatherers(200),
    ),
    AccessRow(
        "opinions/records/<int:pk>/opinions/",
        lambda f: reverse("opinions:record_add_opinion", args=[record(f).pk]),
        gatherers(302),
        method="post",
        data=lambda f: {
            "about": "branch",
            "text": "支部活动可以更活泼。",
            "aspect": "",
            "source": "",
        },
    ),
    AccessRow(
        "opinions/aspects/<int:campaign_pk>/",
        lambda f: reverse("opinions:aspects_edit", args=[campaign(f).pk]),
        {"anonymous": LOGIN, "committee_admin": 200},
        default=403,
        note="committee admins edit a campaign's aspects; everyone else sees the campaign",
    ),
    AccessRow(
        "opinions/aspects/<int:campaign_pk>/",
        lambda f: reverse("opinions:aspects_edit", args=[campaign(f).pk]),
        {"anonymous": LOGIN, "committee_admin": 302},
        default=403,
        method="post",
        data=aspects_data,
    ),
    # --- Public pages (no account; anyone with a valid link)
    AccessRow(
        "o/box/<str:slug>/",
        lambda f: reverse("opinions_public:box", args=[box_slug(f)]),
        everyone(200),
    ),
    AccessRow(
        "o/box/<str:slug>/",
        lambda f: (campaign(f), reverse("opinions_public:box", args=["1-1-forged"]))[1],
        everyone(404),
        note="a forged box link",
    ),
    AccessRow(
        "o/box/<str:slug>/",
        lambda f: reverse("opinions_public:box", args=[box_slug(f)]),
        everyone(302),
        method="post",
        data=box_data,
    ),
    AccessRow(
        "o/box/<str:slug>/thanks/",
        lambda f: reverse("opinions_public:box_thanks", args=[box_slug(f)]),
        everyone(200),
    ),
    AccessRow(
        "o/box/<str:slug>/thanks/",
        lambda f: reverse("opinions_public:box_thanks", args=[box_slug(f) + "x"]),
        everyone(404),
    ),
    AccessRow(
        "o/survey/<str:token>/",
        lambda f: reverse("opinions_public:survey_answer", args=[survey_token(f)]),
        everyone(200),
    ),
    AccessRow(
        "o/survey/<str:token>/",
        lambda f: (survey(f), reverse("opinions_public:survey_answer", args=["forged-token"]))[1],
        everyone(404),
        note="a forged survey link",
    ),
    AccessRow(
        "o/survey/<str:token>/",
        lambda f: reverse("opinions_public:survey_answer", args=[survey_token(f)]),
        everyone(302),
        method="post",
        data=answer_data,
    ),
    AccessRow(
        "o/survey/thanks/", lambda f: reverse("opinions_public:survey_thanks"), everyone(200)
    ),
]
