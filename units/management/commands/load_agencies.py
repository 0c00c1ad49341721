"""Create the agencies that handle reports: one People's Committee per current ward/commune,
the city departments, and the coordination office. Idempotent; admin edits are kept."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from units.lookup import current_era
from units.models import WARD_LEVEL_TYPES, AdministrativeUnit, Agency, AgencyKind

# code, Vietnamese name, English name
CITY_AGENCIES = [
    (
        "dieu-phoi",
        "Trung tâm điều phối phản ánh Thành phố",
        "City coordination office",
        AgencyKind.COORDINATION,
    ),
    ("so-giao-thong", "Sở Giao thông vận tải", "Department of Transport", AgencyKind.DEPARTMENT),
    ("so-xay-dung", "Sở Xây dựng", "Department of Construction", AgencyKind.DEPARTMENT),
    (
        "so-nong-nghiep-moi-truong",
        "Sở Nông nghiệp và Môi trường",
        "Department of Agriculture and Environment",
        AgencyKind.DEPARTMENT,
    ),
    ("so-cong-thuong", "Sở Công Thương", "Department of Industry and Trade", AgencyKind.DEPARTMENT),
    ("so-y-te", "Sở Y tế", "Department of Health", AgencyKind.DEPARTMENT),
    (
        "so-van-hoa-the-thao",
        "Sở Văn hóa và Thể thao",
        "Department of Culture and Sports",
        AgencyKind.DEPARTMENT,
    ),
    (
        "so-lao-dong",
        "Sở Nội vụ (Lao động – Xã hội)",
        "Department of Home Affairs (Labour and Social Affairs)",
        AgencyKind.DEPARTMENT,
    ),
    ("cong-an", "Công an Thành phố Hà Nội", "Hanoi City Police", AgencyKind.DEPARTMENT),
    (
        "pccc",
        "Cảnh sát Phòng cháy, chữa cháy và cứu nạn, cứu hộ",
        "Fire and Rescue Police",
        AgencyKind.DEPARTMENT,
    ),
    (
        "urenco",
        "Công ty Môi trường đô thị Hà Nội (URENCO)",
        "Hanoi Urban Environment Company (URENCO)",
        AgencyKind.DEPARTMENT,
    ),
]


def ward_agency_code(unit: AdministrativeUnit) -> str:
    return f"ubnd-{unit.code}"


class Command(BaseCommand):
    help = "Create ward committees, city departments and the coordination office."

    def handle(self, *args, **options):
        wards = AdministrativeUnit.objects.filter(era=current_era(), type__in=WARD_LEVEL_TYPES)
        if not wards.exists():
            raise CommandError("no wards loaded: run `manage.py load_units` first")
        created = 0
        with transaction.atomic():
            for code, name, name_en, kind in CITY_AGENCIES:
                _agency, new = Agency.objects.get_or_create(
                    code=code, defaults={"name": name, "name_en": name_en, "kind": kind}
                )
                created += new
            for ward in wards:
                _agency, new = Agency.objects.get_or_create(
                    code=ward_agency_code(ward),
                    defaults={
                        "name": f"UBND {ward.full_name}",
                        "name_en": f"{ward.name_en} People's Committee",
                        "kind": AgencyKind.WARD_COMMITTEE,
                        "unit": ward,
                    },
                )
                created += new
        self.stdout.write(
            self.style.SUCCESS(f"agencies: {created} created, {Agency.objects.count()} in all")
        )
