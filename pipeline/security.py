"""The review app's security as a service: signed-in sessions kept on the server, log-in
throttled per account and per address, and the access log of who read or changed what.

A session's cookie carries a random token; the table holds only its SHA-256. Log-out, a
password change or reset and switching an account off revoke the sessions at once, because
every request looks the token up (the user's role is read there too, so a changed role
applies at the next page).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from core.settings import Settings
from models import websessions
from models.db import session_scope
from models.tables import User
from models.web_tables import WebSession
from pipeline.users import check_password

MAX_TOKEN = 100  # a longer cookie is not one of ours: refused before any hashing


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SignedIn:
    """A live session: who, in what role, its CSRF token and any message to show next."""

    token_hash: str
    username: str
    role: str
    csrf: str
    flash: dict[str, Any] | None


@dataclass(frozen=True)
class SignIn:
    """A log-in attempt's answer: the user, or why not (locked until a time, or wrong)."""

    user: User | None
    locked_until: datetime | None = None


def start_session(settings: Settings, username: str, address: str) -> tuple[str, str]:
    """A new session for the user: (the cookie's token, the session's CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with session_scope(settings.resolved_database_url) as session:
        session.add(WebSession(token_hash=token_hash(token), username=username, csrf=csrf,
                               address=address[:64], data={}, created_at=now,
                               expires_at=now + timedelta(hours=settings.session_hours)))
    return token, csrf


def session_for(url: str, token: str) -> SignedIn | None:
    """The live session the cookie's token names, or None (unknown, expired, revoked, or
    its account switched off)."""
    if not token or len(token) > MAX_TOKEN:
        return None
    with session_scope(url) as session:
        found = websessions.live_session(session, token_hash(token), datetime.now(UTC))
        if found is None:
            return None
        row, user = found
        flash = (row.data or {}).get("flash")
        return SignedIn(row.token_hash, user.username, user.role, row.csrf,
                        flash if isinstance(flash, dict) else None)


def set_flash(url: str, hashed: str, flash: dict[str, Any] | None) -> None:
    """Keep (or clear) the message the session's next page shows."""
    with session_scope(url) as session:
        row = session.get(WebSession, hashed)
        if row is not None:
            row.data = {**(row.data or {}), "flash": flash}


def end_session(url: str, hashed: str, why: str = "logout") -> None:
    with session_scope(url) as session:
        row = session.get(WebSession, hashed)
        if row is not None and row.revoked_at is None:
            row.revoked_at, row.revoked_why = datetime.now(UTC), why


def revoke_sessions(url: str, username: str, why: str) -> int:
    """End every live session of the user (a password change or reset, a switch-off)."""
    with session_scope(url) as session:
        return websessions.revoke_sessions(session, username, why, datetime.now(UTC))


def locked_until(failures: Sequence[datetime], limit: int, window: timedelta,
                 lockout: timedelta) -> datetime | None:
    """When a lock-out ends, given the failed attempts' times (oldest first): `limit` failures
    within `window` lock for `lockout` from the one that reached the limit; None if never."""
    until = None
    for end, at in enumerate(failures):
        inside = [f for f in failures[:end + 1] if f > at - window]
        if len(inside) >= limit:
            until = at + lockout
    return until


def sign_in(settings: Settings, username: str, password: str, address: str) -> SignIn:
    """Check a log-in under the throttle; every attempt is recorded (ok, wrong or locked).

    A locked account or address is refused without checking the password, so guessing on
    during a lock-out learns nothing; the answer is the same for unknown names."""
    url, now = settings.resolved_database_url, datetime.now(UTC)
    window = timedelta(minutes=settings.login_window_minutes)
    lockout = timedelta(minutes=settings.login_lockout_minutes)
    since = now - window - lockout
    with session_scope(url) as session:
        account_since = max(since, websessions.last_success(session, username) or since)
        by_account = websessions.attempt_times(session, account_since, username=username)
        by_address = websessions.attempt_times(session, since, address=address)
        until = max((t for t in (
            locked_until(by_account, settings.login_failures_per_account, window, lockout),
            locked_until(by_address, settings.login_failures_per_address, window, lockout))
            if t is not None and t > now), default=None)
        if until is not None:
            websessions.record_attempt(session, username, address, "locked", now)
            return SignIn(None, until)
    user = check_password(settings, username, password)
    with session_scope(url) as session:
        websessions.record_attempt(session, username, address, "ok" if user else "wrong", now)
    return SignIn(user)


def record_access(url: str, username: str, action: str, target_kind: str, target: str,
                  path: str) -> None:
    with session_scope(url) as session:
        websessions.record_access(session, username, action, target_kind, target, path)


def access_log(url: str, username: str = "", target: str = "", limit: int = 200
               ) -> list[dict[str, Any]]:
    """The newest access entries, for one user or one item or case if asked."""
    with session_scope(url) as session:
        return [{"at": entry.at, "username": entry.username, "action": entry.action,
                 "kind": entry.target_kind, "target": entry.target, "path": entry.path}
                for entry in websessions.access_entries(session, username=username.strip(),
                                                        target=target.strip(), limit=limit)]


def failed_attempts(url: str, limit: int = 100) -> list[dict[str, Any]]:
    with session_scope(url) as session:
        return [{"at": row.at, "username": row.username, "address": row.address,
                 "outcome": row.outcome} for row in websessions.recent_failures(session, limit)]
