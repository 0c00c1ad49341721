from __future__ import annotations

from django import template

from notify.services import report_muted

register = template.Library()


@register.inclusion_tag("notify/mute_box.html", takes_context=True)
def mute_box(context, report):
    """The mute/unmute button on a report's page, for a signed-in person."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    return {
        "show": True,
        "report": report,
        "muted": report_muted(user=user, report=report),
        "csrf_token": context.get("csrf_token"),
    }
