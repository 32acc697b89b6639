"""The Textual tutor: a thin face over the core (codes, content, grading, progress)."""
