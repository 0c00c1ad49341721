from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """An access token a mobile client sends as `Authorization: Bearer …` instead of a session."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    # What the person called it ("Điện thoại của tôi"): shown in their list to tell tokens apart.
    name = models.CharField(_("device"), max_length=100)
    # Only the SHA-256 of the token is stored: a leaked database gives no usable token. The
    # token is 256 random bits, so a plain hash (no salt, no slow KDF) is enough and lets the
    # lookup be one indexed equality.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the token, shown so the owner can recognise it.
    prefix = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(_("created at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("access token")
        verbose_name_plural = _("access tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.prefix}… {self.name}"
