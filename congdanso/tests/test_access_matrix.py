"""The access matrix, generated from the URL conf: every route × everybody who must not reach it
(anonymous, another resident, another ward's officer, a resident on staff pages, an officer on
leaders' pages) → refused (401/403/404, or a redirect to the sign-in page) with none of the
private data in the body, by GET and by POST.

A route that is not in RULES fails `test_every_route_has_a_rule`: a new endpoint cannot ship
without someone deciding who may reach it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.views.static import serve

from api.services import token_issue
from reports.models import ExtensionRequest, Media, ResponseTemplate
from reports.services import report_accept, report_request_extension

# Argon2 for the five users of every case would be most of the matrix's time.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

SECRET_TITLE = "Bí mật riêng tư 7f3a"
SECRETS = (SECRET_TITLE, "+84912345678", "0912345678", "Nguyễn Thị Alice")
SIGN_IN = "/dang-nhap/"


def routes() -> list[str]:
    """Every route of the URL conf as its full pattern (names repeat across routers), except
    Django's admin, which guards itself (staff + its own sign-in)."""

    def walk(patterns, prefix: str):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and p.callback is not serve:
                # (django.views.static.serve: MEDIA_URL in development only, when DEBUG was on
                # as the URL conf was first imported)
                yield prefix + str(p.pattern)

    return sorted(set(walk(get_resolver().url_patterns, "")))


# Who must not reach each route. PUBLIC routes are reached by anybody; for them the matrix checks
# only that an anonymous visitor sees none of the private data.
PUBLIC = ()
ANON = ("anonymous",)
RESIDENT_PAGES = ANON  # a signed-in resident's own pages
OTHERS_REPORT = ("anonymous", "bob", "officer_b")  # alice's private report
STAFF = ("anonymous", "alice")
UNIT_REPORT = ("anonymous", "alice", "bob", "officer_b")  # a report with ward A
LEADERS = ("anonymous", "alice", "officer_a")  # dashboard, coordination office
WARD_A_LEADER = ("anonymous", "alice", "officer_a", "officer_b")  # ward A's extension decision

