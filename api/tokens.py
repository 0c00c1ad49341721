"""Access tokens for mobile clients: made while signed in on the web, listed, revoked."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Router, Status

from accounts.access import is_verified, needs_second_factor

from . import services
from .auth import actor, session_auth, user_auth
from .models import ApiToken
from .schemas import MAX_ID, TokenCreated, TokenIn, TokenOut, errors

router = Router(tags=["tokens"])


def _token_out(token: ApiToken) -> dict:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "expires_at": token.expires_at,
    }


@router.post(
    "",
    auth=session_auth,
    response={201: TokenCreated, **errors(400, 401, 403)},
    summary="Make an access token for a device (shown once); needs the web session",
)
def token_create(request: HttpRequest, data: TokenIn):
    # A token outlives the session: staff get one only after their second factor.
    if needs_second_factor(request.user) and not is_verified(request.user):
        raise PermissionDenied(_("Enter your two-step verification code first."))
    token, raw = services.token_issue(actor=actor(request), name=data.name, days=data.days)
    return Status(201, {**_token_out(token), "token": raw})


@router.get(
    "",
    auth=user_auth,
    response={200: list[TokenOut], **errors(401)},
    summary="My access tokens that are not revoked",
)
def token_list(request: HttpRequest):
    return [_token_out(t) for t in services.tokens_of(actor(request))]


@router.delete(
    "/{token_id}",
    auth=user_auth,
    response={204: None, **errors(401, 403, 404)},
    summary="Revoke one of my access tokens",
)
def token_delete(request: HttpRequest, token_id: int = Path(..., ge=1, le=MAX_ID)):
    services.token_revoke(actor=actor(request), token_id=token_id)
    return Status(204, None)
