"""Who is calling: our pages by their session cookie, mobile clients by a bearer token.

An endpoint that needs a signed-in person takes `auth=user_auth` (either one). Creating a
token takes the session alone (`session_auth`): a token cannot mint more tokens.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from accounts.models import User

from .services import token_user


class SessionAuth(NinjaSessionAuth):
    """Django's session, with the CSRF check on unsafe methods, as ninja's own class does, but
    only for a request that carries a signed-in session: a mobile client (no cookie) must get
    to the token check instead of failing the CSRF check first."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer cds_…` with a token made by POST /api/tokens."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_user(token)
        if user is not None:
            # The page code below (forms, selectors) reads request.user, as for a session.
            request.user = user
            # A token is made only from a verified session (api/tokens.py): staff endpoints
            # ask a session, not a token, for the second factor.
            request.via_token = True  # type: ignore[attr-defined]
        return user


session_auth = SessionAuth()
token_auth = TokenAuth()
user_auth = [session_auth, token_auth]


def actor(request: HttpRequest) -> User:
    """The signed-in person of an endpoint with auth=user_auth (ninja let only them through)."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user
