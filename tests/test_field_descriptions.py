"""A field's help text and error are read out with the field: the ids that Django's
widgets point to with aria-describedby (`<id>_helptext`, `<id>_error`) are the ids the
shared field template gives them. (The browser suite's accessibility test checks every
page for ids pointed to but missing; this pins the template that most forms use.)"""

from __future__ import annotations

import re

from django import forms
from django.template.loader import render_to_string


class ContactForm(forms.Form):
    contact = forms.CharField(
        label="联系方式", help_text="只有负责梳理意见的同志能看到。", max_length=5
    )


def described_by(html: str) -> list[str]:
    match = re.search(r'<input[^>]*aria-describedby="([^"]+)"', html)
    assert match, html
    return match.group(1).split()


def test_help_text_has_the_id_its_field_points_to():
    html = render_to_string("accounts/_field.html", {"field": ContactForm()["contact"]})
    ids = described_by(html)
    assert ids == ["id_contact_helptext"]
    assert re.search(r'id="id_contact_helptext"[^>]*>只有负责梳理意见的同志能看到。<', html)


def test_error_and_help_text_both_have_their_ids():
    form = ContactForm(data={"contact": "太长了太长了"})
    assert not form.is_valid()
    html = render_to_string("accounts/_field.html", {"field": form["contact"]})
    for id_ in described_by(html):
        assert f'id="{id_}"' in html, (id_, html)
    assert len(described_by(html)) == 2
