"""`triage backup PATH` and `triage restore PATH`: everything a data dir holds, consistently.

A back-up is a folder (created readable by its owner only) holding:

- `database/triage.db`: on SQLite, a copy made with SQLite's online backup API, consistent
  even while workers write (WAL mode: copying the file itself could miss committed pages);
- `database/triage.pgdump`: on PostgreSQL, `pg_dump --format=custom` of the database (or,
  without `pg_dump` on the PATH, `database/README.txt` saying how to make one);
- `raw/`, `models/`, `secret_key`: the raw bytes of every item, the trained models and the
  web app's session key;
- `scans/archive/`, `scans/quarantine/`: the post room's filed scans;
- `manifest.json`: when, which version, the schema revision, what is where.

The database is copied first, the files after it: raw bytes are written (and fsynced)
before the row that names them is committed, so every item in the copied database finds
its bytes in the copied `raw/` (the copy may hold a few more, harmless).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from sqlalchemy.engine import make_url

from core.files import private_dir, private_file
from core.settings import Settings
from models.db import get_engine
from models.schema import SchemaMismatch, known_revisions, new_sqlite_file, schema_state

FORMAT = 1
SQLITE_COPY = "database/triage.db"
PG_DUMP = "database/triage.pgdump"
PG_GUIDANCE = "database/README.txt"


class BackupError(RuntimeError):
    """The back-up or restore cannot be made as asked; the message says what to do."""


@dataclass
class BackupReport:
    """What a back-up or restore did: counts, paths and any step left to the operator."""

    path: Path
    database: str  # "sqlite" or "postgresql"
    schema_revision: str | None = None
    files: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    complete: bool = True


def file_parts(settings: Settings) -> dict[str, Path]:
    """Each folder or file of the data besides the database, by its name in a back-up."""
    scans = settings.resolved_scan_dir
    return {
        "raw": settings.raw_dir,
        "models": settings.model_dir,
        "secret_key": settings.data_dir / "secret_key",
        "scans/archive": settings.scan_archive_dir or scans / "archive",
        "scans/quarantine": settings.scan_quarantine_dir or scans / "quarantine",
    }


def back_up(settings: Settings, target: Path) -> BackupReport:
    """A consistent copy of the database, then of the files, into a new folder `target`."""
    target = Path(target).absolute()
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: give a new folder for the back-up")
    url = settings.resolved_database_url
    if new_sqlite_file(url):
        raise BackupError(f"there is no database at {url}: nothing to back up (is "
                          "TRIAGE_DATA_DIR right?)")
    private_dir(target / "database")
    kind = "sqlite" if url.startswith("sqlite") else "postgresql"
    report = BackupReport(target, kind, schema_state(url).current)
    if kind == "sqlite":
        _sqlite_copy(Path(url.removeprefix("sqlite:///")), target / SQLITE_COPY)
    else:
        _pg_dump(url, target, report)
    for name, source in file_parts(settings).items():
        report.files[name] = _copy_part(source, target / name)
    manifest = {"format": FORMAT, "version": version("housing-triage"),
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "database": kind, "schema_revision": report.schema_revision,
                "complete": report.complete, "files": report.files}
    _write_json(target / "manifest.json", manifest)
    return report


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup API: a consistent copy, taken page by page while others write."""
    descriptor = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(descriptor)
    origin = sqlite3.connect(source, timeout=60)
    copy = sqlite3.connect(target)
    try:
        origin.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        copy.close()
        origin.close()


