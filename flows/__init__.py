"""Prefect flows: thin wrappers that call the core and record what happened."""
