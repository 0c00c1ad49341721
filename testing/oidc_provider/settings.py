"""Settings of the test OIDC provider (see __init__). Test use only: fixed secret, MD5 hasher."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

DATA_DIR = Path(os.environ.get("OIDC_PROVIDER_DATA_DIR") or tempfile.mkdtemp(prefix="oidc-"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _signing_key() -> str:
    """An RSA key made on first start and kept in DATA_DIR: the set-up command and the server
    are separate processes of one run and must publish the same key."""
    path = DATA_DIR / "signing-key.pem"
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return path.read_text()


SECRET_KEY = "test-oidc-provider-only"  # noqa: S105
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    # First: its templates (offline pages, no CDN) override django-oauth-toolkit's.
    "oidc_provider",
    "oauth2_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "oidc_provider.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ]
        },
    }
]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "provider.sqlite3")}
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
LOGIN_URL = "/accounts/login/"
# Our app and this provider may share a host name in a browser (cookies ignore the port).
SESSION_COOKIE_NAME = "provider_sessionid"
CSRF_COOKIE_NAME = "provider_csrftoken"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _signing_key(),
    # The issuer exactly as our client is configured with it (no trailing slash).
    "OIDC_ISS_ENDPOINT": os.environ.get("OIDC_PROVIDER_ISSUER", ""),
    "PKCE_REQUIRED": True,
    # Test servers listen on free ports: a registered http://localhost/... callback matches any.
    "ALLOW_LOCALHOST_LOOPBACK": True,
    "SCOPES": {
        "openid": "OpenID Connect",
        "profile": "Name and national ID",
        "phone": "Phone number",
    },
    "OAUTH2_VALIDATOR_CLASS": "oidc_provider.validator.VNeIDLikeValidator",
}
