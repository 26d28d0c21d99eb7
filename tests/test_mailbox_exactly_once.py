"""Exactly-once mailbox intake against a real Dovecot: kills, restarts, new UIDVALIDITY, two
workers, automatic mail. Each message must end as one item, one case at most, settled."""

from __future__ import annotations

import json
import os
import random
import signal
import time
from email.message import EmailMessage

import pytest
from sqlalchemy import func, select

from tests.imap_server import restart_dovecot, start_dovecot, stop_dovecot
from tests.mailbox_support import (
    append_messages,
    assert_exactly_once,
    fresh_folder,
    imap_client,
    ledger_facts,
    message_ids_in,
    start_fork_server,
    start_worker,
    varied_message,
    wait_ready,
    worker_env,
)

pytestmark = pytest.mark.slow


def _ids(messages: list[bytes]) -> list[str]:
    from email import message_from_bytes

    return sorted(str(message_from_bytes(raw)["Message-ID"]) for raw in messages)


def _sqlite_url(env: dict[str, str]) -> str:
    return f"sqlite:///{env['TRIAGE_DATA_DIR']}/triage.db"


def _migrated(url: str) -> str:
    from models.db import migrate

    migrate(url)
    return url


def _run_to_completion(env: dict[str, str]) -> dict:
    worker = start_worker(env)
    out, err = worker.communicate(timeout=600)
    assert worker.returncode == 0, out + err
    return json.loads(out.splitlines()[-1])


def test_sigkill_at_random_moments_loses_and_doubles_nothing(dovecot, cli_env):
    messages = [varied_message(index) for index in range(300)]
    fresh_folder(dovecot, "Crash", messages)
    env = worker_env(cli_env, dovecot, "Crash", TRIAGE_BATCH_SIZE="10")
    url = _migrated(_sqlite_url(env))
    rng = random.Random(5)
    server = start_fork_server(env)
    killed_mid_work = 0
    try:
        for _ in range(60):
            pid = server.run()
            time.sleep(rng.uniform(0.05, 1.5))
            os.kill(pid, signal.SIGKILL)  # a worker already finished is a zombie: no error
            if server.wait() == "signal=9":
                killed_mid_work += 1
            else:  # it finished the folder first (a fast machine): give the next one work
                more = [varied_message(len(messages) + i) for i in range(30)]
                append_messages(dovecot, "Crash", more)
                messages += more
            if killed_mid_work >= 10:
                break
        assert killed_mid_work >= 10
        server.run()
        assert server.wait() == "code=0"
    finally:
        server.close()
    ids = _ids(messages)
    assert_exactly_once(ledger_facts(url), ids)
    assert message_ids_in(dovecot, "Processed") == ids
    assert message_ids_in(dovecot, "Crash") == []


def test_server_restart_mid_pass_recovers_or_fails_cleanly(dovecot, cli_env, tmp_path_factory):
    # A server of its own: this test stops it.
    own = start_dovecot(tmp_path_factory.mktemp("dovecot-restart"))
    try:
        messages = [varied_message(1000 + index) for index in range(150)]
        fresh_folder(own, "Restart", messages)
        env = worker_env(cli_env, own, "Restart", TRIAGE_BATCH_SIZE="5",
                         TRIAGE_IMAP_ATTEMPTS="6", TRIAGE_IMAP_BACKOFF_SECONDS="0.5")
        url = _migrated(_sqlite_url(env))
        worker = start_worker(env)
        wait_ready(worker)
        time.sleep(0.5)
        own.process.terminate()
        own.process.wait(timeout=10)
        time.sleep(1.5)
        restarted = restart_dovecot(own)
        out, err = worker.communicate(timeout=600)
        # Either the pass reconnected and finished, or it stopped with a clear error.
        assert worker.returncode in (0, 3), out + err
        assert "Traceback" not in err, err
        if worker.returncode == 3:
            assert "error:" in out
        _run_to_completion(env)
        ids = _ids(messages)
        assert_exactly_once(ledger_facts(url), ids)
        assert message_ids_in(own, "Processed") == ids
        stop_dovecot(restarted)
    finally:
        if own.process.poll() is None:
            stop_dovecot(own)


