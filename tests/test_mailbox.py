"""`triage ingest mailbox` against a real Dovecot server: new UIDs once, nothing marked read."""

from __future__ import annotations

import json
import os
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.conftest import SAMPLES, triage_command, triage_in_process
from tests.imap_server import ImapServer
from tests.mailbox_support import imap_client

pytestmark = pytest.mark.slow


def mailbox_env(cli_env: dict[str, str], server: ImapServer, folder: str) -> dict[str, str]:
    return {**cli_env, "TRIAGE_IMAP_HOST": server.host, "TRIAGE_IMAP_PORT": str(server.port),
            "TRIAGE_IMAP_USER": server.user, "TRIAGE_IMAP_PASSWORD": server.password,
            "TRIAGE_IMAP_FOLDER": folder, "TRIAGE_IMAP_SECURITY": "none"}


def items(env: dict[str, str], cwd: Path) -> list[dict]:
    done = triage_in_process("items", "--json", env=env, cwd=cwd)
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_each_message_is_taken_once_and_left_unread(dovecot: ImapServer, cli_env, tmp_path):
    folder = "Complaints"
    imap = imap_client(dovecot)
    imap.create_folder(folder)
    samples = sorted(SAMPLES.glob("mailbox/*.eml"))[:3]
    for index, path in enumerate(samples):
        # One has been opened in Outlook already: it must still be taken.
        imap.append(folder, path.read_bytes(), flags=[b"\\Seen"] if index == 0 else [])
    imap.select_folder(folder, readonly=True)
    uidvalidity = imap.folder_status(folder, ["UIDVALIDITY"])[b"UIDVALIDITY"]
    uids = imap.search("ALL")
    env = mailbox_env(cli_env, dovecot, folder)

    first = triage_command("ingest", "mailbox", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr + first.stdout
    assert "3 settled" in first.stdout
    taken = items(env, tmp_path)
    assert len(taken) == 3
    assert sorted(row["source_ref"] for row in taken) == sorted(
        f"{folder}:{uidvalidity}:{uid}" for uid in uids)
    assert all(row["status"] != "pending" for row in taken)
    # Triaged and committed, then moved to the processed folder; still as read (or unread)
    # as they were: fetching peeks.
    imap.select_folder(folder, readonly=True)
    assert imap.search("ALL") == []
    imap.select_folder("Processed", readonly=True)
    flags = imap.get_flags(imap.search("ALL"))
    assert sorted(b"\\Seen" in f for f in flags.values()) == [False, False, True]

    again = triage_command("ingest", "mailbox", env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "stored 0 new" in again.stdout
    assert len(items(env, tmp_path)) == 3

    reply = EmailMessage()
    reply["From"] = "Out of office <noreply@example.org>"
    reply["Subject"] = "Automatic reply: your complaint"
    reply["Auto-Submitted"] = "auto-replied"
    reply.set_content("I am away until Monday.")
    imap.append(folder, reply.as_bytes())
    third = triage_command("ingest", "mailbox", env=env, cwd=tmp_path)
    assert "stored 1 new" in third.stdout, third.stdout + third.stderr
    newest = max(items(env, tmp_path), key=lambda row: row["id"])
    assert (newest["status"], newest["category"]) == ("ignored", "other")
    imap.logout()


def test_a_message_over_the_size_limit_is_recorded_not_fetched(dovecot: ImapServer, cli_env,
                                                               tmp_path):
    folder = "Oversize"
    imap = imap_client(dovecot)
    imap.create_folder(folder)
    message = EmailMessage()
    message["From"] = "a@example.org"
    message["Subject"] = "Photos of the damp"
    message.set_content("See attached.")
    message.add_attachment(os.urandom(300_000), maintype="image", subtype="jpeg",
                           filename="../../etc/passwd.jpg")
    imap.append(folder, message.as_bytes())
    env = {**mailbox_env(cli_env, dovecot, folder), "TRIAGE_MAX_ITEM_BYTES": "100000"}
    done = triage_command("ingest", "mailbox", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "stored 0 new" in done.stdout
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{env['TRIAGE_DATA_DIR']}/triage.db")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT status, error FROM mailbox_messages")).all()
    assert len(rows) == 1 and rows[0][0] == "too_large"
    imap.logout()


def test_wrong_password_fails_clearly(dovecot: ImapServer, cli_env, tmp_path):
    env = {**mailbox_env(cli_env, dovecot, "INBOX"), "TRIAGE_IMAP_PASSWORD": "wrong"}
    done = triage_command("ingest", "mailbox", env=env, cwd=tmp_path)
    assert done.returncode != 0
    assert "s3cret" not in done.stdout + done.stderr
