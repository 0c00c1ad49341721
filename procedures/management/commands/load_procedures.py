"""`manage.py load_procedures FILE`: load the public-service directory from JSON or CSV.

Format (full description and an example in procedures/data/README.md):
- JSON: {"procedures": [{"code": "1.001193", "name": "Đăng ký khai sinh", "field": "Hộ tịch",
  "level": "commune", "agency": "UBND cấp xã", "processing_time": "Ngay trong ngày",
  "fees": "Miễn phí", "papers": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"],
  "online_level": "full", "portal_url": "https://dichvucong.gov.vn/...", "is_sample": false}]}
- CSV (UTF-8, header line): the same columns; `papers` separated by " | ".
level: commune | city | central. online_level: full | partial | none. portal_url: https only.

Idempotent: a second run of the same file changes nothing. A malformed record is named (CSV by
line, JSON by position and code) and nothing at all is applied. Procedures not in the file are
kept.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from procedures.services import LoadError, procedures_load


class Command(BaseCommand):
    help = "Load administrative procedures from a JSON or CSV file (see procedures/data/README.md)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="a .json or .csv file")

    def handle(self, *args, file: str, **options) -> None:
        try:
            result = procedures_load(path=file)
        except LoadError as exc:
            raise CommandError(
                _("Nothing was loaded from %(file)s:") % {"file": file} + f"\n{exc}"
            ) from None
        self.stdout.write(
            _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        )
