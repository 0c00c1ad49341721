"""The banner of current alerts on the residents' pages (alerts/banner.html)."""

from __future__ import annotations

from django import template

from alerts.selectors import current_alerts, followed_ward_ids

register = template.Library()

# A banner, not a list: the alerts page shows the rest.
BANNER_MAX = 3


@register.inclusion_tag("alerts/banner_list.html", takes_context=True)
def alert_banner(context) -> dict:
    """The current alerts for the signed-in person's wards (whole-city ones for anybody);
    renders nothing when there is none."""
    request = context.get("request")
    user = getattr(request, "user", None)
    ward_ids = followed_ward_ids(user) if user is not None else set()
    # One query for a visitor, two for a signed-in person (their follows, the alerts).
    return {"alerts": list(current_alerts(ward_ids=ward_ids)[:BANNER_MAX])}
