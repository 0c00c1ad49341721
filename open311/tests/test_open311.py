"""The GeoReport v2 server, walked through the spec: every endpoint in JSON and XML, the
filters, the errors, paging, and the round trips with the workspace."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from defusedxml import ElementTree as ET
from django.utils import timezone

from conftest import BA_DINH_SQUARE, GOOD_ANSWER, HOAN_KIEM_LAKE, photo_file
from open311.models import ApiClient
from open311.services import api_client_for_key
from reports import services as report_services
from reports.models import Report, ReportEvent
from reports.workflow import Status

BASE = "/open311/v2"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def get_json(client, path, **params):
    response = client.get(f"{BASE}/{path}.json", params, **EN)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response, json.loads(response.content.decode("utf-8"))


def get_xml(client, path, **params):
    response = client.get(f"{BASE}/{path}.xml", params, **EN)
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return response, ET.fromstring(response.content)


def post(client, path, data, fmt="json"):
    response = client.post(f"{BASE}/{path}.{fmt}", data, **EN)
    if fmt == "json":
        return response, json.loads(response.content.decode("utf-8"))
    return response, ET.fromstring(response.content)


def error_descriptions(body):
    return [e["description"] for e in body]


# --- discovery and services ----------------------------------------------------------------------


@pytest.mark.django_db
def test_discovery_lists_the_v2_endpoint_in_both_formats(client):
    response, body = get_json(client, "discovery")
    assert response.status_code == 200
    [endpoint] = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    response, root = get_xml(client, "discovery")
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


@pytest.mark.django_db
def test_service_list_gives_each_category_as_a_realtime_service(client, waste):
    response, body = get_json(client, "services")
    assert response.status_code == 200
    service = next(s for s in body if s["service_code"] == "rac-thai-ve-sinh")
    assert service["service_name"] == waste.name_en
    assert service["metadata"] is False
    assert service["type"] == "realtime"
    assert service["group"] == waste.group
    assert service["groups"] == [waste.group]
    assert service["keywords"] == waste.keywords
    _, root = get_xml(client, "services")
    xml_service = next(
        s for s in root.findall("service") if s.findtext("service_code") == "rac-thai-ve-sinh"
    )
    assert xml_service.findtext("metadata") == "false"
    assert xml_service.findtext("type") == "realtime"
    assert len(root.findall("service")) == len(body)


@pytest.mark.django_db
def test_service_list_speaks_vietnamese_by_default(client, waste):
    body = json.loads(client.get(f"{BASE}/services.json").content)
    assert next(s for s in body if s["service_code"] == waste.code)["service_name"] == waste.name


@pytest.mark.django_db
def test_service_definition_has_no_extra_attributes(client, waste):
    response, body = get_json(client, f"services/{waste.code}")
    assert response.status_code == 200
    assert body == {"service_code": waste.code, "attributes": []}
    _, root = get_xml(client, f"services/{waste.code}")
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == waste.code
    assert list(root.find("attributes")) == []


@pytest.mark.django_db
def test_unknown_service_code_is_404_in_the_spec_error_shape(client):
    response, body = get_json(client, "services/khong-co")
    assert response.status_code == 404
    assert body == [{"code": 404, "description": "Unknown service_code: khong-co."}]
    response, root = get_xml(client, "services/khong-co")
    assert response.status_code == 404
    assert root.tag == "errors"
    assert root.findtext("error/code") == "404"
    assert root.findtext("error/description") == "Unknown service_code: khong-co."


@pytest.mark.django_db
def test_unknown_jurisdiction_is_404_and_ours_is_accepted(client):
    response, body = get_json(client, "services", jurisdiction_id="example.org")
    assert response.status_code == 404
    assert body[0]["description"] == "Unknown jurisdiction_id: example.org."
    response, _ = get_json(client, "services", jurisdiction_id="hanoi.gov.vn")
    assert response.status_code == 200


# --- POST requests -------------------------------------------------------------------------------


def report_form(key, **overrides):
    data = {
        "api_key": key,
        "service_code": "rac-thai-ve-sinh",
        "lat": str(HOAN_KIEM_LAKE[0]),
        "long": str(HOAN_KIEM_LAKE[1]),
        "address_string": "Đầu ngõ 12 Hàng Bạc, Hoàn Kiếm",
        "description": "Rác tồn đọng nhiều ngày ở đầu ngõ, bốc mùi hôi.",
        "media": photo_file(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
def test_post_without_or_with_a_wrong_api_key_is_403_and_stores_nothing(client, media_root):
    for key in (None, "not-a-key"):
        response, body = post(client, "requests", report_form(key))
        assert response.status_code == 403
        assert body == [{"code": 403, "description": "Missing or invalid api_key."}]
    response, root = post(client, "requests", report_form("nope"), fmt="xml")
    assert response.status_code == 403
    assert root.findtext("error/code") == "403"
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_post_routes_the_report_to_the_ward_and_returns_its_id(
    client, newspaper, ward_a, media_root
):
    _client, key = newspaper
    response, body = post(client, "requests", report_form(key))
    assert response.status_code == 200
    [created] = body
    report = Report.objects.get(tracking_code=created["service_request_id"])
    assert report.agency == ward_a
    assert report.status == Status.ROUTED
    assert report.channel == "open311"
    assert report.reporter is None
    assert report.title == "Rác tồn đọng nhiều ngày ở đầu ngõ, bốc mùi hôi."
    assert report.media.count() == 1
    assert created["account_id"] is None
    assert "token" not in created
    assert created["service_notice"].startswith(f"Sent to {ward_a.name}; expected to be resolved")
    submit_event = report.events.get(action="submit")
    assert submit_event.data["via"] == "Báo Hà Nội Mới"


@pytest.mark.django_db
def test_post_in_xml_answers_in_xml(client, newspaper, media_root):
    response, root = post(client, "requests", report_form(newspaper[1], title="Rác"), fmt="xml")
    assert response.status_code == 200
    assert root.tag == "service_requests"
    code = root.findtext("request/service_request_id")
    assert Report.objects.get(tracking_code=code).title == "Rác"
    assert root.find("request/account_id").text is None


@pytest.mark.django_db
def test_post_with_an_address_only_goes_to_the_coordination_office(
    client, newspaper, office, media_root
):
    response, body = post(client, "requests", report_form(newspaper[1], lat=None, long=None))
    assert response.status_code == 200
    report = Report.objects.get(tracking_code=body[0]["service_request_id"])
    assert (report.lat, report.lon, report.ward) == (None, None, None)
    assert report.agency == office
    route = report.events.get(action="route")
    assert route.data["routing"]["basis"] == "fallback"
    assert "coordination office" in route.note or "điều phối" in route.note
    _, [shown] = get_json(client, f"requests/{report.tracking_code}")
    assert (shown["lat"], shown["long"]) == (None, None)
    assert shown["address"] == "Đầu ngõ 12 Hàng Bạc, Hoàn Kiếm"
    _, root = get_xml(client, f"requests/{report.tracking_code}")
    assert root.find("request/lat").text is None


@pytest.mark.django_db
def test_post_reports_every_missing_field_at_once(client, newspaper, media_root):
    form = report_form(newspaper[1], service_code=None, lat=None, long=None, description=None)
    form.pop("address_string")
    response, body = post(client, "requests", form)
    assert response.status_code == 400
    assert body == [
        {"code": 400, "description": "service_code is required."},
        {"code": 400, "description": "A location is required: lat and long, or address_string."},
        {"code": 400, "description": "description is required."},
    ]
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_post_with_unknown_service_code_is_404(client, newspaper, media_root):
    response, body = post(client, "requests", report_form(newspaper[1], service_code="abc"))
    assert response.status_code == 404
    assert body == [{"code": 404, "description": "Unknown service_code: abc."}]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"long": None}, "lat and long must be sent together."),
        ({"lat": "abc"}, "The location is not a valid point."),
        ({"description": "x" * 4001}, "description must be at most 4000 characters."),
        ({"media": None}, "A photo or video of the problem is required for this category."),
        ({"lat": None, "long": None, "address_string": None, "address_id": "42"},
         "address_id is not supported here: send lat and long or address_string."),
    ],
)  # fmt: skip
def test_post_bad_input_is_400_with_a_clear_reason(
    client, newspaper, media_root, overrides, message
):
    response, body = post(client, "requests", report_form(newspaper[1], **overrides))
    assert response.status_code == 400
    assert body == [{"code": 400, "description": message}]
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_post_outside_the_city_is_refused(client, newspaper, media_root):
    response, _ = post(client, "requests", report_form(newspaper[1], lat="10.77", long="106.7"))
    assert response.status_code == 400
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_media_urls_are_kept_as_references_not_fetched(client, newspaper, media_root):
    form = report_form(newspaper[1])
    form["media_url"] = ["https://example.org/a.jpg", "https://example.org/b.jpg"]
    response, body = post(client, "requests", form)
    assert response.status_code == 200
    report = Report.objects.get(tracking_code=body[0]["service_request_id"])
    assert report.events.get(action="submit").data["media_urls"] == [
        "https://example.org/a.jpg",
        "https://example.org/b.jpg",
    ]
    assert report.media.count() == 1


@pytest.mark.django_db
def test_reporters_contact_details_are_not_kept(client, newspaper, media_root):
    form = report_form(
        newspaper[1], email="an@example.org", first_name="An", last_name="Nguyễn", phone="0912"
    )
    _, body = post(client, "requests", form)
    report = Report.objects.get(tracking_code=body[0]["service_request_id"])
    assert report.reporter is None
    stored = json.dumps([e.data for e in report.events.all()], ensure_ascii=False)
    assert "an@example.org" not in stored and "0912" not in stored


@pytest.mark.django_db
def test_error_descriptions_follow_the_request_language(client):
    response = client.post(f"{BASE}/requests.json", {}, HTTP_ACCEPT_LANGUAGE="en")
    assert json.loads(response.content)[0]["description"] == "Missing or invalid api_key."
    response = client.post(f"{BASE}/requests.json", {}, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 403
    assert response["Content-Language"] == "vi"


# --- GET requests --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_get_request_shows_only_public_facts(client, submit, alice, ward_a, process_photos):
    report = submit()
    process_photos()
    response, [shown] = get_json(client, f"requests/{report.tracking_code}", extensions="true")
    assert response.status_code == 200
    assert shown["service_request_id"] == report.tracking_code
    assert shown["status"] == "open"
    assert shown["service_code"] == "rac-thai-ve-sinh"
    assert shown["agency_responsible"] == ward_a.name
    assert shown["lat"] == HOAN_KIEM_LAKE[0] and shown["long"] == HOAN_KIEM_LAKE[1]
    assert shown["requested_datetime"].endswith("+07:00")
    assert shown["requested_datetime"] == timezone.localtime(report.created_at).isoformat(
        timespec="seconds"
    )
    assert shown["expected_datetime"] == timezone.localtime(report.resolve_due_at).isoformat(
        timespec="seconds"
    )
    media = report.media.get()
    assert shown["media_url"] == f"http://testserver/media-file/{media.pk}/display/"
    assert shown["extended_attributes"]["photos"] == [shown["media_url"]]
    assert shown["extended_attributes"]["channel"] == "web"
    assert shown["extended_attributes"]["ward"] == report.ward.full_name
    assert [n["type"] for n in shown["notes"]] == ["submit", "route"]
    body = response.content.decode()
    for personal in ("Alice", "alice", "+84912345678", "0912345678", str(alice.pk) + ","):
        assert personal not in body
    assert "reporter" not in body and "phone" not in body and "email" not in body


@pytest.mark.django_db
def test_get_request_in_xml_is_a_one_element_list(client, submit):
    report = submit()
    response, root = get_xml(client, f"requests/{report.tracking_code}")
    assert response.status_code == 200
    assert root.tag == "service_requests"
    [request] = root.findall("request")
    assert request.findtext("service_request_id") == report.tracking_code
    assert request.findtext("status") == "open"
    assert request.findtext("lat") == str(HOAN_KIEM_LAKE[0])


@pytest.mark.django_db
def test_private_and_unknown_requests_are_404(client, submit):
    private = submit(is_public=False)
    for code in (private.tracking_code, "PA-2026-999999"):
        response, body = get_json(client, f"requests/{code}")
        assert response.status_code == 404
        assert body == [{"code": 404, "description": f"Unknown service_request_id: {code}."}]
    _, listed = get_json(client, "requests")
    assert listed == []


@pytest.mark.django_db
def test_requests_are_newest_first_and_paged(client, submit):
    codes = []
    start = timezone.now()
    for minutes in range(5):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            codes.append(submit().tracking_code)
    codes.reverse()
    _, body = get_json(client, "requests", page_size=2)
    assert [r["service_request_id"] for r in body] == codes[:2]
    _, body = get_json(client, "requests", page_size=2, page=3)
    assert [r["service_request_id"] for r in body] == codes[4:]
    _, body = get_json(client, "requests", sort="requested_datetime")
    assert [r["service_request_id"] for r in body] == codes[::-1]
    _, root = get_xml(client, "requests", page_size=2, page=2)
    assert [r.findtext("service_request_id") for r in root.findall("request")] == codes[2:4]


@pytest.mark.django_db
def test_bad_filters_are_all_reported_at_once(client):
    response, body = get_json(
        client,
        "requests",
        page_size="501",
        page="0",
        status="pending",
        start_date="yesterday",
        bbox="1,2,3",
        has_photo="maybe",
        sort="name",
    )
    assert response.status_code == 400
    assert error_descriptions(body) == [
        "start_date must be a date and time in W3C format, e.g. 2026-01-31T08:00:00+07:00.",
        "page must be a whole number of at least 1.",
        "page_size must be a whole number from 1 to 500.",
        "status must be open or closed.",
        "sort must be one of: requested_datetime, -requested_datetime, updated_datetime, "
        "-updated_datetime.",
        "has_photo must be true or false.",
        "bbox must be min_lon,min_lat,max_lon,max_lat.",
    ]
    assert {e["code"] for e in body} == {400}


@pytest.mark.django_db
def test_filters_pick_the_matching_requests(client, submit, officer_a, process_photos, media_root):
    from routing.models import Category

    pollution = Category.objects.get(code="o-nhiem-moi-truong")
    other = Category.objects.get(code="khac")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        lake = submit(title="Rác ở hồ", description="Ô nhiễm nặng gần bờ hồ.")
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        # "Other" needs no photo.
        square = submit(category=other, lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1], files=[])
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        lamp = submit(category=pollution)
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        report_services.report_accept(actor=officer_a, report=lake)
        report_services.report_start(actor=officer_a, report=lake)
        report_services.report_resolve(
            actor=officer_a, report=lake, answer=GOOD_ANSWER, files=[photo_file()]
        )
    process_photos()

    def codes(**params):
        response, body = get_json(client, "requests", **params)
        assert response.status_code == 200
        return {r["service_request_id"] for r in body}

    every = {lake.tracking_code, square.tracking_code, lamp.tracking_code}
    assert codes() == every
    assert codes(service_request_id=f"{lake.tracking_code},{lamp.tracking_code}") == {
        lake.tracking_code,
        lamp.tracking_code,
    }
    assert codes(service_code="o-nhiem-moi-truong") == {lamp.tracking_code}
    assert codes(service_code="rac-thai-ve-sinh,o-nhiem-moi-truong") == {
        lake.tracking_code,
        lamp.tracking_code,
    }
    assert codes(service_code="khac", status="open") == {square.tracking_code}
    assert codes(status="closed") == {lake.tracking_code}
    assert codes(status="open") == {square.tracking_code, lamp.tracking_code}
    assert codes(status="open,closed") == every
    hour = timedelta(hours=1)
    assert codes(start_date=(start + hour / 2).isoformat()) == {
        square.tracking_code,
        lamp.tracking_code,
    }
    assert codes(end_date=(start + hour / 2).isoformat()) == {lake.tracking_code}
    assert codes(updated_after=(start + 2.5 * hour).isoformat()) == {lake.tracking_code}
    assert codes(updated_before=(start + 2.5 * hour).isoformat()) == {
        square.tracking_code,
        lamp.tracking_code,
    }
    assert codes(bbox="105.83,21.03,105.84,21.04") == {square.tracking_code}
    assert codes(q="o nhiem") == {lake.tracking_code}
    assert codes(agency_responsible=square.agency.name) == {square.tracking_code}
    assert codes(agency_responsible=lake.agency.code) == {lake.tracking_code, lamp.tracking_code}
    assert codes(has_photo="false") == {square.tracking_code}
    assert codes(has_photo="true") == {lake.tracking_code, lamp.tracking_code}


@pytest.mark.django_db
def test_a_page_costs_the_same_queries_whatever_its_size(
    client, submit, process_photos, django_assert_num_queries
):
    submit()
    process_photos()
    # The page of reports (with category, ward, agency, original), their events, their photos.
    with django_assert_num_queries(3):
        client.get(f"{BASE}/requests.json", {"extensions": "true"})
    for _ in range(4):
        submit()
    process_photos()
    with django_assert_num_queries(3):
        response = client.get(f"{BASE}/requests.json", {"extensions": "true"})
    assert len(json.loads(response.content)) == 5


# --- tokens --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_tokens_are_never_issued_so_every_token_is_404(client):
    response, body = get_json(client, "tokens/12345")
    assert response.status_code == 404
    assert body[0]["code"] == 404
    response, root = get_xml(client, "tokens/12345")
    assert response.status_code == 404
    assert root.findtext("error/code") == "404"


# --- keys ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_the_hash_of_a_key_is_stored(newspaper, ward_a_system, ward_a):
    client, key = newspaper
    stored = ApiClient.objects.get(pk=client.pk)
    assert key not in (stored.key_hash, stored.key_prefix)
    assert stored.key_prefix == key[:8]
    assert api_client_for_key(key) == client
    assert api_client_for_key(key + "x") is None
    assert api_client_for_key("") is None
    assert client.service_user is None
    system, _ = ward_a_system
    assert system.service_user.memberships.get().agency == ward_a
    assert not system.service_user.has_usable_password()
    stored.is_active = False
    stored.save()
    assert api_client_for_key(key) is None


@pytest.mark.django_db
def test_admin_shows_a_new_key_once(client, admin_user, ward_a):
    client.force_login(admin_user)
    response = client.post(
        "/admin/open311/apiclient/add/",
        {"name": "Sở Xây dựng", "agency": ward_a.pk, "is_active": "on"},
        follow=True,
        **EN,
    )
    assert response.status_code == 200
    api_client = ApiClient.objects.get(name="Sở Xây dựng")
    [message] = [str(m) for m in response.context["messages"] if "API key" in str(m)]
    key = message.split(" is ")[1].split(" ")[0]
    assert api_client_for_key(key) == api_client
    assert api_client.service_user is not None
    page = client.get(f"/admin/open311/apiclient/{api_client.pk}/change/")
    assert key not in page.content.decode()
    assert api_client.key_prefix in page.content.decode()


# --- round trips ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_open311_report_resolved_in_the_workspace_reads_closed_with_its_notes(
    client, newspaper, officer_a, ward_a, media_root
):
    _, body = post(client, "requests", report_form(newspaper[1]))
    report = Report.objects.get(tracking_code=body[0]["service_request_id"])
    assert report.agency == ward_a
    report_services.report_accept(actor=officer_a, report=report)
    report_services.report_start(actor=officer_a, report=report)
    report_services.report_resolve(
        actor=officer_a, report=report, answer=GOOD_ANSWER, files=[photo_file()]
    )
    _, [shown] = get_json(client, f"requests/{report.tracking_code}", extensions="true")
    assert shown["status"] == "closed"
    assert shown["status_notes"] == GOOD_ANSWER
    assert shown["extended_attributes"]["channel"] == "open311"
    assert [n["type"] for n in shown["notes"]] == ["submit", "route", "accept", "start", "resolve"]
    assert shown["notes"][-1]["description"] == GOOD_ANSWER
    assert "Lê Văn An" not in json.dumps(shown, ensure_ascii=False)
    _, root = get_xml(client, f"requests/{report.tracking_code}", extensions="true")
    assert root.findtext("request/status") == "closed"
    assert root.findtext("request/extended_attributes/channel") == "open311"
    assert root.findtext("request/extended_attributes/duplicate") == "false"
    assert [n.findtext("type") for n in root.findall("request/notes/note")] == [
        "submit",
        "route",
        "accept",
        "start",
        "resolve",
    ]


@pytest.mark.django_db
def test_a_merged_report_names_its_original(client, submit, officer_a):
    original, duplicate = submit(), submit()
    report_services.report_merge(actor=officer_a, report=duplicate, into=original)
    _, [shown] = get_json(client, f"requests/{duplicate.tracking_code}", extensions="true")
    assert shown["status"] == "closed"
    assert shown["extended_attributes"]["duplicate"] is True
    assert shown["extended_attributes"]["parent_service_request_id"] == original.tracking_code
    _, updates = get_json(client, "servicerequestupdates")
    update = [u for u in updates if u["service_request_id"] == duplicate.tracking_code][-1]
    assert update["external_status_code"] == "DUPLICATE"


@pytest.mark.django_db
def test_a_wrong_method_is_400_in_the_spec_shape(client):
    response = client.delete(f"{BASE}/requests.json", **EN)
    assert response.status_code == 400
    assert json.loads(response.content) == [
        {"code": 400, "description": "This resource accepts only GET, POST."}
    ]
    response = client.post(f"{BASE}/services.xml", **EN)
    assert response.status_code == 400


def update_form(key, code, status, **extra):
    return {"api_key": key, "service_request_id": code, "status": status, **extra}


@pytest.mark.django_db
def test_department_system_reports_progress_through_the_workflow(
    client, ward_a_system, submit, process_photos
):
    key = ward_a_system[1]
    report = submit()
    response, body = post(
        client, "servicerequestupdates", update_form(key, report.tracking_code, "IN_PROGRESS",
                                                     description="Đã cử tổ vệ sinh đến.")
    )  # fmt: skip
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS
    assert body[0]["external_status_code"] == "IN_PROGRESS"
    assert body[0]["status"] == "open"
    # FIXED needs the same proof as in the workspace: a media_url is no proof.
    response, body = post(
        client,
        "servicerequestupdates",
        update_form(key, report.tracking_code, "FIXED", description=GOOD_ANSWER,
                    media_url="https://example.org/done.jpg"),
    )  # fmt: skip
    assert response.status_code == 400
    assert body == [
        {"code": 400, "description": "Attach at least one photo or document showing the result."}
    ]
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS
    response, root = post(
        client,
        "servicerequestupdates",
        update_form(key, report.tracking_code, "FIXED", description=GOOD_ANSWER,
                    media=photo_file()),
        fmt="xml",
    )  # fmt: skip
    assert response.status_code == 200
    assert root.findtext("request_update/external_status_code") == "FIXED"
    report.refresh_from_db()
    assert report.status == Status.RESOLVED
    assert report.answer == GOOD_ANSWER
    events = list(report.events.filter(action__in=["accept", "start", "resolve"]))
    assert [e.action for e in events] == ["accept", "start", "resolve"]
    assert {e.actor.display_name() for e in events} == {"Open311: Hệ thống một cửa Hoàn Kiếm"}
    process_photos()
    _, updates = get_json(client, "servicerequestupdates")
    mine = [u for u in updates if u["service_request_id"] == report.tracking_code]
    assert [u["external_status_code"] for u in mine] == [
        "FOR_TRIAGE",
        "FOR_TRIAGE",
        "ACTION_SCHEDULED",
        "IN_PROGRESS",
        "FIXED",
    ]
    assert mine[-1]["status"] == "closed"
    assert mine[-1]["description"] == GOOD_ANSWER
    proof = report.media.get(is_proof=True)
    assert mine[-1]["media_url"] == f"http://testserver/media-file/{proof.pk}/display/"
    assert mine[3]["description"] == "Đã cử tổ vệ sinh đến."
    # Resolving twice is a transition the workflow refuses.
    response, body = post(
        client, "servicerequestupdates", update_form(key, report.tracking_code, "FIXED",
                                                     description=GOOD_ANSWER, media=photo_file())
    )  # fmt: skip
    assert response.status_code == 400
    assert "not possible while the report is" in body[0]["description"]


@pytest.mark.django_db
def test_not_our_responsibility_returns_the_report_with_its_reason(
    client, ward_a_system, submit, office
):
    report = submit()
    key = ward_a_system[1]
    response, body = post(
        client,
        "servicerequestupdates",
        update_form(key, report.tracking_code, "NOT_COUNCILS_RESPONSIBILITY"),
    )
    assert response.status_code == 400
    assert body == [{"code": 400, "description": "A reason is required for this action."}]
    response, body = post(
        client,
        "servicerequestupdates",
        update_form(key, report.tracking_code, "NOT_COUNCILS_RESPONSIBILITY",
                    description="Thuộc thẩm quyền Sở Xây dựng."),
    )  # fmt: skip
    assert response.status_code == 200
    report.refresh_from_db()
    assert (report.status, report.agency) == (Status.RETURNED, office)


@pytest.mark.django_db
def test_updates_are_refused_to_other_agencies_and_to_unattached_clients(
    client, ward_a_system, newspaper, submit
):
    other = submit(lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1])
    response, body = post(
        client, "servicerequestupdates", update_form(ward_a_system[1], other.tracking_code, "FIXED")
    )
    assert response.status_code == 404
    mine = submit()
    response, body = post(
        client, "servicerequestupdates", update_form(newspaper[1], mine.tracking_code, "FIXED")
    )
    assert response.status_code == 403
    assert body[0]["description"] == "This API key may send reports but not progress updates."
    response, body = post(
        client, "servicerequestupdates", update_form("bad", mine.tracking_code, "FIXED")
    )
    assert response.status_code == 403
    response, body = post(
        client, "servicerequestupdates", update_form(ward_a_system[1], mine.tracking_code, "DONE")
    )
    assert response.status_code == 400
    assert body[0]["description"].startswith("Unknown or unsupported status “DONE”.")
    response, body = post(client, "servicerequestupdates", {"api_key": ward_a_system[1]})
    assert response.status_code == 400
    assert error_descriptions(body) == [
        "service_request_id is required.",
        "status is required.",
    ]
    assert ReportEvent.objects.filter(report__in=[mine, other]).count() == 4


@pytest.mark.django_db
def test_updates_filter_by_date_and_page(client, submit):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        first = submit()
    with time_machine.travel(start + timedelta(days=1), tick=False):
        second = submit()
    _, body = get_json(
        client, "servicerequestupdates", start_date=(start + timedelta(hours=1)).isoformat()
    )
    assert {u["service_request_id"] for u in body} == {second.tracking_code}
    _, body = get_json(
        client, "servicerequestupdates", end_date=(start + timedelta(hours=1)).isoformat()
    )
    assert {u["service_request_id"] for u in body} == {first.tracking_code}
    _, root = get_xml(client, "servicerequestupdates", page_size=1, page=2)
    [update] = root.findall("request_update")
    assert update.findtext("service_request_id") == first.tracking_code
    assert update.findtext("updated_datetime").endswith("+07:00")
    response, body = get_json(client, "servicerequestupdates", start_date="soon")
    assert response.status_code == 400
