"""housing-triage: the application shell (settings, command line, pipeline runner)."""

__version__ = "0.1.0"
