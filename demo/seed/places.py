"""Demo places: streets of Hanoi's 2025 urban wards, villages of its communes, and the way a
resident names a place ("ngõ 45 Phố Huế", "đường trục xã đoạn qua thôn Đông")."""

from __future__ import annotations

import random

# Streets of the 2025 urban wards (by ward name); others fall back to generic places.
WARD_STREETS: dict[str, list[str]] = {
    "Hoàn Kiếm": [
        "Hàng Bài",
        "Hàng Bạc",
        "Hàng Đào",
        "Đinh Tiên Hoàng",
        "Lê Thái Tổ",
        "Hàng Gai",
        "Tràng Tiền",
        "Lý Thái Tổ",
        "Hàng Mã",
        "Hàng Buồm",
        "Hàng Chiếu",
    ],
    "Cửa Nam": [
        "Lý Thường Kiệt",
        "Quán Sứ",
        "Trần Hưng Đạo",
        "Hàng Bông",
        "Lê Duẩn",
        "Phan Bội Châu",
        "Thợ Nhuộm",
        "Hai Bà Trưng",
        "Điện Biên Phủ",
    ],
    "Ba Đình": [
        "Phan Đình Phùng",
        "Hoàng Diệu",
        "Quán Thánh",
        "Hùng Vương",
        "Trúc Bạch",
        "Hàng Bún",
        "Nguyễn Trường Tộ",
        "Hòe Nhai",
    ],
    "Ngọc Hà": [
        "Đội Cấn",
        "Ngọc Hà",
        "Liễu Giai",
        "Văn Cao",
        "Đào Tấn",
        "Hoàng Hoa Thám",
        "Vĩnh Phúc",
    ],
    "Giảng Võ": [
        "Giảng Võ",
        "Kim Mã",
        "Nguyễn Chí Thanh",
        "Cát Linh",
        "Ngọc Khánh",
        "Núi Trúc",
        "Vạn Bảo",
        "Thành Công",
    ],
    "Văn Miếu - Quốc Tử Giám": [
        "Tôn Đức Thắng",
        "Quốc Tử Giám",
        "Nguyễn Thái Học",
        "Văn Miếu",
        "Khâm Thiên",
        "Lê Duẩn",
        "Hàng Bột",
    ],
    "Ô Chợ Dừa": [
        "Xã Đàn",
        "Đê La Thành",
        "Hoàng Cầu",
        "La Thành",
        "Khâm Thiên",
        "Nguyễn Lương Bằng",
        "Hào Nam",
    ],
    "Đống Đa": [
        "Thái Hà",
        "Chùa Bộc",
        "Tây Sơn",
        "Đặng Tiến Đông",
        "Thái Thịnh",
        "Yên Lãng",
        "Thịnh Quang",
    ],
    "Láng": [
        "Đường Láng",
        "Láng Hạ",
        "Huỳnh Thúc Kháng",
        "Pháo Đài Láng",
        "Nguyễn Chí Thanh",
        "Chùa Láng",
    ],
    "Kim Liên": [
        "Phạm Ngọc Thạch",
        "Lương Định Của",
        "Đào Duy Anh",
        "Trung Tự",
        "Xã Đàn",
        "Đông Tác",
    ],
    "Hai Bà Trưng": [
        "Phố Huế",
        "Lò Đúc",
        "Bà Triệu",
        "Trần Khát Chân",
        "Nguyễn Du",
        "Hàn Thuyên",
        "Lê Đại Hành",
        "Tô Hiến Thành",
    ],
    "Bạch Mai": [
        "Bạch Mai",
        "Đại La",
        "Minh Khai",
        "Trần Đại Nghĩa",
        "Giải Phóng",
        "Lê Thanh Nghị",
        "Phố Vọng",
    ],
    "Vĩnh Tuy": ["Minh Khai", "Vĩnh Tuy", "Kim Ngưu", "Nguyễn Khoái", "Lạc Trung", "Thanh Lương"],
    "Tương Mai": ["Trương Định", "Tân Mai", "Tương Mai", "Giáp Bát", "Kim Đồng", "Nguyễn An Ninh"],
    "Phương Liệt": [
        "Giải Phóng",
        "Trường Chinh",
        "Phương Mai",
        "Lê Trọng Tấn",
        "Phố Vọng",
        "Đường Láng",
    ],
    "Khương Đình": [
        "Khương Đình",
        "Nguyễn Trãi",
        "Khương Trung",
        "Vũ Tông Phan",
        "Bùi Xương Trạch",
        "Khương Hạ",
    ],
    "Thanh Xuân": [
        "Nguyễn Trãi",
        "Khuất Duy Tiến",
        "Nguyễn Tuân",
        "Lê Văn Lương",
        "Nguyễn Huy Tưởng",
        "Vũ Trọng Phụng",
        "Lê Văn Thiêm",
        "Hoàng Minh Giám",
    ],
    "Cầu Giấy": [
        "Cầu Giấy",
        "Xuân Thủy",
        "Trần Thái Tông",
        "Dịch Vọng Hậu",
        "Duy Tân",
        "Hồ Tùng Mậu",
        "Tô Hiệu",
    ],
    "Yên Hòa": [
        "Trung Kính",
        "Nguyễn Khang",
        "Yên Hòa",
        "Trần Duy Hưng",
        "Nguyễn Thị Định",
        "Mạc Thái Tổ",
        "Vũ Phạm Hàm",
    ],
    "Nghĩa Đô": [
        "Hoàng Quốc Việt",
        "Nghĩa Đô",
        "Nguyễn Văn Huyên",
        "Hoàng Sâm",
        "Nguyễn Khánh Toàn",
        "Trần Cung",
        "Nguyễn Đình Hoàn",
    ],
    "Hoàng Liệt": [
        "Nguyễn Hữu Thọ",
        "Linh Đàm",
        "Giải Phóng",
        "Nguyễn Xiển",
        "Bằng Liệt",
        "Vành đai 3",
    ],
    "Định Công": ["Định Công", "Kim Giang", "Định Công Hạ", "Giải Phóng", "Định Công Thượng"],
    "Hoàng Mai": ["Tam Trinh", "Hoàng Mai", "Mai Động", "Lĩnh Nam", "Nguyễn Tam Trinh"],
    "Vĩnh Hưng": ["Vĩnh Hưng", "Lĩnh Nam", "Thanh Đàm", "Đông Thiên", "Kim Ngưu"],
    "Lĩnh Nam": ["Lĩnh Nam", "Tam Trinh", "Nam Dư", "Yên Duyên", "Nguyễn Khoái"],
    "Yên Sở": ["Yên Sở", "Tam Trinh", "Pháp Vân", "Yên Duyên", "Vành đai 3"],
    "Thanh Liệt": ["Nguyễn Xiển", "Kim Giang", "Nghiêm Xuân Yêm", "Phan Trọng Tuệ", "Tả Thanh Oai"],
    "Tây Hồ": [
        "Lạc Long Quân",
        "Âu Cơ",
        "Xuân Diệu",
        "Tô Ngọc Vân",
        "Quảng An",
        "Đặng Thai Mai",
        "Thụy Khuê",
    ],
    "Phú Thượng": ["An Dương Vương", "Phú Thượng", "Âu Cơ", "Võ Chí Công", "Phú Xá"],
    "Hồng Hà": ["Bạch Đằng", "Hồng Hà", "Chương Dương Độ", "Yên Phụ", "Nghi Tàm", "Phúc Xá"],
    "Long Biên": [
        "Nguyễn Văn Cừ",
        "Ngọc Lâm",
        "Ngọc Thụy",
        "Nguyễn Sơn",
        "Long Biên 2",
        "Hồng Tiến",
    ],
    "Bồ Đề": ["Nguyễn Văn Cừ", "Bồ Đề", "Ngọc Lâm", "Nguyễn Sơn", "Lâm Du", "Gia Quất"],
    "Việt Hưng": [
        "Nguyễn Văn Linh",
        "Việt Hưng",
        "Vũ Xuân Thiều",
        "Đoàn Khuê",
        "Ngô Gia Tự",
        "Hoa Lâm",
    ],
    "Phúc Lợi": ["Phúc Lợi", "Nguyễn Văn Linh", "Cổ Linh", "Vũ Xuân Thiều", "Thạch Bàn"],
    "Xuân Đỉnh": ["Xuân Đỉnh", "Phạm Văn Đồng", "Tân Xuân", "Xuân La", "Võ Chí Công"],
    "Đông Ngạc": ["Đông Ngạc", "Phạm Văn Đồng", "Thụy Phương", "Đức Thắng", "Trần Cung"],
    "Thượng Cát": ["Thượng Cát", "Liên Mạc", "Đường 70", "Tân Phong"],
    "Phú Diễn": ["Phú Diễn", "Cầu Diễn", "Hồ Tùng Mậu", "Phúc Diễn", "Kiều Mai"],
    "Tây Tựu": ["Tây Tựu", "Văn Tiến Dũng", "Phú Minh", "Đường 70"],
    "Từ Liêm": ["Lê Đức Thọ", "Mỹ Đình", "Nguyễn Hoàng", "Hàm Nghi", "Lê Quang Đạo", "Đình Thôn"],
    "Xuân Phương": ["Xuân Phương", "Trịnh Văn Bô", "Phương Canh", "Đường 70"],
    "Tây Mỗ": ["Tây Mỗ", "Đại lộ Thăng Long", "Hữu Hưng", "Miếu Đầm"],
    "Đại Mỗ": ["Đại Mỗ", "Ngọc Trục", "Tố Hữu", "Cương Kiên"],
    "Hà Đông": ["Quang Trung", "Trần Phú", "Tô Hiệu", "Bà Triệu", "Lê Lợi", "Nguyễn Viết Xuân"],
    "Dương Nội": ["Tố Hữu", "Lê Trọng Tấn", "Dương Nội", "Nguyễn Thanh Bình", "Phú Lãm"],
    "Kiến Hưng": ["Phúc La", "Văn Phú", "Kiến Hưng", "Lê Trọng Tấn", "Văn Khê"],
    "Phú Lương": ["Phú Lương", "Quốc lộ 21B", "Văn La", "Thanh Lãm"],
    "Yên Nghĩa": ["Quang Trung", "Yên Nghĩa", "Đồng Mai", "Ba La"],
    "Sơn Tây": ["Lê Lợi", "Phó Đức Chính", "Ngô Quyền", "Chùa Thông", "Lê Lai", "Quang Trung"],
    "Tùng Thiện": ["Quang Trung", "Đường Lâm", "Xuân Khanh", "Tỉnh lộ 414"],
    "Chương Mỹ": ["Quốc lộ 6", "Hòa Sơn", "Bình Sơn", "Chúc Sơn"],
}
VILLAGES = [
    "thôn Đông",
    "thôn Đoài",
    "thôn Trung",
    "thôn Thượng",
    "thôn Hạ",
    "thôn Nam",
    "thôn Bắc",
    "xóm Chợ",
    "xóm Mới",
    "xóm Đình",
    "thôn Cầu",
    "thôn Chùa",
    "xóm Giữa",
]


