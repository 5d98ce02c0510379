"""A select's first choice as a person meets it (lib.forms.offer_choices)."""

from __future__ import annotations

import re

from django import forms
from django.utils import translation

from vanguard.lib.forms import offer_choices
from vanguard.organization.models import Member, Unit


def _options(field: forms.Field) -> list[str]:
    """The options' labels as the page renders them, the selected one starred."""
    form = forms.Form()
    form.fields["choice"] = field
    return [
        ("*" if selected else "") + label
        for selected, label in re.findall(
            r"<option [^>]*?( selected)?>([^<]*)</option>", str(form["choice"])
        )
    ]


def test_a_required_select_of_one_option_has_it_chosen_and_nothing_else(org):
    field = forms.ModelChoiceField(queryset=Unit.objects.filter(pk=org.branch_a1.pk))
    offer_choices(field)
    assert _options(field) == [f"*{org.branch_a1}"]


def test_a_required_select_of_several_options_says_what_to_do_in_the_users_language(org):
    field = forms.ModelChoiceField(queryset=Unit.objects.filter(kind=Unit.Kind.BRANCH))
    offer_choices(field)
    labels = _options(field)
    assert (
        labels[0] == "*— 请选择 —"
        and len(labels) == 1 + Unit.objects.filter(kind=Unit.Kind.BRANCH).count()
    )
    with translation.override("en"):
        assert _options(field)[0] == "*— Please choose —"


def test_an_optional_select_keeps_the_empty_choice_its_form_named(org):
    named = forms.ModelChoiceField(
        queryset=Unit.objects.filter(pk=org.branch_a1.pk), required=False, empty_label="（无）"
    )
    offer_choices(named)
    assert _options(named)[0] == "*（无）"
    unnamed = forms.ModelChoiceField(
        queryset=Unit.objects.filter(pk=org.branch_a1.pk), required=False
    )
    offer_choices(unnamed)
    assert _options(unnamed) == ["*— 请选择 —", str(org.branch_a1)]


def test_a_model_fields_choices_lose_the_dashes():
    field = Member._meta.get_field("category").formfield()
    assert list(field.choices)[0] == ("", "---------")
    offer_choices(field)
    assert list(field.choices)[0] == ("", "— 请选择 —")
    assert [value for value, _label in field.choices][1:] == list(Member.Category.values)