RULES: dict[str, tuple[str, ...]] = {
    "i18n/setlang/": PUBLIC,
    "api/": PUBLIC,
    "api/openapi.json": PUBLIC,
    "api/docs": PUBLIC,
    "api/units/wards.geojson": PUBLIC,
    # Published for anyone to keep (reports/audit.py).
    "api/audit/checkpoints": PUBLIC,
    "api/reports/map": PUBLIC,
    "api/locate": PUBLIC,
    "api/categories/suggest": PUBLIC,
    "api/reports/nearby": PUBLIC,
    "api/reports": RESIDENT_PAGES,
    "api/reports/<tracking_code>": OTHERS_REPORT,
    "api/reports/<tracking_code>/follow": OTHERS_REPORT,
    "api/reports/<tracking_code>/rating": OTHERS_REPORT,
    "api/tokens": ANON,
    "api/tokens/<token_id>": ("anonymous", "bob"),
    "api/me/reports": ANON,
    "api/me/notifications": ANON,
    "api/me/notifications/read": ANON,
    "api/workspace/inbox": STAFF,
    "api/workspace/queue": LEADERS,
    "api/workspace/reports/<tracking_code>": UNIT_REPORT,
    "api/workspace/reports/<tracking_code>/accept": UNIT_REPORT,
    "api/workspace/reports/<tracking_code>/start": UNIT_REPORT,
    "api/workspace/reports/<tracking_code>/assign": UNIT_REPORT,
    "api/workspace/reports/<tracking_code>/return": UNIT_REPORT,
    "api/workspace/reports/<tracking_code>/transfer": UNIT_REPORT,
    "api/workspace/reports/<tracking_code>/reroute": UNIT_REPORT,
    "api/workspace/reports/<tracking_code>/request_extension": UNIT_REPORT,
    "api/workspace/reports/<tracking_code>/merge": UNIT_REPORT,
    "api/workspace/reports/<tracking_code>/reject": UNIT_REPORT,
    "api/workspace/reports/<tracking_code>/resolve": UNIT_REPORT,
    "api/workspace/extensions/<extension_id>/decision": WARD_A_LEADER,
    # Open311: reads are public (public reports only); writes need a client's key.
    r"open311/v2/^discovery\.(?P<fmt>json|xml)$": PUBLIC,
    r"open311/v2/^services\.(?P<fmt>json|xml)$": PUBLIC,
    r"open311/v2/^services/(?P<code>[^/]+?)\.(?P<fmt>json|xml)$": PUBLIC,
    r"open311/v2/^requests\.(?P<fmt>json|xml)$": PUBLIC,
    r"open311/v2/^requests/(?P<code>[^/]+?)\.(?P<fmt>json|xml)$": ANON,
    r"open311/v2/^tokens/(?P<token>[^/]+?)\.(?P<fmt>json|xml)$": PUBLIC,
    r"open311/v2/^servicerequestupdates\.(?P<fmt>json|xml)$": PUBLIC,
    "dang-nhap/": PUBLIC,
    "dang-nhap/so-dien-thoai/": PUBLIC,
    "dang-nhap/so-dien-thoai/ma/": PUBLIC,
    "dang-nhap/vneid/": PUBLIC,
    "dang-nhap/vneid/callback/": PUBLIC,
    "dang-xuat/": PUBLIC,
    # The second sign-in step and its set-up: only after a password.
    "dang-nhap/ma-xac-thuc/": ANON,
    "tai-khoan/xac-thuc-hai-buoc/": ANON,
    "tai-khoan/xac-thuc-hai-buoc/ma/<str:token>/": ANON,
    "tai-khoan/du-lieu-cua-toi/": ANON,
    "tai-khoan/du-lieu-cua-toi/tai-ve/": ANON,
    "tai-khoan/du-lieu-cua-toi/xoa/": ANON,
    # Linking a phone: a signed-in resident's own step; staff accounts have no such link.
    "tai-khoan/lien-ket-so-dien-thoai/": ("anonymous", "officer_a", "officer_b"),
    "tai-khoan/lien-ket-so-dien-thoai/ma/": ("anonymous", "officer_a", "officer_b"),
    "can-bo/": STAFF,
    "can-bo/hang-loat/": ("anonymous", "alice", "officer_a"),
    "can-bo/dieu-phoi/": LEADERS,
    "can-bo/dieu-phoi/<str:tracking_code>/chuyen/": LEADERS,
    "can-bo/phan-anh/<str:tracking_code>/": UNIT_REPORT,
    "can-bo/phan-anh/<str:tracking_code>/thao-tac/<str:action>/": UNIT_REPORT,
    "can-bo/gia-han/<int:request_id>/": WARD_A_LEADER,
    # The original of an attachment: the unit's leader and coordinators only, audited.
    "can-bo/tep-goc/<int:media_id>/": ("anonymous", "alice", "bob", "officer_a", "officer_b"),
    # Deleting a resident's photo: the unit's leader and coordinators (and the reporter below).
    "can-bo/tep/<int:media_id>/xoa/": ("anonymous", "alice", "bob", "officer_a", "officer_b"),
    "tep/<int:media_id>/xoa/": ("anonymous", "bob", "officer_a", "officer_b"),
    "can-bo/mau-tra-loi/<int:template_id>/": STAFF,
    "bang-dieu-khien/": LEADERS,
    "bang-dieu-khien/phan-anh/": LEADERS,
    "bang-dieu-khien/giai-doan/": LEADERS,
    "bang-dieu-khien/goi-y-linh-vuc/": LEADERS,
    "bang-dieu-khien/kenh/": LEADERS,
    # Issue 18: filing for a resident (hotline operators, community helpers) and Zalo's webhook
    # (signed by Zalo: an unsigned POST is a 401 for anyone).
    "can-bo/tiep-nhan/": ("anonymous", "alice", "bob", "officer_a", "officer_b"),
    "can-bo/tiep-nhan/gui-ma/": ("anonymous", "alice", "bob", "officer_a", "officer_b"),
    "kenh/zalo/webhook/": ("anonymous", "alice", "officer_a"),
    "bang-dieu-khien/xu-huong.json": LEADERS,
    "bang-dieu-khien/ban-do-nhiet.json": LEADERS,
    "bang-dieu-khien/truc-tiep/": LEADERS,
    "bang-dieu-khien/xuat/phan-anh.csv": LEADERS,
    "bang-dieu-khien/xuat/phan-anh.xlsx": LEADERS,
    "bang-dieu-khien/xuat/tong-hop.pdf": LEADERS,
    "bang-dieu-khien/dang-ky/": LEADERS,
    "": PUBLIC,
    "phan-anh/<str:tracking_code>/": OTHERS_REPORT,
    "phan-anh/<str:tracking_code>/danh-gia/": OTHERS_REPORT,
    "media-file/<int:media_id>/<str:variant>/": OTHERS_REPORT,
    "gui-phan-anh/": PUBLIC,  # the form itself; sending needs an account (api/reports)
    "sw.js": PUBLIC,
    "manifest.webmanifest": PUBLIC,
    "phan-anh-cua-toi/": ANON,
    "thong-bao/": ANON,
    "canh-bao/": ANON,  # area alerts of the wards a person follows
    "can-bo/canh-bao/": LEADERS,  # publishing area alerts: unit leaders, coordinators
    "can-bo/canh-bao/thu-hoi/": LEADERS,
    "tai-khoan/thong-bao/": ANON,
    "tai-khoan/thong-bao/dang-ky-day/": ANON,
    "phan-anh/<str:tracking_code>/tat-thong-bao/": OTHERS_REPORT,
    "ban-do/": PUBLIC,
    "bang-xep-hang/": PUBLIC,
    # Issue 21: news, the public-service directory, dossiers.
    "tin-tuc/": PUBLIC,
    "tin-tuc/feed/": PUBLIC,
    "tin-tuc/<int:article_id>/": PUBLIC,  # published articles only (a draft is a 404)
    "can-bo/tin-tuc/": STAFF,
    "can-bo/tin-tuc/moi/": STAFF,
    "can-bo/tin-tuc/<int:article_id>/": STAFF,
    "can-bo/tin-tuc/<int:article_id>/<str:action>/": STAFF,
    "thu-tuc/": PUBLIC,
    "thu-tuc/<str:code>/": PUBLIC,
    "tra-cuu-ho-so/": PUBLIC,  # code + last 4 phone digits, rate-limited
    "ho-so-cua-toi/": ANON,
    "bang-dieu-khien/ho-so/": LEADERS,
    "api/procedures": PUBLIC,
    "api/dossiers/push": ("anonymous", "alice", "officer_a"),  # signed by the procedure system
    "api/dossiers/<code>": PUBLIC,  # code + last 4 phone digits, rate-limited
    # Issue 19: residential groups. The group page lists the leader's own group's reports;
    # the ward's list of groups is its committee's officers' and leaders'.
    "can-bo/to-dan-pho/": ("anonymous", "alice", "bob", "officer_a", "officer_b"),
    "can-bo/to-dan-pho/phan-anh/<str:tracking_code>/": (
        "anonymous",
        "alice",
        "bob",
        "officer_a",
        "officer_b",
    ),
    "can-bo/to-dan-pho/quan-ly/": STAFF,
    "bang-dieu-khien/to-dan-pho/": LEADERS,
    "can-bo/to-dan-pho/quan-ly/<str:code>/": ("anonymous", "alice", "officer_b"),
    "api/wards/<code>/groups": PUBLIC,
    # Issue 20: traffic cameras, public; their pictures come from our cache.
    "camera/": PUBLIC,
    "bang-dieu-khien/camera/": LEADERS,
    "camera/<slug:code>/anh.jpg": PUBLIC,
    # Any signed-in person may report a broken camera; it needs an account, like any report.
    "camera/<slug:code>/bao-hong/": RESIDENT_PAGES,
    "api/cameras": PUBLIC,
}

