"""The people who have an account at the test provider, with the claims it releases.

`sub` is the national ID number itself, the harshest case for us: the client must never
store it in clear. `national_id` is released too, and must never be stored either."""

from __future__ import annotations

PASSWORD = "vneid test password"  # noqa: S105 (a test provider's only password)

PEOPLE: dict[str, dict[str, object]] = {
    "an": {
        "sub": "001099012345",
        "national_id": "001099012345",
        "name": "Nguyễn Văn An",
        # Given in the national format on purpose: the client normalises it to E.164.
        "phone_number": "0912 345 678",
        "phone_number_verified": True,
    },
    "binh": {
        "sub": "079188001234",
        "national_id": "079188001234",
        "name": "Trần Thị Bình",
        # Not verified by the provider: the client must not take it.
        "phone_number": "+84987654321",
        "phone_number_verified": False,
    },
}
