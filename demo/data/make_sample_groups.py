"""Write residential_groups.sample.csv: SAMPLE residential groups for two demo wards.

The groups are invented for the demo (the city publishes no boundaries of its tổ dân phố):
Hoàn Kiếm (00070) is cut into a grid of six groups clipped to the ward's real boundary, and
Ba Đình (00004) gets four groups with streets but no boundary, so both ways of placing a
report in a group (by the point, by the resident's choice) show in the demo.

    .venv/bin/python manage.py shell -c "import runpy; runpy.run_path('demo/data/make_sample_groups.py')"
"""

import csv
import json
from pathlib import Path

from shapely.geometry import mapping, shape

from demo.seed.places import grid_parts
from units.models import AdministrativeUnit

OUT = Path(__file__).resolve().parent / "residential_groups.sample.csv"
HOAN_KIEM_STREETS = [
    "Hàng Bạc; Hàng Bè; Ngõ 12 Hàng Bạc",
    "Hàng Đào; Hàng Ngang; Hàng Đường",
    "Đinh Tiên Hoàng; Lê Thái Tổ",
    "Hàng Bài; Tràng Tiền; Ngô Quyền",
    "Lý Thái Tổ; Lê Lai",
    "Trần Hưng Đạo; Hai Bà Trưng",
]
BA_DINH_STREETS = [
    "Phan Đình Phùng; Quán Thánh",
    "Hoàng Hoa Thám; Ngõ 12 Hoàng Hoa Thám",
    "Đội Cấn; Liễu Giai",
    "Kim Mã; Ngõ 32 Kim Mã",
]


def rows():
    ward = AdministrativeUnit.objects.get(era="2025", code="00070")
    geom = shape(json.loads(ward.geometry))
    for n, part in enumerate(grid_parts(geom, cols=2, rows=3), start=1):
        yield {
            "ward_code": "00070",
            "code": f"00070-TDP{n:02d}",
            "name": f"Tổ dân phố số {n}",
            "kind": "to_dan_pho",
            "streets": HOAN_KIEM_STREETS[(n - 1) % len(HOAN_KIEM_STREETS)],
            "leader_name": f"Tổ trưởng số {n} (mẫu)",
            "leader_phone": f"02439{n:06d}"[:11],
            "boundary": json.dumps(mapping(part), separators=(",", ":")),
        }
    for k, streets in enumerate(BA_DINH_STREETS, start=1):
        yield {
            "ward_code": "00004",
            "code": f"00004-TDP{k:02d}",
            "name": f"Tổ dân phố số {k}",
            "kind": "to_dan_pho",
            "streets": streets,
            "leader_name": f"Tổ trưởng số {k} (mẫu)",
            "leader_phone": "",
            "boundary": "",
        }


with OUT.open("w", encoding="utf-8", newline="") as f:
    f.write("# SAMPLE DATA (dữ liệu mẫu) for the demo: invented residential groups of Hoàn Kiếm\n")
    f.write("# (00070) and Ba Đình (00004); not the wards' real tổ dân phố. Made by\n")
    f.write("# demo/data/make_sample_groups.py; loaded by seed_demo.\n")
    writer = csv.DictWriter(f, fieldnames=list(next(iter(rows())).keys()))
    writer.writeheader()
    for row in rows():
        writer.writerow(row)
print(OUT)
