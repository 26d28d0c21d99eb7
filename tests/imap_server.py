"""A real Dovecot IMAP server on 127.0.0.1 for the tests, started from Debian's package."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
default_internal_user = {internal_user}
default_login_user = {login_user}
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_user} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


@dataclass(frozen=True)
class ImapServer:
    host: str
    port: int
    user: str
    password: str
    root: Path
    process: subprocess.Popen[bytes]

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_dovecot(root: Path) -> ImapServer:
    """Start Dovecot in the foreground on a free port with one mailbox user."""
    binary = dovecot_binary()
    if binary is None:
        raise RuntimeError("dovecot is not installed (make test installs dovecot-imapd)")
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    as_root = os.geteuid() == 0
    mail_user = "dovecot" if as_root else pwd.getpwuid(os.geteuid()).pw_name
    port = _free_port()
    (root / "users").write_text("complaints:{PLAIN}s3cret-for-tests\n")
    (root / "dovecot.conf").write_text(CONFIG.format(
        root=root, port=port, mail_user=mail_user,
        internal_user="dovecot" if as_root else mail_user,
        login_user="dovenull" if as_root else mail_user,
    ))
    if as_root:
        entry = pwd.getpwnam("dovecot")
        for sub in ("mail", "home"):
            os.chown(root / sub, entry.pw_uid, entry.pw_gid)
        for parent in [root, *root.parents]:
            if parent == Path("/"):
                break
            os.chmod(parent, os.stat(parent).st_mode | 0o111)
    process = subprocess.Popen([binary, "-F", "-c", str(root / "dovecot.conf")],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            raise RuntimeError(f"dovecot exited: {output}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as connection:
                if connection.recv(100).startswith(b"* OK"):
                    return ImapServer("127.0.0.1", port, "complaints", "s3cret-for-tests",
                                      root, process)
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("dovecot did not start listening within 20 s")


def stop_dovecot(server: ImapServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
