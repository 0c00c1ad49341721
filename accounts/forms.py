from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """A six-digit code from the authenticator app (spaces allowed, as apps show "123 456")."""

    otp_token = forms.CharField(label=_("Code from your authenticator app"), max_length=20)

    def clean_otp_token(self) -> str:
        token = "".join(self.cleaned_data["otp_token"].split())
        if len(token) != 6 or not token.isdigit():
            raise forms.ValidationError(_("Enter the 6 digits shown in your authenticator app."))
        return token
