"""One retention pass over N due items on PostgreSQL (target: 100,000 in under a minute, with
memory flat): items of every class the schedule knows, with their raw files, in a scratch
database the bench creates and drops; prints the time, the counts and the peak memory.

    .venv/bin/python -m bench.retention [--items 100000] [--sqlite]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import insert

from bench.case_import import no_database, scratch_postgres
from core.settings import Settings
from models.db import migrate, session_scope
from models.rawstore import raw_relative_path
from models.tables import ExtractedFields, IntakeRecord, Item
from pipeline.retention import run_retention

TODAY = date(2033, 1, 1)


def rss_mb() -> int:
    """Resident memory now (Linux), in MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() // (1024 * 1024)


def populate(settings: Settings, count: int) -> None:
    """`count` items: archived other mail, service requests, quarantined scans, in thirds."""
    received = datetime(2026, 3, 2, 9, tzinfo=UTC)
    for start in range(0, count, 5000):
        items, fields, records = [], [], []
        for n in range(start, min(count, start + 5000)):
            # Laid out as the content-addressed store lays raw bytes out (two-level folders).
            relative = raw_relative_path(f"{n:064x}"[::-1])
            (settings.raw_dir / relative).parent.mkdir(parents=True, exist_ok=True)
            (settings.raw_dir / relative).write_bytes(b"From: a@example.org\r\n\r\nbody\r\n")
            kind = ("ignored", "staged", "quarantined")[n % 3]
            items.append({"id": n + 1, "source": "email", "source_ref": f"file:{n}",
                          "sha256": f"{n:064x}", "raw_path": relative, "size_bytes": 30,
                          "received_at": received, "text": "Dear team, my gate is broken.",
                          "status": kind, "attempts": 1, "created_at": received,
                          "updated_at": received})
            fields.append({"item_id": n + 1, "name": f"Resident {n}", "postcode": "PR2 4XT",
                           "staff": []})
            if kind == "staged":
                records.append({"item_id": n + 1, "kind": "service_request",
                                "policy": "code-2024", "received": received.date(),
                                "status": "recorded", "detail": {}, "created_at": received,
                                "updated_at": received})
        with session_scope(settings.resolved_database_url) as session:
            session.execute(insert(Item.__table__), items)
            session.execute(insert(ExtractedFields.__table__), fields)
            session.execute(insert(IntakeRecord.__table__), records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, (
            no_database() if args.sqlite else scratch_postgres()) as url:
        settings = Settings(data_dir=Path(tmp) / "var", database_url=url, _env_file=None)
        migrate(settings.resolved_database_url)
        started = time.perf_counter()
        populate(settings, args.items)
        print(f"populated {args.items} items in {time.perf_counter() - started:.1f} s; "
              f"peak memory so far {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}"
              " MB")
        started = time.perf_counter()
        dry = run_retention(settings, today=TODAY, dry_run=True)
        print(f"dry run in {time.perf_counter() - started:.1f} s: "
              + ", ".join(f"{r['class']} {r['items']}" for r in dry if r["items"]))
        before = rss_mb()
        started = time.perf_counter()
        done = run_retention(settings, today=TODAY)
        seconds = time.perf_counter() - started
        left = sum(1 for p in settings.raw_dir.rglob("*") if p.is_file())
        print(f"retention pass in {seconds:.1f} s: "
              + ", ".join(f"{r['class']} {r['items']} ({r['seconds']} s)" for r in done
                          if r["items"])
              + f"; raw files left {left}; memory {before} MB before the pass, "
              f"{rss_mb()} MB after")


if __name__ == "__main__":
    main()
