from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .models import ApiClient
from .services import api_client_issue


class ApiClientForm(forms.ModelForm):
    class Meta:
        model = ApiClient
        fields = ["name", "agency", "is_active"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    form = ApiClientForm
    list_display = ["name", "agency", "key_prefix", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "key_prefix"]
    readonly_fields = ["key_prefix", "service_user", "created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiClient | None = None) -> list[str]:
        # The agency decides which reports the client may update: fixed once issued.
        if obj is not None:
            return [*self.readonly_fields, "agency"]
        return ["key_prefix", "created_at"]

    def save_model(
        self, request: HttpRequest, obj: ApiClient, form: forms.ModelForm, change: bool
    ) -> None:
        if change:
            obj.save(update_fields=["name", "is_active"])
            return
        try:
            client, plain_key = api_client_issue(
                actor=request.user,  # type: ignore[arg-type]
                name=obj.name,
                agency=obj.agency,
            )
        except (PermissionDenied, ValidationError) as exc:
            raise PermissionDenied(str(exc)) from exc
        obj.pk = client.pk
        obj.key_prefix = client.key_prefix
        # Shown this once: only its hash is stored, nobody can read it again.
        messages.warning(
            request,
            _("The API key of %(name)s is %(key)s — copy it now: it will not be shown again.")
            % {"name": client.name, "key": plain_key},
        )
