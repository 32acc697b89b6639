"""Progress: the attempt store (SQLite, schema-versioned) and the statistics toward 95% (SPEC section 5)."""

from tutor.progress.attempt import KNOWN_MODES, Attempt
from tutor.progress.schema import SCHEMA_VERSION
from tutor.progress.stats import (
    PACE_TARGETS_PER_DAY,
    WORKDAY_MINUTES,
    Z95,
    AccuracySummary,
    Pace,
    Tally,
    by_code_set,
    by_topic,
    code_accuracy,
    outcome_counts,
    pace,
    record_accuracy,
    trend,
    weakest_topics,
    wilson_interval,
)
from tutor.progress.store import ProgressStore, default_db_path, open_store

__all__ = [
    "KNOWN_MODES", "PACE_TARGETS_PER_DAY", "SCHEMA_VERSION", "WORKDAY_MINUTES", "Z95",
    "AccuracySummary", "Attempt", "Pace", "ProgressStore", "Tally",
    "by_code_set", "by_topic", "code_accuracy", "default_db_path", "open_store", "outcome_counts", "pace",
    "record_accuracy", "trend", "weakest_topics", "wilson_interval",
]
