"""Operations as the README's "Where the data lives", back-up, restore and upgrade steps say:
a data dir independent of the working directory, private files, `triage backup` and
`triage restore` round-tripping the demo on SQLite and PostgreSQL, and `triage migrate` the
only command that changes an existing schema."""

from __future__ import annotations

import os
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from tests.conftest import POSTGRES_ADMIN_URL, triage_command, triage_in_process

pytestmark = pytest.mark.slow


def _rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every table of the product's schema, in primary-key order."""
    from models.db import get_engine
    from models.tables import Base

    found: dict[str, list[tuple]] = {}
    with get_engine(url).connect() as connection:
        for table in Base.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            found[table.name] = [tuple(row) for row in connection.execute(
                select(table).order_by(*order))]
    return found


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _assert_private(root: Path) -> None:
    """Every folder 0700 and every file 0600 under `root` (and `root` itself)."""
    assert _mode(root) == 0o700, root
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            assert _mode(Path(folder) / name) == 0o700, Path(folder) / name
        for name in files:
            assert _mode(Path(folder) / name) == 0o600, Path(folder) / name


def _with_extra_files(env: dict[str, str]) -> dict[str, bytes]:
    """A secret key and a filed scan, so the back-up has every kind of file to carry."""
    data_dir = Path(env["TRIAGE_DATA_DIR"])
    extra = {"secret_key": b"a-key-of-this-installation\n",
             "scans/incoming/archive/2026/12/01/lettre-\xe9t\xe9.pdf": b"%PDF-1.4 filed scan",
             "scans/incoming/quarantine/bad.pdf.reason.txt": b"reason: corrupt_pdf\n"}
    for name, data in extra.items():
        path = data_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return extra


def _round_trip(env: dict[str, str], restored_env: dict[str, str], tmp_path: Path) -> None:
    """The demo, backed up, restored elsewhere: every row, byte and file the same."""
    from core.settings import Settings
    from models.rawstore import load_raw
    from models.tables import Case, Item

    demo = triage_command("demo", env=env)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    extra = _with_extra_files(env)
    source = Settings(_env_file=None, data_dir=Path(env["TRIAGE_DATA_DIR"]),
                      database_url=env.get("TRIAGE_DATABASE_URL"))
    before = _rows(source.resolved_database_url)
    assert len(before[Item.__tablename__]) >= 40 and len(before[Case.__tablename__]) >= 10

    backup_dir = tmp_path / "backup"
    made = triage_in_process("backup", str(backup_dir), env=env)
    assert made.returncode == 0, made.stdout + made.stderr
    _assert_private(backup_dir)

    restored = triage_in_process("restore", str(backup_dir), env=restored_env)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    target = Settings(_env_file=None, data_dir=Path(restored_env["TRIAGE_DATA_DIR"]),
                      database_url=restored_env.get("TRIAGE_DATABASE_URL"))
    after = _rows(target.resolved_database_url)
    assert after == before
    for item in before[Item.__tablename__]:
        row = dict(zip([c.name for c in Item.__table__.columns], item, strict=True))
        assert load_raw(target.raw_dir, row["raw_path"], row["sha256"])
    for name, data in extra.items():
        assert (target.data_dir / name).read_bytes() == data
    for model in source.model_dir.iterdir():
        assert (target.model_dir / model.name).read_bytes() == model.read_bytes()

    # The command line reads the restored data as it read the original.
    for command in (("items", "--json"), ("cases", "--json")):
        assert (triage_in_process(*command, env=restored_env).stdout
                == triage_in_process(*command, env=env).stdout)
    # A second restore onto data is refused unless forced.
    again = triage_in_process("restore", str(backup_dir), env=restored_env)
    assert again.returncode == 1 and "--force" in again.stderr
    forced = triage_in_process("restore", str(backup_dir), "--force", env=restored_env)
    assert forced.returncode == 0, forced.stderr
    assert _rows(target.resolved_database_url) == before


def _fresh_data_dir(env: dict[str, str], tmp_path: Path, name: str) -> dict[str, str]:
    return {**env, "TRIAGE_DATA_DIR": str(tmp_path / name)}


def test_backup_and_restore_round_trip_the_demo_on_sqlite(cli_env, tmp_path):
    _round_trip(cli_env, _fresh_data_dir(cli_env, tmp_path, "restored"), tmp_path)
    _assert_private(tmp_path / "restored")


