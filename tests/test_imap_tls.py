"""`triage ingest mailbox` over TLS and with an OAuth2 token, against a real Dovecot.

Dovecot gets a throw-away CA (implicit TLS on one port, STARTTLS on the other) and an oauth2
passdb that asks a small introspection server in this process about each token, as
Exchange Online's XOAUTH2 log-in is checked by Microsoft's identity platform.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from imapclient import IMAPClient

from ingest.errors import SourceConfigError
from ingest.imap import Mailbox, MailboxConfig
from tests.conftest import triage_command
from tests.imap_server import ImapServer, dovecot_binary, start_dovecot, stop_dovecot

pytestmark = pytest.mark.slow

GOOD_TOKEN = "ya29.test-token-for-complaints-7f3a"
WRONG_TOKEN = "ya29.revoked-token-0c1d"


class Introspection(ThreadingHTTPServer):
    """RFC 7662 token introspection: active only for GOOD_TOKEN, and for our one user."""

    daemon_threads = True

    def __init__(self, username: str) -> None:
        super().__init__(("127.0.0.1", 0), _IntrospectionHandler)
        self.username = username
        self.tokens_seen: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/introspect"


class _IntrospectionHandler(BaseHTTPRequestHandler):
    server: Introspection

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        token = parse_qs(body).get("token", [""])[0]
        self.server.tokens_seen.append(token)
        answer = ({"active": True, "username": self.server.username}
                  if token == GOOD_TOKEN else {"active": False})
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request line is no business of the test output."""


@pytest.fixture(scope="module")
def introspection() -> Iterator[Introspection]:
    server = Introspection("complaints")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def dovecot(tmp_path_factory: pytest.TempPathFactory,
            introspection: Introspection) -> Iterator[ImapServer]:
    if dovecot_binary() is None:
        if os.environ.get("CI"):
            pytest.fail("dovecot is not installed: make test installs dovecot-imapd")
        pytest.skip("dovecot is not installed (make test installs dovecot-imapd)")
    server = start_dovecot(tmp_path_factory.mktemp("dovecot-tls"), tls=True,
                           oauth2_introspection_url=introspection.url)
    yield server
    stop_dovecot(server)


def deliver(server: ImapServer, folder: str) -> None:
    """One complaint in a folder of its own, appended over the plain port with the password."""
    message = EmailMessage()
    message["From"] = "Resident <resident@example.org>"
    message["Subject"] = "Damp in the bedroom"
    message["Message-ID"] = f"<{folder.lower()}@example.org>"
    message.set_content("There is black mould on the bedroom wall and the window leaks.")
    imap = IMAPClient(server.host, port=server.port, ssl=False, timeout=10)
    imap.login(server.user, server.password)
    imap.create_folder(folder)
    imap.append(folder, message.as_bytes())
    imap.logout()


def mailbox_env(cli_env: dict[str, str], server: ImapServer, folder: str, *, security: str,
                port: int | None, ca_file: Path | None) -> dict[str, str]:
    env = {**cli_env, "TRIAGE_IMAP_HOST": server.host, "TRIAGE_IMAP_PORT": str(port),
           "TRIAGE_IMAP_USER": server.user, "TRIAGE_IMAP_PASSWORD": server.password,
           "TRIAGE_IMAP_FOLDER": folder, "TRIAGE_IMAP_SECURITY": security,
           "TRIAGE_IMAP_TIMEOUT_SECONDS": "10"}
    if ca_file is not None:
        env["TRIAGE_IMAP_CA_FILE"] = str(ca_file)
    return env


def stored_items(env: dict[str, str]) -> int:
    from sqlalchemy import create_engine, func, inspect, select

    from models.tables import Item

    engine = create_engine(f"sqlite:///{env['TRIAGE_DATA_DIR']}/triage.db")
    try:
        if not inspect(engine).has_table("items"):
            return 0
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(Item))
    finally:
        engine.dispose()


def flat(text: str) -> str:
    """Rich wraps long error lines; compare words, not line breaks."""
    return " ".join(text.split())


def config_for(server: ImapServer, folder: str, *, security: str, ca_file: Path | None,
               auth: str = "password", secret: str | None = None) -> MailboxConfig:
    port = server.imaps_port if security == "ssl" else server.port
    return MailboxConfig(host=server.host, port=port, user=server.user,
                         secret=secret or server.password, folder=folder, security=security,
                         auth=auth, ca_file=str(ca_file) if ca_file else None, timeout=10,
                         backoff_seconds=60)


def one_pass(settings, config: MailboxConfig):
    from pipeline.mailbox_pass import store_new_messages

    with Mailbox(config) as mailbox:
        return store_new_messages(settings, mailbox)


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_a_message_is_ingested_over_tls_with_the_ca_file(dovecot: ImapServer, settings,
                                                         security):
    folder = f"Tls{security.title()}"
    deliver(dovecot, folder)
    report = one_pass(settings, config_for(dovecot, folder, security=security,
                                           ca_file=dovecot.ca_file))
    assert len(report.batch.stored) == 1 and report.reconnects == 0


def refused_handshakes(server: ImapServer) -> int:
    """TLS handshakes Dovecot saw the client abandon because it did not know the CA."""
    return sum("unknown ca" in line for line in server.log().splitlines())


