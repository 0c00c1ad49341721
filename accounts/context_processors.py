from __future__ import annotations

from units.groups import editable_ward_ids

from .access import (
    COORDINATOR_ROLES,
    DASHBOARD_ROLES,
    GROUP_ROLES,
    INTAKE_ROLES,
    WORKSPACE_ROLES,
    has_role,
)


def staff_nav(request) -> dict:
    """Which staff links the header shows (one membership query, cached on the user)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "staff_nav": {
            "workspace": has_role(user, WORKSPACE_ROLES),
            "coordinator": has_role(user, COORDINATOR_ROLES),
            "dashboard": has_role(user, DASHBOARD_ROLES),
            "intake": has_role(user, INTAKE_ROLES),
            "groups": has_role(user, GROUP_ROLES),
            # A ward committee's officers and leaders keep its list of residential groups.
            "group_admin": bool(editable_ward_ids(user)),
        }
    }
