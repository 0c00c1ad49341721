"""Duration histograms for the dashboard medians, which cannot be summed across rows.

Each rollup row counts its reports' durations (accepted_at − created_at, resolved_at −
created_at) in fixed buckets: [0, 15 min), then buckets growing by a factor 2^(1/4) ≈ 1.19
(15 min, 17.8 min, 21.2 min, … up to ~101 days), the last one open-ended. A median is read
as statistics.median does — the middle value, or the mean of the two middle ones — with each
middle value estimated inside its bucket (evenly spread values). Precision: each estimate is
within its bucket's width of the true value, so the median is off by at most the width of the
wider of the (one or two) middle buckets — under 19 % of the value (under 15 minutes for
durations below 15 minutes), e.g. at most ±4.6 h around a 24 h median. Edges are whole seconds so Python and SQL agree exactly on which
bucket a duration falls in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

BUCKETS = 55
# EDGES[k] is the lower edge of bucket k in seconds; bucket k is [EDGES[k], EDGES[k + 1]).
EDGES: tuple[int, ...] = (0, *(round(900 * 2 ** ((k - 1) / 4)) for k in range(1, BUCKETS)))
ACCEPT_FIELDS = tuple(f"accept_h{k:02d}" for k in range(BUCKETS))
RESOLVE_FIELDS = tuple(f"resolve_h{k:02d}" for k in range(BUCKETS))


def bucket(span: timedelta) -> int:
    """The bucket of a duration; negative ones (clock jitter at routing) go in bucket 0."""
    seconds = span.total_seconds()
    low, high = 0, BUCKETS - 1
    while low < high:  # the last edge not above `seconds`
        mid = (low + high + 1) // 2
        if EDGES[mid] <= seconds:
            low = mid
        else:
            high = mid - 1
    return low


def _order_statistic(counts: Sequence[int], rank: int) -> float:
    """The estimated `rank`-th smallest duration (1-based), in seconds: the bucket's values are
    taken as evenly spread, each at the middle of its share of the bucket."""
    below = 0
    for k, n in enumerate(counts):
        if n and below + n >= rank:
            low = EDGES[k]
            if k == BUCKETS - 1:  # open-ended: its lower edge is all we know
                return float(low)
            return low + (rank - below - 0.5) / n * (EDGES[k + 1] - low)
        below += n
    raise ValueError("rank beyond the histogram's count")


def median_hours(counts: Sequence[int]) -> float | None:
    """The median, in hours rounded to one decimal, of a summed histogram: as
    statistics.median, the middle value or the mean of the two middle ones, each estimated
    inside its bucket."""
    total = sum(counts)
    if not total:
        return None
    if total % 2:
        middle = _order_statistic(counts, total // 2 + 1)
    else:
        middle = (
            _order_statistic(counts, total // 2) + _order_statistic(counts, total // 2 + 1)
        ) / 2
    return round(middle / 3600, 1)


def bucket_width_hours(hours: float) -> float:
    """The width of the bucket holding `hours`: the documented error bound of a median."""
    k = bucket(timedelta(hours=hours))
    high = EDGES[k + 1] if k + 1 < BUCKETS else EDGES[k] * 2**0.25
    return (high - EDGES[k]) / 3600
