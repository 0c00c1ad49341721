"""The proof gate: a report is resolved only with a real answer and a new photo or document."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from conftest import GOOD_ANSWER, photo_file
from reports.models import Media, Report, ReportEvent, ResponseTemplate
from reports.proof import check_answer
from reports.services import report_accept, report_resolve
from reports.workflow import Status

STOCK_ANSWER = "Đơn vị đã tiếp nhận và xử lý theo quy định. Xin cảm ơn."
TEMPLATE_BODY = (
    "UBND phường đã cử tổ công tác kiểm tra hiện trường, yêu cầu hộ kinh doanh tháo dỡ mái che "
    "lấn chiếm vỉa hè và cam kết không tái phạm."
)


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English (the source text); the UI shows their translation."""
    with translation.override("en"):
        yield


# --- check_answer alone (no database) -------------------------------------------------------


def test_a_concrete_answer_passes_the_gate():
    assert check_answer(f"  {GOOD_ANSWER}  ") == GOOD_ANSWER


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ("Đã xử lý xong.", "answer_too_short"),
        ("", "answer_too_short"),
        (STOCK_ANSWER, "answer_stock"),
        ("don vi da tiep nhan va xu ly theo quy dinh. xin cam on!", "answer_stock"),
        (
            "UBND phường đã chỉ đạo xử lý. Đã xử lý xong. Trân trọng cảm ơn người dân đã phản ánh.",
            "answer_stock",
        ),
        ("Ngày [...] tổ công tác đã đến ngõ 12 thu gom toàn bộ rác thải.", "answer_placeholder"),
        ("Ngày {ngay} tổ công tác đã đến ngõ 12 thu gom toàn bộ rác thải.", "answer_placeholder"),
        ("Ngày ____ tổ công tác đã đến ngõ 12 thu gom toàn bộ rác thải.", "answer_placeholder"),
    ],
    ids=[
        "short",
        "empty",
        "stock",
        "stock-unaccented",
        "stock-phrases-chained",
        "blank-brackets",
        "blank-braces",
        "blank-underscores",
    ],
)
def test_empty_answers_are_refused_with_a_reason(answer, code):
    with pytest.raises(ValidationError) as excinfo:
        check_answer(answer)
    assert excinfo.value.code == code


def test_unedited_template_is_refused_even_with_small_touches():
    with pytest.raises(ValidationError) as excinfo:
        check_answer(TEMPLATE_BODY.replace("UBND phường", "Ubnd phuong"), [TEMPLATE_BODY])
    assert excinfo.value.code == "answer_template"


def test_template_filled_in_with_the_facts_passes():
    answer = (
        "Sáng 12/3 tổ công tác phường đã tháo dỡ mái che tôn dài 6 m trước số nhà 45 Hàng Bạc, "
        "trả lại vỉa hè; chủ hộ đã ký biên bản cam kết."
    )
    assert check_answer(answer, [TEMPLATE_BODY]) == answer


# --- through report_resolve -----------------------------------------------------------------


def state(report: Report) -> dict:
    """Everything a refused resolution must leave as it was, re-read from the database."""
    stored = Report.objects.get(pk=report.pk)
    return {
        "status": stored.status,
        "answer": stored.answer,
        "resolution_count": stored.resolution_count,
        "resolved_at": stored.resolved_at,
        "due_at": stored.due_at,
        "events": ReportEvent.objects.filter(report=report).count(),
        "media": Media.objects.filter(report=report).count(),
    }


@pytest.fixture
def accepted(submit, officer_a):
    report = submit()
    report_accept(actor=officer_a, report=report)
    return report


