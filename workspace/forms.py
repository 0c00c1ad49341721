"""Parsing the inbox's and the queue's query strings: unknown values are dropped, not errors,
so an old bookmarked link still opens the inbox."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.models import ReportChannel
from reports.workflow import OPEN_STATUSES, Status
from routing.models import Category

from .selectors import QUEUE_REASON_LABELS, QUEUE_REASONS, InboxFilters

PERIODS = [
    ("7", _("Last 7 days")),
    ("30", _("Last 30 days")),
    ("90", _("Last 90 days")),
]
SORTS = [
    ("due", _("Deadline, soonest first")),
    ("-created", _("Newest first")),
    ("created", _("Oldest first")),
    ("status", _("Status")),
]


class InboxFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    ward = forms.ChoiceField(label=_("Ward or commune"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All")), *ReportChannel.choices]
    )
    period = forms.ChoiceField(
        label=_("Period"), required=False, choices=[("", _("All time")), *PERIODS]
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORTS)

    def __init__(self, data, *, wards, members, buckets):
        super().__init__(data)
        self.buckets = buckets
        every = [("", _("All"))]
        self.fields["category"].choices = every + list(
            Category.objects.filter(is_active=True).order_by("name").values_list("code", "name")
        )
        self.fields["ward"].choices = every + list(wards)
        self.fields["status"].choices = every + [
            (v, label) for v, label in Status.choices if v in OPEN_STATUSES
        ]
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            ("me", _("Me")),
            ("none", _("Unassigned")),
            *[(str(u.pk), u.display_name()) for u in members],
        ]

    def filters(self) -> InboxFilters:
        """The valid part of the query; an invalid field counts as not given."""
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        since, until = data.get("since"), data.get("until")
        if data.get("period") and not since:
            since = timezone.localdate() - timedelta(days=int(data["period"]))
        bucket = self.data.get("bucket", "open")
        return InboxFilters(
            bucket=bucket if bucket in self.buckets else "open",
            q=data.get("q", ""),
            category=data.get("category", ""),
            ward=data.get("ward", ""),
            status=data.get("status", ""),
            channel=data.get("channel", ""),
            since=since,
            until=until,
            assignee=data.get("assignee", ""),
            sort=data.get("sort") or "due",
        )


class QueueFilterForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why it is here"),
        required=False,
        choices=[("", _("All"))] + [(r, QUEUE_REASON_LABELS[r]) for r in QUEUE_REASONS],
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def values(self) -> dict[str, str]:
        self.is_valid()
        return {k: self.cleaned_data.get(k, "") for k in ("reason", "q") if k not in self.errors}
