"""VNeID sign-in against a real OpenID Connect provider started for the run
(testing/oidc_provider: django-oauth-toolkit, its own process and port). Our side is driven
with Django's test client, the provider's pages with httpx, passing Location headers across."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.utils import timezone

from accounts import vneid
from accounts.models import ExternalIdentity, Membership, Role, User
from testing.oidc_provider.harness import (  # noqa: F401
    CALLBACK_PATH,
    act_at_provider,
    free_port,
    oidc_provider,
)

NEXT = "/tai-khoan/du-lieu-cua-toi/"
AN_SUB = "001099012345"


@pytest.fixture
def configured(settings, oidc_provider):  # noqa: F811
    settings.VNEID_ISSUER = oidc_provider.issuer
    settings.VNEID_CLIENT_ID = oidc_provider.client_id
    settings.VNEID_CLIENT_SECRET = oidc_provider.client_secret
    settings.VNEID_SCOPES = "openid profile phone"
    return oidc_provider


@pytest.fixture
def browser() -> Client:
    return Client(headers={"accept-language": "en"})


def start(browser: Client, next_path: str = NEXT) -> str:
    response = browser.get("/dang-nhap/vneid/", {"next": next_path})
    assert response.status_code == 302
    return response["Location"]


def callback(browser: Client, location: str):
    parts = urlsplit(location)
    assert parts.netloc == "testserver" and parts.path == "/dang-nhap/vneid/callback/"
    return browser.get(f"{parts.path}?{parts.query}")


def sign_in(browser: Client, username: str = "an", next_path: str = NEXT):
    return callback(browser, act_at_provider(start(browser, next_path), username=username))


def signed_in_user(browser: Client) -> User | None:
    user_id = browser.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def message_on_sign_in_page(browser: Client, response) -> str:
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == "/dang-nhap/"
    return browser.get(response["Location"]).content.decode()


def test_not_configured_means_404_and_no_button(settings, client, db):
    settings.VNEID_ISSUER = ""
    settings.VNEID_CLIENT_ID = ""
    assert client.get("/dang-nhap/vneid/").status_code == 404
    assert client.get("/dang-nhap/vneid/callback/?code=x&state=y").status_code == 404
    page = client.get("/dang-nhap/", headers={"accept-language": "en"}).content.decode()
    assert "Sign in with VNeID" not in page
    assert "Sign in with a phone number" in page


def test_sign_in_page_offers_vneid_when_configured(configured, browser, db):
    page = browser.get("/dang-nhap/").content.decode()
    assert 'href="/dang-nhap/vneid/"' in page


def test_start_sends_to_provider_with_state_nonce_and_pkce_s256(configured, browser, db):
    location = start(browser)
    parts = urlsplit(location)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{configured.issuer}/authorize/"
    assert query["response_type"] == "code"
    assert query["client_id"] == configured.client_id
    assert query["redirect_uri"] == "http://testserver/dang-nhap/vneid/callback/"
    assert query["scope"] == "openid profile phone"
    assert query["code_challenge_method"] == "S256"
    pending = browser.session["vneid_pending"]
    assert query["state"] == pending["state"]
    assert query["nonce"] == pending["nonce"]
    assert pending["next"] == NEXT
    # The verifier stays with us; only its S256 challenge travels.
    assert pending["code_verifier"] not in location
    assert len(query["code_challenge"]) == 43


def test_first_sign_in_creates_the_resident_later_ones_find_them(configured, browser, db):
    response = sign_in(browser)
    assert response.status_code == 302
    assert response["Location"] == NEXT
    resident = signed_in_user(browser)
    assert resident is not None
    assert resident.full_name == "Nguyễn Văn An"
    assert resident.phone == "+84912345678"
    assert not resident.has_usable_password()
    assert not resident.is_staff
    identity = ExternalIdentity.objects.get()
    assert identity.user == resident
    assert identity.provider == "vneid"
    assert identity.subject_hash == vneid.subject_hash(issuer=configured.issuer, subject=AN_SUB)
    assert len(identity.subject_hash) == 64
    assert AN_SUB not in identity.subject_hash
    # The national ID number (the sub, and the national_id claim) is stored nowhere.
    stored = " ".join(str(v) for v in model_to_dict(resident).values())
    assert AN_SUB not in stored and AN_SUB not in resident.username
    first_login = identity.last_login_at
    assert browser.get(NEXT).status_code == 200

    again = Client(headers={"accept-language": "en"})
    response = sign_in(again)
    assert response["Location"] == NEXT
    assert signed_in_user(again) == resident
    assert User.objects.filter(username__startswith="vneid-").count() == 1
    assert ExternalIdentity.objects.count() == 1
    assert User.objects.filter(external_identities__isnull=False).count() == 1
    identity.refresh_from_db()
    assert identity.last_login_at > first_login


def test_two_people_get_two_accounts_and_an_unverified_phone_is_not_taken(configured, browser, db):
    sign_in(browser, "an")
    other = Client(headers={"accept-language": "en"})
    sign_in(other, "binh")
    binh = signed_in_user(other)
    assert binh is not None and binh != signed_in_user(browser)
    assert binh.full_name == "Trần Thị Bình"
    assert binh.phone == ""
    assert ExternalIdentity.objects.count() == 2


def test_unsafe_next_is_replaced_by_home(configured, browser, db):
    response = sign_in(browser, next_path="https://evil.example/steal")
    assert response["Location"] == "/"
    assert signed_in_user(browser) is not None


def test_tampered_state_is_refused_with_a_message(configured, browser, db):
    returned = act_at_provider(start(browser), username="an")
    tampered = returned.replace("state=", "state=x", 1)
    response = callback(browser, tampered)
    page = message_on_sign_in_page(browser, response)
    assert "This VNeID sign-in could not be checked" in page
    assert signed_in_user(browser) is None
    assert User.objects.filter(external_identities__isnull=False).count() == 0


def test_forged_state_in_any_script_is_refused_not_an_error(configured, browser, db):
    start(browser)
    response = browser.get("/dang-nhap/vneid/callback/", {"state": "trạng thái", "code": "x"})
    page = message_on_sign_in_page(browser, response)
    assert "This VNeID sign-in could not be checked" in page
    assert signed_in_user(browser) is None


def test_a_callback_used_twice_is_refused_the_second_time(configured, browser, db):
    returned = act_at_provider(start(browser), username="an")
    assert callback(browser, returned)["Location"] == NEXT
    browser.logout()
    page = message_on_sign_in_page(browser, callback(browser, returned))
    assert "This VNeID sign-in could not be checked" in page
    assert signed_in_user(browser) is None


def test_refusing_consent_at_the_provider_is_a_message(configured, browser, db):
    returned = act_at_provider(start(browser), username="an", allow=False)
    assert "error=access_denied" in returned
    page = message_on_sign_in_page(browser, callback(browser, returned))
    assert "VNeID sign-in was cancelled. You are not signed in." in page
    # The page the resident wanted is kept for their next try.
    assert f'value="{NEXT}"' in page
    assert signed_in_user(browser) is None
    assert ExternalIdentity.objects.count() == 0


def test_wrong_client_secret_signs_nobody_in(configured, settings, browser, db):
    returned = act_at_provider(start(browser), username="an")
    settings.VNEID_CLIENT_SECRET = "not-the-secret"
    page = message_on_sign_in_page(browser, callback(browser, returned))
    assert "VNeID could not confirm your identity" in page
    assert signed_in_user(browser) is None
    assert ExternalIdentity.objects.count() == 0
    assert User.objects.filter(username__startswith="vneid-").count() == 0


def test_id_token_with_another_nonce_is_refused(configured, browser, db):
    returned = act_at_provider(start(browser), username="an")
    session = browser.session
    session["vneid_pending"] = {**session["vneid_pending"], "nonce": "another-nonce"}
    session.save()
    page = message_on_sign_in_page(browser, callback(browser, returned))
    assert "VNeID could not confirm your identity" in page
    assert signed_in_user(browser) is None
    assert ExternalIdentity.objects.count() == 0


def test_code_without_its_pkce_verifier_is_refused_by_the_provider(configured, browser, db):
    returned = act_at_provider(start(browser), username="an")
    session = browser.session
    session["vneid_pending"] = {**session["vneid_pending"], "code_verifier": "x" * 64}
    session.save()
    page = message_on_sign_in_page(browser, callback(browser, returned))
    assert "VNeID could not confirm your identity" in page
    assert signed_in_user(browser) is None


def test_staff_account_cannot_be_reached_through_vneid(configured, browser, ward_a, db):
    sign_in(browser, "an")
    resident = signed_in_user(browser)
    Membership.objects.create(user=resident, agency=ward_a, role=Role.OFFICER)
    other = Client(headers={"accept-language": "en"})
    page = message_on_sign_in_page(other, sign_in(other, "an"))
    assert "This is a staff account. Staff sign in with their user name, password" in page
    assert signed_in_user(other) is None


def test_disabled_account_is_refused(configured, browser, db):
    sign_in(browser, "an")
    User.objects.filter(pk=signed_in_user(browser).pk).update(is_active=False)
    other = Client(headers={"accept-language": "en"})
    page = message_on_sign_in_page(other, sign_in(other, "an"))
    assert "This account is disabled." in page
    assert signed_in_user(other) is None


def test_unreachable_provider_is_a_message(settings, browser, db):
    settings.VNEID_ISSUER = f"http://127.0.0.1:{free_port()}/o"
    settings.VNEID_CLIENT_ID = "congdanso"
    response = browser.get("/dang-nhap/vneid/")
    page = message_on_sign_in_page(browser, response)
    assert "VNeID cannot be reached right now." in page
    assert "vneid_pending" not in browser.session


def test_subject_hash_is_keyed_by_issuer_and_secret_key(settings):
    settings.SECRET_KEY = "one key"
    first = vneid.subject_hash(issuer="https://a", subject=AN_SUB)
    assert first == vneid.subject_hash(issuer="https://a", subject=AN_SUB)
    assert first != vneid.subject_hash(issuer="https://b", subject=AN_SUB)
    settings.SECRET_KEY = "another key"
    assert first != vneid.subject_hash(issuer="https://a", subject=AN_SUB)


def test_discovery_document_of_another_issuer_is_refused(configured, settings, browser, db):
    """The same server under another name: its document names another issuer, whose tokens
    we must not accept."""
    settings.VNEID_ISSUER = configured.issuer.replace("127.0.0.1", "localhost")
    page = message_on_sign_in_page(browser, browser.get("/dang-nhap/vneid/"))
    assert "VNeID cannot be reached right now." in page
    assert "vneid_pending" not in browser.session


# --- one person, two ways in: linking by the provider's verified phone -----------------------


def codes_sent_earlier() -> None:
    """The codes sent so far were sent some minutes ago, not within the resend cooldown."""
    from accounts.models import PhoneCode

    for earlier in PhoneCode.objects.all():
        PhoneCode.objects.filter(pk=earlier.pk).update(
            created_at=earlier.created_at - timedelta(minutes=10)
        )


def phone_resident(client: Client, phone: str, sms_outbox) -> User:
    """A resident signed in the real way: phone number, then the SMS code."""
    import re

    codes_sent_earlier()
    client.post("/dang-nhap/so-dien-thoai/", {"phone": phone})
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1].text).group(1)
    response = client.post("/dang-nhap/so-dien-thoai/ma/", {"code": code})
    assert response.status_code == 302
    return signed_in_user(client)


def test_vneid_with_the_same_verified_phone_is_the_same_resident(configured, sms_outbox, db):
    resident = phone_resident(Client(), "0912 345 678", sms_outbox)
    browser = Client(headers={"accept-language": "en"})
    assert sign_in(browser, "an")["Location"] == NEXT
    assert signed_in_user(browser) == resident
    identity = ExternalIdentity.objects.get()
    assert identity.user == resident
    assert identity.linked_via == "verified_phone"
    resident.refresh_from_db()
    assert resident.full_name == "Nguyễn Văn An"
    assert User.objects.filter(phone="+84912345678").count() == 1
    # And the next phone-code sign-in finds that one person again.
    from accounts.phone import resident_for_phone

    assert resident_for_phone("+84912345678") == resident


def test_an_unverified_phone_is_never_linked_silently(configured, sms_outbox, db):
    """Bình's provider account names a phone it has not verified: whoever signed in by SMS
    with that number may be someone else, so VNeID gets its own account."""
    by_phone = phone_resident(Client(), "0987 654 321", sms_outbox)
    browser = Client(headers={"accept-language": "en"})
    sign_in(browser, "binh")
    by_vneid = signed_in_user(browser)
    assert by_vneid is not None and by_vneid != by_phone
    assert not ExternalIdentity.objects.filter(user=by_phone).exists()
    assert by_vneid.phone == ""


def test_a_staff_account_is_never_linked_through_vneid(configured, ward_a, db):
    from conftest import make_user

    officer = make_user("officer_phone", agency=ward_a, role=Role.OFFICER, phone="+84912345678")
    browser = Client(headers={"accept-language": "en"})
    sign_in(browser, "an")
    resident = signed_in_user(browser)
    assert resident is not None and resident != officer
    assert not resident.memberships.exists()
    assert not ExternalIdentity.objects.filter(user=officer).exists()


# --- ID tokens refused: each a real token signed by the test provider, refused by our check --


def real_id_token(browser: Client, provider) -> tuple[str, str]:
    """(id_token, nonce) as the provider issues them to our client: a person signs in there,
    and the code is traded at its token endpoint as our callback would."""
    returned = act_at_provider(start(browser), username="an")
    pending = browser.session["vneid_pending"]
    code = parse_qs(urlsplit(returned).query)["code"][0]
    metadata = vneid._metadata()
    response = httpx.post(
        metadata["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": f"http://testserver{CALLBACK_PATH}",
            "code_verifier": pending["code_verifier"],
        },
        auth=(provider.client_id, provider.client_secret),
        timeout=10,
    )
    assert response.status_code == 200, response.text[:300]
    return response.json()["id_token"], pending["nonce"]


def verify(id_token: str, nonce: str) -> dict:
    return vneid._verified_claims(
        id_token=id_token, nonce=nonce, jwks_uri=vneid._metadata()["jwks_uri"]
    )


def test_a_real_id_token_passes_the_check(configured, browser, db):
    # The control for the refusals below: the same token, unaltered settings, accepted.
    id_token, nonce = real_id_token(browser, configured)
    assert verify(id_token, nonce)["aud"] in (configured.client_id, [configured.client_id])


def test_id_token_issued_for_another_client_is_refused(configured, settings, browser, db):
    id_token, nonce = real_id_token(browser, configured)
    # We are now a different relying party: the token's audience is someone else.
    settings.VNEID_CLIENT_ID = "another-city-app"
    with pytest.raises(vneid.VNeIDError, match="could not confirm"):
        verify(id_token, nonce)


def test_id_token_from_another_issuer_is_refused(configured, settings, browser, db):
    id_token, nonce = real_id_token(browser, configured)
    jwks_uri = vneid._metadata()["jwks_uri"]
    settings.VNEID_ISSUER = "https://vneid.example.gov.vn"
    with pytest.raises(vneid.VNeIDError, match="could not confirm"):
        vneid._verified_claims(id_token=id_token, nonce=nonce, jwks_uri=jwks_uri)


def test_id_token_with_a_wrong_nonce_is_refused_by_the_check(configured, browser, db):
    id_token, _nonce = real_id_token(browser, configured)
    with pytest.raises(vneid.VNeIDError, match="could not confirm"):
        verify(id_token, "a-nonce-we-never-sent")


def test_expired_id_token_is_refused_at_the_callback(configured, browser, db):
    """The provider issues the token at the callback's code exchange; our clock is then past
    its expiry (and the allowed clock difference): nobody is signed in, nothing stored."""
    import time_machine

    returned = act_at_provider(start(browser), username="an")
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=True):
        page = message_on_sign_in_page(browser, callback(browser, returned))
    assert "VNeID could not confirm your identity" in page
    assert signed_in_user(browser) is None
    assert ExternalIdentity.objects.count() == 0


# --- one person, two ways in: linking offered, proved by a phone code (accounts/linking.py) --

LINK_START = "/tai-khoan/lien-ket-so-dien-thoai/"


def link_phone(browser: Client, phone: str, sms_outbox, *, code: str | None = None):
    """The signed-in resident asks to link `phone` and types the SMS code (or `code`)."""
    import re

    codes_sent_earlier()
    response = browser.post(LINK_START, {"phone": phone, "next": NEXT})
    assert response.status_code == 302, response.content.decode()
    sent = re.search(r"\b(\d{6})\b", sms_outbox[-1].text).group(1)
    return browser.post(response["Location"], {"code": code or sent, "next": NEXT})


def test_unverified_phone_is_offered_the_link_and_the_code_joins_the_two_accounts(
    configured, sms_outbox, submit, db
):
    from reports.audit import verify
    from reports.models import Report, ReportEvent, ReportFollower

    by_phone = phone_resident(Client(), "0987 654 321", sms_outbox)
    earlier = submit(reporter=by_phone)
    browser = Client(headers={"accept-language": "en"})
    response = sign_in(browser, "binh")
    # Not joined on a guess: a separate account, and the offer to link.
    by_vneid = signed_in_user(browser)
    assert by_vneid is not None and by_vneid != by_phone
    assert urlsplit(response["Location"]).path == LINK_START
    offer = browser.get(response["Location"]).content.decode()
    assert "If you have used Digital Citizen with your phone number before" in offer
    later = submit(reporter=by_vneid)
    ReportFollower.objects.create(report=earlier, user=by_vneid, created_at=timezone.now())

    response = link_phone(browser, "0987 654 321", sms_outbox)
    assert response.status_code == 302 and response["Location"] == NEXT
    # One person now: signed in to the phone's account, which holds both reports.
    assert signed_in_user(browser) == by_phone
    page = browser.get(NEXT).content.decode()
    assert "is linked: your reports are in one account" in page
    identity = ExternalIdentity.objects.get()
    assert identity.user == by_phone and identity.linked_via == "phone_code"
    assert set(Report.objects.filter(reporter=by_phone)) == {earlier, later}
    by_vneid.refresh_from_db()
    assert not by_vneid.is_active and by_vneid.full_name == ""
    # The report's move is a step on its chain (reporter is sealed), not on the public page.
    joined = ReportEvent.objects.get(report=later, action="join_accounts")
    assert not joined.is_public and joined.actor == by_vneid
    assert list(verify(ReportEvent.objects.all(), reports=Report.objects.all())) == []
    # The next VNeID sign-in lands in that one account, with no offer.
    again = Client(headers={"accept-language": "en"})
    assert sign_in(again, "binh")["Location"] == NEXT
    assert signed_in_user(again) == by_phone


def test_a_wrong_code_links_nothing(configured, sms_outbox, db):
    by_phone = phone_resident(Client(), "0987 654 321", sms_outbox)
    browser = Client(headers={"accept-language": "vi"})
    sign_in(browser, "binh")
    by_vneid = signed_in_user(browser)
    response = link_phone(browser, "0987 654 321", sms_outbox, code="000000")
    assert response.status_code == 400
    assert "Mã không đúng. Còn 4 lần thử." in response.content.decode()
    assert signed_in_user(browser) == by_vneid
    assert ExternalIdentity.objects.get().user == by_vneid
    by_vneid.refresh_from_db()
    assert by_vneid.is_active and by_vneid.phone == ""
    assert by_phone.external_identities.count() == 0


def test_a_phone_nobody_has_becomes_the_accounts_phone(configured, sms_outbox, db):
    browser = Client(headers={"accept-language": "en"})
    sign_in(browser, "binh")
    by_vneid = signed_in_user(browser)
    assert link_phone(browser, "0987 654 321", sms_outbox)["Location"] == NEXT
    by_vneid.refresh_from_db()
    assert by_vneid.phone == "+84987654321" and by_vneid.is_active
    # The phone's code now signs in to that same account.
    assert phone_resident(Client(), "0987654321", sms_outbox) == by_vneid


def test_a_staff_phone_or_a_phone_with_another_vneid_is_refused(configured, sms_outbox, ward_a, db):
    from conftest import make_user

    officer = make_user("officer_phone", agency=ward_a, role=Role.OFFICER, phone="+84987654321")
    browser = Client(headers={"accept-language": "en"})
    sign_in(browser, "binh")
    by_vneid = signed_in_user(browser)
    response = link_phone(browser, "0987 654 321", sms_outbox)
    assert response.status_code == 400
    assert "belongs to a staff account" in response.content.decode()
    assert not officer.external_identities.exists()

    # An's VNeID carries the verified phone 0912 345 678: that account holds a VNeID already.
    sign_in(Client(), "an")
    response = link_phone(browser, "0912 345 678", sms_outbox)
    assert response.status_code == 400
    assert "already linked to another VNeID identity" in response.content.decode()
    by_vneid.refresh_from_db()
    assert by_vneid.is_active and by_vneid.phone == ""
    assert signed_in_user(browser) == by_vneid


def test_the_link_pages_are_for_signed_in_residents_only(client, officer_a, db):
    response = client.get(LINK_START)
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")
    client.force_login(officer_a)
    assert client.get(LINK_START).status_code == 404
    assert client.get(LINK_START + "ma/").status_code == 404
