"""The duration histograms behind the dashboard medians: buckets and their precision."""

from __future__ import annotations

import statistics
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from rollups.histogram import BUCKETS, EDGES, bucket, bucket_width_hours, median_hours


def histogram(hours: list[float]) -> list[int]:
    counts = [0] * BUCKETS
    for h in hours:
        counts[bucket(timedelta(hours=h))] += 1
    return counts


def test_bucket_edges_are_whole_seconds_growing_by_a_fourth_root_of_two():
    assert EDGES[:5] == (0, 900, 1070, 1273, 1514)
    assert EDGES[5] == 1800  # 15 min × 2: every fourth edge doubles
    assert bucket(timedelta(seconds=899)) == 0
    assert bucket(timedelta(seconds=900)) == 1
    assert bucket(timedelta(hours=-1)) == 0  # clock jitter at routing
    assert bucket(timedelta(days=400)) == BUCKETS - 1


def test_median_of_one_value_is_the_middle_of_its_bucket():
    # 3 h is in [2 h 49 min 42 s, 3 h 21 min 49 s): the middle is 3.1 h (rounded).
    assert bucket(timedelta(hours=3)) == 15
    assert (EDGES[15], EDGES[16]) == (10182, 12109)
    assert median_hours(histogram([3])) == round((10182 + 12109) / 2 / 3600, 1) == 3.1


def test_median_of_an_even_count_averages_the_two_middle_estimates():
    # 8 h and 26 h as statistics.median would: (8 + 26) / 2 = 17; the estimate is 16.2.
    assert median_hours(histogram([3, 5, 8, 26, 26, 29])) == 16.2
    assert median_hours([0] * BUCKETS) is None


@given(st.lists(st.floats(min_value=0, max_value=2000), min_size=1, max_size=200))
def test_median_is_within_the_documented_precision(hours):
    exact = statistics.median(hours)
    # The larger middle value is at most 2 × the median; bucket widths grow with the value.
    assert abs(median_hours(histogram(hours)) - exact) <= bucket_width_hours(2 * exact) + 0.05
