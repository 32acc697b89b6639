"""Billing practice: the claim scrubber and its shipped tables (educational excerpts)."""
