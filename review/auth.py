"""Sessions, CSRF tokens and the secret that signs them, for the review web app.

The session lives in a signed cookie (itsdangerous), so the app keeps no session table; the
cookie carries the officer's name and role plus a per-session CSRF token that every POST
must echo back.
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

COOKIE_NAME = "triage_session"
# A working day: long enough not to interrupt an officer, short enough to bound a stolen cookie.
SESSION_MAX_AGE = 8 * 60 * 60
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
    """Reads and writes the signed session cookie."""

    def __init__(self, key: str) -> None:
        self._serializer = URLSafeTimedSerializer(key, salt="triage-review-session")

    def load(self, request: Request) -> dict[str, Any]:
        """The session's data; an empty dict for a missing, forged or expired cookie."""
        raw = request.cookies.get(COOKIE_NAME)
        if not raw:
            return {}
        try:
            data = self._serializer.loads(raw, max_age=SESSION_MAX_AGE)
        except BadSignature:
            return {}
        return data if isinstance(data, dict) else {}

    def save(self, request: Request, response: Response, data: dict[str, Any]) -> None:
        response.set_cookie(
            COOKIE_NAME,
            self._serializer.dumps(data),
            max_age=SESSION_MAX_AGE,
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )

    def clear(self, request: Request, response: Response) -> None:
        response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax",
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
