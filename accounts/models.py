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
            cached = list(self.memberships.filter(is_active=True, agency__is_active=True))
            self._active_memberships = cached
        return cached

    def has_staff_role(self, *roles: str) -> bool:
        return any(m.role in roles for m in self.active_memberships())


class Role(models.TextChoices):
    OFFICER = "officer", _("Officer")
    UNIT_LEADER = "unit_leader", _("Unit leader")
    COORDINATOR = "coordinator", _("Coordinator")
    CITY_LEADER = "city_leader", _("City leader")
    ADMIN = "admin", _("Administrator")


class Membership(models.Model):
    """A staff member's role in one agency; one person may hold roles in several agencies."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey("units.Agency", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
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
