"""The workspace report page: who may open it, what staff see on it (the full timeline, the
reporter's contact, deadlines, the pending extension) and which actions each one is offered."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from conftest import BA_DINH_SQUARE
from reports.models import Report, ResponseTemplate
from reports.services import report_accept, report_assign, report_request_extension
from routing.models import Category

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
TUESDAY_9AM = datetime(2026, 3, 10, 9, 0, tzinfo=HANOI)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TUESDAY_9AM, tick=False) as traveller:
        yield traveller


@pytest.fixture
def report(submit) -> Report:
    return submit(address="Ngõ 12 Hàng Bạc")


def page_url(report: Report, query: str = "") -> str:
    return reverse("workspace:report", args=[report.tracking_code]) + query


def action_url(report: Report, action: str) -> str:
    return reverse("workspace:report_action", args=[report.tracking_code, action])


def open_page(client, user, report, query: str = "") -> str:
    client.force_login(user)
    response = client.get(page_url(report, query))
    assert response.status_code == 200
    return response.content.decode()


def test_officer_of_the_unit_sees_the_whole_report(client, report, officer_a, leader_a):
    report_assign(actor=leader_a, report=report, assignee=officer_a)
    body = open_page(client, officer_a, report)
    assert "<h1>Rác thải tràn ra vỉa hè</h1>" in body
    assert "Rác tồn đọng nhiều ngày ở đầu ngõ, bốc mùi hôi." in body
    assert "Rác thải, vệ sinh môi trường" in body
    assert "Phường Hoàn Kiếm" in body
    assert "Ngõ 12 Hàng Bạc" in body
    assert 'href="/ban-do/?lat=21.028500&amp;lon=105.852200&amp;zoom=17"' in body
    assert 'data-status="routed"' in body
    # Routed at 9:00 on Tuesday: accept and resolve deadlines in working hours (8:00-17:00).
    assert "Còn 8 giờ 0 phút" in body
    assert "<dt>Hạn tiếp nhận</dt><dd>17:00 10/03/2026</dd>" in body
    assert ">15:00 12/03/2026</time>" in body
    # The reporter's name and phone, to call her back.
    assert 'Nguyễn Thị Alice · <a href="tel:+84912345678">+84912345678</a>' in body
    assert '<dd class="assignee">Lê Văn An</dd>' in body
    # The resident's photo (still being processed in this test).
    assert "Ảnh đang được xử lý" in body
    # The internal event (the assignment) is on the staff timeline, marked as internal.
    assert 'Đã phân công</strong> <span class="tag-internal">nội bộ</span>' in body
    assert "Hoàng Minh Đức (UBND Phường Hoàn Kiếm)" in body
    assert reverse("workspace:inbox") in body


def test_officer_is_offered_accept_and_take_it_but_not_reroute(client, report, officer_a):
    body = open_page(client, officer_a, report)
    assert action_url(report, "accept") in body
    assert "Tôi nhận xử lý" in body
    assert action_url(report, "transfer") in body
    assert action_url(report, "return") in body
    assert action_url(report, "reroute") not in body
    assert action_url(report, "resolve") not in body  # not before it is accepted


def test_accepted_report_offers_resolve_with_the_units_templates(
    client, report, officer_a, ward_a, ward_b
):
    waste = report.category
    other = Category.objects.exclude(pk=waste.pk).first()
    ResponseTemplate.objects.create(title="Mẫu chung W2", body="Chung")
    ResponseTemplate.objects.create(title="Mẫu rác W2", body="Rác", category=waste)
    ResponseTemplate.objects.create(title="Mẫu phường A W2", body="A", agency=ward_a)
    ResponseTemplate.objects.create(title="Mẫu lĩnh vực khác W2", body="X", category=other)
    ResponseTemplate.objects.create(title="Mẫu phường B W2", body="B", agency=ward_b)
    ResponseTemplate.objects.create(title="Mẫu cũ W2", body="C", is_active=False)
    report_accept(actor=officer_a, report=report)
    body = open_page(client, officer_a, report)
    assert 'enctype="multipart/form-data"' in body
    assert action_url(report, "resolve") in body
    assert action_url(report, "start") in body
    assert action_url(report, "request_extension") in body
    for shown in ("Mẫu chung W2", "Mẫu rác W2", "Mẫu phường A W2"):
        assert shown in body
    for hidden in ("Mẫu lĩnh vực khác W2", "Mẫu phường B W2", "Mẫu cũ W2"):
        assert hidden not in body


def test_response_template_endpoint_returns_the_answer_field_with_its_text(client, officer_a):
    template = ResponseTemplate.objects.create(title="Thu gom", body="Đã thu gom [khối lượng].")
    client.force_login(officer_a)
    response = client.get(reverse("workspace:response_template", args=[template.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert body.startswith('<div id="resolve-answer">')
    assert ">\nĐã thu gom [khối lượng].</textarea>" in body
    assert 'name="answer"' in body and 'id="id_resolve_answer"' in body


def test_response_template_endpoint_is_staff_only(client, alice):
    template = ResponseTemplate.objects.create(title="Thu gom", body="Đã thu gom.")
    url = reverse("workspace:response_template", args=[template.pk])
    assert client.get(url).status_code == 302
    client.force_login(alice)
    assert client.get(url).status_code == 404


def test_without_javascript_the_template_picker_fills_the_answer(client, report, officer_a):
    template = ResponseTemplate.objects.create(title="Thu gom", body="Đã thu gom [khối lượng].")
    report_accept(actor=officer_a, report=report)
    body = open_page(client, officer_a, report, f"?template={template.pk}")
    assert ">\nĐã thu gom [khối lượng].</textarea>" in body


def test_leader_sees_the_pending_extension_with_grant_and_refuse(
    client, report, officer_a, leader_a
):
    report_accept(actor=officer_a, report=report)
    report = Report.objects.get(pk=report.pk)
    until = report.resolve_due_at + timedelta(days=2)
    request = report_request_extension(
        actor=officer_a, report=report, until=until, reason="Chờ xe cẩu"
    )
    body = open_page(client, leader_a, report)
    local = until.astimezone(HANOI).strftime("%H:%M %d/%m/%Y")
    assert f"Lê Văn An đề nghị lùi hạn đến {local}." in body
    assert "Chờ xe cẩu" in body
    assert reverse("workspace:extension_decide", args=[request.pk]) in body
    assert "Đồng ý gia hạn" in body and "Từ chối gia hạn" in body
    # The request is on the timeline with its date; no second request can be made.
    assert f"Hạn mới: {local}" in body
    assert action_url(report, "request_extension") not in body


def test_coordinator_sees_reroute_and_the_reporter(client, report, coordinator):
    body = open_page(client, coordinator, report)
    assert action_url(report, "reroute") in body
    assert action_url(report, "accept") not in body
    assert "+84912345678" in body
    assert reverse("workspace:coordinator_queue") in body


def test_city_leader_reads_the_page_without_actions_or_the_reporters_phone(
    client, report, city_leader
):
    body = open_page(client, city_leader, report)
    assert "Rác thải tràn ra vỉa hè" in body
    assert "Chỉ xem: hiện bạn không có thao tác nào với phản ánh này." in body
    assert "/thao-tac/" not in body
    assert "+84912345678" not in body
    assert "Nguyễn Thị Alice" not in body


def test_officer_of_another_ward_gets_404_even_on_a_public_report(client, report, officer_b):
    assert report.is_public
    client.force_login(officer_b)
    assert client.get(page_url(report)).status_code == 404


def test_officer_of_ward_b_sees_ward_b_reports(client, submit, officer_b):
    report = submit(lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1])
    body = open_page(client, officer_b, report)
    assert action_url(report, "accept") in body


def test_missing_report_is_404(client, officer_a):
    client.force_login(officer_a)
    assert client.get(reverse("workspace:report", args=["PA-2026-999999"])).status_code == 404


def test_residents_get_404_even_the_reporter(client, report, alice, bob):
    for resident in (alice, bob):
        client.force_login(resident)
        assert client.get(page_url(report)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, report):
    response = client.get(page_url(report))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={page_url(report)}"


def test_leader_assigns_from_the_units_staff_only(
    client, report, leader_a, officer_a, officer_a2, officer_b
):
    body = open_page(client, leader_a, report)
    select = body[
        body.index('<select name="assignee"') : body.index(
            "</select>", body.index('<select name="assignee"')
        )
    ]
    for name in ("Lê Văn An", "Phạm Thị Hoa", "Hoàng Minh Đức"):
        assert name in select
    assert "Charlie Võ" not in select
    assert "Tôi nhận xử lý" not in body  # the leader picks himself from the list
