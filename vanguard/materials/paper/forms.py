"""The one choice the paper forms' page asks: how many appraisal sheets to print."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vanguard.materials.paper.selectors import MAX_COPIES


class CopiesForm(forms.Form):
    copies = forms.IntegerField(
        label=_("测评表份数"),
        min_value=1,
        max_value=MAX_COPIES,
        help_text=_("每位参加评议的党员一份；默认是应参加评议的人数。"),
        error_messages={
            "required": _("请填写测评表份数。"),
            "invalid": _("测评表份数须是整数。"),
            "min_value": _("测评表份数至少为 1。"),
            "max_value": _("测评表份数最多为 %(limit_value)s。"),
        },
    )
