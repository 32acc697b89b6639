"""The ``medcode`` subcommands: thin faces over the core, one module per group of verbs."""