# The leader of another residential group of the same ward (alice's report lies in the lake's
# group, 00070-TDP02; this leader leads 00070-TDP03) is refused wherever a resident is, on
# every page and API route, except the pages every group leader has: filing for a resident
# and their own group's list.
GROUP_LEADER_MAY = {"can-bo/tiep-nhan/", "can-bo/tiep-nhan/gui-ma/", "can-bo/to-dan-pho/"}
RULES = {
    route: (
        (*intruders, "group_leader_c")
        if ({"alice", "bob"} & set(intruders) and route not in GROUP_LEADER_MAY)
        else intruders
    )
    for route, intruders in RULES.items()
}


def test_every_route_has_a_rule():
    missing = [r for r in routes() if r not in RULES]
    assert not missing, f"routes without an access rule in {__file__}: {missing}"
    stale = [r for r in RULES if r not in routes()]
    assert not stale, f"rules for routes that no longer exist: {stale}"


@dataclass
class World:
    private_code: str  # alice's private report, with ward A
    extension_id: int
    template_id: int
    media_id: int
    token_id: int


@pytest.fixture
def world(sample_groups, submit, alice, officer_a, media_root) -> World:
    report = submit(title=SECRET_TITLE, is_public=False)
    report_accept(actor=officer_a, report=report)
    extension = report_request_extension(
        actor=officer_a,
        report=report,
        until=report.resolve_due_at + timedelta(days=3),
        reason=f"{SECRET_TITLE} chờ vật tư",
    )
    template = ResponseTemplate.objects.first()
    assert template is not None and isinstance(extension, ExtensionRequest)
    media = Media.objects.get(report=report)
    token, _ = token_issue(actor=alice, name="phone")
    return World(report.tracking_code, extension.pk, template.pk, media.pk, token.pk)


