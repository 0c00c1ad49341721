"""Serving attachments' public copies to those who may see the report, with HTTP ranges
(video players seek by asking for byte ranges; Safari will not play a video without them)."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from reports.models import Media, MediaKind
from reports.selectors import may_see_report_files
from reports.storage import file_stat

CHUNK = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")

# variant → (which kinds have it, the field holding it)
VARIANTS = {
    "thumbnail": ({MediaKind.PHOTO}, "thumbnail"),
    "display": ({MediaKind.PHOTO}, "display"),
    "poster": ({MediaKind.VIDEO}, "poster"),
    "video": ({MediaKind.VIDEO}, "public_video"),
    # Documents: the PDF rewritten without its metadata (reports.processing.clean_pdf); the
    # original, with its author and software, stays private.
    "document": ({MediaKind.DOCUMENT}, "display"),
}


class Unsatisfiable(Exception):
    """The range lies outside the file (416)."""


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) inclusive, or None to serve the whole file (an ignorable Range header);
    raises Unsatisfiable when no byte of the file is in the range."""
    match = _RANGE.match(header.strip())
    if not match:
        return None  # malformed or several ranges: RFC 9110 lets us answer with the whole file
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return max(0, size - suffix), size - 1
    start = int(first)
    if start >= size:
        raise Unsatisfiable
    end = min(int(last), size - 1) if last else size - 1
    if end < start:
        return None  # invalid (last before first): ignore the header
    return start, end


def _read(field: FieldFile, start: int, length: int) -> Iterator[bytes]:
    with field.storage.open(field.name, "rb") as fh:
        fh.seek(start)
        while length > 0:
            chunk = fh.read(min(CHUNK, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk


def _ranged(
    field: FieldFile, wanted: tuple[int, int] | None, size: int, content_type: str
) -> HttpResponseBase:
    # Through the storage, never by path: the files may be in an S3-compatible bucket.
    if wanted is None:
        whole = FileResponse(field.storage.open(field.name, "rb"), content_type=content_type)
        whole["Content-Length"] = str(size)
        return whole
    start, end = wanted
    part = StreamingHttpResponse(
        _read(field, start, end - start + 1), status=206, content_type=content_type
    )
    part["Content-Range"] = f"bytes {start}-{end}/{size}"
    part["Content-Length"] = str(end - start + 1)
    return part


@require_safe
def media_file(request, media_id: int, variant: str):
    if variant not in VARIANTS:
        raise Http404
    media = get_object_or_404(
        Media.objects.only("id", "report_id", "kind", VARIANTS[variant][1]), pk=media_id
    )
    # The same 404 for a missing file and for one on a report the requester may not see.
    if not may_see_report_files(request.user, media.report_id):
        raise Http404
    kinds, field_name = VARIANTS[variant]
    field = getattr(media, field_name)
    if media.kind not in kinds or not field:
        raise Http404
    try:
        size, modified = file_stat(field.storage, field.name)
    except FileNotFoundError:
        raise Http404 from None
    content_type = mimetypes.guess_type(field.name)[0] or "application/octet-stream"
    etag = f'"{int(modified.timestamp() * 1_000_000):x}-{size:x}"'
    header = request.headers.get("Range")
    if_range = request.headers.get("If-Range")
    response: HttpResponseBase
    try:
        # A stale If-Range (the file changed since the client's first part) gets it all.
        wanted = _byte_range(header, size) if header and if_range in (None, etag) else None
    except Unsatisfiable:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    else:
        response = _ranged(field, wanted, size, content_type)
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified.timestamp())
    # Private: a report may be made non-public later; shared caches must not keep its files.
    response["Cache-Control"] = "private, max-age=3600"
    if variant == "document":
        response["Content-Disposition"] = "inline"
    return response
