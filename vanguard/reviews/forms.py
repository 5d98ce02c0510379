"""Forms of the member's editor."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vanguard.reviews.models import SECTIONS


class DraftForm(forms.Form):
    """The four sections, never length-checked (about 3,000 字 is guidance only), and
    the draft version the member started from."""

    base_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in SECTIONS:
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 14, "data-count": "1", "class": "draft-text"}),
            )
        self.fields["base_version"].error_messages["required"] = _(
            "缺少草稿版本号，请刷新页面后再试。"
        )

    def sections(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name, _label in SECTIONS}