def test_new_uidvalidity_stages_nothing_twice(dovecot, cli_env):
    messages = [varied_message(2000 + index) for index in range(12)]
    # One without a Message-ID: only its content hash can tell it was seen.
    anonymous = EmailMessage()
    anonymous["From"] = "Resident <r@example.net>"
    anonymous["Subject"] = "Leak under the sink"
    anonymous.set_content("The pipe under my sink leaks. Please send a plumber to 4 Moor Lane.")
    messages.append(anonymous.as_bytes())
    fresh_folder(dovecot, "Recreated", messages)
    env = worker_env(cli_env, dovecot, "Recreated")
    url = _migrated(_sqlite_url(env))
    first = _run_to_completion(env)
    assert first["stored"] == 13 and first["settled"] == 13

    imap = imap_client(dovecot)
    old = imap.folder_status("Recreated", ["UIDVALIDITY"])[b"UIDVALIDITY"]
    imap.delete_folder("Recreated")
    imap.create_folder("Recreated")
    assert imap.folder_status("Recreated", ["UIDVALIDITY"])[b"UIDVALIDITY"] != old
    for raw in messages:
        imap.append("Recreated", raw)
    imap.logout()

    second = _run_to_completion(env)
    assert second["stored"] == 0 and second["settled"] == 13
    from models.db import session_scope
    from models.tables import Case, Item, MailboxMessage

    with session_scope(url) as session:
        assert session.scalar(select(func.count()).select_from(Item)) == 13
        rows = session.execute(select(MailboxMessage.uidvalidity, MailboxMessage.status)).all()
        cases = session.scalar(select(func.count()).select_from(Case))
    assert len(rows) == 26 and len({uidvalidity for uidvalidity, _ in rows}) == 2
    assert {status for _, status in rows} == {"settled"}
    assert cases >= 1
    assert message_ids_in(dovecot, "Recreated") == []


def test_two_workers_on_one_postgresql_database(dovecot, cli_env, postgres_url):
    from tests.conftest import _reset_postgres

    _reset_postgres(postgres_url)
    _migrated(postgres_url)
    messages = [varied_message(3000 + index) for index in range(120)]
    fresh_folder(dovecot, "Shared", messages)
    env = worker_env(cli_env, dovecot, "Shared", database_url=postgres_url,
                     TRIAGE_BATCH_SIZE="10")
    workers = [start_worker(env) for _ in range(2)]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=600)
        assert worker.returncode == 0, out + err
        results.append(json.loads(out.splitlines()[-1]))
    # Both really worked the same mailbox: between them each message was stored once.
    assert sum(result["stored"] for result in results) == 120
    ids = _ids(messages)
    assert_exactly_once(ledger_facts(postgres_url), ids)
    assert message_ids_in(dovecot, "Processed") == ids


def test_automatic_mail_and_our_own_loop_get_no_case_and_no_reply(dovecot, cli_env):
    from ingest.mail import OUTBOUND_MARKER_HEADER

    automatic = [
        varied_message(4000, extra_headers={"Auto-Submitted": "auto-replied"}),
        varied_message(4001, extra_headers={"Precedence": "bulk"}),
        varied_message(4002, extra_headers={"X-Autoreply": "yes"}),
        varied_message(4003, extra_headers={"X-Auto-Response-Suppress": "All"}),
        varied_message(4004, extra_headers={"Return-Path": "<>"}),
    ]
    bounce = (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\n"
        b"To: housingcomplaints@northbrook-homes.example.org\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\n"
        b"Message-ID: <bounce-1@mx.example.net>\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n"
        b"\r\n--b1\r\nContent-Type: text/plain\r\n\r\n"
        b"Your message about the damp complaint could not be delivered.\r\n"
        b"--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.example.net\r\n\r\nFinal-Recipient: rfc822; x@example.net\r\n"
        b"Action: failed\r\nStatus: 5.1.1\r\n--b1--\r\n")
    # Our own acknowledgement coming back, again and again (a loop with an auto-responder).
    loop = [varied_message(4100 + index, extra_headers={
        OUTBOUND_MARKER_HEADER: "acknowledgement", "Subject": "Re: CMP-2026-00001"})
        for index in range(15)]
    messages = [*automatic, bounce, *loop]
    fresh_folder(dovecot, "Automatic", messages)
    env = worker_env(cli_env, dovecot, "Automatic")
    url = _migrated(_sqlite_url(env))
    result = _run_to_completion(env)
    assert result["stored"] == len(messages)
    from models.db import session_scope
    from models.tables import Case, DraftLetter, Item

    with session_scope(url) as session:
        items = session.execute(select(Item.status, Item.case_id)).all()
        assert session.scalar(select(func.count()).select_from(Case)) == 0
        assert session.scalar(select(func.count()).select_from(DraftLetter)) == 0
    assert [status for status, _ in items] == ["ignored"] * len(messages)
    assert all(case_id is None for _, case_id in items)