def place_in(ward_name: str, is_urban: bool, rng: random.Random) -> str:
    """A place as a resident names it: "ngõ 45 Phố Huế", "đường trục xã đoạn qua thôn Đông"."""
    streets = WARD_STREETS.get(ward_name)
    if streets is None and is_urban:
        streets = [f"Phố {ward_name}", f"Đường {ward_name}"]
    if streets is not None:
        street = rng.choice(streets)
        n = rng.randrange(2, 320)
        form = rng.random()
        if form < 0.28:
            return f"ngõ {n} {street}"
        if form < 0.40:
            return f"ngõ {n}/{rng.randrange(2, 60)} {street}"
        if form < 0.62:
            return f"số {n} {street}"
        if form < 0.74:
            return f"trước số nhà {n} {street}"
        if form < 0.84 and len(streets) > 1:
            other = rng.choice([s for s in streets if s != street])
            return f"ngã tư {street} – {other}"
        if form < 0.92:
            return f"vỉa hè {street} đoạn trước số {n}"
        return f"cổng chợ {ward_name}" if rng.random() < 0.5 else f"cổng trường THCS {ward_name}"
    village = rng.choice(VILLAGES)
    form = rng.random()
    if form < 0.3:
        return f"số nhà {rng.randrange(2, 200)}, {village}"
    if form < 0.55:
        return f"đường trục xã đoạn qua {village}"
    if form < 0.7:
        other = rng.choice([v for v in VILLAGES if v != village])
        return f"đường liên thôn từ {village} đi {other}"
    if form < 0.82:
        return f"cổng chợ {ward_name}"
    if form < 0.92:
        return f"gần nhà văn hóa {village}"
    return f"cổng trường tiểu học {ward_name}"


def grid_parts(geom, cols: int, rows: int):
    """A ward's boundary cut by a cols × rows grid over its bounding box, row by row: invented
    residential groups that tile the ward (the sample file, bench/residential_groups.py). Each
    part is moved ~1 m inward and rounded to 1e-6°, so neighbours never overlap after rounding."""
    import shapely
    from shapely.geometry import box

    x0, y0, x1, y1 = geom.bounds
    for j in range(rows):
        for i in range(cols):
            cell = box(
                x0 + (x1 - x0) * i / cols,
                y0 + (y1 - y0) * j / rows,
                x0 + (x1 - x0) * (i + 1) / cols,
                y0 + (y1 - y0) * (j + 1) / rows,
            )
            part = geom.intersection(cell)
            if part.is_empty or part.area < 1e-9:
                continue
            part = shapely.set_precision(part.buffer(-0.00001), 1e-6)
            if not part.is_empty and part.geom_type in ("Polygon", "MultiPolygon"):
                yield part
