"""The SLA countdown shown on every inbox row and on the report page."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from reports import clock
from reports.selectors import sla_state

register = template.Library()


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": mins}
    return _("%(minutes)d min") % {"minutes": mins}


@register.simple_tag
def sla(report, now=None):
    """`{% sla report %}`: "due in 3 h 20 min" / "overdue by 2 d 4 h", in words and colour."""
    now = now or clock.now()
    state = sla_state(report, now)
    if not state:
        return ""
    if state == "overdue":
        text = _("Overdue by %(span)s") % {"span": _span(now - report.due_at)}
    else:
        text = _("Due in %(span)s") % {"span": _span(report.due_at - now)}
    return format_html(
        '<span class="sla sla-{}"><time datetime="{}">{}</time></span>',
        state.replace("_", "-"),
        report.due_at.isoformat(),
        text,
    )
