"""Parsing the alert forms. The rules (who, which wards, validity) live in services.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AlertKind
from .services import BODY_MAX, TITLE_MAX


class WardsField(forms.TypedMultipleChoiceField):
    """The wards offered are the ones the person may publish for; any other ward id is passed
    on to alert_publish, whose refusal says why (another unit's ward) instead of "invalid"."""

    def valid_value(self, value) -> bool:
        return True


class PublishForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AlertKind.choices)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    body = forms.CharField(
        label=_("Text"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    whole_city = forms.BooleanField(label=_("The whole city"), required=False)
    wards = WardsField(
        label=_("Wards"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    valid_from = forms.DateTimeField(
        label=_("Valid from"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    valid_until = forms.DateTimeField(
        label=_("Valid until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, ward_choices: list[tuple[int, str]], whole_city: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wards"].choices = ward_choices
        if not whole_city:
            del self.fields["whole_city"]


class WithdrawForm(forms.Form):
    alert = forms.IntegerField(min_value=1)


class FollowForm(forms.Form):
    action = forms.ChoiceField(choices=[("follow", "follow"), ("unfollow", "unfollow")])
    ward = forms.IntegerField(label=_("Ward or commune"), min_value=1)
