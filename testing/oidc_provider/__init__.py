"""A tiny standalone OpenID Connect provider standing in for VNeID in tests.

A Django project of its own (settings, urls, SQLite in a temp dir) built on
django-oauth-toolkit's OIDC support, so that our VNeID client is tested against a real
provider: real discovery, real JWKS-signed ID tokens, real PKCE and client-secret checks.
Started by `harness.start_provider()` with PYTHONPATH=testing/ so that our project's settings
and apps are never imported by it."""
