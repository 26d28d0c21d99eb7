"""Sessions, CSRF tokens and the secret that signs the pre-log-in cookie, for the review app.

A signed-in browser's cookie holds only a random token; the session (user, CSRF token, the
next message to show) is kept on the server (pipeline/security.py), so log-out, a password
change or reset and switching an account off end it at once. Before log-in a small signed
cookie carries the log-in form's CSRF token and nothing else.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from core.files import private_dir
from pipeline import security

COOKIE_NAME = "triage_session"
LOGIN_COOKIE = "triage_login"
LOGIN_MAX_AGE = 60 * 60  # the log-in form's token
SECRET_ENV = "TRIAGE_SECRET_KEY"


def secret_key(data_dir: Path, configured: str | None = None) -> str:
    """The configured key (Settings.secret_key, TRIAGE_SECRET_KEY), else a random key kept
    (0600) in the data dir, so restarts and several workers share it."""
    from_env = (configured or os.environ.get(SECRET_ENV, "")).strip()
    if from_env:
        return from_env
    private_dir(data_dir)
    path = data_dir / "secret_key"
    if not path.exists():
        _create_key_file(path)
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise RuntimeError(f"{path} is empty: delete it or set {SECRET_ENV}")
    return key


def _create_key_file(path: Path) -> None:
    """Write the key to a private temp file, then link it into place: a racing process
    either wins the link or reads the complete key, never a half-written one."""
    temp = path.with_name(f".secret_key.{secrets.token_hex(8)}")
    descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
        with contextlib.suppress(FileExistsError):  # another process won: use its key
            os.link(temp, path)
    finally:
        temp.unlink(missing_ok=True)


class Sessions:
    """Reads the session a request's cookie names, keeps its message, starts and ends it."""

    def __init__(self, key: str, url: str, hours: float = 8.0) -> None:
        self._serializer = URLSafeTimedSerializer(key, salt="triage-review-login")
        self._url, self._max_age = url, int(hours * 3600)

    def load(self, request: Request) -> dict[str, Any]:
        """A live session's data ({"sid", "user", "role", "csrf", "flash"}); else the log-in
        form's {"csrf"}; else an empty dict. Runs a query: call it off the event loop."""
        signed = security.session_for(self._url, request.cookies.get(COOKIE_NAME, ""))
        if signed is not None:
            return {"sid": signed.token_hash, "user": signed.username, "role": signed.role,
                    "csrf": signed.csrf, "flash": signed.flash}
        raw = request.cookies.get(LOGIN_COOKIE)
        if not raw:
            return {}
        try:
            data = self._serializer.loads(raw, max_age=LOGIN_MAX_AGE)
        except BadSignature:
            return {}
        return {"csrf": data["csrf"]} if isinstance(data, dict) and isinstance(
            data.get("csrf"), str) else {}

    def save(self, request: Request, response: Response, data: dict[str, Any]) -> None:
        """Keep a signed-in session's message on the server, or the log-in form's token."""
        if data.get("sid"):
            security.set_flash(self._url, str(data["sid"]), data.get("flash"))
            return
        response.set_cookie(LOGIN_COOKIE, self._serializer.dumps({"csrf": data.get("csrf")}),
                            max_age=LOGIN_MAX_AGE, path="/", httponly=True, samesite="lax",
                            secure=request.url.scheme == "https")

    def begin(self, request: Request, response: Response, token: str) -> None:
        """Hand the browser its new session's token (the log-in form's cookie goes)."""
        response.set_cookie(COOKIE_NAME, token, max_age=self._max_age, path="/",
                            httponly=True, samesite="lax",
                            secure=request.url.scheme == "https")
        self._delete(request, response, LOGIN_COOKIE)

    def end(self, request: Request, response: Response, data: dict[str, Any]) -> None:
        """Revoke the session on the server and drop the cookies."""
        if data.get("sid"):
            security.end_session(self._url, str(data["sid"]))
        self._delete(request, response, COOKIE_NAME)
        self._delete(request, response, LOGIN_COOKIE)

    @staticmethod
    def _delete(request: Request, response: Response, name: str) -> None:
        response.delete_cookie(name, path="/", httponly=True, samesite="lax",
                               secure=request.url.scheme == "https")


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def current_session(request: Request) -> dict[str, Any]:
    """The session the guard middleware loaded for this request."""
    return getattr(request.state, "session", None) or {}


async def verify_csrf(request: Request) -> None:
    """App-wide dependency: every POST must carry the session's CSRF token, else 403."""
    if request.method != "POST":
        return
    expected = current_session(request).get("csrf")
    form = await request.form()
    sent = form.get("csrf_token")
    if not (isinstance(expected, str) and isinstance(sent, str) and expected
            and hmac.compare_digest(sent.encode(), expected.encode())):
        raise HTTPException(status_code=403, detail="The form's security token is missing or "
                                                    "out of date. Reload the page and try again.")
