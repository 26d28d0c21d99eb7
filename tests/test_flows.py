"""The Prefect flows for real: under `prefect_test_harness`, against real Dovecot, Tesseract
and PostgreSQL. Retries only for passing faults; polls of one mailbox or folder never overlap."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from ingest.errors import SourceConfigError
from tests.conftest import REPO, SAMPLES
from tests.imap_server import ImapServer, restart_dovecot, start_dovecot, stop_dovecot
from tests.mailbox_support import (
    assert_exactly_once,
    fresh_folder,
    ledger_facts,
    message_ids_in,
    varied_message,
    worker_env,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def _mailbox_settings(settings, server: ImapServer, folder: str, **extra):
    return settings.model_copy(update={
        "imap_host": server.host, "imap_port": server.port, "imap_user": server.user,
        "imap_password": SecretStr(server.password),
        "imap_folder": folder, "imap_security": "none", **extra})


def _task_runs(state) -> dict[str, list[int]]:
    """Each task's run counts in the flow run that ended in `state` (a retried task: > 1)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(
            id=FlowRunFilterId(any_=[state.state_details.flow_run_id])))
    counts: dict[str, list[int]] = {}
    for run in runs:
        counts.setdefault(run.name.rsplit("-", 1)[0], []).append(run.run_count)
    return counts


def _letter_pdf(path: Path, text: str, seed: int) -> Path:
    from tests.scanrender import render_letter_pdf

    render_letter_pdf(text, path, seed=seed)
    return path


LETTER = ("14 Ribble Court\nPreston\nPR1 8JN\n\n3 November 2026\n\nDear Sir or Madam,\n\n"
          "I wish to make a formal complaint about the damp and mould in my flat. It was "
          "reported in August and nothing has been done. I want it treated.\n\n"
          "Yours faithfully,\nMargaret Holt\n")


def test_mailbox_and_scan_flows_end_to_end(harness, dovecot, settings, tmp_path):
    """Real Dovecot, real Tesseract: an emailed scan and a posted letter are both read."""
    from email.message import EmailMessage

    from flows.mailbox_flow import mailbox_poll
    from flows.scan_flow import scan_folder_pass
    from models.db import session_scope
    from models.tables import Item

    scanned = _letter_pdf(tmp_path / "letter.pdf", LETTER, seed=3).read_bytes()
    emailed = EmailMessage()
    emailed["From"] = "Margaret Holt <m.holt@example.net>"
    emailed["Subject"] = "My letter attached"
    emailed["Message-ID"] = "<attached-scan@example.net>"
    emailed.set_content("Please see my attached letter.")
    emailed.add_attachment(scanned, maintype="application", subtype="pdf",
                           filename="../../letter.pdf")
    messages = [varied_message(5000 + index) for index in range(4)] + [emailed.as_bytes()]
    fresh_folder(dovecot, "EndToEnd", messages)
    configured = _mailbox_settings(settings, dovecot, "EndToEnd", scan_settle_seconds=0)

    report = mailbox_poll(configured)
    assert len(report.batch.stored) == 5 and report.settled == 5
    incoming = configured.resolved_scan_dir
    incoming.mkdir(parents=True)
    _letter_pdf(incoming / "post-0001.pdf", LETTER.replace("Margaret", "Joan"), seed=4)
    scans = scan_folder_pass(configured, incoming)
    assert scans.letters == 1 and scans.archived == 1

    with session_scope(configured.resolved_database_url) as session:
        statuses = list(session.scalars(select(Item.status)))
        texts = [(item.source, item.text_source, item.text or "")
                 for item in session.scalars(select(Item))]
    assert len(statuses) == 6 and "pending" not in statuses
    # The attachment's name is shown, never used as a path: its slashes are gone.
    attached = [text for _, _, text in texts if "[Attached: .._.._letter.pdf]" in text]
    assert attached and "mould" in attached[0].lower()
    letters = [(kind, text) for source, kind, text in texts if source == "letter"]
    assert letters and letters[0][0] == "ocr" and "complaint" in letters[0][1].lower()


