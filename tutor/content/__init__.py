"""Content formats, YAML loading with positions, and content checks."""
