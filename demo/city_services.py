"""The demo's city services: the sample procedures, a few dossiers of one demo resident (through
the same adapter as the procedure system's export), and news written, reviewed and published
by the demo staff through the news services. All of it SAMPLE data, said so in its text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from accounts.models import User
from dossiers.services import dossiers_sync, parse_batch
from news.models import Article
from news.services import article_create, article_transition
from procedures.services import procedures_load
from units.models import Agency

SAMPLE_PROCEDURES = (
    Path(__file__).resolve().parents[1] / "procedures" / "data" / "sample_procedures.json"
)
# Dossier codes of the demo: MAU- (mẫu, sample) so that nobody takes them for real ones.
DOSSIER_PREFIX = "MAU-HS-"
SAMPLE_NOTE = "Bài mẫu của bản demo, không phải thông báo thật."


@dataclass(frozen=True)
class Seeded:
    procedures: str
    dossiers: str
    articles: int
    dossier_code: str = ""
    phone_last4: str = ""


def _dossiers(now: datetime, phone: str, agency_code: str) -> list[dict]:
    """Four dossiers at different points: on time in progress, late in progress, finished on
    time, and waiting for papers."""

    def at(days: float) -> str:
        return (now + timedelta(days=days)).isoformat()

    def step(days: float, status: str, unit: str, note: str = "") -> dict:
        return {"at": at(days), "status": status, "unit": unit, "note": note}

    def dossier(n: int, procedure: str, received: float, due: float, status: str, steps):
        return {
            "code": f"{DOSSIER_PREFIX}{n:04d}",
            "procedure_code": procedure,
            "agency_code": agency_code,
            "applicant_phone": phone,
            "received_at": at(received),
            "due_at": at(due),
            "status": status,
            "steps": steps,
        }

    one_stop = "Bộ phận tiếp nhận và trả kết quả"
    civil = "Công chức tư pháp - hộ tịch"
    return [
        dossier(
            1,
            "MAU-HT-001",
            -1,
            2,
            "in_progress",
            [step(-1, "received", one_stop), step(-0.5, "in_progress", civil, "Đang thẩm định")],
        ),
        dossier(
            2,
            "MAU-HT-002",
            -9,
            -2,
            "in_progress",
            [step(-9, "received", one_stop), step(-8, "in_progress", "Công chức địa chính")],
        ),
        dossier(
            3,
            "MAU-HT-001",
            -20,
            -17,
            "returned",
            [
                step(-20, "received", one_stop),
                step(-19, "in_progress", civil),
                step(-18, "completed", civil, "Đã có kết quả"),
                step(-17.5, "returned", one_stop, "Đã trả kết quả cho người nộp"),
            ],
        ),
        dossier(
            4,
            "MAU-HT-002",
            -3,
            4,
            "supplement",
            [
                step(-3, "received", one_stop),
                step(-2, "supplement", one_stop, "Cần bổ sung bản sao giấy tờ tùy thân"),
            ],
        ),
    ]


def _article(author: User, reviewer: User, **fields) -> None:
    article = article_create(actor=author, **fields)
    article_transition(actor=author, article=article, action="submit")
    article_transition(actor=reviewer, article=article, action="approve")


def _news(users: dict[str, User], ward_id: int | None) -> int:
    """Three published articles, each written by one account and approved by another (the
    review rule holds for the demo too). Skipped when the demo news already exist."""
    if Article.objects.filter(summary__endswith=SAMPLE_NOTE).exists():
        return 0
    coordinator, city_leader = users.get("dieuphoi.1"), users.get("lanhdaothanhpho")
    officer, ward_leader = users.get("canbo.ubnd-00070.1"), users.get("lanhdao.ubnd-00070")
    made = 0
    if coordinator and city_leader:
        _article(
            coordinator,
            city_leader,
            title="Phản ánh hiện trường: gửi kèm ảnh và vị trí để được xử lý nhanh",
            summary="Hướng dẫn gửi phản ánh đúng cách. " + SAMPLE_NOTE,
            body="<p>Khi gửi phản ánh, hãy <strong>chụp ảnh rõ</strong> và ghim đúng vị trí "
            "trên bản đồ. Phản ánh được chuyển thẳng đến đơn vị có trách nhiệm.</p>",
            whole_city=True,
        )
        made += 1
    if officer and ward_leader and ward_id is not None:
        _article(
            officer,
            ward_leader,
            title="Lịch thu gom rác cồng kềnh tháng này",
            summary="Phường thu gom đồ cồng kềnh tại các điểm tập kết. " + SAMPLE_NOTE,
            body="<p>Người dân đưa đồ cồng kềnh ra điểm tập kết <em>từ 18 giờ đến 21 giờ</em> "
            "ngày thu gom. Không để đồ trên vỉa hè ngoài giờ này.</p>",
            ward_ids=[ward_id],
        )
        _article(
            officer,
            ward_leader,
            title="Tạm cấm đỗ xe quanh hồ để sửa vỉa hè",
            summary="Thông báo quan trọng cho người dân trong phường. " + SAMPLE_NOTE,
            body="<p>Từ tuần sau, một số đoạn vỉa hè quanh hồ được sửa chữa. "
            "Xin không đỗ xe tại các đoạn có rào chắn.</p>",
            ward_ids=[ward_id],
            important=True,
        )
        made += 2
    return made


def seed_city_services(*, now: datetime, resident: User | None) -> Seeded:
    """Load the sample procedures, sync the demo resident's dossiers, publish the demo news."""
    loaded = procedures_load(path=SAMPLE_PROCEDURES)
    procedures = f"{loaded.created} created, {loaded.updated} updated, {loaded.unchanged} unchanged"
    committee = Agency.objects.filter(code="ubnd-00070").first()
    dossiers, code, last4 = "none (no resident with a phone)", "", ""
    if resident is not None and resident.phone and committee is not None:
        result = dossiers_sync(
            records=parse_batch({"dossiers": _dossiers(now, resident.phone, committee.code)})
        )
        dossiers = f"{result.created} created, {result.updated} updated"
        code, last4 = f"{DOSSIER_PREFIX}0001", resident.phone[-4:]
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=(
                "dieuphoi.1",
                "lanhdaothanhpho",
                "canbo.ubnd-00070.1",
                "lanhdao.ubnd-00070",
            )
        )
    }
    articles = _news(users, committee.unit_id if committee else None)
    return Seeded(procedures, dossiers, articles, code, last4)
