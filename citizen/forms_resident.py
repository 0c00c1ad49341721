from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class RatingForm(forms.Form):
    """The reporter's verdict on a resolution; the service decides what it means."""

    satisfied = forms.TypedChoiceField(
        label=_("Are you satisfied with the result?"),
        choices=[("yes", _("Satisfied")), ("no", _("Not satisfied"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose satisfied or not satisfied.")},
    )
    comment = forms.CharField(
        label=_("Comment (required if not satisfied)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
