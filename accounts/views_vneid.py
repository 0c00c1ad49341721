"""Residents' sign-in with VNeID (OpenID Connect). (Being built.)"""

from __future__ import annotations

from django.http import Http404


def vneid_start(request):
    raise Http404


def vneid_callback(request):
    raise Http404
