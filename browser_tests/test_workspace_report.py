"""The workspace report page in real Chromium, in Vietnamese: an officer accepts and resolves a
report with a proof photo without a page reload; an unedited response template is refused and
the text stays; an officer of another ward gets the 404 page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import BA_DINH_SQUARE, GOOD_ANSWER, photo_file
from reports.models import Media, Report, ResponseTemplate
from reports.services import report_accept
from reports.workflow import Status

from .conftest import SCREENSHOTS, assert_accessible, open_page, sign_in

TEMPLATE_TEXT = (
    "Tổ công tác của phường đã kiểm tra hiện trường, thu gom toàn bộ rác thải và vệ sinh "
    "lại khu vực theo đúng quy trình."
)


def proof_upload(name: str = "sau-khi-xu-ly.jpg") -> dict:
    """A fresh JPEG for the file input (never seen before, so not a 'reused' proof)."""
    return {"name": name, "mimeType": "image/jpeg", "buffer": photo_file(name).read()}


def report_url(report: Report) -> str:
    return f"/can-bo/phan-anh/{report.tracking_code}/"


@pytest.fixture
def report(submit, live_server) -> Report:
    return submit(title="Rác thải tràn ra vỉa hè ngõ 12", address="Ngõ 12 Hàng Bạc")


def test_officer_accepts_and_resolves_with_a_proof_photo_without_reload(
    report, officer_a, live_server
):
    upload = proof_upload()
    with open_page() as page:
        sign_in(page, live_server.url, "officer_a", report_url(report))
        page.get_by_role("heading", name="Rác thải tràn ra vỉa hè ngõ 12").wait_for()
        assert_accessible(page)
        # A marker that only survives if the page is never reloaded.
        page.evaluate("window.__stillTheSamePage = true")

        page.get_by_role("button", name="Tiếp nhận", exact=True).click()
        page.locator('[data-status="accepted"]').wait_for()
        expect(page.get_by_role("status")).to_contain_text("Đã tiếp nhận phản ánh.")

        page.get_by_label("Trả lời người dân").fill(GOOD_ANSWER)
        page.get_by_label("Minh chứng: ảnh hoặc tài liệu về kết quả").set_input_files(upload)
        page.get_by_role("button", name="Hoàn thành và gửi trả lời").click()
        page.locator('[data-status="resolved"]').wait_for()
        expect(page.locator(".report-state .badge")).to_have_text("Đã xử lý")
        expect(page.locator("ol.timeline")).to_contain_text(GOOD_ANSWER[:40])
        assert page.evaluate("window.__stillTheSamePage") is True
        page.screenshot(path=str(SCREENSHOTS / "workspace_report_resolved_vi.png"), full_page=True)
        assert_accessible(page)
    report.refresh_from_db()
    assert report.status == Status.RESOLVED
    assert report.answer == GOOD_ANSWER
    proof = Media.objects.get(report=report, is_proof=True)
    assert (proof.kind, proof.uploaded_by) == ("photo", officer_a)


def test_unedited_template_is_refused_and_the_text_stays(report, officer_a, live_server):
    ResponseTemplate.objects.create(title="Thu gom rác (W2)", body=TEMPLATE_TEXT)
    report_accept(actor=officer_a, report=report)
    upload = proof_upload()
    with open_page(width=1280, height=900) as page:
        sign_in(page, live_server.url, "officer_a", report_url(report))
        page.get_by_role("heading", name="Rác thải tràn ra vỉa hè ngõ 12").wait_for()
        page.evaluate("window.__stillTheSamePage = true")
        answer = page.get_by_label("Trả lời người dân")
        page.get_by_label("Mẫu trả lời").select_option(label="Thu gom rác (W2)")
        expect(answer).to_have_value(TEMPLATE_TEXT)

        page.get_by_label("Minh chứng: ảnh hoặc tài liệu về kết quả").set_input_files(upload)
        page.get_by_role("button", name="Hoàn thành và gửi trả lời").click()
        alert = page.locator(".field-errors[role=alert]")
        alert.wait_for()
        expect(alert).to_have_text(
            "Nội dung trả lời là mẫu chưa được chỉnh sửa. Hãy viết rõ kết quả thực tế đã làm."
        )
        expect(page.get_by_label("Trả lời người dân")).to_have_value(TEMPLATE_TEXT)
        expect(page.locator(".report-state .badge")).to_have_text("Đã tiếp nhận")
        assert page.evaluate("window.__stillTheSamePage") is True
        page.screenshot(
            path=str(SCREENSHOTS / "workspace_report_template_refused_vi.png"), full_page=True
        )
        assert_accessible(page)
    report.refresh_from_db()
    assert report.status == Status.ACCEPTED
    assert not Media.objects.filter(report=report, is_proof=True).exists()


def test_officer_of_ward_a_gets_404_on_a_ward_b_report(submit, officer_a, live_server):
    ward_b_report = submit(
        title="Cây đổ ở phố Phan Đình Phùng", lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1]
    )
    with open_page() as page:
        sign_in(page, live_server.url, "officer_a", "/")
        response = page.goto(f"{live_server.url}{report_url(ward_b_report)}")
        assert response is not None and response.status == 404
        assert "Cây đổ ở phố Phan Đình Phùng" not in page.content()