def test_an_untrusted_certificate_fails_at_once_and_stores_nothing(dovecot: ImapServer,
                                                                   cli_env, tmp_path):
    folder = "Untrusted"
    deliver(dovecot, folder)
    # Any retry would first sleep this long; the command itself spends 20-50 s starting
    # Prefect on a busy machine, so "promptly" is judged against the backoff and by the
    # number of handshakes the server saw, not by a fixed number of seconds.
    backoff = 120
    env = {**mailbox_env(cli_env, dovecot, folder, security="ssl", port=dovecot.imaps_port,
                         ca_file=None),
           "TRIAGE_IMAP_BACKOFF_SECONDS": str(backoff)}
    before = refused_handshakes(dovecot)
    started = time.monotonic()
    done = triage_command("ingest", "mailbox", env=env, cwd=tmp_path)
    elapsed = time.monotonic() - started
    assert done.returncode == 1, done.stderr + done.stdout
    message = flat(done.stderr).rsplit("error: ", 1)[-1]
    assert "certificate verify failed" in message and "TRIAGE_IMAP_CA_FILE" in message, \
        done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "reconnecting" not in done.stderr
    assert elapsed < backoff, f"took {elapsed:.1f} s: a certificate failure was retried"
    deadline = time.monotonic() + 5
    while refused_handshakes(dovecot) == before and time.monotonic() < deadline:
        time.sleep(0.1)  # Dovecot's log process writes the line just after the disconnect
    # One connection: neither the mailbox's reconnect loop nor Prefect's task retries.
    assert refused_handshakes(dovecot) - before == 1
    assert stored_items(env) == 0


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_a_certificate_failure_is_not_retried_by_the_mailbox(dovecot: ImapServer, security):
    """In process, timed, for both kinds of TLS: the reconnect loop never sleeps on it."""
    config = config_for(dovecot, "INBOX", security=security, ca_file=None)
    slept: list[float] = []
    mailbox = Mailbox(config, sleep=slept.append)
    started = time.monotonic()
    with pytest.raises(SourceConfigError, match="certificate verify failed"):
        mailbox.open()
    assert slept == [] and mailbox.reconnects == 0
    assert time.monotonic() - started < 5


def test_xoauth2_logs_in_with_the_token_and_refuses_a_wrong_one(
        dovecot: ImapServer, introspection: Introspection, settings, tmp_path):
    folder = "OAuth"
    deliver(dovecot, folder)
    good = config_for(dovecot, folder, security="ssl", ca_file=dovecot.ca_file,
                      auth="xoauth2", secret=GOOD_TOKEN)
    report = one_pass(settings, good)
    assert len(report.batch.stored) == 1
    assert GOOD_TOKEN in introspection.tokens_seen  # Dovecot asked about it: no password

    slept: list[float] = []
    wrong = Mailbox(config_for(dovecot, folder, security="ssl", ca_file=dovecot.ca_file,
                               auth="xoauth2", secret=WRONG_TOKEN), sleep=slept.append)
    with pytest.raises(SourceConfigError, match=r"refused the log-in for complaints \(xoauth2\)"):
        wrong.open()
    assert slept == [] and WRONG_TOKEN in introspection.tokens_seen

    # The command says so in one line and never prints the token.
    cli_env = {key: value for key, value in os.environ.items() if not key.startswith("TRIAGE_")}
    cli_env |= {"TRIAGE_DATA_DIR": str(settings.data_dir),
                "PREFECT_HOME": str(tmp_path / "prefect")}
    env = {**mailbox_env(cli_env, dovecot, folder, security="ssl", port=dovecot.imaps_port,
                         ca_file=dovecot.ca_file),
           "TRIAGE_IMAP_AUTH": "xoauth2", "TRIAGE_IMAP_PASSWORD": WRONG_TOKEN}
    refused = triage_command("ingest", "mailbox", env=env, cwd=tmp_path)
    assert refused.returncode == 1, refused.stderr + refused.stdout
    assert "refused the log-in for complaints (xoauth2)" in flat(refused.stderr)
    assert WRONG_TOKEN not in refused.stdout + refused.stderr
    assert "Traceback" not in refused.stdout + refused.stderr


def test_xoauth2_takes_a_fresh_token_from_the_token_command(
        dovecot: ImapServer, introspection: Introspection, settings, tmp_path):
    """A scheduled poll outlives any one token: each pass asks the command for one."""
    from ingest.errors import TransientSourceError
    from pipeline.mailbox_pass import mailbox_config

    folder = "OAuthCommand"
    deliver(dovecot, folder)
    script = tmp_path / "token.sh"
    script.write_text(f"#!/bin/sh\necho {GOOD_TOKEN}\n")
    script.chmod(0o700)
    configured = settings.model_copy(update={
        "imap_host": dovecot.host, "imap_port": dovecot.imaps_port, "imap_user": dovecot.user,
        "imap_password": None, "imap_folder": folder, "imap_security": "ssl",
        "imap_ca_file": dovecot.ca_file, "imap_auth": "xoauth2",
        "imap_oauth2_token_command": str(script)})
    config = mailbox_config(configured)
    assert config.secret == GOOD_TOKEN
    assert len(one_pass(configured, config).batch.stored) == 1

    failing = configured.model_copy(update={"imap_oauth2_token_command": "false"})
    with pytest.raises(TransientSourceError, match="gave no token"):
        mailbox_config(failing)
