"""Create the report categories of the seeds' list with their deadlines and default
departments. Idempotent: a category edited in the admin is left as it is."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from reports.models import ResponseTemplate
from routing.models import Category, HandlingLevel, Priority
from units.models import Agency

W, D, C = HandlingLevel.WARD, HandlingLevel.DEPARTMENT, HandlingLevel.COORDINATOR
U, N, X = Priority.URGENT, Priority.NORMAL, Priority.COMPLEX

# code, vi, en, group, icon, level, default department, accept h, resolve h, priority, keywords
CATEGORIES = [
    (
        "o-nhiem-moi-truong",
        "Ô nhiễm môi trường",
        "Environmental pollution",
        "Môi trường",
        "🏭",
        W,
        "so-nong-nghiep-moi-truong",
        8,
        40,
        N,
        "khói, bụi, mùi hôi, nước thải, tiếng ồn, đốt rác",
    ),
    (
        "rac-thai-ve-sinh",
        "Rác thải, vệ sinh môi trường",
        "Waste and sanitation",
        "Môi trường",
        "🗑️",
        W,
        "urenco",
        8,
        24,
        N,
        "rác, phế thải, xà bần, thu gom, vệ sinh",
    ),
    (
        "ha-tang-giao-thong",
        "Hạ tầng giao thông",
        "Traffic infrastructure",
        "Giao thông",
        "🛣️",
        D,
        "so-giao-thong",
        8,
        40,
        N,
        "ổ gà, hố, sụt lún, mặt đường, vỉa hè hỏng, nắp cống",
    ),
    (
        "den-tin-hieu-bien-bao",
        "Đèn tín hiệu, biển báo giao thông",
        "Traffic lights and signs",
        "Giao thông",
        "🚦",
        D,
        "so-giao-thong",
        4,
        8,
        U,
        "đèn đỏ, đèn giao thông, biển báo, vạch sơn",
    ),
    (
        "un-tac-giao-thong",
        "Ùn tắc giao thông",
        "Traffic congestion",
        "Giao thông",
        "🚗",
        D,
        "cong-an",
        2,
        4,
        U,
        "tắc đường, ùn tắc, kẹt xe",
    ),
    (
        "trat-tu-do-thi",
        "Trật tự đô thị (lấn chiếm vỉa hè, xây dựng trái phép, quảng cáo)",
        "Urban order (pavement encroachment, illegal construction, advertising)",
        "Trật tự đô thị",
        "🏗️",
        W,
        None,
        8,
        40,
        N,
        "lấn chiếm, vỉa hè, xây dựng trái phép, quảng cáo, biển hiệu, đỗ xe",
    ),
    (
        "an-ninh-trat-tu",
        "An ninh trật tự",
        "Security and order",
        "An ninh",
        "🛡️",
        W,
        None,
        4,
        24,
        N,
        "gây rối, đánh nhau, tụ tập, mất trật tự",
    ),
    (
        "nguy-co-chay-no",
        "Nguy cơ cháy, nổ",
        "Fire and explosion risk",
        "An ninh",
        "🔥",
        D,
        "pccc",
        2,
        4,
        U,
        "cháy, nổ, khí gas, chập điện, kho hàng",
    ),
    (
        "an-toan-thuc-pham",
        "An toàn thực phẩm",
        "Food safety",
        "Y tế",
        "🍜",
        D,
        "so-y-te",
        8,
        40,
        N,
        "thực phẩm bẩn, ngộ độc, hàng rong, quán ăn",
    ),
    (
        "phong-chong-toi-pham",
        "Phòng chống tội phạm",
        "Crime prevention",
        "An ninh",
        "🚨",
        D,
        "cong-an",
        4,
        24,
        U,
        "trộm cắp, cướp, ma túy, lừa đảo",
    ),
    (
        "an-sinh-xa-hoi",
        "An sinh xã hội",
        "Social welfare",
        "Xã hội",
        "🤝",
        W,
        "so-lao-dong",
        8,
        80,
        X,
        "người vô gia cư, trợ cấp, người già, trẻ em",
    ),
    (
        "dich-vu-cong-thu-tuc",
        "Dịch vụ công, thủ tục hành chính",
        "Public services and administrative procedures",
        "Hành chính",
        "📄",
        W,
        None,
        8,
        40,
        N,
        "thủ tục, hồ sơ, giấy tờ, một cửa, chứng thực",
    ),
    (
        "dien-nuoc-chieu-sang",
        "Điện, nước, chiếu sáng công cộng",
        "Electricity, water and public lighting",
        "Hạ tầng",
        "💡",
        D,
        "so-xay-dung",
        8,
        24,
        N,
        "mất điện, mất nước, đèn đường, vỡ ống",
    ),
    (
        "cay-xanh-cong-vien",
        "Cây xanh, công viên",
        "Trees and parks",
        "Hạ tầng",
        "🌳",
        D,
        "so-xay-dung",
        8,
        40,
        N,
        "cây đổ, cành gãy, cắt tỉa, công viên, vườn hoa",
    ),
    ("khac", "Khác", "Other", "Khác", "❓", C, None, 8, 40, N, ""),
]


# Starting texts for officers' answers (category code or None for every category). The blanks
# in [ … ] must be filled and the text edited before it can resolve a report (reports/proof.py).
RESPONSE_TEMPLATES = [
    (
        None,
        "Đã xử lý xong tại hiện trường",
        "[Đơn vị] đã kiểm tra hiện trường tại [địa điểm] lúc [giờ, ngày] và đã [việc đã làm]. "
        "Kết quả: [kết quả]. Ảnh hiện trường sau khi xử lý được đính kèm.",
    ),
    (
        "rac-thai-ve-sinh",
        "Thu gom rác",
        "Tổ vệ sinh môi trường đã thu gom [khối lượng] rác tại [địa điểm] lúc [giờ, ngày], "
        "rửa lại mặt đường và [biện pháp chống tái diễn]. Ảnh sau khi thu gom được đính kèm.",
    ),
    (
        "den-tin-hieu-bien-bao",
        "Sửa đèn tín hiệu",
        "Đội quản lý đèn tín hiệu đã thay [bộ phận hỏng] của cột đèn tại [nút giao] lúc "
        "[giờ, ngày]; đèn đã hoạt động bình thường. Ảnh cột đèn sau khi sửa được đính kèm.",
    ),
    (
        "trat-tu-do-thi",
        "Giải tỏa lấn chiếm vỉa hè",
        "Tổ trật tự đô thị đã kiểm tra [địa điểm] lúc [giờ, ngày], lập biên bản [số biên bản] "
        "và yêu cầu [hộ kinh doanh] dọn [vật lấn chiếm]; vỉa hè đã thông thoáng.",
    ),
]


class Command(BaseCommand):
    help = "Create the report categories (kept as edited in the admin once they exist)."

    def handle(self, *args, **options):
        agencies = {a.code: a for a in Agency.objects.all()}
        created = 0
        with transaction.atomic():
            for order, row in enumerate(CATEGORIES, start=1):
                (
                    code,
                    name,
                    name_en,
                    group,
                    icon,
                    level,
                    dept,
                    accept,
                    resolve,
                    priority,
                    keywords,
                ) = row
                if dept and dept not in agencies:
                    raise CommandError(
                        f"agency {dept!r} missing: run `manage.py load_agencies` first"
                    )
                _category, new = Category.objects.get_or_create(
                    code=code,
                    defaults={
                        "name": name,
                        "name_en": name_en,
                        "group": group,
                        "icon": icon,
                        "handling_level": level,
                        "default_agency": agencies.get(dept) if dept else None,
                        "accept_hours": accept,
                        "resolve_hours": resolve,
                        "priority": priority,
                        "keywords": keywords,
                        "sort_order": order * 10,
                        # Procedures are answered with documents, not photos of a street.
                        "photo_required": code
                        not in {"dich-vu-cong-thu-tuc", "an-sinh-xa-hoi", "khac"},
                        "may_be_anonymous": code not in {"dich-vu-cong-thu-tuc", "an-sinh-xa-hoi"},
                        "public_by_default": code not in {"an-sinh-xa-hoi", "phong-chong-toi-pham"},
                    },
                )
                created += new
            templates = self._load_response_templates()
        self.stdout.write(
            self.style.SUCCESS(
                f"categories: {created} created, {Category.objects.count()} in all; "
                f"response templates: {templates} created"
            )
        )

    def _load_response_templates(self) -> int:
        """Create the starting answers that are missing (by title); edited ones are kept."""
        categories = {c.code: c for c in Category.objects.all()}
        created = 0
        for code, title, body in RESPONSE_TEMPLATES:
            _template, new = ResponseTemplate.objects.get_or_create(
                title=title, defaults={"body": body, "category": categories.get(code or "")}
            )
            created += new
        return created
