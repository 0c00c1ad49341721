"""The public-service directory: loading files (idempotent, all or nothing), accent-insensitive
search on the page and in the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from procedures.models import Procedure

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample_procedures.json"
HEADER = "code,name,field,level,agency,processing_time,fees,papers,online_level,portal_url\n"
GOOD = "1.001193,Đăng ký khai sinh,Hộ tịch,commune,UBND cấp xã,Ngay trong ngày,Miễn phí,Tờ khai | Giấy chứng sinh,full,https://dichvucong.gov.vn/\n"

pytestmark = pytest.mark.django_db


def load(path) -> str:
    from io import StringIO

    out = StringIO()
    call_command("load_procedures", str(path), stdout=out)
    return out.getvalue()


def test_sample_file_loads_and_a_second_run_changes_nothing():
    first = load(SAMPLE)
    count = Procedure.objects.count()
    assert count >= 30 and Procedure.objects.filter(is_sample=False).count() == 0
    assert f"{count} mới" in first
    stamps = list(Procedure.objects.order_by("code").values_list("updated_at", flat=True))
    assert load(SAMPLE) == f"0 mới, 0 cập nhật, {count} không đổi.\n"
    assert list(Procedure.objects.order_by("code").values_list("updated_at", flat=True)) == stamps


def test_csv_with_a_bad_line_is_named_and_nothing_is_applied(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(HEADER + GOOD, encoding="utf-8")
    load(good)
    changed = GOOD.replace("Miễn phí", "10.000 đồng")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER
        + changed
        + "2.000001,Cấp phép,Xây dựng,district,Sở Xây dựng,15 ngày,0,,full,http://x\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as caught:
        load(bad)
    message = str(caught.value)
    assert "dòng 3 (2.000001)" in message and "level" in message and "portal_url" in message
    # The good line of the bad file was not applied either.
    assert Procedure.objects.get(code="1.001193").fees == "Miễn phí"
    assert not Procedure.objects.filter(code="2.000001").exists()


def test_json_record_without_a_name_is_named_by_position_and_code(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"procedures": [{"code": "X.1", "level": "city"}]}', encoding="utf-8")
    with pytest.raises(CommandError, match=r"bản ghi 1 \(X.1\)"):
        load(bad)
    broken = tmp_path / "broken.json"
    broken.write_text('{"procedures": [\n{"code": "X.1",,}]}', encoding="utf-8")
    with pytest.raises(CommandError, match="dòng 2"):
        load(broken)
    assert Procedure.objects.count() == 0


def test_search_ignores_accents_and_browses_by_field(client):
    load(SAMPLE)
    response = client.get("/thu-tuc/", {"q": "dang ky KHAI SINH"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Đăng ký khai sinh" in text and "Đăng ký kết hôn" not in text
    assert "Dữ liệu mẫu" in text or "Sample data" in text
    response = client.get("/thu-tuc/", {"field": "Chứng thực"})
    assert "Chứng thực chữ ký trong giấy tờ, văn bản" in response.content.decode()
    assert "Đăng ký khai sinh" not in response.content.decode()
    detail = client.get("/thu-tuc/MAU-HT-001/")
    assert "Giấy chứng sinh" in detail.content.decode()


def test_api_searches_in_the_paging_envelope(client):
    load(SAMPLE)
    body = client.get("/api/procedures", {"q": "chung thuc ban sao"}).json()
    assert body["page"] == 1 and body["pages"] == 1
    names = [p["name"] for p in body["items"]]
    assert body["count"] == len(names) >= 2
    assert all("bản sao" in n for n in names)
    assert body["items"][0]["papers"] and body["items"][0]["is_sample"] is True
