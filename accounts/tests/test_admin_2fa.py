from __future__ import annotations

from urllib.parse import quote

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import make_user

ADMIN = "/admin/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def superuser(db):
    return make_user("quantri", is_staff=True, is_superuser=True)


def test_admin_asks_a_password_only_superuser_for_the_code(client, superuser):
    device = TOTPDevice.objects.create(user=superuser, name="phone", confirmed=True)
    response = client.post(
        f"{ADMIN}login/?next={ADMIN}",
        {"username": "quantri", "password": "correct horse battery", "next": ADMIN},
        **EN,
    )
    assert response.status_code == 302
    assert response["Location"] == f"/dang-nhap/ma-xac-thuc/?next={quote(ADMIN, safe='')}"
    # Still not in: the admin index sends them back to the code page.
    index = client.get(ADMIN, follow=True, **EN)
    assert index.redirect_chain[-1][0] == f"/dang-nhap/ma-xac-thuc/?next={quote(ADMIN, safe='')}"

    token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    response = client.post(
        "/dang-nhap/ma-xac-thuc/", {"otp_token": f"{token:06d}", "next": ADMIN}, **EN
    )
    assert response["Location"] == ADMIN
    assert client.get(ADMIN, **EN).status_code == 200


def test_verified_superuser_opens_the_admin(client, superuser):
    client.force_login(superuser)  # verified by the root conftest, as after a code
    assert client.get(ADMIN, **EN).status_code == 200
