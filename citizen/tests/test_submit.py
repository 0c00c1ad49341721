"""The "send a report" page and the files that make the residents' app installable."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_submit_page_needs_sign_in(client):
    response = client.get(reverse("citizen:submit"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_submit_page_lists_grouped_categories_wards_and_the_map(client, alice):
    client.force_login(alice)
    response = client.get(reverse("citizen:submit"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'capture="environment"' in body and 'accept="image/*"' in body
    assert "<legend>Môi trường</legend>" in body  # a category group
    assert 'value="rac-thai-ve-sinh"' in body
    # The search text has no diacritics, so "rac thai" finds "Rác thải".
    assert 'data-search="rac thai, ve sinh moi truong' in body
    assert '<option value="00070">Phường Hoàn Kiếm</option>' in body
    assert 'id="submit-map"' in body
    assert 'rel="manifest"' in body
    strings = json.loads(
        body.split('id="submit-strings" type="application/json">')[1].split("<")[0]
    )
    assert "{n}" in strings["waiting"]


def test_nav_links_to_the_submit_page(client):
    body = client.get(reverse("citizen:report_list")).content.decode()
    assert f'href="{reverse("citizen:submit")}"' in body


def test_service_worker_is_served_from_the_root_with_the_shell(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    assert "self.__SHELL__" not in body
    assert '"/gui-phan-anh/"' in body and "/static/js/report-form.js" in body
    assert "importScripts" in body


def test_manifest_is_served_with_icons_that_exist(client):
    from django.contrib.staticfiles import finders

    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["start_url"] == reverse("citizen:submit")
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_report_page_shows_how_many_people_follow_it(client, submit, bob):
    from reports.services import report_follow

    report = submit()
    report_follow(actor=bob, report=report)
    body = client.get(reverse("citizen:report_detail", args=[report.tracking_code])).content
    assert "2 người theo dõi phản ánh này" in body.decode()
