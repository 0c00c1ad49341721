"""VNeID sign-in (OpenID Connect authorization code + PKCE S256) for residents.

The flow: `authorization_start` builds the provider URL (state, nonce and PKCE verifier are
kept in the resident's session by the view); `resident_from_callback` checks the state, trades
the code for tokens, verifies the ID token (JWKS signature, iss, aud, exp, nonce) and finds or
creates the resident. The provider's subject (for VNeID, derived from the national ID number)
is never stored in clear, only a keyed hash of it; no national ID claim is ever stored."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
import warnings
from dataclasses import dataclass
from typing import Any

import httpx
import phonenumbers
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from .access import needs_second_factor
from .models import ExternalIdentity, User

with warnings.catch_warnings():
    # authlib warns at import that it prefers the (not installed) httpx2 over httpx; it works
    # with httpx, which we install for it. Keep the warning out of every run's output.
    # (authlib.deprecate installs an "always" filter when imported: import it first.)
    import authlib.deprecate

    warnings.simplefilter("ignore", authlib.deprecate.AuthlibDeprecationWarning)
    from authlib.integrations.base_client.errors import OAuthError
    from authlib.integrations.httpx_client import OAuth2Client

log = logging.getLogger(__name__)

PROVIDER = "vneid"
LINKED_VIA_VERIFIED_PHONE = "verified_phone"
HTTP_TIMEOUT = 10.0
# Discovery documents change rarely; one fetch an hour per process is plenty.
METADATA_TTL = 3600.0
# Clock difference allowed between us and the provider when checking exp/iat.
CLOCK_LEEWAY = 60

_metadata_cache: dict[str, tuple[float, dict[str, Any]]] = {}


class VNeIDError(Exception):
    """Sign-in with VNeID did not succeed; str(error) is the message for the resident."""


@dataclass(frozen=True)
class AuthorizationRequest:
    """Where to send the resident, and what to keep in their session until they come back."""

    url: str
    state: str
    nonce: str
    code_verifier: str


def is_configured() -> bool:
    """VNeID sign-in is offered only when the provider and our client are configured."""
    return bool(settings.VNEID_ISSUER and settings.VNEID_CLIENT_ID)


def subject_hash(*, issuer: str, subject: str) -> str:
    """HMAC-SHA256 of "issuer|sub", keyed from SECRET_KEY: enough to find the account again,
    useless to anyone who reads the database without the key (the sub is a national ID).

    Rotating SECRET_KEY changes every hash: existing residents would then get new accounts at
    their next VNeID sign-in unless the stored hashes are recomputed (which needs the subs,
    i.e. a sign-in with the old key still available) before the rotation."""
    key = hashlib.sha256(b"congdanso.vneid.subject|" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, f"{issuer}|{subject}".encode(), hashlib.sha256).hexdigest()


def _unavailable() -> VNeIDError:
    return VNeIDError(
        _(
            "VNeID cannot be reached right now. Please try again later, or sign in with your "
            "phone number."
        )
    )


def _not_confirmed() -> VNeIDError:
    return VNeIDError(
        _("VNeID could not confirm your identity, so you were not signed in. Please try again.")
    )


def _metadata() -> dict[str, Any]:
    issuer = settings.VNEID_ISSUER
    cached = _metadata_cache.get(issuer)
    if cached and time.monotonic() - cached[0] < METADATA_TTL:
        return cached[1]
    try:
        response = httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        metadata = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise _unavailable() from exc
    # A document claiming another issuer would let that issuer's tokens in: refuse it.
    if metadata.get("issuer") != issuer:
        raise _unavailable()
    _metadata_cache[issuer] = (time.monotonic(), metadata)
    return metadata


def _client(*, redirect_uri: str) -> OAuth2Client:
    return OAuth2Client(
        client_id=settings.VNEID_CLIENT_ID,
        client_secret=settings.VNEID_CLIENT_SECRET,
        scope=settings.VNEID_SCOPES,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        timeout=HTTP_TIMEOUT,
    )


def authorization_start(*, redirect_uri: str) -> AuthorizationRequest:
    """The provider's authorization URL with fresh state, nonce and PKCE (S256) challenge."""
    metadata = _metadata()
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    code_verifier = secrets.token_urlsafe(64)
    with _client(redirect_uri=redirect_uri) as client:
        url, _state = client.create_authorization_url(
            metadata["authorization_endpoint"],
            state=state,
            code_verifier=code_verifier,
            nonce=nonce,
        )
    return AuthorizationRequest(url=url, state=state, nonce=nonce, code_verifier=code_verifier)


