"""The suggestion box (意见箱), as a visitor without an account uses it: through the
public page reached by a link or the QR poster. And what it must never keep: an
address, a browser signature or a time."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from vanguard.audit.models import AuditEntry
from vanguard.campaigns.models import Campaign
from vanguard.opinions.intake import services as services_intake
from vanguard.opinions.models import Opinion, OpinionRound
from vanguard.opinions.tests import access_table_intake as intake

ADDRESS = "203.0.113.77"
OTHER_ADDRESS = "198.51.100.23"
BROWSER = "MarkerBrowser/9.9 (UniquePhone 42)"


@pytest.fixture
def f(org, cast):
    return SimpleNamespace(org=org, cast=cast)


@pytest.fixture
def box_url(f):
    return reverse("opinions_public:box", args=[intake.box_slug(f)])


def _post(client, url, *, address=ADDRESS, **data):
    body = {"about": "branch", "text": "希望支部多组织学习。", "contact": "", "website": ""}
    body.update(data)
    return client.post(url, body, REMOTE_ADDR=address, HTTP_USER_AGENT=BROWSER)


def test_visitor_leaves_an_opinion_about_a_named_member(client, f, box_url):
    page = client.get(box_url)
    assert page.status_code == 200
    html = page.content.decode()
    colleague = f.cast.colleague_record
    assert colleague.name in html and f.cast.member_record.name in html
    assert colleague.number not in html  # names only, nothing else about the members
    assert f.cast.other_member_record.name not in html  # another branch's member

    response = _post(
        client,
        box_url,
        about=f"member:{colleague.pk}",
        text="张丽同志工作认真，但开会常迟到。",
        contact="13800000000",
    )

    assert response.status_code == 302
    thanks = client.get(response["Location"])
    assert "谢谢您的意见" in thanks.content.decode()
    opinion = Opinion.objects.get()
    assert opinion.channel == Opinion.Channel.SUGGESTION_BOX
    assert opinion.branch == f.org.branch_a1
    assert opinion.subject_kind == Opinion.SubjectKind.MEMBER
    assert opinion.subject_member == colleague
    assert opinion.text == "张丽同志工作认真，但开会常迟到。"
    assert opinion.contact == "13800000000"
    assert opinion.received_on == timezone.localdate()
    assert opinion.status == Opinion.Status.NEW
    assert opinion.round == 1


def test_an_opinion_may_concern_the_branch_or_the_committee(client, f, box_url):
    _post(client, box_url, about="branch", text="支部活动形式单一。")
    _post(client, box_url, about="committee", text="党委应多听基层意见。")
    by_text = {o.text: o for o in Opinion.objects.all()}
    assert by_text["支部活动形式单一。"].subject_unit == f.org.branch_a1
    assert by_text["支部活动形式单一。"].subject_kind == Opinion.SubjectKind.BRANCH
    assert by_text["党委应多听基层意见。"].subject_unit == f.org.committee
    assert by_text["党委应多听基层意见。"].subject_kind == Opinion.SubjectKind.COMMITTEE


def test_a_member_of_another_branch_cannot_be_named(client, f, box_url):
    response = _post(client, box_url, about=f"member:{f.cast.other_member_record.pk}")
    assert response.status_code == 200
    assert "请选择意见涉及的对象" in response.content.decode()
    assert not Opinion.objects.exists()


def test_a_logged_in_visitor_is_not_recorded_as_the_author(client, f, box_url):
    client.force_login(f.cast.member)
    before = AuditEntry.objects.count()
    _post(client, box_url, text="匿名意见")
    assert Opinion.objects.filter(text="匿名意见").exists()
    assert AuditEntry.objects.count() == before
    assert not AuditEntry.objects.filter(object_type="opinions.opinion").exists()


def test_ten_thousand_characters_are_refused_with_a_clear_message(client, f, box_url):
    response = _post(client, box_url, text="刷" * 10_000)
    assert response.status_code == 200
    html = response.content.decode()
    assert "意见内容最多 2000 字，现在有 10000 字" in html
    assert "还没有保存" in html
    assert not Opinion.objects.exists()


def test_an_empty_opinion_is_refused(client, f, box_url):
    response = _post(client, box_url, text="   ")
    assert "请填写意见内容" in response.content.decode()
    assert not Opinion.objects.exists()


def test_script_tags_and_emoji_are_kept_as_text_and_shown_escaped(client, f, box_url):
    text = "<script>alert('x')</script> 点赞👍🏻🇨🇳"
    _post(client, box_url, text=text)
    assert Opinion.objects.get().text == text  # emoji are welcome, stored as they came

    # Shown back (a form with an error re-displays it): escaped, never run.
    response = _post(client, box_url, about="nobody", text=text)
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; 点赞👍🏻🇨🇳" in html


def test_the_honeypot_thanks_a_bot_and_keeps_nothing(client, f, box_url):
    page = client.get(box_url).content.decode()
    assert 'class="hp-field"' in page and "style=" not in page  # hidden by CSS, not inline

    response = _post(client, box_url, website="http://spam.example", text="Buy now")

    assert response.status_code == 302
    assert "thanks" in response["Location"]
    assert not Opinion.objects.exists()


@pytest.fixture
def three_per_window(settings):
    settings.VANGUARD_OPINION_RATE_LIMITS = {"box": (3, 600)}


def test_the_fourth_submission_from_one_address_is_refused(client, f, box_url, three_per_window):
    for n in range(3):
        assert _post(client, box_url, text=f"意见{n}").status_code == 302

    refused = _post(client, box_url, text="第四条")

    assert refused.status_code == 429
    assert "提交太频繁" in refused.content.decode()
    assert Opinion.objects.count() == 3
    assert not Opinion.objects.filter(text="第四条").exists()
    # Another address is not held back.
    assert _post(client, box_url, address=OTHER_ADDRESS, text="另一个人").status_code == 302
    assert Opinion.objects.filter(text="另一个人").exists()


def test_the_rate_limit_forgets_when_its_window_ends(client, f, box_url, three_per_window):
    for n in range(3):
        _post(client, box_url, text=f"意见{n}")
    cache.clear()  # what the expiry of the window (and of the day's secret) amounts to
    assert _post(client, box_url, text="过了一会儿").status_code == 302


def test_nothing_stored_links_an_opinion_to_its_sender(client, f, box_url, three_per_window):
    client.force_login(f.cast.member)  # even a logged-in sender leaves no trace
    for n in range(4):
        _post(client, box_url, text=f"意见{n}", contact="")
    assert Opinion.objects.count() == 3

    # No field of any opinion holds the address, the browser or a time.
    for opinion in Opinion.objects.all():
        for field in opinion._meta.concrete_fields:
            value = str(getattr(opinion, field.attname))
            assert ADDRESS not in value and BROWSER not in value and "UniquePhone" not in value
            assert not isinstance(getattr(opinion, field.attname), datetime.datetime)
    # Nor any row of any table in the database.
    for model in apps.get_models():
        for row in model._default_manager.all().values():
            text = str(row)
            assert ADDRESS not in text, model
            assert "UniquePhone" not in text, model
    # The rate limit's keys in the cache are keyed hashes, not the address.
    stored = str(getattr(cache, "_cache", {}))
    assert ADDRESS not in stored and "UniquePhone" not in stored


def test_a_forged_or_altered_link_finds_no_box(client, f, box_url):
    assert client.get(box_url[:-3] + "xx/").status_code == 404
    other = reverse("opinions_public:box", args=[f"{intake.campaign(f).pk}-{f.org.branch_b1.pk}-x"])
    response = client.get(other)
    assert response.status_code == 404
    assert "找不到这个意见箱" in response.content.decode()
    assert _post(client, other).status_code == 404
    assert not Opinion.objects.exists()


def test_the_box_closes_with_its_campaign(client, f, box_url):
    Campaign.objects.filter(pk=intake.campaign(f).pk).update(status=Campaign.Status.CLOSED)
    assert client.get(box_url).status_code == 404
    assert _post(client, box_url).status_code == 404
    assert not Opinion.objects.exists()


def test_opinions_go_to_the_branchs_current_round(client, f, box_url):
    OpinionRound.objects.create(
        campaign=intake.campaign(f), branch=f.org.branch_a1, number=2, reason="表扬多"
    )
    _post(client, box_url, text="第二轮的意见")
    assert Opinion.objects.get().round == 2
    assert services_intake.current_round(intake.campaign(f), f.org.branch_b1) == 1


def test_secretary_prints_a_qr_poster_of_the_box(client, f, box_url):
    client.force_login(f.cast.secretary)
    listing = client.get(reverse("opinions:box_list")).content.decode()
    assert box_url in listing

    poster = client.get(reverse("opinions:box_poster", args=[f.org.branch_a1.pk]))

    html = poster.content.decode()
    assert poster.status_code == 200
    assert "<svg" in html and 'class="qr-code"' in html
    assert box_url in html
    assert f.org.branch_a1.name in html


def test_a_member_finds_their_own_branchs_box_but_no_poster(client, f, box_url):
    client.force_login(f.cast.member)
    listing = client.get(reverse("opinions:box_list")).content.decode()
    assert box_url in listing
    assert reverse("opinions:box_poster", args=[f.org.branch_a1.pk]) not in listing
