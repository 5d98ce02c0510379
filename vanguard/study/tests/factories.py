"""Study objects for tests, built on the cast's organisation (conftest.py)."""

from __future__ import annotations

import datetime
import io
from typing import Any

import docx as docx_document
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from vanguard.campaigns.models import Campaign, Phase, Requirement
from vanguard.organization.models import Member, Unit
from vanguard.study import services
from vanguard.study.models import StudySession, StudyWork

# A one-page PDF exactly as the upload check rewrites it (no Info dictionary, no XMP),
# so the stored and served copy is these same bytes.
PDF_BYTES = (
    b"%PDF-1.3\n%\xe2\xe3\xcf\xd3\n2 0 obj\n<<\n/Type /Pages\n/Count 1\n/Kids [ 4 0 R ]\n>>\n"
    b"endobj\n3 0 obj\n<<\n/Type /Catalog\n/Pages 2 0 R\n>>\nendobj\n4 0 obj\n<<\n"
    b"/Type /Page\n/Resources <<\n>>\n/MediaBox [ 0.0 0.0 72 72 ]\n/Parent 2 0 R\n>>\n"
    b"endobj\nxref\n0 5\n0000000001 65535 f \n0000000000 00001 f \n0000000015 00000 n \n"
    b"0000000074 00000 n \n0000000123 00000 n \ntrailer\n<<\n/Size 5\n/Root 3 0 R\n>>\n"
    b"startxref\n215\n%%EOF\n"
)
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def make_campaign(org: Any) -> Campaign:
    """The college's active education campaign, in its study phase."""
    campaign, created = Campaign.objects.get_or_create(
        unit=org.committee,
        name="保持共产党员先进性教育活动",
        defaults={"kind": Campaign.Kind.EDUCATION, "year": 2005, "status": Campaign.Status.ACTIVE},
    )
    if created:
        phase = Phase.objects.create(
            campaign=campaign,
            key=Phase.Key.STUDY,
            name="学习动员",
            order=1,
            starts_on=datetime.date(2005, 3, 1),
            ends_on=datetime.date(2005, 5, 1),
            status=Phase.Status.OPEN,
        )
        Requirement.objects.create(
            phase=phase,
            kind="member_study_works",
            scope=Requirement.Scope.MEMBER,
            params={"kind": "reading_note", "min": 2},
            label="每名党员至少提交 2 篇读书笔记",
        )
    return campaign


def make_session(org: Any, *, unit: Unit | None = None, topic: str = "学习党章") -> StudySession:
    unit = unit or org.branch_a1
    session = StudySession.objects.filter(unit=unit, topic=topic).first()
    return session or StudySession.objects.create(
        campaign=make_campaign(org),
        unit=unit,
        topic=topic,
        materials="《中国共产党章程》",
        starts_at=timezone.now(),
    )


def pdf(name: str = "学习心得.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def exe_as_pdf(name: str = "心得.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, EXE_BYTES, content_type="application/pdf")


def docx(name: str = "论文.docx") -> SimpleUploadedFile:
    document = docx_document.Document()
    document.add_paragraph("学习《党章》的体会")
    buffer = io.BytesIO()
    document.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def photo(name: str = "手写.jpg", fmt: str = "JPEG") -> SimpleUploadedFile:
    """A real photo (Pillow), in JPEG, PNG or HEIF."""
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue())


def make_work(
    org: Any,
    member: Member,
    *,
    title: str = "读《党章》笔记",
    body: str = "<p>党员必须全心全意为人民服务。</p>",
    upload: Any = None,
    kind: str = StudyWork.Kind.READING_NOTE,
) -> StudyWork:
    return services.work_create(
        member=member,
        campaign=make_campaign(org),
        kind=kind,
        title=title,
        material="《中国共产党章程》",
        body=body,
        upload=upload,
    )


def member_work(org: Any, member: Member, *, with_file: bool = False) -> StudyWork:
    """The member's one work for the access table (created once per test)."""
    work = StudyWork.objects.filter(member=member).first()
    return work or make_work(org, member, upload=pdf() if with_file else None)
