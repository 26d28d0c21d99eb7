"""Scheduled running: `triage serve` on a fresh data dir (its own Prefect server, the
deployments registered and scheduled, a scan-folder run done, a clean stop on SIGTERM),
prefect.yaml against flows/deployments.py, and the deadline-watch flow on a real case."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from tests.imap_server import ImapServer

EXPECTED = {
    "scheduled-mailbox-poll/mailbox-poll": ("interval", 120.0),
    "scheduled-scan-folder/scan-folder": ("interval", 60.0),
    "scheduled-deadline-watch/deadline-watch": ("cron", "0 7 * * *", "Europe/London"),
    "scheduled-hazard-watch/hazard-watch": ("cron", "0 * * * *", "Europe/London"),
    "scheduled-retrain/retrain": ("cron", "30 2 * * *", "Europe/London"),
    "scheduled-retention/retention": ("cron", "0 3 * * 0", "Europe/London"),
}


def _schedule(schedule) -> tuple:
    if getattr(schedule, "interval", None) is not None:
        return ("interval", schedule.interval.total_seconds())
    return ("cron", schedule.cron, schedule.timezone)


def _free_port() -> int:
    from cli.serving import free_port

    return free_port()


class Output:
    """A child's merged output, read as it comes so its pipe never fills."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.lines.append(line)

    def text(self) -> str:
        self._thread.join(5)
        return "".join(self.lines)


