"""Blocks of the report page that depend on who is looking (the reporter's rating form)."""

from __future__ import annotations

from django import template

from citizen.forms_resident import RatingForm
from citizen.views_resident import can_rate

register = template.Library()


@register.inclusion_tag("citizen/includes/rating_box.html", takes_context=True)
def rating_box(context, report):
    request = context["request"]
    show = can_rate(request.user, report)
    return {
        "report": report,
        "show_form": show,
        "form": RatingForm() if show else None,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "messages": context.get("messages"),
    }
