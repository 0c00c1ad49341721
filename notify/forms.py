from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ChannelPreferenceForm(forms.Form):
    email = forms.BooleanField(label=_("E-mail"), required=False)
    sms = forms.BooleanField(label=_("SMS"), required=False)
    push = forms.BooleanField(
        label=_("Push notifications on this phone or computer"), required=False
    )