def url_for(route: str, world: World) -> str:
    values = {
        "tracking_code": world.private_code,
        # A group's code for the ward's list of groups; a tracking code elsewhere.
        "code": world.private_code,
        "action": "accept",
        "request_id": world.extension_id,
        "extension_id": world.extension_id,
        "template_id": world.template_id,
        "article_id": world.template_id,  # no such article: a 404 for everyone
        "media_id": world.media_id,
        "variant": "display",
        "token_id": world.token_id,
        "token": "abc",
        "fmt": "json",
    }
    if route.startswith("can-bo/to-dan-pho/quan-ly/"):
        values["code"] = "00070-TDP02"  # a group of ward A
    path = route
    # Regex routes (Open311): drop the anchors and fill the named groups.
    path = path.replace("^", "").replace("$", "")
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), path)
    path = path.replace(r"\.", ".")
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), path)
    return "/" + path


# Routes answering other methods than GET and POST, or only one of them.
METHODS = {
    "api/tokens/<token_id>": ("DELETE",),
    # Open311 answers a wrong method with its 400 (the spec's error shape): only GET means
    # anything here.
    r"open311/v2/^requests/(?P<code>[^/]+?)\.(?P<fmt>json|xml)$": ("GET",),
}


def post_data(route: str, world: World) -> dict:
    """A well-formed body, so that a refusal comes from who is asking, not from empty input."""
    if "extension" in route or "gia-han" in route:
        return {"decision": "grant", "note": "Đồng ý"}
    if route == "can-bo/hang-loat/":
        return {"action": "accept", "codes": [world.private_code]}
    return {}


def refused(response) -> bool:
    if response.status_code in (301, 302):
        return response["Location"].split("?")[0].endswith(SIGN_IN)
    return response.status_code in (401, 403, 404, 405)


CASES = [(route, who) for route, intruders in sorted(RULES.items()) for who in intruders]


@pytest.mark.parametrize(("route", "who"), CASES)
def test_intruder_is_refused_and_sees_nothing(
    route, who, world, client, request, alice, bob, officer_a, officer_b
):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    url = url_for(route, world)
    answers = {}
    for method in METHODS.get(route, ("GET", "POST")):
        if method == "POST":
            answers[method] = client.post(url, post_data(route, world))
        else:
            answers[method] = getattr(client, method.lower())(url)
    for method, response in answers.items():
        assert refused(response), f"{who} {method} {url} → {response.status_code}"
        if who == "officer_a":
            # Ward A's officer may see ward A's report (and its reporter's contact); what they
            # are refused here is a leader's action or page.
            continue
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        assert not [s for s in SECRETS if s in text], f"{who} {method} {url} shows private data"
    # A route refused only because of the method would prove nothing.
    assert any(r.status_code != 405 for r in answers.values()), f"{url}: 405 both ways"


@pytest.mark.parametrize(
    "route", sorted(r for r, intruders in RULES.items() if intruders == PUBLIC)
)
def test_public_routes_show_no_private_data(route, world, client):
    response = client.get(url_for(route, world))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", "replace")
    assert not [s for s in SECRETS if s in text], f"{route} shows private data"


# The JSON API also takes a `Bearer` token instead of the session (mobile clients): the same
# intruders, each with a valid token of their own (anonymous: a made-up one), no session.
TOKEN_CASES = [(route, who) for route, who in CASES if route.startswith("api/")]


@pytest.mark.parametrize(("route", "who"), TOKEN_CASES)
def test_intruder_with_a_bearer_token_is_refused(
    route, who, world, client, request, alice, bob, officer_a, officer_b
):
    if who == "anonymous":
        bearer = "cds_made-up-token-that-was-never-issued"
    else:
        _token, bearer = token_issue(actor=request.getfixturevalue(who), name="matrix")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {bearer}"}
    url = url_for(route, world)
    answers = {}
    for method in METHODS.get(route, ("GET", "POST")):
        if method == "POST":
            answers[method] = client.post(url, post_data(route, world), **headers)
        else:
            answers[method] = getattr(client, method.lower())(url, **headers)
    for method, response in answers.items():
        assert refused(response), f"{who} (token) {method} {url} → {response.status_code}"
        if who == "officer_a":
            continue
        text = response.content.decode("utf-8", "replace")
        assert not [s for s in SECRETS if s in text], f"{who} (token) {method} {url} leaks"
    assert any(r.status_code != 405 for r in answers.values()), f"{url}: 405 both ways"


def test_another_groups_leader_lists_their_own_group_without_the_report(
    world, client, group_leader_c
):
    client.force_login(group_leader_c)
    response = client.get("/can-bo/to-dan-pho/?show=all")
    assert response.status_code == 200
    text = response.content.decode()
    assert world.private_code not in text and not [s for s in SECRETS if s in text]