def _refused(report, officer, *, answer=GOOD_ANSWER, files=None) -> ValidationError:
    before = state(report)
    media_before = Media.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        report_resolve(
            actor=officer,
            report=report,
            answer=answer,
            files=[photo_file()] if files is None else files,
        )
    assert state(report) == before
    assert Media.objects.count() == media_before
    return excinfo.value


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_password_hasher")
class TestResolveGate:
    def test_short_answer_is_refused(self, accepted, officer_a):
        error = _refused(accepted, officer_a, answer="Đã xử lý.")
        assert error.code == "answer_too_short"
        assert "too short" in error.messages[0]

    def test_stock_answer_is_refused(self, accepted, officer_a):
        error = _refused(accepted, officer_a, answer=STOCK_ANSWER)
        assert error.code == "answer_stock"
        assert "stock phrase" in error.messages[0]

    def test_unedited_response_template_is_refused(self, accepted, officer_a, waste):
        ResponseTemplate.objects.create(
            title="Lấn chiếm vỉa hè", body=TEMPLATE_BODY, category=waste
        )
        error = _refused(accepted, officer_a, answer=TEMPLATE_BODY)
        assert error.code == "answer_template"
        assert "template" in error.messages[0]

    def test_city_wide_template_applies_to_every_category(self, accepted, officer_a):
        ResponseTemplate.objects.create(title="Chung", body=TEMPLATE_BODY)
        assert _refused(accepted, officer_a, answer=TEMPLATE_BODY).code == "answer_template"

    def test_template_of_another_category_or_inactive_does_not_block(self, accepted, officer_a):
        from routing.models import Category

        other = Category.objects.get(code="trat-tu-do-thi")
        ResponseTemplate.objects.create(title="Khác", body=TEMPLATE_BODY, category=other)
        ResponseTemplate.objects.create(title="Cũ", body=TEMPLATE_BODY, is_active=False)
        report_resolve(actor=officer_a, report=accepted, answer=TEMPLATE_BODY, files=[photo_file()])
        assert Report.objects.get(pk=accepted.pk).status == Status.RESOLVED

    def test_template_with_a_blank_left_is_refused(self, accepted, officer_a, waste):
        body = "Ngày [...] tổ công tác phường đã đến hiện trường tại [địa chỉ] và thu gom rác thải."
        ResponseTemplate.objects.create(title="Thu gom", body=body, category=waste)
        error = _refused(accepted, officer_a, answer=body.replace("[địa chỉ]", "ngõ 12 Hàng Bạc"))
        assert error.code == "answer_placeholder"
        assert "[" in error.messages[0]

    def test_resolution_without_attachment_is_refused(self, accepted, officer_a):
        error = _refused(accepted, officer_a, files=[])
        assert error.code == "proof_missing"
        assert "photo or document" in error.messages[0]

    def test_photo_already_on_another_report_is_refused(self, submit, accepted, officer_a):
        old_photo = photo_file("old.jpg")
        submit(files=[old_photo])  # the same bytes, already stored on another report
        copy = SimpleUploadedFile(
            "ket-qua.jpg", old_photo.file.getvalue(), content_type="image/jpeg"
        )
        error = _refused(accepted, officer_a, files=[photo_file(), copy])
        assert error.code == "proof_reused"
        assert "ket-qua.jpg" in error.messages[0]
        assert "already been used" in error.messages[0]

    def test_residents_own_photo_is_no_proof(self, accepted, officer_a):
        evidence = Media.objects.get(report=accepted, is_proof=False)
        with evidence.file.open("rb") as fh:
            copy = SimpleUploadedFile("same.jpg", fh.read(), content_type="image/jpeg")
        assert _refused(accepted, officer_a, files=[copy]).code == "proof_reused"

    def test_video_is_not_accepted_as_proof(self, accepted, officer_a):
        video = SimpleUploadedFile(
            "clip.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64, content_type="video/mp4"
        )
        assert _refused(accepted, officer_a, files=[video]).code == "file_kind"

    def test_category_without_proof_requirement_resolves_without_attachment(
        self, accepted, officer_a, waste
    ):
        waste.proof_required = False
        waste.save(update_fields=["proof_required"])
        report_resolve(actor=officer_a, report=accepted, answer=GOOD_ANSWER)
        stored = Report.objects.get(pk=accepted.pk)
        assert stored.status == Status.RESOLVED
        assert stored.answer == GOOD_ANSWER
        assert not Media.objects.filter(report=accepted, is_proof=True).exists()

    def test_pdf_document_is_accepted_as_proof(self, accepted, officer_a):
        pdf = SimpleUploadedFile(
            "bien-ban.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"
        )
        report_resolve(actor=officer_a, report=accepted, answer=GOOD_ANSWER, files=[pdf])
        proof = Media.objects.get(report=accepted, is_proof=True)
        assert proof.kind == "document"
        assert proof.file.name.endswith(".pdf")
