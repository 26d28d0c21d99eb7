"""Real inputs for the mailbox tests: varied messages, worker processes, ledger checks."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from imapclient import IMAPClient
from sqlalchemy import func, select

from tests.conftest import REPO
from tests.imap_server import ImapServer

NAMES = ["Aisha Khan", "Tom Barker", "Grace O'Neill", "Dariusz Nowak", "Mary Ellis",
         "Kwame Mensah", "Siobhan Kelly", "Hassan Ali", "Joan Whitfield", "Priya Patel"]
STREETS = ["Ribble Court", "Fishergate Hill", "Moor Lane", "Deepdale Road", "Watling Street"]
POSTCODES = ["PR1 8JN", "PR2 6AU", "PR5 4DB", "PR7 1NX", "PR1 3QT"]
BODIES = [
    ("Complaint about the damp in my flat",
     "I want to make a formal complaint. The damp and mould in my bedroom has been reported "
     "three times since March and nobody has come. My daughter has asthma. I want the mould "
     "treated and compensation for the ruined furniture."),
    ("Repair request: kitchen tap",
     "Could you please send someone to fix the kitchen tap? It has been dripping since last "
     "week. I am in most mornings."),
    ("Thank you",
     "I just wanted to say thank you to the repairs team who fixed our boiler yesterday. They "
     "were polite and tidy."),
    ("Complaint: rude caretaker",
     "I am complaining about the caretaker who shouted at me on the stairs on Monday. I have "
     "lived here ten years and never been spoken to like that. I want an apology."),
    ("Broken window",
     "The window in the back bedroom will not shut and the catch is broken. Please can a "
     "joiner come out to repair it."),
]


def varied_message(index: int, *, extra_headers: dict[str, str] | None = None) -> bytes:
    """A realistic resident's email, unique by index (its Message-ID and a line of text)."""
    subject, body = BODIES[index % len(BODIES)]
    name = NAMES[index % len(NAMES)]
    message = EmailMessage()
    message["From"] = f"{name} <resident{index}@example.net>"
    message["To"] = "housingcomplaints@northbrook-homes.example.org"
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2026, 11, 2, 9, tzinfo=UTC)
                                      + timedelta(minutes=7 * index))
    message["Message-ID"] = make_msgid(idstring=f"m{index}", domain="example.net")
    for key, value in (extra_headers or {}).items():
        del message[key]
        message[key] = value
    street = STREETS[index % len(STREETS)]
    postcode = POSTCODES[index % len(POSTCODES)]
    message.set_content(f"Dear Sir or Madam,\n\n{body}\n\nMy address is {index % 90 + 1} "
                        f"{street}, Preston {postcode}. My phone is 07700 9{index:05d}.\n\n"
                        f"Yours faithfully,\n{name}\n")
    return message.as_bytes()


def imap_client(server: ImapServer, timeout: float = 20) -> IMAPClient:
    connection = IMAPClient(server.host, port=server.port, ssl=False, timeout=timeout)
    connection.login(server.user, server.password)
    return connection


def fresh_folder(server: ImapServer, folder: str, messages: list[bytes]) -> None:
    imap = imap_client(server)
    for name in (folder, "Processed"):
        if imap.folder_exists(name):
            imap.delete_folder(name)
    imap.create_folder(folder)
    imap.logout()
    append_messages(server, folder, messages)


def append_messages(server: ImapServer, folder: str, messages: list[bytes]) -> None:
    """New mail arriving in an existing folder."""
    imap = imap_client(server)
    for raw in messages:
        imap.append(folder, raw)
    imap.logout()


def message_ids_in(server: ImapServer, folder: str) -> list[str]:
    """Message-IDs of the folder's messages, with repeats (a copy moved twice shows twice)."""
    imap = imap_client(server)
    try:
        if not imap.folder_exists(folder):
            return []
        imap.select_folder(folder, readonly=True)
        uids = imap.search("ALL")
        fetched = imap.fetch(uids, ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"]) if uids else {}
        return sorted(meta[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"].decode().split(":", 1)[1]
                      .strip() for meta in fetched.values())
    finally:
        imap.logout()


def worker_env(cli_env: dict[str, str], server: ImapServer, folder: str,
               database_url: str | None = None, **extra: str) -> dict[str, str]:
    env = {**cli_env, "TRIAGE_IMAP_HOST": server.host, "TRIAGE_IMAP_PORT": str(server.port),
           "TRIAGE_IMAP_USER": server.user, "TRIAGE_IMAP_PASSWORD": server.password,
           "TRIAGE_IMAP_FOLDER": folder, "TRIAGE_IMAP_SECURITY": "none",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
           **extra}
    if database_url:
        env["TRIAGE_DATABASE_URL"] = database_url
    return env


def start_worker(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tests.mailbox_worker"], env=env, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class ForkServer:
    """Drives `tests.mailbox_worker --fork-server`: each run is a new worker process."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process

    def _reply(self, prefix: str) -> str:
        assert self.process.stdout is not None
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise AssertionError("the fork server exited: " + (
                    self.process.stderr.read() if self.process.stderr else ""))
            if line.startswith(prefix):
                return line.split()[-1]

    def _send(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def run(self) -> int:
        self._send("run")
        return int(self._reply("started "))

    def wait(self) -> str:
        self._send("wait")
        return self._reply("exited ")

    def close(self) -> None:
        if self.process.poll() is None:
            self._send("quit")
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_fork_server(env: dict[str, str]) -> ForkServer:
    process = subprocess.Popen([sys.executable, "-m", "tests.mailbox_worker", "--fork-server"],
                               env={**env, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"},
                               cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    wait_ready(process)
    return ForkServer(process)


def wait_ready(process: subprocess.Popen[str], timeout: float = 180) -> None:
    """Block until the worker has loaded its model and begins the pass."""
    assert process.stdout is not None
    import select as select_module

    ready, _, _ = select_module.select([process.stdout], [], [], timeout)
    assert ready, "the worker did not start within the timeout"
    line = process.stdout.readline()
    assert line.strip() == "ready", line + (process.stderr.read() if process.stderr else "")


def ledger_facts(database_url: str) -> dict[str, object]:
    """What exactly-once is judged on: items, ledger rows and cases, counted in the database."""
    from models.db import session_scope
    from models.tables import Case, CaseEvent, Item, MailboxMessage

    with session_scope(database_url) as session:
        items = session.execute(select(Item.id, Item.sha256, Item.status, Item.case_id)).all()
        rows = session.execute(select(MailboxMessage.message_id, MailboxMessage.item_id,
                                      MailboxMessage.status)).all()
        opened = session.execute(
            select(CaseEvent.item_id, func.count()).where(CaseEvent.kind == "opened")
            .group_by(CaseEvent.item_id)).all()
        cases = session.scalar(select(func.count()).select_from(Case))
    return {"items": items, "rows": rows, "opened": opened, "cases": cases}


def assert_exactly_once(facts: dict[str, object], message_ids: list[str]) -> None:
    items, rows = facts["items"], facts["rows"]
    assert len(items) == len(message_ids), (len(items), len(message_ids))
    assert len({item.sha256 for item in items}) == len(items)
    assert all(item.status not in ("pending", "quarantined") for item in items), \
        sorted({item.status for item in items})
    assert sorted(row.message_id for row in rows) == sorted(message_ids)
    assert len({row.item_id for row in rows}) == len(rows)
    assert all(row.status == "settled" for row in rows)
    # No case opened twice from one message, and one case per opening.
    assert all(count == 1 for _, count in facts["opened"]), facts["opened"]
    assert facts["cases"] == len(facts["opened"])

