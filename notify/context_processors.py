from __future__ import annotations

from django.utils.functional import SimpleLazyObject


def unread_notifications(request):
    """`unread_notifications`: the signed-in person's unread count, queried only if shown."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    from .services import unread_count

    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