def _pg_command(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for pg_dump/pg_restore, its password kept to the environment
    (never on a command line that `ps` shows)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _pg_dump(url: str, target: Path, report: BackupReport) -> None:
    program = shutil.which("pg_dump")
    uri, env = _pg_command(url)
    if program is None:
        (target / PG_GUIDANCE).write_text(
            "pg_dump was not found on this machine, so the database is NOT in this back-up.\n"
            "Make its copy with PostgreSQL's own tool (the server's major version or newer),\n"
            "from a machine that has it, while the workers are stopped or at any time:\n\n"
            f"    pg_dump --format=custom --no-owner --file={PG_DUMP} '{uri}'\n\n"
            "run in this folder; `triage restore` then restores it with pg_restore.\n",
            encoding="utf-8")
        report.complete = False
        report.notes.append(f"pg_dump is not installed: the database was not copied; "
                            f"{target / PG_GUIDANCE} says how to copy it")
        return
    done = subprocess.run([program, "--format=custom", "--no-owner",
                           f"--file={target / PG_DUMP}", uri], env=env, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed (exit {done.returncode}): "
                          f"{done.stderr.strip()[:500]}")
    private_file(target / PG_DUMP)


def _copy_part(source: Path, target: Path) -> int:
    """Copy a file or a folder (files not already there only), owner-only; files copied."""
    if not source.exists():
        return 0
    if source.is_file():
        private_dir(target.parent)
        shutil.copy2(source, target)
        private_file(target)
        return 1
    copied = 0
    for folder, _dirs, names in os.walk(source):
        into = target / Path(folder).relative_to(source)
        private_dir(into)
        for name in names:
            if name.startswith((".incoming-", ".clock-")) or name.endswith(".tmp"):
                continue  # a write in progress, not data
            destination = into / name
            if destination.exists() and destination.stat().st_size == (
                    Path(folder) / name).stat().st_size:
                continue
            shutil.copy2(Path(folder) / name, destination)
            private_file(destination)
            copied += 1
    return copied


def _write_json(path: Path, data: object) -> None:
    descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
        handle.write("\n")


def read_manifest(source: Path) -> dict:
    path = Path(source) / "manifest.json"
    if not path.is_file():
        raise BackupError(f"{source} is not a back-up made by `triage backup` "
                          "(no manifest.json)")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source} is a back-up of format {manifest.get('format')}; this "
                          f"version reads format {FORMAT}")
    return manifest


def restore(settings: Settings, source: Path, *, force: bool = False) -> BackupReport:
    """Put a back-up back under the configured database and data dir (workers stopped).

    A database that already holds a schema is replaced only with `force`; a back-up whose
    schema is newer than this version knows is refused before anything changes.
    """
    source = Path(source).absolute()
    manifest = read_manifest(source)
    url = settings.resolved_database_url
    kind = "sqlite" if url.startswith("sqlite") else "postgresql"
    revision = manifest.get("schema_revision")
    known = known_revisions(url)
    if revision is not None and revision not in known:
        raise SchemaMismatch(
            f"the back-up's schema revision {revision} is newer than this version of "
            "housing-triage knows: restore it with the version that made it "
            f"({manifest.get('version')})")
    report = BackupReport(source, kind, revision)
    if kind == "sqlite":
        _restore_sqlite(url, source / SQLITE_COPY, force)
    else:
        _restore_postgresql(url, source, force)
    for name, target in file_parts(settings).items():
        if name == "models" and (source / name).is_dir() and target.exists():
            shutil.rmtree(target)  # the back-up's models, not a mix with newer ones
        report.files[name] = _copy_part(source / name, target)
    private_dir(settings.data_dir)
    state = schema_state(url)
    if not state.is_current:
        report.notes.append(f"the restored schema is at {state.current}; this version needs "
                            f"{state.head}: run `triage migrate` before starting workers")
    return report


def _restore_sqlite(url: str, copy: Path, force: bool) -> None:
    if not copy.is_file():
        raise BackupError(f"{copy} is missing: this back-up holds no SQLite database "
                          "(was it made on PostgreSQL? set TRIAGE_DATABASE_URL to restore it)")
    path = Path(url.removeprefix("sqlite:///"))
    if path.exists() and path.stat().st_size > 0 and not force:
        raise BackupError(f"{path} already holds a database: stop every worker, back it up, "
                          "then restore with --force to replace it")
    if path.exists():
        get_engine(url).dispose()  # no pooled connection may outlive the file it opened
    get_engine.cache_clear()
    private_dir(path.parent)
    for leftover in (path, path.with_name(path.name + "-wal"),
                     path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    _sqlite_copy(copy, path)


def _restore_postgresql(url: str, source: Path, force: bool) -> None:
    dump = source / PG_DUMP
    if not dump.is_file():
        raise BackupError(f"{dump} is missing: this back-up holds no PostgreSQL dump "
                          f"(see {source / PG_GUIDANCE} if it is there, or unset "
                          "TRIAGE_DATABASE_URL to restore a SQLite back-up)")
    program = shutil.which("pg_restore")
    if program is None:
        raise BackupError("pg_restore is not installed: install PostgreSQL's client "
                          f"(postgresql-client) or run `pg_restore --clean --if-exists "
                          f"--no-owner --dbname=URL {dump}` where it is")
    if schema_state(url).has_tables and not force:
        raise BackupError("the database already holds tables: stop every worker, back it "
                          "up, then restore with --force to replace them")
    uri, env = _pg_command(url)
    get_engine(url).dispose()
    done = subprocess.run([program, "--clean", "--if-exists", "--no-owner",
                           "--single-transaction", f"--dbname={uri}", str(dump)],
                          env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed (exit {done.returncode}): "
                          f"{done.stderr.strip()[:500]}")
