"""The product's own error type: every failure a user can cause is one of these."""


class TutorError(Exception):
    """An error with a message meant for the user (no traceback needed)."""


class ContentError(TutorError):
    """A content file (exercise, key, submission, exam profile) is malformed."""

    def __init__(self, message: str, path: str = "", line: int | None = None, column: int | None = None):
        self.path = path
        self.line = line
        self.column = column
        self.detail = message
        super().__init__(self.location() + message)

    def location(self) -> str:
        if not self.path:
            return ""
        if self.line is None:
            return f"{self.path}: "
        return f"{self.path}:{self.line}:{self.column or 1}: "


class CodeSetError(TutorError):
    """A code set could not be loaded or its index could not be built."""


class StorageError(TutorError):
    """The progress database cannot be opened, read or written: a foreign or unreachable file,
    a read-only location, a full disk, or a lock another program held too long.

    The message says what happened and what to do. A write that raises this stored nothing:
    the caller keeps what the trainee typed and may try again.
    """
