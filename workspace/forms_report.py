"""Forms of the actions on a report's workspace page. They only parse input: the services
decide what is allowed (a missing reason, an unedited template, proof) and say why, and the
view puts their message on the field it concerns (`error_fields`)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from reports.models import Report, ResponseTemplate
from reports.selectors import get_report_for
from routing.models import Category
from units import groups as residential_groups
from units.models import Agency, AgencyKind

REASON_WIDGET = {"rows": 3, "maxlength": 2000}


class ActionForm(forms.Form):
    """Base: every form knows its report and user; ids are unique per action on the page
    (several actions have a `reason`), while field names stay plain for simple POSTs."""

    # Service error code → the field its message belongs to (else: the form as a whole).
    error_fields: dict[str, str] = {}

    def __init__(self, *args, action: str, report: Report, user: User, **kwargs):
        kwargs.setdefault("auto_id", f"id_{action}_%s")
        super().__init__(*args, **kwargs)
        self.action = action
        self.report = report
        self.user = user

    def add_service_error(self, error: ValidationError) -> None:
        field = self.error_fields.get(getattr(error, "code", None) or "")
        self.add_error(field if field in self.fields else None, error)


class EmptyForm(ActionForm):
    """Accept, start: one click."""


class ReasonForm(ActionForm):
    """Return to the coordinator, reject: the reason is required by the workflow."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs=REASON_WIDGET),
    )
    error_fields = {"reason_required": "reason"}


def unit_staff(report: Report) -> QuerySet[User]:
    """The officers and leaders of the unit the report is with: whom it may be assigned to."""
    if report.agency_id is None:
        return User.objects.none()
    return (
        User.objects.filter(
            memberships__agency_id=report.agency_id,
            memberships__is_active=True,
            memberships__role__in=[Role.OFFICER, Role.UNIT_LEADER],
        )
        .distinct()
        .order_by("full_name", "username")
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name()


class AssignForm(ActionForm):
    assignee = StaffChoiceField(
        label=_("Assign to"), queryset=User.objects.none(), empty_label=_("Choose an officer")
    )
    error_fields = {"not_member": "assignee"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = unit_staff(self.report)


def agency_choices(report: Report) -> list:
    """Active units other than the report's own, departments and wards apart."""
    groups: dict[str, list[tuple[str, str]]] = {
        AgencyKind.DEPARTMENT: [],
        AgencyKind.WARD_COMMITTEE: [],
    }
    agencies = Agency.objects.filter(is_active=True, kind__in=list(groups))
    if report.agency_id is not None:
        agencies = agencies.exclude(pk=report.agency_id)
    for agency in agencies.order_by("name").only("pk", "name", "kind"):
        groups[agency.kind].append((str(agency.pk), agency.name))
    return [
        ("", _("Choose a unit")),
        (_("City departments and companies"), groups[AgencyKind.DEPARTMENT]),
        (_("Ward and commune committees"), groups[AgencyKind.WARD_COMMITTEE]),
    ]


class SendForm(ActionForm):
    """Transfer (unit or coordinator, with a reason) or re-route (coordinator)."""

    agency = forms.TypedChoiceField(label=_("Send to"), coerce=int)
    # The resident's category, corrected here when it was wrong: the deadline follows the
    # right category and the category classifier learns from the correction.
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True).order_by("sort_order", "name"),
        to_field_name="code",
        required=False,
        empty_label=None,
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs=REASON_WIDGET)
    )
    error_fields = {
        "reason_required": "reason",
        "inactive_agency": "agency",
        "same_agency": "agency",
        "inactive_category": "category",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = agency_choices(self.report)
        self.fields["category"].initial = self.report.category.code
        if self.action == "reroute":
            self.fields["reason"].label = _("Note (optional)")

    def clean_agency(self) -> Agency:
        try:
            return Agency.objects.get(pk=self.cleaned_data["agency"])
        except Agency.DoesNotExist:
            raise ValidationError(_("Choose a unit from the list."), code="invalid") from None


class ExtensionForm(ActionForm):
    until = forms.DateTimeField(
        label=_("New deadline"),
        help_text=_("Hanoi time."),
        # datetime-local sends "2026-03-12T17:00"; USE_TZ makes it aware in the current time
        # zone (Asia/Ho_Chi_Minh), which is also how the initial value is shown.
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs=REASON_WIDGET)
    )
    error_fields = {
        "reason_required": "reason",
        "bad_extension": "until",
    }


class DecideForm(forms.Form):
    """The leader's decision on an extension request (two buttons: grant, refuse)."""

    decision = forms.ChoiceField(choices=[("grant", _("Grant")), ("refuse", _("Refuse"))])
    note = forms.CharField(
        label=_("Note (required to refuse)"),
        required=False,
        widget=forms.Textarea(attrs=REASON_WIDGET),
    )
    error_fields = {"reason_required": "note"}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_decide_%s")
        super().__init__(*args, **kwargs)

    def add_service_error(self, error: ValidationError) -> None:
        field = self.error_fields.get(getattr(error, "code", None) or "")
        self.add_error(field, error)


def templates_for(report: Report) -> QuerySet[ResponseTemplate]:
    """Response templates offered for the report: its category's or general, its unit's or
    everybody's."""
    return (
        ResponseTemplate.objects.filter(is_active=True)
        .filter(Q(category__isnull=True) | Q(category=report.category_id))
        .filter(Q(agency__isnull=True) | Q(agency=report.agency_id))
        .order_by("title", "pk")
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class ResolveForm(ActionForm):
    """The answer and the proof files (the view passes request.FILES.getlist("proof"))."""

    answer = forms.CharField(
        label=_("Answer to the resident"),
        required=False,
        help_text=_("Say what was done, where and when. A template must be edited first."),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 5000}),
    )
    proof = MultipleFileField(
        label=_("Proof: photos or documents of the result"),
        required=False,
        help_text=_("Photos (JPEG, PNG, WebP) or PDF documents, taken of this result."),
        widget=MultipleFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}
        ),
    )
    error_fields = {
        "answer_too_short": "answer",
        "answer_placeholder": "answer",
        "answer_template": "answer",
        "answer_stock": "answer",
        "proof_missing": "proof",
        "proof_reused": "proof",
    }

    def add_service_error(self, error: ValidationError) -> None:
        code = getattr(error, "code", None) or ""
        if code.startswith(("file_", "too_many_", "video_")):
            # The checks of each uploaded file (type, size, count) are about the proof.
            self.add_error("proof", error)
            return
        super().add_service_error(error)


class MergeForm(ActionForm):
    into = forms.CharField(label=_("Tracking code of the original report"), max_length=20)
    error_fields = {"merge_self": "into", "merge_target_final": "into"}

    def clean_into(self) -> Report:
        code = self.cleaned_data["into"].strip().upper()
        try:
            return get_report_for(self.user, code)
        except Http404:
            raise ValidationError(
                _("No report has this tracking code."), code="not_found"
            ) from None


class GroupForm(ActionForm):
    """The report's residential group: one of its ward's groups, or none."""

    group = forms.ChoiceField(label=_("Residential group"), required=False)
    error_fields = {"unknown_group": "group", "no_ward": "group"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        groups = residential_groups.groups_of(self.report.ward_id) if self.report.ward_id else []
        self.fields["group"].choices = [("", _("— none —"))] + [
            (g.code, g.name) for g in sorted(groups, key=lambda g: g.code)
        ]
        if not self.is_bound and self.report.residential_group_id:
            self.initial["group"] = self.report.residential_group.code
