"""The opinions' secrecy holds in rectification: the member's plan page and the API
answers they can reach show the sheet's points and an item's links as the sheet shows
them — never an opinion's source, contact, hidden channel, date or primary key."""

from __future__ import annotations

import datetime
import json

import pytest
from django.test import Client

from vanguard.opinions import access as opinions_access
from vanguard.opinions.models import Opinion
from vanguard.rectification.plans import selectors
from vanguard.rectification.tests import factories_plans as fp

pytestmark = pytest.mark.django_db

SOURCE = "举报人赵六-来源标记SR88"
CONTACT = "contact-marker-13912345678"
RECEIVED = datetime.date(2005, 3, 17)
OPINION_PK = 987654


@pytest.fixture
def f(org, cast):
    class F:
        pass

    found = F()
    found.org, found.cast = org, cast  # type: ignore[attr-defined]
    return found


def _never_shown(text: str, *, pk_too: bool = True) -> None:
    for secret in (
        SOURCE,
        CONTACT,
        "个人交谈",
        "talk",
        "2005-03-17",
        "2005年3月17日",
        *((str(OPINION_PK),) if pk_too else ()),
    ):
        assert secret not in text, secret


def test_plan_page_and_api_never_show_a_source(f):
    fp.member_opinion(
        f,
        pk=OPINION_PK,
        source=SOURCE,
        contact=CONTACT,
        channel=Opinion.Channel.TALK,
        received_on=RECEIVED,
    )
    client = Client()
    client.force_login(f.cast.member)
    page = client.get("/rectification/plans/mine/").content.decode()
    assert fp.OPINION_TEXT in page  # the point is there, as the sheet shows it
    _never_shown(page)

    plan = fp.member_plan(f)
    token = selectors.sheet_points(plan)[0].points[0].token
    client.post(
        f"/rectification/plans/{plan.pk}/items/new/",
        {
            "problem": fp.OPINION_TEXT,
            "measure": "每月谈心",
            "standard": "六次",
            "deadline": fp.in_days(30).isoformat(),
            "links": [f"o-{token}"],
        },
    )
    assert plan.items.filter(links__opinion_id=OPINION_PK).exists()
    for url in (
        "/rectification/plans/mine/",
        f"/rectification/plans/{plan.pk}/",
        f"/rectification/items/{plan.items.last().pk}/edit/",
        "/api/v1/rectification/plans/",
        f"/api/v1/rectification/plans/{plan.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        if url.startswith("/api/"):
            text = json.dumps(response.json(), ensure_ascii=False)
        assert fp.OPINION_TEXT in text or url.endswith("plans/"), url
        _never_shown(text)


def test_the_branch_officers_reading_the_plan_see_no_source_either(f):
    fp.member_opinion(f, pk=OPINION_PK, source=SOURCE, contact=CONTACT, received_on=RECEIVED)
    plan = fp.member_plan(f)
    item = plan.items.get()
    item.links.create(target="opinion", opinion_id=OPINION_PK)
    for user in (f.cast.secretary, f.cast.supervisor, f.cast.committee_admin):
        client = Client()
        client.force_login(user)
        page = client.get(f"/rectification/plans/{plan.pk}/").content.decode()
        assert fp.OPINION_TEXT in page
        # Those who read the opinion where it is sorted may follow the item back to it
        # (its page there applies the opinions' own rules on sources); nobody else
        # learns even its number.
        traces = opinions_access.visible_opinions(user).filter(pk=OPINION_PK).exists()
        assert (f'href="/opinions/sorting/{OPINION_PK}/"' in page) is traces
        _never_shown(page, pk_too=not traces)
        if traces:
            sorting = client.get(f"/opinions/sorting/{OPINION_PK}/")
            assert sorting.status_code == 200 and fp.OPINION_TEXT in sorting.content.decode()
