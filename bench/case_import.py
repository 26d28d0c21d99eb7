"""Seconds to import N existing cases with `triage import cases` (target: 10,000 in < 30 s).

Writes a CSV of N varied cases (stages, statuses, with and without acknowledgement or given
deadlines), imports it into a fresh database, then imports it again (nothing changes), and
prints both times. SQLite by default; --postgres for a scratch database on the local
PostgreSQL server (127.0.0.1:5432), created for the run and dropped after it.

    .venv/bin/python -m bench.case_import [--cases 10000] [--postgres]
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from core.settings import Settings
from models.db import migrate
from pipeline.case_import import import_cases
from workflow.case_import import COLUMNS

ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
FIRST = ("Joan", "Aaron", "Carla", "Tom", "Priya", "Dev", "Aisha", "Liam", "Mei", "Olu",
         "Grace", "Kofi", "Sian", "Marek", "Ruth", "Imran", "Nia", "Pawel", "Zara", "Eddie")
SURNAMES = ("Whitfield", "Blake", "Nunes", "Okafor", "Shah", "Patel", "Khan", "Murphy",
            "Chen", "Adeyemi", "Jones", "Mensah", "Evans", "Nowak", "Clarke", "Hussain",
            "Price", "Kowalski", "Ali", "Walsh", "Brown", "Taylor", "Smith", "Wilson", "Hughes",
            "Roberts", "Lewis", "Begum", "Thomas", "Harris", "Green", "Hall", "Wood", "Young")
POSTCODES = ("PR1 3LT", "PR2 4XT", "LA1 4HQ", "PR1 2HE", "BB2 1AA", "M14 5RT", "LS6 2QN",
             "PR1 8JN", "LA1 1UH", "BB1 6EA", "M13 9PL", "LS2 9JT", "PR7 1DP")


def write_cases(path: Path, count: int, today: date) -> None:
    """`count` plausible cases received over the last 200 days."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for n in range(count):
            received = today - timedelta(days=20 + n % 200)
            stage = 2 if n % 5 == 0 else 1
            row = {c: "" for c in COLUMNS}
            row.update({
                "reference": f"HC/{received.year}/{n:06d}", "stage": stage,
                "status": "closed" if n % 7 == 0 and stage == 1 else "open",
                "received_at": received.isoformat(),
                "name": f"{FIRST[n % 20]} {SURNAMES[(n // 20) % 34]}",
                "address": f"{n % 300 + 1} Example Street", "postcode": POSTCODES[n % 13],
                "email": f"resident{n}@example.org", "contact_method": "email"})
            started = received + timedelta(days=15 if stage == 2 else 0)
            if stage == 2:
                row["stage_started"] = started.isoformat()
            if n % 3:
                row["acknowledged_at"] = (started + timedelta(days=2)).isoformat()
            if n % 4 == 0:
                row["respond_by"] = (received + timedelta(days=30)).isoformat()
            writer.writerow(row)


@contextmanager
def scratch_postgres():
    """A database of its own for the run, never the shared one."""
    import psycopg

    from models.db import get_engine

    name = f"bench_import_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    try:
        yield url
    finally:
        get_engine(url).dispose()
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def no_database():
    yield None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    today = date.today()
    with tempfile.TemporaryDirectory() as tmp, (
            scratch_postgres() if args.postgres else no_database()) as url:
        settings = Settings(data_dir=Path(tmp) / "var", database_url=url, _env_file=None)
        migrate(settings.resolved_database_url)
        path = Path(tmp) / "cases.csv"
        write_cases(path, args.cases, today)
        for run in ("first import", "same file again"):
            started = time.perf_counter()
            report = import_cases(settings, path, today)
            seconds = time.perf_counter() - started
            print(f"{run}: {report.imported} imported, {report.unchanged} unchanged, "
                  f"{len(report.problems)} problems, {seconds:.2f} s")


if __name__ == "__main__":
    main()
