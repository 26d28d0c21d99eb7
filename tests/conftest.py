"""Fixtures that build real inputs and real databases (SQLite, and PostgreSQL on 127.0.0.1)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import traceback
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPORA = SHARED / "corpora"
SAMPLES = REPO / "data" / "samples"
POSTGRES_ADMIN_URL = os.environ.get(
    "TRIAGE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """One trained model per training-data fingerprint, shared by both xdist workers and
    kept between runs (.pytest_cache/models/): tests copy it rather than retrain."""
    import fcntl

    import sklearn

    from classify.dataset import fingerprint
    from classify.model import load_or_train

    training, dev, outside = (REPO / "data" / name for name in ("training", "dev", "outside"))
    # The thresholds are chosen on the outside-voices set (the development set without one).
    key = (f"{fingerprint(training)[:16]}-{fingerprint(dev)[:16]}-{fingerprint(outside)[:16]}"
           f"-sklearn{sklearn.__version__}")
    directory = REPO / ".pytest_cache" / "models" / key
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other worker waits while this one trains
        load_or_train(training, directory, dev, outside)
    return directory


@pytest.fixture(scope="session")
def trained_model(model_dir: Path):
    from classify.model import load_or_train

    return load_or_train(REPO / "data" / "training", model_dir, REPO / "data" / "dev",
                         REPO / "data" / "outside")


def _data_dir_with_model(base: Path, model_dir: Path) -> Path:
    data_dir = base / "var"
    shutil.copytree(model_dir, data_dir / "models")
    return data_dir


@pytest.fixture
def settings(tmp_path: Path, model_dir: Path):
    """Settings on a fresh SQLite database, with the session's model already in place."""
    from core.settings import Settings
    from models.db import migrate

    configured = Settings(data_dir=_data_dir_with_model(tmp_path, model_dir), _env_file=None)
    migrate(configured.resolved_database_url)
    return configured


def _postgres_available() -> bool:
    try:
        import psycopg

        psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test",
                        connect_timeout=3).close()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of its own on the local PostgreSQL server, dropped afterwards."""
    if not _postgres_available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not reachable at 127.0.0.1:5432")
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    import psycopg

    name = f"triage_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=test", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    from models.db import get_engine

    get_engine.cache_clear()
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=test", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_settings(request: pytest.FixtureRequest, tmp_path: Path):
    """The same test on the embedded default and on PostgreSQL (no model in the data dir)."""
    from core.settings import Settings
    from models.db import migrate

    data_dir = tmp_path / "var"
    if request.param == "sqlite":
        configured = Settings(data_dir=data_dir, _env_file=None)
    else:
        base_url = request.getfixturevalue("postgres_url")
        configured = Settings(data_dir=data_dir, database_url=base_url, _env_file=None)
        _reset_postgres(base_url)
    migrate(configured.resolved_database_url)
    return configured


def _reset_postgres(url: str) -> None:
    from sqlalchemy import text

    from models.db import get_engine

    with get_engine(url).begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


# The command line is tested in two tiers. `triage_command` starts the installed command as a
# user would: for what only a process shows (signals, start-up, `triage serve`, crashes) and
# for every command that runs a Prefect flow, since Prefect's settings and its ephemeral API
# server belong to the process. `triage_in_process` runs any other command through Typer's
# CliRunner: the same exit code, output and effects on the database, without a new Python.
OWN_PROCESS_COMMANDS = frozenset({"demo", "ingest", "retry", "serve", "web"})


def triage_command(*args: str, env: dict[str, str], stdin: str | None = None,
                   cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `triage` command as a user would."""
    executable = Path(os.environ.get("VIRTUAL_ENV", REPO / ".venv")) / "bin" / "triage"
    if not executable.exists():
        executable = Path(shutil.which("triage") or "triage")
    return subprocess.run([str(executable), *args], capture_output=True, text=True, env=env,
                          input=stdin, cwd=cwd or REPO, timeout=600, check=False)


def triage_in_process(*args: str, env: dict[str, str], stdin: str | None = None,
                      cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `triage` in this process; the result reads like `triage_command`'s.

    For the call the environment is exactly `env` and the working directory `cwd` (where a
    `.env` is read); the settings are read afresh from them, and afterwards the settings and
    the models the command loaded are forgotten, so nothing carries over to another test. An
    uncaught exception exits 1 with its traceback on stderr, as the installed command's does.
    """
    if args and args[0] in OWN_PROCESS_COMMANDS:
        raise ValueError(f"`triage {args[0]}` runs Prefect or a server: use triage_command")
    from typer.testing import CliRunner

    from cli.main import app
    from core.settings import get_settings
    from pipeline.batch import forget_loaded_models

    overrides: dict[str, str | None] = {key: None for key in os.environ if key not in env}
    overrides.update(env)
    get_settings.cache_clear()
    try:
        with contextlib.chdir(cwd or REPO):
            result = CliRunner().invoke(app, list(args), input=stdin, env=overrides,
                                        prog_name="triage")
    finally:
        get_settings.cache_clear()
        forget_loaded_models()
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return subprocess.CompletedProcess(["triage", *args], result.exit_code, result.stdout,
                                       stderr)


@pytest.fixture(scope="module")
def dovecot(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A real Dovecot on 127.0.0.1 for the test module, with one mailbox user."""
    from tests.imap_server import dovecot_binary, start_dovecot, stop_dovecot

    if dovecot_binary() is None:
        if os.environ.get("CI"):
            pytest.fail("dovecot is not installed: make test installs dovecot-imapd")
        pytest.skip("dovecot is not installed (make test installs dovecot-imapd)")
    name = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    server = start_dovecot(tmp_path_factory.mktemp(f"dovecot-{name}"))
    yield server
    stop_dovecot(server)


@pytest.fixture(scope="session")
def prefect_home_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Prefect home whose database one flow run has already created and migrated.

    Prefect migrates a new home's SQLite database on first use (about 12 s here); each
    command test starts from a copy instead, as a user's second run would.
    """
    base = tmp_path_factory.mktemp("prefect-template")
    code = ("import sys; from pathlib import Path; from flows.prefect_env import "
            "configure_prefect; configure_prefect(Path(sys.argv[1])); from prefect import flow;"
            " flow(name='warm-up')(lambda: None)()")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("TRIAGE_", "PREFECT_"))}
    subprocess.run([sys.executable, "-c", code, str(base)], env=env, cwd=REPO, check=True,
                   timeout=600, capture_output=True)
    return base / "prefect"


@pytest.fixture
def command_env(tmp_path: Path, model_dir: Path) -> dict[str, str]:
    """Environment for `triage` on a fresh data dir (with the session's model), for commands
    that run no Prefect flow (`triage_in_process`)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRIAGE_")}
    env["TRIAGE_DATA_DIR"] = str(_data_dir_with_model(tmp_path, model_dir))
    return env


@pytest.fixture
def cli_env(command_env: dict[str, str], tmp_path: Path,
            prefect_home_template: Path) -> dict[str, str]:
    """Environment for the `triage` command on a fresh data dir (with the session's model)
    and a Prefect home already migrated, for commands that run a flow."""
    env = dict(command_env)
    env["PREFECT_HOME"] = str(tmp_path / "prefect")
    shutil.copytree(prefect_home_template, tmp_path / "prefect",
                    ignore=shutil.ignore_patterns("*.log"))
    return env
