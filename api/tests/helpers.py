"""Clients for the API tests: a web session (with or without the CSRF check) or a token."""

from __future__ import annotations

from django.test import Client

from api.services import token_issue


def session_client(user, *, csrf: bool = False, **headers) -> Client:
    client = Client(enforce_csrf_checks=csrf, headers=headers)
    client.force_login(user)
    return client


def token_client(user, **headers) -> Client:
    _token, raw = token_issue(actor=user, name="Điện thoại")
    return Client(headers={"Authorization": f"Bearer {raw}", **headers})


def english(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