def _api_state(url: str) -> tuple[dict[str, tuple], dict[str, list[str]]]:
    """Each deployment's schedules, and the state types of its runs, read from the API."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: url}), get_client(sync_client=True) as client:
        flows = {flow.id: flow.name for flow in client.read_flows()}
        deployments = client.read_deployments()
        names = {d.id: f"{flows[d.flow_id]}/{d.name}" for d in deployments}
        schedules = {names[d.id]: tuple(_schedule(s.schedule) for s in d.schedules
                                        if s.active) for d in deployments}
        runs: dict[str, list[str]] = {name: [] for name in names.values()}
        for run in client.read_flow_runs():
            if run.deployment_id in names:
                runs[names[run.deployment_id]].append(str(run.state_type.value))
        return schedules, runs


def _wait(condition, timeout: float, process: subprocess.Popen[str], output: Output,
          every: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"triage serve exited early:\n{output.text()}"
        try:
            value = condition()
        except Exception:  # the server is still starting
            value = None
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s:\n{output.text()}")


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_registers_schedules_runs_and_stops_cleanly(
        cli_env: dict[str, str], dovecot: ImapServer, tmp_path: Path, stop: int) -> None:
    """SIGTERM once runs have been made and run; SIGINT (Ctrl-C) once registered."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {key: value for key, value in cli_env.items() if key != "PREFECT_API_URL"}
    env.update({"PYTHONPATH": str(REPO), "PREFECT_HOME": str(tmp_path / "prefect"),
                "TRIAGE_IMAP_HOST": dovecot.host, "TRIAGE_IMAP_PORT": str(dovecot.port),
                "TRIAGE_IMAP_USER": dovecot.user, "TRIAGE_IMAP_PASSWORD": dovecot.password,
                "TRIAGE_IMAP_SECURITY": "none"})
    executable = Path(os.environ.get("VIRTUAL_ENV", REPO / ".venv")) / "bin" / "triage"
    started = time.monotonic()
    process = subprocess.Popen([str(executable), "serve", "--no-web", "--prefect-port",
                                str(port)], cwd=REPO, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = Output(process)
    try:
        def registered() -> bool:
            return set(_api_state(url)[0]) == set(EXPECTED)

        def scheduled_and_ran() -> bool:
            runs = _api_state(url)[1]
            return (all(runs[name] for name in EXPECTED)
                    and "COMPLETED" in runs["scheduled-scan-folder/scan-folder"])

        _wait(registered, 240, process, output)
        registered_after = time.monotonic() - started
        schedules, _ = _api_state(url)
        assert schedules == {name: (schedule,) for name, schedule in EXPECTED.items()}
        # The server's scheduler makes the runs (none would come on the ephemeral API) and
        # the runner runs them.
        if stop == signal.SIGTERM:
            _wait(scheduled_and_ran, 180, process, output)
            states = [state for runs in _api_state(url)[1].values() for state in runs]
            assert not {"FAILED", "CRASHED"} & set(states), output.text()
        ran = time.monotonic() - started
    finally:
        stopping = time.monotonic()
        process.send_signal(stop)
        try:
            code = process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    stopped = time.monotonic() - stopping
    text = output.text()
    print(f"registered after {registered_after:.1f} s"
          + (f", runs made and one done after {ran:.1f} s" if stop == signal.SIGTERM else "")
          + f", stopped {stopped:.1f} s after {signal.Signals(stop).name}")
    assert code == 0, text
    assert "Traceback" not in text
    assert "stopped" in text.splitlines()[-1]
    with pytest.raises(OSError):  # the local Prefect server is gone too
        import urllib.request

        urllib.request.urlopen(f"{url}/health", timeout=2)


# A flow served as `triage serve` serves its deployments (cli.serving.run_deployments),
# every second; a run imports this file again, by path, and only the flow is defined then.
SERVED_EVERY_SECOND = """
from datetime import timedelta

from prefect import flow


@flow(name="tick")
def tick() -> int:
    return 1


if __name__ == "__main__":
    from rich.console import Console

    from cli.serving import run_deployments

    run_deployments([tick.to_deployment(name="every-second", interval=timedelta(seconds=1))],
                    Console())
"""


@pytest.mark.slow
def test_plain_prefect_server_schedules_a_served_deployment_whose_runs_complete(
        prefect_home_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server `triage serve` starts on the embedded default is plain `prefect server
    start`: with the pinned SQLAlchemy its scheduler inserts a served deployment's runs (in
    bulk, which SQLAlchemy 2.1 refused), and the runner completes them. Seconds, not
    minutes: a migrated database, a one-second interval, the scheduler's loop for new
    deployments and the runner's poll at 1 s, one run at a time."""
    import shutil

    import sqlalchemy

    from cli.serving import LocalPrefectServer, free_port

    assert sqlalchemy.__version__.startswith("2.0.")
    home = tmp_path / "prefect"
    shutil.copytree(prefect_home_template, home, ignore=shutil.ignore_patterns("*.log"))
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("TRIAGE_", "PREFECT_"))}
    env.update({"PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "DO_NOT_TRACK": "1",
                "PREFECT_SERVER_SERVICES_SCHEDULER_RECENT_DEPLOYMENTS_LOOP_SECONDS": "1"})
    for key in set(os.environ) - set(env):
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    started = time.monotonic()
    server = LocalPrefectServer(home, free_port())
    server.start(timeout=60)
    try:
        assert server.process is not None
        assert server.process.args[1:6] == ["-P", "-m", "prefect", "server", "start"]
        up = time.monotonic() - started
        (tmp_path / "served.py").write_text(SERVED_EVERY_SECOND)
        runner = subprocess.Popen(
            [sys.executable, "served.py"], cwd=tmp_path, text=True,
            env={**env, "PYTHONPATH": str(REPO), "PREFECT_API_URL": server.api_url,
                 "PREFECT_RUNNER_POLL_FREQUENCY": "1", "PREFECT_RUNNER_PROCESS_LIMIT": "1"},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        output = Output(runner)
        try:
            def finished() -> list[str]:
                runs = _api_state(server.api_url)[1].get("tick/every-second", [])
                return runs if {"COMPLETED", "FAILED", "CRASHED"} & set(runs) else []

            states = _wait(finished, 90, runner, output, every=0.5)
            ran = time.monotonic() - started
        finally:
            runner.send_signal(signal.SIGTERM)
            try:
                code = runner.wait(30)
            except subprocess.TimeoutExpired:
                runner.kill()
                raise
    finally:
        server.stop()
    text = output.text()
    print(f"server up after {up:.1f} s, a scheduled run done after {ran:.1f} s "
          f"({len(states)} runs scheduled)")
    assert len(states) > 1, states  # the scheduler's runs, not one made by hand
    assert "COMPLETED" in states and not {"FAILED", "CRASHED"} & set(states), text
    assert code == 0, text
    assert "Traceback" not in text


def test_prefect_yaml_has_the_served_deployments() -> None:
    from prefect.flows import load_flow_from_entrypoint

    from flows.deployments import SCHEDULES, TIMEZONE

    config = yaml.safe_load((REPO / "prefect.yaml").read_text())
    [pull] = config["pull"]
    assert list(pull) == ["prefect.deployments.steps.set_working_directory"]
    by_name = {d["name"]: d for d in config["deployments"]}
    assert list(by_name) == [spec.name for spec in SCHEDULES]
    for spec in SCHEDULES:
        deployment = by_name[spec.name]
        assert deployment["entrypoint"] == spec.entrypoint
        assert deployment["work_pool"]["name"] == "triage"
        path, function = deployment["entrypoint"].split(":")
        assert load_flow_from_entrypoint(f"{REPO / path}:{function}").name == spec.entry.name
        expected = ({"interval": spec.interval_seconds} if spec.interval_seconds else
                    {"cron": spec.cron, "timezone": TIMEZONE})
        assert deployment["schedules"] == [expected]


def test_served_deployments_follow_flows_deployments(tmp_path: Path) -> None:
    from core.settings import Settings
    from flows.deployments import SCHEDULES, build_deployments

    without_mailbox = Settings(data_dir=tmp_path / "var", _env_file=None)
    served = build_deployments(without_mailbox)
    assert [d.name for d in served] == [s.name for s in SCHEDULES if s.name != "mailbox-poll"]
    scans = next(d for d in served if d.name == "scan-folder")
    assert scans.parameters == {"incoming": str(tmp_path / "var" / "scans" / "incoming")}
    assert scans.entrypoint == "flows.deployments.scheduled_scan_folder"
    with_mailbox = Settings(data_dir=tmp_path / "var", imap_host="imap.example.org",
                            _env_file=None)
    assert [d.name for d in build_deployments(with_mailbox)] == [s.name for s in SCHEDULES]


@pytest.mark.slow
def test_deadline_watch_counts_an_overdue_case_without_naming_it(settings) -> None:
    from prefect.client.orchestration import get_client
    from prefect.testing.utilities import prefect_test_harness

    from flows.deadline_flow import deadline_watch
    from ingest.items import IntakeItem
    from tests.test_casework import COMPLAINT, triage

    long_ago = datetime.now(UTC) - timedelta(days=40)
    triage(settings, b"overdue", IntakeItem(source="email", text=COMPLAINT, subject="Leak",
                                            received_at=long_ago, message_id="<old@x>"),
           "complaint")
    triage(settings, b"fresh", IntakeItem(source="email", text="The lift is broken again.",
                                          subject="Lift", received_at=datetime.now(UTC),
                                          message_id="<new@x>"), "complaint")
    with prefect_test_harness(server_startup_timeout=120):
        counts = deadline_watch(settings, 3)
        with get_client(sync_client=True) as client:
            [artifact] = client.read_artifacts()
    assert (counts.open, counts.overdue, counts.overdue_acknowledgements, counts.due) == (
        2, 1, 1, 0)
    assert artifact.key == "deadline-watch"
    recorded = str(artifact.data)
    for personal in ("Ann Smith", "PR2 4XT", "CMP-"):
        assert personal not in recorded
    assert '"overdue": 1' in recorded or "'overdue': 1" in recorded


def _unseen_training_rows(per_category: int) -> list[dict]:
    """Training examples past the small slice `_small_training_dir` takes (14 a category)."""
    from tests.test_classifier import TRAINING

    seen: dict[str, int] = {}
    rows = []
    for path in sorted(TRAINING.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            key = f"{row['category']}:{row['excluded_reason']}"
            seen[key] = seen.get(key, 0) + 1
            if 14 < seen[key] <= 14 + per_category:
                rows.append(row)
    return rows


@pytest.mark.slow
def test_retrain_flow_promotes_a_better_model_and_the_next_load_reads_it(
        tmp_path: Path) -> None:
    """Officers confirm 3 more real examples a category than the small training slice has:
    the candidate scores higher on the (small) development set, so it is promoted."""
    from prefect.testing.utilities import prefect_test_harness

    from core.settings import Settings
    from flows.retrain_flow import RETRAIN_TIMEOUT_SECONDS, retrain, retrain_model
    from ingest.items import RawItem
    from models.db import migrate, session_scope
    from models.repository import record_raw
    from models.tables import ReviewDecision
    from pipeline import batch
    from pipeline.training import ensure_model
    from tests.test_classifier import _small_dev_dir, _small_training_dir

    settings = Settings(data_dir=tmp_path / "var", training_dir=_small_training_dir(tmp_path),
                        dev_dir=_small_dev_dir(tmp_path), _env_file=None)
    migrate(settings.resolved_database_url)
    labels = _unseen_training_rows(3)
    with session_scope(settings.resolved_database_url) as session:
        for number, row in enumerate(labels):
            item, _ = record_raw(session, settings.raw_dir, RawItem(
                "email", f"Subject: {number}\r\n\r\nbody\r\n".encode(), f"file:{number}"))
            item.text = row["text"]
            item.received_at = datetime(2026, 6, 1, 9, tzinfo=UTC)
            session.flush()
            session.add(ReviewDecision(item_id=item.id, officer="amina", action="correct",
                                       category=row["category"],
                                       excluded_reason=row["excluded_reason"]))
    ensure_model(settings)  # triage never trains: the base model is trained before work
    before = batch.load_model(settings).version  # cached in this process
    with prefect_test_harness(server_startup_timeout=120):
        summary = retrain(settings)
    assert retrain_model.timeout_seconds == RETRAIN_TIMEOUT_SECONDS
    assert summary["officer_labels"] == len(labels) and summary["current_version"] == before
    assert summary["promoted"]
    assert summary["candidate_macro_f1"] >= summary["current_macro_f1"]
    assert batch.load_model(settings).version == summary["candidate_version"] != before
