"""Residents' sign-in with a phone number and a one-time SMS code. (Being built.)"""

from __future__ import annotations

from django.http import Http404


def phone_start(request):
    raise Http404


def phone_verify(request):
    raise Http404
