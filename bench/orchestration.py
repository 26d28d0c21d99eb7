"""What Prefect costs: the same 1,000 emails through the core directly and through the flow.

Prints figures; asserts nothing. Both runs are in this one process, on fresh SQLite data dirs
with the same trained model already loaded, over the same .eml files: the core run calls
what the intake flow's tasks call (store every file, then triage in batches), the flow run
calls the `intake` flow itself (one store task, one triage task per batch). The overhead
ratio is flow time / core time (the issue's target: at most 1.10). The ephemeral Prefect
server is started by a warm-up flow first; its start-up is printed separately.

    .venv/bin/python -m bench.orchestration [--emails 1000] [--batch-size 25]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def write_emails(folder: Path, count: int) -> None:
    """Every labelled email (training and development) as .eml files, repeated to `count`."""
    from classify.dataset import load_examples

    examples = [e for name in ("training", "dev")
                for e in load_examples(REPO / "data" / name) if e.source == "email"]
    folder.mkdir(parents=True)
    start = datetime(2026, 11, 2, 8, tzinfo=UTC)
    for index in range(count):
        example = examples[index % len(examples)]
        message = EmailMessage()
        message["From"] = f"Resident {index} <resident{index}@example.net>"
        message["To"] = "housingcomplaints@northbrook-homes.example.org"
        message["Subject"] = example.subject or "(no subject)"
        message["Date"] = format_datetime(start + timedelta(minutes=3 * index))
        message["Message-ID"] = f"<bench-{index}@example.net>"
        message.set_content(example.body)
        (folder / f"{index:05d}.eml").write_bytes(message.as_bytes())


def fresh_settings(base: Path, name: str, model_dir: Path, batch_size: int):
    from core.settings import Settings
    from models.db import migrate

    data_dir = base / name
    shutil.copytree(model_dir, data_dir / "models")
    settings = Settings(data_dir=data_dir, batch_size=batch_size, _env_file=None)
    migrate(settings.resolved_database_url)
    return settings


def run_core(settings, folder: Path):
    """What the flow's tasks do, called directly."""
    from ingest.folder import read_folder
    from pipeline import batch

    report = batch.store_raw_items(settings, read_folder(folder, "email"))
    pending = batch.item_ids_with_status(settings, ("pending",))
    for start in range(0, len(pending), settings.batch_size):
        report.merge(batch.triage_stored_items(settings,
                                               pending[start : start + settings.batch_size]))
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=25)
    args = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="bench-orchestration-"))
    from flows.prefect_env import configure_prefect

    configure_prefect(base)
    os.environ["PREFECT_LOGGING_LEVEL"] = "ERROR"
    from classify.model import load_or_train
    from pipeline import batch

    model_dir = Path(tempfile.gettempdir()) / "housing-triage-bench-model"
    load_or_train(REPO / "data" / "training", model_dir, REPO / "data" / "dev")
    folder = base / "mailbox"
    write_emails(folder, args.emails)
    print(f"{args.emails} emails, batch size {args.batch_size}, "
          f"load average {os.getloadavg()[0]:.2f} at start (a shared 2-core machine)")

    core_settings = fresh_settings(base, "core", model_dir, args.batch_size)
    flow_settings = fresh_settings(base, "flow", model_dir, args.batch_size)
    batch.load_model(core_settings)  # load once, outside both timings
    batch.load_model(flow_settings)

    from prefect import flow

    @flow(name="warm-up")
    def warm_up() -> int:
        return 1

    started = time.perf_counter()
    warm_up()
    startup = time.perf_counter() - started

    from flows.intake_flow import intake

    started = time.perf_counter()
    core = run_core(core_settings, folder)
    core_seconds = time.perf_counter() - started
    started = time.perf_counter()
    through_flow = intake(flow_settings, folder, None)
    flow_seconds = time.perf_counter() - started

    tasks = 1 + -(-len(through_flow.stored) // args.batch_size)
    print(f"ephemeral Prefect server start-up (warm-up flow): {startup:6.2f} s")
    print(f"core directly:    {core_seconds:7.2f} s  {args.emails / core_seconds:6.1f} emails/s"
          f"  outcomes {dict(core.outcomes)}")
    print(f"through the flow: {flow_seconds:7.2f} s  {args.emails / flow_seconds:6.1f} emails/s"
          f"  outcomes {dict(through_flow.outcomes)}  ({tasks} task runs)")
    print(f"overhead ratio (flow / core): {flow_seconds / core_seconds:.3f}  "
          f"(target at most 1.10); {(flow_seconds - core_seconds) / tasks * 1000:.0f} ms "
          f"per task run")
    print(f"load average {os.getloadavg()[0]:.2f} at end")
    shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
