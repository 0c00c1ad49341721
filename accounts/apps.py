from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .middleware import staff_session_start

        def _on_sign_in(sender, request, user, **kwargs):
            staff_session_start(request, user)

        user_logged_in.connect(_on_sign_in, dispatch_uid="accounts.staff_session_start", weak=False)
