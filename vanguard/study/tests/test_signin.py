"""QR sign-in (扫码签到): the code proves presence, the login proves who it is."""

from __future__ import annotations

from django.urls import reverse

from vanguard.study import tokens
from vanguard.study.models import Attendance
from vanguard.study.tests import factories


def sign_in_url(session, token=None):
    return reverse(
        "study:session_sign_in", args=[session.pk, token or tokens.make_token(session.pk)]
    )


# --- The rotating code ---------------------------------------------------------------


def test_code_of_the_current_and_previous_window_is_accepted():
    now = 1_000_000.0
    window = tokens.current_window(now)
    assert tokens.check_token(7, tokens.make_token(7, window), now)
    assert tokens.check_token(7, tokens.make_token(7, window - 1), now)


def test_older_code_is_refused():
    now = 1_000_000.0
    assert not tokens.check_token(7, tokens.make_token(7, tokens.current_window(now) - 2), now)


def test_code_of_another_session_or_a_forged_code_is_refused():
    token = tokens.make_token(7)
    assert not tokens.check_token(8, token)
    window = token.split("-")[0]
    assert not tokens.check_token(7, f"{window}-{'0' * 24}")
    assert not tokens.check_token(7, "garbage")
    assert not tokens.check_token(7, "")


def test_codes_rotate_every_window():
    assert tokens.make_token(7, 100) != tokens.make_token(7, 101)


# --- Signing in --------------------------------------------------------------------


def test_member_signs_in_once_and_a_repeat_changes_nothing(client, cast, session):
    client.force_login(cast.member)

    first = client.get(sign_in_url(session))
    assert first.status_code == 200
    assert "签到成功" in first.content.decode()
    row = Attendance.objects.get(session=session, member=cast.member_record)
    assert (row.status, row.method) == ("present", "qr")

    second = client.get(sign_in_url(session))
    assert second.status_code == 200
    assert "已签到" in second.content.decode()
    assert Attendance.objects.filter(session=session).count() == 1
    assert Attendance.objects.get(pk=row.pk).recorded_at == row.recorded_at


def test_expired_code_says_so_and_records_nothing(client, cast, session):
    client.force_login(cast.member)
    old = tokens.make_token(session.pk, tokens.current_window() - 3)

    response = client.get(sign_in_url(session, old))

    assert response.status_code == 400
    assert "已过期" in response.content.decode()
    assert not Attendance.objects.exists()


def test_forged_code_says_so_and_records_nothing(client, cast, session):
    client.force_login(cast.member)
    response = client.get(sign_in_url(session, "123-abcdef"))
    assert response.status_code == 400
    assert "二维码无效或已过期" in response.content.decode()
    assert not Attendance.objects.exists()


def test_member_of_another_branch_is_refused(client, cast, session):
    client.force_login(cast.other_member)

    response = client.get(sign_in_url(session))

    assert response.status_code == 403
    assert "不能签到" in response.content.decode()
    assert not Attendance.objects.exists()


def test_officer_who_is_no_member_is_refused(client, cast, session):
    client.force_login(cast.committee_admin)
    assert client.get(sign_in_url(session)).status_code == 403
    assert not Attendance.objects.exists()


def test_lecture_for_a_general_branch_takes_every_member_under_it(client, org, cast, campaign):
    lecture = factories.make_session(org, unit=org.gb_a, topic="专题报告：保持先进性")
    client.force_login(cast.member)
    assert client.get(sign_in_url(lecture)).status_code == 200
    client.force_login(cast.other_member)  # in B1, under the other general branch
    assert client.get(sign_in_url(lecture)).status_code == 403
    assert list(Attendance.objects.values_list("member__name", flat=True)) == ["王小明"]


def test_without_login_the_member_logs_in_and_is_signed_in_even_after_the_code_rotated(
    client, cast, session, monkeypatch
):
    url = sign_in_url(session)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Attendance.objects.exists()

    # The member takes two minutes to type their password; the code has rotated since.
    real_time = tokens.time.time
    monkeypatch.setattr(tokens.time, "time", lambda: real_time() + 120)
    client.force_login(cast.member)
    response = client.get(url)

    assert response.status_code == 200
    assert "签到成功" in response.content.decode()
    assert Attendance.objects.get().member == cast.member_record


def test_without_login_an_expired_code_is_refused_before_the_login_page(client, session):
    old = tokens.make_token(session.pk, tokens.current_window() - 5)
    response = client.get(sign_in_url(session, old))
    assert response.status_code == 400
    assert "已过期" in response.content.decode()


def test_a_typed_staff_number_counts_no_one(client, cast, session):
    """There is no form that takes a number: a sign-in needs the code and a login."""
    client.force_login(cast.member)
    response = client.post(sign_in_url(session), {"number": cast.colleague_record.number})
    assert response.status_code == 405
    assert not Attendance.objects.exists()


def test_member_marked_absent_who_comes_after_all_is_signed_in(client, cast, session):
    Attendance.objects.create(
        session=session, member=cast.member_record, status="absent", reason="出差", method="manual"
    )
    client.force_login(cast.member)
    assert "签到成功" in client.get(sign_in_url(session)).content.decode()
    row = Attendance.objects.get()
    assert (row.status, row.reason, row.method) == ("present", "", "qr")


# --- The projector page --------------------------------------------------------------


def test_projector_page_shows_the_code_its_link_and_the_live_count(client, cast, session):
    client.force_login(cast.secretary)
    html = client.get(reverse("study:session_qr", args=[session.pk])).content.decode()
    assert reverse("study:session_qr_image", args=[session.pk]) in html
    assert f"/study/sessions/{session.pk}/signin/" in html
    assert 'hx-trigger="every 15s"' in html
    assert "<script" not in html.split("</head>")[1]

    client.force_login(cast.member)
    client.get(sign_in_url(session))
    client.force_login(cast.secretary)
    count = client.get(reverse("study:session_qr_count", args=[session.pk])).content.decode()
    assert '<span class="num" id="signed-in-count">1</span>' in count
    assert "王小明" in count


def test_qr_image_is_an_svg_not_cached(client, cast, session):
    client.force_login(cast.secretary)
    response = client.get(reverse("study:session_qr_image", args=[session.pk]))
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "private, no-store"
    assert b"<svg" in response.content
    assert b"<script" not in response.content
