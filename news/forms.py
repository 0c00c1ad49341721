from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import BODY_MAX, SUMMARY_MAX, TITLE_MAX


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    summary = forms.CharField(
        label=_("Summary"), max_length=SUMMARY_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    body = forms.CharField(
        label=_("Text"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "Paragraphs, bold, italics, lists, headings, quotes and links are kept; anything else is removed."
        ),
    )
    cover = forms.FileField(label=_("Cover image (JPEG, PNG or WebP)"), required=False)
    wards = forms.TypedMultipleChoiceField(label=_("Wards"), coerce=int, required=False)
    whole_city = forms.BooleanField(label=_("The whole city"), required=False)
    important = forms.BooleanField(
        label=_("Important announcement (notifies the residents who follow these wards)"),
        required=False,
    )

    def __init__(self, *args, ward_choices, whole_city: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wards"].choices = ward_choices
        if not whole_city:
            del self.fields["whole_city"]


class TransitionForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
