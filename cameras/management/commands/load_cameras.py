"""Load traffic cameras from a CSV file, all or nothing.

Columns (header first): code,name,road,lat,lon,agency,kind,url and optionally direction.
`agency` is the owner agency's code, `kind` snapshot | mjpeg | hls; the URL's host must be in
CAMERAS_ALLOWED_HOSTS. The point is placed in its ward. Running it again with the same file
changes nothing; every bad row is named by its line and then nothing is loaded.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from cameras.services import CameraFileError, cameras_load
from congdanso.records import nothing_loaded, read_load_file


class Command(BaseCommand):
    help = "Load traffic cameras from a CSV file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file: str, **options):
        try:
            counts = cameras_load(read_load_file(file))
        except CameraFileError as exc:
            raise nothing_loaded(exc.problems) from None
        self.stdout.write(
            _("Cameras: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % counts
        )
