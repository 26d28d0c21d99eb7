"""Benchmarks that print figures and assert nothing.

Run each from the repository's root as a module, `.venv/bin/python -m bench.NAME`, so that the
ones using test helpers (tests/imap_server.py, tests/review_fixtures.py) can import them.
"""
