"""One error shape everywhere: {"code", "detail"} in the caller's language."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_missing_sign_in_is_a_401_with_the_error_shape(client):
    response = client.get("/api/me/notifications", headers={"Accept-Language": "en"})
    assert response.status_code == 401
    assert response.json() == {
        "code": "unauthorized",
        "detail": "Sign in, or send a valid access token.",
    }


def test_not_found_is_translated(client):
    response = client.get("/api/reports/PA-2099-000001", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found."}


def test_malformed_point_is_a_400_in_vietnamese_by_default(client):
    response = client.get("/api/locate", {"lat": "x", "lon": "1"})
    assert response.json() == {"code": "bad_point", "detail": "Vị trí không hợp lệ."}


@pytest.mark.parametrize(
    "category, detail",
    [
        # A NUL is refused before any view (congdanso.middleware): PostgreSQL cannot store it.
        ("\x00", "The request contains a NUL character, which is not allowed in text."),
        ("rác", "The request is not valid. Check: category."),
    ],
)
def test_nearby_with_a_malformed_category_is_a_400(client, category, detail):
    response = client.get(
        "/api/reports/nearby",
        {"lat": "21.03", "lon": "105.85", "category": category},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert response.json() == {"code": "invalid_input", "detail": detail}


def test_every_error_status_in_the_schema_uses_the_error_shape(client):
    schema = client.get("/api/openapi.json").json()
    error_ref = "#/components/schemas/Error"
    checked = 0
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            for status, answer in operation["responses"].items():
                if int(status) >= 400:
                    ref = answer["content"]["application/json"]["schema"]["$ref"]
                    assert ref == error_ref, (method, path, status)
                    checked += 1
    assert checked > 60
