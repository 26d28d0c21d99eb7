"""A real Dovecot IMAP server on 127.0.0.1 for the tests, started from Debian's package.

Optionally with TLS (a throw-away CA made with `openssl`, implicit TLS on a second port and
STARTTLS on the first) and an OAuth2 passdb that asks an introspection URL about tokens.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, replace
from pathlib import Path

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
{ssl}
disable_plaintext_auth = no
auth_mechanisms = {auth_mechanisms}
mail_location = maildir:{root}/mail/%u
default_internal_user = {internal_user}
default_login_user = {login_user}
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users{password_mechanisms}
}}{oauth2_passdb}
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
    port = {imaps_port}
  }}
}}
service anvil {{
  chroot =
}}
"""

# XOAUTH2/OAUTHBEARER tokens: Dovecot POSTs token=... to the URL and reads active/username.
OAUTH2_PASSDB = """
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {root}/dovecot-oauth2.conf.ext
}}"""

OAUTH2_CONFIG = """\
introspection_mode = post
introspection_url = {url}
username_attribute = username
active_attribute = active
active_value = true
"""

# The server certificate names what the client dials; the CA signs nothing else.
SERVER_EXTENSIONS = """\
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
"""


@dataclass(frozen=True)
class ImapServer:
    host: str
    port: int
    user: str
    password: str
    root: Path
    process: subprocess.Popen[bytes]
    imaps_port: int | None = None  # implicit TLS; only with tls=True
    ca_file: Path | None = None  # the throw-away CA that signed the server's certificate

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


def make_certificates(root: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1/localhost: (ca.pem, server.pem, key)."""
    ca_key, ca_cert = root / "ca.key", root / "ca.pem"
    key, request, cert = root / "server.key", root / "server.csr", root / "server.pem"
    extensions = root / "server.ext"
    extensions.write_text(SERVER_EXTENSIONS)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for command in (
        ["req", "-x509", *ec, "-keyout", ca_key, "-out", ca_cert, "-days", "2",
         "-subj", "/CN=housing-triage test CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
        ["req", "-new", *ec, "-keyout", key, "-out", request, "-subj", "/CN=localhost"],
        ["x509", "-req", "-in", request, "-CA", ca_cert, "-CAkey", ca_key,
         "-CAcreateserial", "-out", cert, "-days", "2", "-extfile", extensions],
    ):
        done = subprocess.run(["openssl", *map(str, command)], capture_output=True,
                              text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"openssl {command[0]} failed: {done.stderr}")
    return ca_cert, cert, key


def start_dovecot(root: Path, *, tls: bool = False,
                  oauth2_introspection_url: str | None = None) -> ImapServer:
    """Start Dovecot in the foreground on a free port with one mailbox user.

    tls=True adds STARTTLS on that port and implicit TLS on a second one; with an
    introspection URL, XOAUTH2/OAUTHBEARER log-ins are checked there (the password stays).
    """
    binary = dovecot_binary()
    if binary is None:
        raise RuntimeError("dovecot is not installed (make test installs dovecot-imapd)")
    if tls and shutil.which("openssl") is None:
        raise RuntimeError("openssl is not installed (make test installs it)")
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    as_root = os.geteuid() == 0
    mail_user = "dovecot" if as_root else pwd.getpwuid(os.geteuid()).pw_name
    port = _free_port()
    imaps_port, ca_file, ssl = None, None, "ssl = no"
    if tls:
        ca_file, cert, key = make_certificates(root)
        imaps_port = _free_port()
        ssl = f"ssl = yes\nssl_cert = <{cert}\nssl_key = <{key}"
    mechanisms, password_mechanisms, oauth2_passdb = "plain login", "", ""
    if oauth2_introspection_url:
        mechanisms = "plain login xoauth2 oauthbearer"
        password_mechanisms = "\n  mechanisms = plain login"
        oauth2_passdb = OAUTH2_PASSDB.format(root=root)
        (root / "dovecot-oauth2.conf.ext").write_text(
            OAUTH2_CONFIG.format(url=oauth2_introspection_url))
    (root / "users").write_text("complaints:{PLAIN}s3cret-for-tests\n")
    (root / "dovecot.conf").write_text(CONFIG.format(
        root=root, port=port, mail_user=mail_user,
        internal_user="dovecot" if as_root else mail_user,
        login_user="dovenull" if as_root else mail_user,
        ssl=ssl, imaps_port=imaps_port or 0, auth_mechanisms=mechanisms,
        password_mechanisms=password_mechanisms, oauth2_passdb=oauth2_passdb,
    ))
    if as_root:
        entry = pwd.getpwnam("dovecot")
        for sub in ("mail", "home"):
            os.chown(root / sub, entry.pw_uid, entry.pw_gid)
        for parent in [root, *root.parents]:
            if parent == Path("/"):
                break
            os.chmod(parent, os.stat(parent).st_mode | 0o111)
    process = _launch(root, port, imaps_port)
    return ImapServer("127.0.0.1", port, "complaints", "s3cret-for-tests", root, process,
                      imaps_port, ca_file)


def restart_dovecot(server: ImapServer) -> ImapServer:
    """The same server (config, ports, mail) started again after its process was stopped."""
    return replace(server, process=_launch(server.root, server.port, server.imaps_port))


def _launch(root: Path, port: int, imaps_port: int | None) -> subprocess.Popen[bytes]:
    """Dovecot in the foreground on `root`'s config, once it greets on its ports."""
    binary = dovecot_binary()
    assert binary is not None
    process = subprocess.Popen([binary, "-F", "-c", str(root / "dovecot.conf")],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            raise RuntimeError(f"dovecot exited: {output}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as connection:
                if connection.recv(100).startswith(b"* OK") and (
                        imaps_port is None or _accepts(imaps_port)):
                    return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("dovecot did not start listening within 20 s")


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def stop_dovecot(server: ImapServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
