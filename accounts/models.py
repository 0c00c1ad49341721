from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in: a resident or a staff member (staff act through memberships)."""

    phone = models.CharField(_("phone number"), max_length=20, blank=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    # Where a resident lives, as they stated it (or as the identity provider gives it): the
    # dashboard counts registrations per ward, and area alerts go to a ward's residents.
    home_ward = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("home ward"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    def active_memberships(self) -> list[Membership]:
        """This user's active roles, read once per request/instance (checked on every action)."""
        cached = getattr(self, "_active_memberships", None)
        if cached is None:
            # With the agency: which ward a role covers is asked on many pages.
            cached = list(
                self.memberships.filter(is_active=True, agency__is_active=True).select_related(
                    "agency"
                )
            )
            self._active_memberships = cached
        return cached

    def has_staff_role(self, *roles: str) -> bool:
        return any(m.role in roles for m in self.active_memberships())


class Role(models.TextChoices):
    OFFICER = "officer", _("Officer")
    UNIT_LEADER = "unit_leader", _("Unit leader")
    COORDINATOR = "coordinator", _("Coordinator")
    CITY_LEADER = "city_leader", _("City leader")
    # Staff of the coordination office who take residents' calls and file what they say.
    HOTLINE_OPERATOR = "hotline_operator", _("Hotline operator")
    # A member of a ward's community digital team (Tổ công nghệ số cộng đồng), held in that
    # ward committee's agency: files reports for residents of that ward only.
    COMMUNITY_HELPER = "community_helper", _("Community digital team member")
    # The leader of a residential group (tổ trưởng tổ dân phố, trưởng thôn), held in the ward
    # committee's agency with the group as the membership's unit: sees the group's reports,
    # checks them on the ground, files for its residents.
    GROUP_LEADER = "group_leader", _("Residential group leader")
    ADMIN = "admin", _("Administrator")


class Membership(models.Model):
    """A staff member's role in one agency; one person may hold roles in several agencies."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey("units.Agency", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # Group leaders (and community team members who work one group): the residential group of
    # the agency's ward the role covers. Empty for every other role.
    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("residential group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.agency}"

    def clean(self) -> None:
        """A group leader names a residential group of the agency's ward; a community team
        member may; no other role names one (the admin's form shows these messages)."""
        from django.core.exceptions import ValidationError

        if self.role == Role.GROUP_LEADER and self.unit_id is None:
            raise ValidationError({"unit": _("Choose the residential group this leader leads.")})
        if self.unit_id is None:
            return
        if self.role not in (Role.GROUP_LEADER, Role.COMMUNITY_HELPER):
            raise ValidationError(
                {"unit": _("Only group leaders and community teams name a group.")}
            )
        if not self.unit.is_group or self.unit.parent_id != self.agency.unit_id:
            raise ValidationError(
                {"unit": _("Choose a residential group of this agency's own ward.")}
            )


class PhoneCode(models.Model):
    """A one-time sign-in code sent by SMS to a resident's phone (accounts/phone.py).

    Only a hash of the code is kept; a code expires, is used once, and counts wrong tries."""

    # E.164 (+84…), as phonenumbers formats it: one spelling per phone.
    phone = models.CharField(_("phone number"), max_length=20)
    # What the code proves: a sign-in, or a resident's consent to a report a helper files
    # for them. A consent code read out to a helper must never sign that helper in.
    purpose = models.CharField(_("purpose"), max_length=20, default="sign_in")
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    # Where the request came from (rate limits, abuse reports); not shown to anyone.
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")
        indexes = [
            # The latest code of a phone, on every check.
            models.Index(fields=["phone", "-created_at"], name="phonecode_phone_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.phone} {self.created_at:%Y-%m-%d %H:%M}"


class ExternalIdentity(models.Model):
    """An account at an identity provider (VNeID) linked to one of our users.

    The provider's subject (for VNeID, derived from the national ID number) is never stored in
    clear: only a keyed hash (HMAC with SECRET_KEY-derived key), enough to find the account again."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    provider = models.CharField(_("provider"), max_length=30)
    subject_hash = models.CharField(max_length=64)
    # How this identity came to this user (kept as the record of a link): a new account made
    # at the first VNeID sign-in, or attached to the resident already signed in by phone code
    # because the provider vouched for that same phone number.
    linked_via = models.CharField(_("linked via"), max_length=20, default="new_account")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject_hash"], name="external_identity_unique_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.subject_hash[:8]}… → {self.user_id}"


class RateCounter(models.Model):
    """Hits of one rate-limit key (e.g. "otp-send:ip:1.2.3.4") in one fixed time window.

    In the database, not a per-process cache: several app servers must share the count."""

    key = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="rate_counter_unique")
        ]
        indexes = [
            # Pruning old windows.
            models.Index(fields=["window_start"], name="rate_counter_window_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start:%H:%M}: {self.count}"


class StaffEnrolment(models.Model):
    """A one-time enrolment code for a staff member's authenticator, issued by an
    administrator (admin action, `manage.py issue_staff_enrolment`).

    A password alone must not be enough to set up the second factor (whoever learnt the
    password would then own the account): the set-up page shows the TOTP secret only to a
    session that also presented this code. Only a keyed hash is kept; a code is used once and
    expires (STAFF_ENROLMENT_HOURS)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_enrolments")
    code_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who handed it over: "admin" (the admin action), "command" (manage.py), "demo" (seed_demo).
    channel = models.CharField(_("issued through"), max_length=20)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff enrolment code")
        verbose_name_plural = _("staff enrolment codes")

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"
