from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiClient(models.Model):
    """An outside system allowed to send reports (and, for an agency's system, progress) by Open311."""

    name = models.CharField(_("name"), max_length=120)
    # Empty for an app that speaks for nobody (a newspaper's app); set for a department's own
    # system, which may then report progress on that agency's reports.
    agency = models.ForeignKey(
        "units.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_clients",
        verbose_name=_("agency"),
    )
    # Only a hash of the key is kept: a leaked database does not leak working keys.
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the key, so an administrator can tell keys apart.
    key_prefix = models.CharField(_("key prefix"), max_length=12, editable=False)
    # The account the client's progress updates are made as: an officer of its agency, so they
    # go through the same services and permission checks as the workspace.
    service_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_client",
        editable=False,
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"
