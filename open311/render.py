"""GeoReport v2 output: the same data as JSON or as schemaless XML (the Spark convention: a
list's items are elements named by the item name inside the list's element)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

# List name → the element name of its items in XML.
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "groups": "group",
    "endpoints": "endpoint",
    "formats": "format",
    "photos": "photo",
    "notes": "note",
}
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


def w3(moment: datetime | None) -> str | None:
    """ISO 8601 in Hà Nội's time with its offset (2026-03-02T09:15:00+07:00)."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value: Any, name: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item, key)
    elif isinstance(value, list):
        item_name = ITEMS.get(name, "item")
        for item in value:
            _fill(ET.SubElement(element, item_name), item, item_name)
    else:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, data, root)
    # The declaration with encoding="UTF-8", as the spec asks (ElementTree writes its own in
    # single quotes and lower case).
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        + ET.tostring(element, encoding="unicode").encode()
    )


def respond(fmt: str, root: str, data: Any, *, status: int = 200) -> HttpResponse:
    """`data` is what the JSON holds; `root` names the XML root element."""
    if fmt == "xml":
        body = to_xml(root, data)
    else:
        # ensure_ascii=False: Vietnamese stays readable UTF-8.
        body = json.dumps(data, ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def errors(fmt: str, status: int, descriptions: list[str]) -> HttpResponse:
    data = [{"code": status, "description": d} for d in descriptions]
    return respond(fmt, "errors", data, status=status)
