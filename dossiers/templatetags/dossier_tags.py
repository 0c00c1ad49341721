from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def dossier_late(dossier, now) -> bool:
    """Finished after its due date, or still open past it."""
    return dossier.is_late(now)


# Shown on the leaders' dashboard beside the reports' figures: the agencies with the most late
# dossiers, and a link to the full table. An inclusion tag, so the dashboard's own view (and
# its query budget) is untouched: one grouped query, only where the panel is included.
PANEL_ROWS = 5


@register.inclusion_tag("dossiers/includes/dashboard_panel.html", takes_context=True)
def dossier_panel(context) -> dict:
    from dossiers.selectors import timeliness_by_agency

    rows = timeliness_by_agency(context["request"].user)
    return {
        "rows": rows[:PANEL_ROWS],
        "on_time": sum(r.on_time for r in rows),
        "late": sum(r.late for r in rows),
        "open": sum(r.open for r in rows),
    }
