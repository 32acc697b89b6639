"""Practice: what to do next, exercise status, drafts, exams."""
