from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError

from .enrolment import staff_enrolment_issue
from .models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["agency", "unit"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Công dân số", {"fields": ("full_name", "phone")}),
    )
    list_display = ("username", "full_name", "phone", "is_staff", "is_active")
    search_fields = ("username", "full_name", "phone", "email")
    inlines = [MembershipInline]
    actions = ["issue_staff_enrolment"]

    @admin.action(description="Cấp mã thiết lập xác thực hai bước (dùng một lần)")
    def issue_staff_enrolment(self, request, queryset):
        # The code is shown here once, to the administrator, to hand over; never stored in clear.
        for user in queryset:
            try:
                issued = staff_enrolment_issue(actor=request.user, user=user, channel="admin")
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.WARNING)
                continue
            self.message_user(
                request,
                f"{user.username}: {issued.code} — {issued.url} "
                f"(đến {issued.enrolment.expires_at:%Y-%m-%d %H:%M} UTC)",
                messages.SUCCESS,
            )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "agency", "role", "unit", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("user__username", "user__full_name", "agency__name")
    autocomplete_fields = ["user", "agency", "unit"]
