"""Data of the rectification journey in the browser: the cast's education campaign
and two sorted opinions about the cast's member (王小明) on his feedback sheet, each
with its source filled in (which the pages must never show); and a phone photo as a
member would take it, with the camera's EXIF and the place it was taken (GPS)."""

from __future__ import annotations

import io

from PIL import ExifTags, Image, ImageDraw

from conftest import Cast, Org
from vanguard.campaigns.models import Campaign
from vanguard.opinions.models import Opinion
from vanguard.opinions.tests import factories_feedback as ff

TALK_POINT = "希望王老师多和学生谈心，了解学生的思想和困难。"
BOX_POINT = "批评与自我批评开展得不够，组织生活会上发言谈成绩多、谈问题少。"
POINTS = (TALK_POINT, BOX_POINT)
SOURCES = ff.MARKERS
CAMERA = "PhoneCam-H6"


def campaign(org: Org) -> Campaign:
    return ff.campaign(org)


def sheet_points(org: Org, cast: Cast) -> list[Opinion]:
    """The two points of 王小明's sheet: a suggestion from a talk, a criticism from the
    suggestion box."""
    found = campaign(org)
    member = cast.member_record
    return [
        ff.opinion(found, member, TALK_POINT, channel="talk", kind="suggestion"),
        ff.opinion(found, member, BOX_POINT, channel="suggestion_box", aspect_key="party_spirit"),
    ]


def photo_with_gps() -> bytes:
    """A JPEG as a phone takes it: the camera's make and the GPS position in its EXIF."""
    image = Image.new("RGB", (640, 480), (236, 240, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 600, 440), outline=(180, 30, 30), width=8)
    for n in range(6):
        draw.line((80, 120 + 50 * n, 560, 120 + 50 * n), fill=(60, 60, 60), width=4)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = CAMERA
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (30.0, 15.0, 52.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (120.0, 7.0, 41.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85, exif=exif)
    return buffer.getvalue()


def has_gps(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        return bool(exif.get_ifd(ExifTags.IFD.GPSInfo)) or CAMERA in str(dict(exif))
