"""VNeID sign-in (OpenID Connect authorization code + PKCE). (Being built.)"""

from __future__ import annotations

from django.conf import settings


def is_configured() -> bool:
    """VNeID sign-in is offered only when the provider and our client are configured."""
    return bool(settings.VNEID_ISSUER and settings.VNEID_CLIENT_ID)
