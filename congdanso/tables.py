"""Sortable table headers, shared by the public scorecard and the leaders' ranking."""

from __future__ import annotations


def next_sort(sort: str, key: str) -> tuple[str, str]:
    """For the column `key` of a table sorted by `sort` ("-key" is descending): the sort a click
    on its header asks for, and its aria-sort value ("" when the table is not sorted by it).

    A second click on the sorted column reverses it; a first click sorts names A→Z and numbers
    largest first (the worst units at the top)."""
    current = sort.removeprefix("-") == key
    descending = sort.startswith("-")
    if current:
        following = key if descending else f"-{key}"
    else:
        following = key if key == "name" else f"-{key}"
    aria = ("descending" if descending else "ascending") if current else ""
    return following, aria
