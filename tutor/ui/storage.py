"""Writing to the progress store from a screen: a failed write is told to the trainee, never raised.

A full disk, a read-only folder or a database another program keeps locked must not crash the
tutor nor lose what the trainee typed. The screen keeps the answer in memory, says plainly that
it is not saved, and tries again at the next change or submit.
"""

from __future__ import annotations

from textual.widget import Widget

from tutor.errors import StorageError

STORE_ERRORS: tuple[type[Exception], ...] = (StorageError,)
"""What the store raises when the disk or the database is at fault (full, locked, read-only, damaged
while in use); the store's own message says what to do. Anything else it raises is a bug."""


class SaveState:
    """Whether saving something works: says so once when saving starts failing, and once when it
    works again (not at every keystroke)."""

    def __init__(self, node: Widget, failure: str, meanwhile: str, recovery: str | None = None) -> None:
        """``failure`` says what was not saved, ``meanwhile`` what happens to it until it is, and
        ``recovery`` (if anything need be said) that it is saved again."""
        self.node = node
        self.failure = failure
        self.meanwhile = meanwhile
        self.recovery = recovery
        self.failing = False

    def failed(self, error: Exception) -> None:
        if not self.failing:
            self.node.notify(f"{self.failure} {error} {self.meanwhile}", severity="error", timeout=20)
        self.failing = True

    def succeeded(self) -> None:
        if self.failing and self.recovery:
            self.node.notify(self.recovery)
        self.failing = False