def _verified_claims(*, id_token: str, nonce: str, jwks_uri: str) -> dict[str, Any]:
    """The ID token's claims once its signature (provider's JWKS) and iss/aud/exp/nonce hold."""
    try:
        response = httpx.get(jwks_uri, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        keys = KeySet.import_key_set(response.json())
    except (httpx.HTTPError, ValueError) as exc:
        raise _unavailable() from exc
    try:
        token = jwt.decode(id_token, keys, algorithms=["RS256", "ES256", "PS256"])
        jwt.JWTClaimsRegistry(
            leeway=CLOCK_LEEWAY,
            iss={"essential": True, "value": settings.VNEID_ISSUER},
            aud={"essential": True, "value": settings.VNEID_CLIENT_ID},
            sub={"essential": True},
            exp={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(token.claims)
    except (JoseError, ValueError) as exc:
        raise _not_confirmed() from exc
    return dict(token.claims)


def _e164(claims: dict[str, Any]) -> str:
    """The phone number if the provider verified it, as E.164 (+84…); otherwise ""."""
    if claims.get("phone_number_verified") is not True:
        return ""
    try:
        number = phonenumbers.parse(str(claims.get("phone_number") or ""), "VN")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def resident_from_callback(
    *,
    redirect_uri: str,
    params: dict[str, str],
    pending: dict[str, str] | None,
) -> User:
    """The resident who just signed in at VNeID: checks the callback against the pending
    request (state), trades the code (PKCE verifier, client secret), verifies the ID token and
    finds the account by the subject's hash, creating it the first time. Raises VNeIDError with
    a message for the resident; nothing is stored then."""
    # Compared as bytes: compare_digest refuses non-ASCII str, and a forged state may be any text.
    if (
        not pending
        or not params.get("state")
        or not hmac.compare_digest(params["state"].encode(), str(pending.get("state")).encode())
    ):
        raise VNeIDError(
            _(
                "This VNeID sign-in could not be checked (it expired or was opened twice). "
                "Please start again."
            )
        )
    if params.get("error"):
        if params["error"] == "access_denied":
            raise VNeIDError(_("VNeID sign-in was cancelled. You are not signed in."))
        raise _not_confirmed()
    if not params.get("code"):
        raise _not_confirmed()
    metadata = _metadata()
    try:
        with _client(redirect_uri=redirect_uri) as client:
            token = client.fetch_token(
                metadata["token_endpoint"],
                code=params["code"],
                code_verifier=pending["code_verifier"],
            )
            claims = _verified_claims(
                id_token=str(token.get("id_token") or ""),
                nonce=pending["nonce"],
                jwks_uri=metadata["jwks_uri"],
            )
            if metadata.get("userinfo_endpoint"):
                response = client.get(metadata["userinfo_endpoint"])
                response.raise_for_status()
                userinfo = response.json()
                # Userinfo about someone else (a mix-up) must not be merged.
                if userinfo.get("sub") != claims["sub"]:
                    raise _not_confirmed()
                claims = {**userinfo, **claims}
    except OAuthError as exc:
        raise _not_confirmed() from exc
    except (httpx.HTTPError, ValueError) as exc:
        raise _unavailable() from exc
    return resident_for_claims(claims=claims)


def _resident_with_verified_phone(phone: str) -> User | None:
    """The one resident already signed in with this phone by SMS code, to whom a first VNeID
    sign-in carrying the same provider-verified phone belongs: both prove the same SIM.

    None (a separate account is made) when the phone is on a staff account (staff never sign
    in through VNeID), on a disabled account, on several accounts (which one is ambiguous), or
    on an account that already has another VNeID identity (two national IDs, one phone: a
    shared family phone, not one person)."""
    users = list(User.objects.filter(phone=phone).order_by("pk")[:2])
    if len(users) != 1:
        return None
    user = users[0]
    if needs_second_factor(user) or not user.is_active or user.has_usable_password():
        return None
    if ExternalIdentity.objects.filter(user=user, provider=PROVIDER).exists():
        return None
    return user


def resident_for_claims(*, claims: dict[str, Any]) -> User:
    """Find (by subject hash) or create the resident; refresh name and verified phone.

    Only name and phone are taken: no national ID number claim is ever stored."""
    digest = subject_hash(issuer=settings.VNEID_ISSUER, subject=str(claims["sub"]))
    name = str(claims.get("name") or "")[:150]
    phone = _e164(claims)
    now = timezone.now()
    identity = (
        ExternalIdentity.objects.select_related("user")
        .filter(provider=PROVIDER, subject_hash=digest)
        .first()
    )
    if identity is not None:
        user = identity.user
        # Staff sign in with a password and an authenticator code; one national identity
        # must not open a staff account without that second factor.
        if needs_second_factor(user):
            raise VNeIDError(
                _(
                    "This is a staff account. Staff sign in with their user name, password and "
                    "authenticator code, not with VNeID."
                )
            )
        if not user.is_active:
            raise VNeIDError(_("This account is disabled. Please contact the city's support."))
        with transaction.atomic():
            fields = []
            if name and user.full_name != name:
                user.full_name = name
                fields.append("full_name")
            if phone and user.phone != phone:
                user.phone = phone
                fields.append("phone")
            if fields:
                user.save(update_fields=fields)
            identity.last_login_at = now
            identity.save(update_fields=["last_login_at"])
        # The user id only: never the subject or any claim (personal data).
        log.info("VNeID sign-in of resident %s", user.pk)
        return user
    linked = _resident_with_verified_phone(phone) if phone else None
    if linked is not None:
        try:
            with transaction.atomic():
                ExternalIdentity.objects.create(
                    user=linked,
                    provider=PROVIDER,
                    subject_hash=digest,
                    last_login_at=now,
                    linked_via=LINKED_VIA_VERIFIED_PHONE,
                )
                if name and not linked.full_name:
                    linked.full_name = name
                    linked.save(update_fields=["full_name"])
        except IntegrityError:
            return resident_for_claims(claims=claims)
        # The record of the link: who (ids only), and why (the provider's verified phone).
        log.info("VNeID identity linked to resident %s by the provider's verified phone", linked.pk)
        return linked
    try:
        with transaction.atomic():
            # A random user name: the provider's subject (a national ID) must not leak into it.
            user = User(username=f"vneid-{secrets.token_hex(8)}", full_name=name, phone=phone)
            user.set_unusable_password()
            user.save()
            ExternalIdentity.objects.create(
                user=user, provider=PROVIDER, subject_hash=digest, last_login_at=now
            )
    except IntegrityError:
        # The same person's first sign-in finished twice at once (two tabs): the other won.
        return resident_for_claims(claims=claims)
    log.info("VNeID first sign-in: resident %s created", user.pk)
    return user
