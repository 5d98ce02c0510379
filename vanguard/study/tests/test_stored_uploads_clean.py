"""Files stored before uploads were cleaned are replaced by clean copies on demand
(`manage.py clean_study_uploads`): a photo loses its GPS position, an old .doc the gate
refuses stays as it is and is named in the report."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from vanguard.study.models import StudyWork
from vanguard.study.tests import factories


def _legacy(org, member, data: bytes, name: str, kind: str) -> StudyWork:
    """A work whose file was stored as uploaded, the way it was done before."""
    work = factories.make_work(org, member)
    stored = default_storage.save(
        f"study/{work.campaign_id}/{member.pk}/legacytoken", ContentFile(data)
    )
    StudyWork.objects.filter(pk=work.pk).update(
        attachment=stored, attachment_name=name, attachment_type=kind, upload_token="legacytoken"
    )
    work.refresh_from_db()
    return work


def _gps_photo() -> bytes:
    exif = Image.Exif()
    exif[0x0110] = "Pixel 9 Pro"
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 200)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_a_stored_photo_is_replaced_by_its_clean_copy_and_a_doc_is_left(
    org, cast, campaign, django_capture_on_commit_callbacks
):
    photo = _legacy(org, cast.member_record, _gps_photo(), "IMG_1.JPG", "jpeg")
    doc = _legacy(
        org,
        cast.colleague_record,
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
        "旧.doc",
        "doc",
    )
    old_name = photo.attachment.name
    out = io.StringIO()

    call_command("clean_study_uploads", "--dry-run", stdout=out)
    assert "Would clean 1 stored file(s)." in out.getvalue()
    photo.refresh_from_db()
    assert photo.attachment.name == old_name

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("clean_study_uploads", stdout=out)
    report = out.getvalue()
    assert "Cleaned 1 stored file(s)." in report
    assert f"Left study work {doc.pk} as it is" in report and ".doc" in report
    photo.refresh_from_db()
    assert photo.attachment.name.endswith(".jpg") and photo.attachment_name == "IMG_1.jpg"
    with photo.attachment.open("rb") as file:
        stored = file.read()
    assert b"Pixel 9 Pro" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()
    assert not default_storage.exists(old_name)
    doc.refresh_from_db()
    assert doc.attachment.name.endswith("legacytoken")

    out = io.StringIO()
    call_command("clean_study_uploads", stdout=out)  # nothing left to do
    assert "Cleaned 0 stored file(s)." in out.getvalue()


def test_a_name_stored_with_a_right_to_left_mark_is_shown_cleaned(client, org, cast, campaign):
    work = _legacy(org, cast.member_record, _gps_photo(), "照片\u202egpj.exe", "jpeg")
    client.force_login(cast.member)
    html = client.get(reverse("study:work_detail", args=[work.pk])).content.decode()
    assert "照片gpj.exe" in html and "\u202e" not in html
    response = client.get(reverse("study:work_file", args=[work.pk]))
    # Stored before uploads were cleaned: a download, never shown inline.
    assert response["Content-Disposition"].startswith("attachment")
    assert "%E2%80%AE" not in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
