from __future__ import annotations

import re


def test_openapi_schema_is_served(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Công dân số API"


def test_api_docs_load_every_asset_from_this_site(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    body = response.content.decode()
    assert "swagger-ui-bundle.js" in body
    assets = re.findall(r'(?:src|href)="([^"]+)"', body)
    assert assets, "the docs page loads its scripts and styles"
    assert all(not a.startswith(("http:", "https:", "//")) for a in assets), assets


def test_ward_boundaries_are_served_simplified_with_names(client, db):
    response = client.get("/api/units/wards.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = response.json()
    assert len(data["features"]) == 126
    by_code = {f["id"]: f for f in data["features"]}
    assert by_code["00070"]["properties"]["name"] == "Phường Hoàn Kiếm"
    assert len(response.content) < 1_000_000  # simplified: the full boundaries are ~3 MB


def test_schema_offers_session_and_bearer_token_on_signed_in_endpoints(client, db):
    schema = client.get("/api/openapi.json").json()
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    both = [{"SessionAuth": []}, {"TokenAuth": []}]
    assert schema["paths"]["/api/workspace/inbox"]["get"]["security"] == both
    assert schema["paths"]["/api/me/reports"]["get"]["security"] == both
    # Making a token takes the web session only: a token cannot mint more tokens.
    assert schema["paths"]["/api/tokens"]["post"]["security"] == [{"SessionAuth": []}]
