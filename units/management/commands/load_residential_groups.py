"""Load residential groups (tổ dân phố, thôn, cụm dân cư) from a CSV file, all or nothing.

Columns (a header line first; lines starting with # are comments):
  ward_code     the ward/commune's official code in force (e.g. 00070)      required
  code          the group's own code, unique in the city (e.g. 00070-TDP01) required
  name          e.g. "Tổ dân phố số 1"                                      required
  kind          to_dan_pho | thon | cum_dan_cu (or "tổ dân phố", "thôn", "cụm dân cư")
  streets       the streets and lanes it covers, separated by ";"
  leader_name   the leader's name (a work contact)
  leader_phone  the leader's work phone
  boundary      a GeoJSON Polygon or MultiPolygon (lon/lat), inside the ward

Running it again with the same file changes nothing; a changed row updates its group. A row
whose ward does not exist, a duplicate code, a boundary outside its ward or overlapping
another group of the ward: every problem is listed with its line, and nothing is loaded.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from congdanso.records import nothing_loaded, read_load_file
from units.groups import GroupFileError, groups_load


class Command(BaseCommand):
    help = "Load residential groups below the wards from a CSV file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file: ward_code,code,name,kind,streets,…")

    def handle(self, *args, file: str, **options):
        try:
            counts = groups_load(read_load_file(file))
        except GroupFileError as exc:
            raise nothing_loaded(exc.problems) from None
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Residential groups: %(created)d created, %(updated)d updated, "
                    "%(unchanged)d unchanged."
                )
                % counts
            )
        )