def test_two_polls_of_one_mailbox_at_once_take_turns(harness, dovecot, settings, monkeypatch):
    from flows.mailbox_flow import mailbox_poll
    from models.leases import lease
    from pipeline import mailbox_pass
    from pipeline.mailbox_pass import lease_name, mailbox_config

    messages = [varied_message(6000 + index) for index in range(60)]
    fresh_folder(dovecot, "Overlap", messages)
    configured = _mailbox_settings(settings, dovecot, "Overlap")
    url = configured.resolved_database_url

    # While any worker holds the mailbox's lease, a poll does nothing.
    with lease(url, lease_name(mailbox_config(configured))) as held:
        assert held.held
        skipped = mailbox_poll(configured)
    assert skipped.skipped_because and not skipped.batch.stored

    # Two polls started together: one does the work, the other finds the lease held. The
    # holder stores nothing until the other has been turned away, so a slow start of one
    # poll (a loaded machine) cannot let the other finish first and free the lease.
    start, turned_away = threading.Barrier(2), threading.Event()
    reports = []
    store = mailbox_pass.store_new_messages

    def store_once_the_other_is_turned_away(*args, **kwargs):
        assert turned_away.wait(timeout=120), "the second poll never ran"
        return store(*args, **kwargs)

    monkeypatch.setattr(mailbox_pass, "store_new_messages", store_once_the_other_is_turned_away)

    def poll() -> None:
        start.wait()
        report = mailbox_poll(configured)
        reports.append(report)
        if report.skipped_because:
            turned_away.set()

    threads = [threading.Thread(target=poll) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert len(reports) == 2
    assert sorted(bool(report.skipped_because) for report in reports) == [False, True]
    assert sum(len(report.batch.stored) for report in reports) == 60
    assert_exactly_once(ledger_facts(url), sorted(
        message_from_bytes(raw)["Message-ID"] for raw in messages))


def test_two_polls_of_one_scan_folder_take_turns(harness, settings, tmp_path):
    from flows.scan_flow import scan_folder_pass
    from models.leases import lease
    from pipeline.scan_pass import lease_name

    configured = settings.model_copy(update={"scan_settle_seconds": 0})
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    shutil.copy(next(SAMPLES.glob("scans/*.pdf")), incoming / "a.pdf")
    with lease(configured.resolved_database_url, lease_name(incoming)) as held:
        assert held.held
        skipped = scan_folder_pass(configured, incoming)
    assert skipped.skipped_because and skipped.taken == 0
    assert (incoming / "a.pdf").exists()
    done = scan_folder_pass(configured, incoming)
    assert done.taken == 1 and not done.skipped_because


def test_a_transient_failure_is_retried_by_the_mailbox_alone(harness, settings,
                                                             tmp_path_factory):
    """One layer retries a passing fault: the mailbox reconnects inside the task (its
    TRIAGE_IMAP_ATTEMPTS), and Prefect never runs the task again on top."""
    import logging

    from flows.mailbox_flow import mailbox_poll

    own = start_dovecot(tmp_path_factory.mktemp("dovecot-transient"))
    fresh_folder(own, "Flaky", [varied_message(7000 + index) for index in range(3)])
    own.process.terminate()
    own.process.wait(timeout=10)
    # Waits of 1, 2, 4, 8 and 16 s: the server is back long before the tries run out.
    configured = _mailbox_settings(settings, own, "Flaky", imap_attempts=6,
                                   imap_backoff_seconds=1.0)
    restarted: list[ImapServer] = []

    class ComeBack(logging.Handler):
        """Start the server again once the mailbox says it is reconnecting (refused once)."""

        def emit(self, record: logging.LogRecord) -> None:
            if "reconnecting" in record.getMessage() and not restarted:
                restarted.append(restart_dovecot(own))

    watcher = ComeBack()
    logging.getLogger("ingest.imap").addHandler(watcher)
    try:
        state = mailbox_poll(configured, return_state=True)
        assert state.is_completed(), state
        report = state.result()
        assert restarted, "the refused connection was never retried"
        assert len(report.batch.stored) == 3 and report.settled == 3
        assert _task_runs(state)["store-mailbox"] == [1]
    finally:
        logging.getLogger("ingest.imap").removeHandler(watcher)
        for server in restarted:
            stop_dovecot(server)


def test_an_unreachable_mailbox_fails_after_its_own_tries_only(harness, settings):
    """A host that refuses connections, with TRIAGE_IMAP_ATTEMPTS=2: two tries one wait
    apart, then the flow fails: no Prefect retries (2, 10, 30 s) stacked on top."""
    import socket

    from flows.mailbox_flow import mailbox_poll

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    configured = settings.model_copy(update={
        "imap_host": "127.0.0.1", "imap_port": port, "imap_user": "u",
        "imap_password": SecretStr("p"), "imap_security": "none", "imap_attempts": 2,
        "imap_backoff_seconds": 0.5})
    started = time.monotonic()
    state = mailbox_poll(configured, return_state=True)
    elapsed = time.monotonic() - started
    assert state.is_failed()
    assert _task_runs(state)["store-mailbox"] == [1]
    assert elapsed < 30, f"took {elapsed:.1f} s"


def test_a_permanent_failure_is_quarantined_or_failed_without_retry(harness, dovecot,
                                                                    settings):
    from flows.mailbox_flow import mailbox_poll
    from models.db import session_scope
    from models.tables import Item

    garbage = b"\x00\x01 this is not an email at all \xff\xfe" * 20
    fresh_folder(dovecot, "Permanent", [varied_message(7100), garbage])
    configured = _mailbox_settings(settings, dovecot, "Permanent")
    state = mailbox_poll(configured, return_state=True)
    assert state.is_completed(), state
    report = state.result()
    assert report.waiting == 1 and report.settled == 1
    runs = _task_runs(state)
    assert runs["store-mailbox"] == [1] and set(runs["triage-batch"]) == {1}
    with session_scope(configured.resolved_database_url) as session:
        bad = session.scalar(select(Item).where(Item.status == "quarantined"))
        assert bad is not None and bad.error_code == "not_an_email" and bad.attempts == 1
    # The bad message stays in the mailbox for an officer; the good one was moved.
    assert len(message_ids_in(dovecot, "Processed")) == 1

    wrong = configured.model_copy(update={
        "imap_password": SecretStr("not-the-password")})
    failed = mailbox_poll(wrong, return_state=True)
    assert failed.is_failed()
    assert _task_runs(failed)["store-mailbox"] == [1]
    with pytest.raises(SourceConfigError, match="TRIAGE_IMAP_PASSWORD"):
        failed.result()

    # A host that does not exist is a setting to change, not a fault to wait out.
    unknown = configured.model_copy(update={"imap_host": "no-such-host.invalid"})
    started = time.monotonic()
    failed = mailbox_poll(unknown, return_state=True)
    assert failed.is_failed() and time.monotonic() - started < 30
    assert _task_runs(failed)["store-mailbox"] == [1]
    with pytest.raises(SourceConfigError, match="TRIAGE_IMAP_HOST"):
        failed.result()


def test_two_worker_processes_share_a_mailbox_and_scan_folder_on_postgresql(
        dovecot, cli_env, postgres_url, tmp_path):
    from tests.conftest import _reset_postgres

    _reset_postgres(postgres_url)
    messages = [varied_message(8000 + index) for index in range(40)]
    fresh_folder(dovecot, "TwoWorkers", messages)
    incoming = tmp_path / "shared-drive" / "incoming"
    incoming.mkdir(parents=True)
    scans = sorted(SAMPLES.glob("scans/*.pdf"))[:4]
    for path in scans:
        shutil.copy(path, incoming / path.name)
    base = worker_env(cli_env, dovecot, "TwoWorkers", database_url=postgres_url,
                      TRIAGE_SCAN_DIR=str(incoming), TRIAGE_SCAN_SETTLE_SECONDS="0")
    from models.db import migrate

    migrate(postgres_url)
    # Two machines: one database, one mailbox, one scan folder on a shared drive; each with
    # its own Prefect (as workers of one pool would be), polling in turns.
    workers = [subprocess.Popen([sys.executable, "-m", "tests.flow_worker", "3"],
                                env={**base, "PREFECT_HOME": str(tmp_path / f"prefect-{n}")},
                                cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for n in range(2)]
    rounds = []
    for worker in workers:
        out, err = worker.communicate(timeout=900)
        assert worker.returncode == 0, out + err
        assert "Traceback" not in out + err, err
        rounds += [json.loads(line) for line in out.splitlines()]
    assert sum(r["mail_stored"] for r in rounds) == len(messages)
    assert sum(r["archived"] for r in rounds) == len(scans)

    from models.db import session_scope
    from models.tables import Item

    facts = ledger_facts(postgres_url)
    with session_scope(postgres_url) as session:
        letters = session.scalar(select(func.count()).select_from(Item)
                                 .where(Item.source == "letter"))
        scan_files = session.scalar(select(func.count(func.distinct(Item.scan_sha256)))
                                    .where(Item.source == "letter"))
    assert scan_files == len(scans) and letters >= len(scans)
    email_facts = {**facts, "items": [i for i in facts["items"] if i.id in {
        row.item_id for row in facts["rows"]}]}
    assert_exactly_once(email_facts, sorted(
        message_from_bytes(raw)["Message-ID"] for raw in messages))
    assert message_ids_in(dovecot, "TwoWorkers") == []
    assert not any(incoming.glob("*.pdf"))
