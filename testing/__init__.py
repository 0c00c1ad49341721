"""Tools the tests start as separate processes (not a Django app of ours; never installed)."""
