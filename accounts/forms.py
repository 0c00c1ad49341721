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


class PhoneForm(forms.Form):
    """A resident's mobile number; accounts.phone.parse_phone checks it (in the service)."""

    phone = forms.CharField(
        label=_("Mobile phone number"),
        max_length=30,
        error_messages={"required": _("Enter your mobile phone number.")},
    )


class PhoneCodeForm(forms.Form):
    """The 6-digit code from the SMS (spaces allowed: "123 456")."""

    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=20,
        error_messages={"required": _("Enter the 6 digits of the code we sent by SMS.")},
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if len(code) != 6 or not code.isdigit():
            raise forms.ValidationError(_("Enter the 6 digits of the code we sent by SMS."))
        return code


class EnrolmentCodeForm(forms.Form):
    """The one-time enrolment code an administrator issued ("ABCD-EFGH-JKMN-PQRS")."""

    enrolment_code = forms.CharField(
        label=_("Enrolment code from your administrator"),
        max_length=40,
        error_messages={"required": _("Enter the enrolment code your administrator gave you.")},
    )