@pytest.fixture
def two_postgres_databases(postgres_url: str) -> Iterator[tuple[str, str]]:
    """The session's database, emptied, and a second one of its own, dropped afterwards."""
    import psycopg

    from models.db import get_engine
    from tests.conftest import _reset_postgres

    _reset_postgres(postgres_url)
    name = f"triage_restore_{uuid.uuid4().hex[:10]}"
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=test", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    second = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield postgres_url, second
    get_engine.cache_clear()
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=test", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_and_restore_round_trip_the_demo_on_postgresql(cli_env, tmp_path,
                                                              two_postgres_databases):
    from models.db import migrate

    first, second = two_postgres_databases
    migrate(first)  # an operator's `triage migrate` on a new PostgreSQL database
    env = {**cli_env, "TRIAGE_DATABASE_URL": first}
    restored_env = {**_fresh_data_dir(cli_env, tmp_path, "restored"),
                    "TRIAGE_DATABASE_URL": second}
    _round_trip(env, restored_env, tmp_path)
    assert (tmp_path / "backup" / "database" / "triage.pgdump").is_file()

    # Where pg_dump is not installed: the files are copied, the guidance says what to run,
    # and the command fails so that a cron line notices.
    bare = tmp_path / "no-postgresql-client"
    bare.mkdir()
    partial = triage_in_process("backup", str(tmp_path / "partial"),
                                env={**env, "PATH": str(bare)})
    assert partial.returncode == 1 and "pg_dump is not installed" in partial.stderr
    guidance = (tmp_path / "partial" / "database" / "README.txt").read_text()
    assert "pg_dump --format=custom" in guidance and "NOT in this back-up" in guidance
    assert any((tmp_path / "partial" / "raw").rglob("*"))


def test_only_migrate_changes_an_existing_schema_and_a_newer_one_is_refused(command_env):
    from alembic import command

    from core.settings import Settings
    from flows.deployments import checked_settings
    from models.db import alembic_config, get_engine
    from models.schema import SchemaMismatch, schema_state

    data_dir = Path(command_env["TRIAGE_DATA_DIR"])
    url = Settings(_env_file=None, data_dir=data_dir).resolved_database_url
    first = triage_in_process("items", env=command_env)  # a brand-new data dir: created
    assert first.returncode == 0, first.stderr
    assert f"the data dir {data_dir}" in " ".join(first.stderr.split())
    assert schema_state(url).is_current
    assert "note:" not in triage_in_process("items", env=command_env).stderr

    # An older schema (a host upgraded, not yet migrated): refused, saying what to do.
    config = alembic_config(url)
    with get_engine(url).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
    old = triage_in_process("cases", env=command_env)
    assert old.returncode == 1 and "triage migrate" in old.stderr and "0006" in old.stderr
    assert schema_state(url).current == "0006"  # not migrated behind the operator's back
    migrated = triage_in_process("migrate", env=command_env)
    assert migrated.returncode == 0 and "from 0006 to" in migrated.stdout
    assert triage_in_process("cases", env=command_env).returncode == 0

    # A newer schema (a later version migrated it): every command and worker refuses it.
    with get_engine(url).begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_later'"))
    for args in (("items",), ("migrate",), ("report", "--year", "2026")):
        newer = triage_in_process(*args, env=command_env)
        assert newer.returncode == 1, args
        assert "9999_later" in newer.stderr and "newer" in newer.stderr, newer.stderr
    saved = {key: os.environ.get(key) for key in ("TRIAGE_DATA_DIR",)}
    from core.settings import get_settings

    try:
        os.environ["TRIAGE_DATA_DIR"] = str(data_dir)
        get_settings.cache_clear()
        with pytest.raises(SchemaMismatch, match="9999_later"):
            checked_settings()
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
        get_settings.cache_clear()


def test_the_default_data_dir_is_the_same_from_any_working_directory(tmp_path, monkeypatch):
    from core.settings import Settings

    monkeypatch.delenv("TRIAGE_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    seen = set()
    for where in (tmp_path, tmp_path / "elsewhere"):
        where.mkdir(exist_ok=True)
        monkeypatch.chdir(where)
        seen.add(Settings(_env_file=None).data_dir)
    assert seen == {tmp_path / "xdg" / "housing-triage"}
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert Settings(_env_file=None).data_dir == (
        tmp_path / "home" / ".local" / "share" / "housing-triage")
    # A relative TRIAGE_DATA_DIR is made absolute once, so every message names one folder.
    monkeypatch.setenv("TRIAGE_DATA_DIR", "relative/var")
    assert Settings(_env_file=None).data_dir == tmp_path / "elsewhere" / "relative" / "var"


def test_files_holding_personal_data_are_the_owners_only(settings, tmp_path):
    """The database, raw bytes, models and quarantined scans: 0600 files in 0700 folders."""
    from core.files import private_dir
    from ingest.scanfolder import ScanFolder, ScanFolders
    from models.rawstore import store_raw
    from models.schema import open_database
    from review.auth import secret_key

    os.umask(0o022)
    data_dir = tmp_path / "fresh"
    private_dir(data_dir)
    configured = settings.model_copy(update={"data_dir": data_dir})
    assert open_database(configured.resolved_database_url)
    store_raw(configured.raw_dir, b"a resident's letter")
    secret_key(data_dir)
    from classify.model import _atomic_write

    _atomic_write(configured.model_dir / "meta.json", b"{}")
    for leftover in data_dir.glob("triage.db-*"):
        leftover.unlink()
    _assert_private(data_dir)

    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "x.pdf").write_bytes(b"not really a pdf")
    os.chmod(incoming / "x.pdf", 0o644)
    folder = ScanFolder(ScanFolders.under(incoming), settle_seconds=0)
    folder.prepare()
    claims, _, _ = folder.claim_ready()
    filed = folder.quarantine(claims[0], "0" * 64, "reason: corrupt_pdf\n")
    assert filed is not None
    _assert_private(incoming / "quarantine")
    assert all(_mode(incoming / name) == 0o700 for name in ("processing", "archive"))
