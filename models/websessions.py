"""Rows for the review app's security: signed-in sessions, log-in attempts, the access log.

Persistence only: what counts as a lock-out or an expired session is decided by the caller
(pipeline/security.py), which hands in the times.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models.tables import User
from models.web_tables import AccessEntry, LoginAttempt, WebSession


def live_session(session: Session, token_hash: str, now: datetime
                 ) -> tuple[WebSession, User] | None:
    """The session and its user when neither is over: not revoked, not expired, the account
    still there and switched on."""
    row = session.execute(
        select(WebSession, User).join(User, User.username == WebSession.username)
        .where(WebSession.token_hash == token_hash, WebSession.revoked_at.is_(None),
               WebSession.expires_at > now, User.active.is_(True))).first()
    return (row[0], row[1]) if row is not None else None


def revoke_sessions(session: Session, username: str, why: str, now: datetime,
                    token_hash: str | None = None) -> int:
    """End the user's live sessions (or just one of them); returns how many ended."""
    query = update(WebSession).where(WebSession.username == username,
                                     WebSession.revoked_at.is_(None))
    if token_hash is not None:
        query = query.where(WebSession.token_hash == token_hash)
    result = session.execute(query.values(revoked_at=now, revoked_why=why[:32]))
    return int(getattr(result, "rowcount", 0) or 0)


def attempt_times(session: Session, since: datetime, *, username: str | None = None,
                  address: str | None = None, outcome: str = "wrong") -> list[datetime]:
    """When the attempts with this outcome were made since `since`, for one account or one
    address, oldest first."""
    query = select(LoginAttempt.at).where(LoginAttempt.at > since,
                                          LoginAttempt.outcome == outcome)
    if username is not None:
        query = query.where(LoginAttempt.username == username)
    if address is not None:
        query = query.where(LoginAttempt.address == address)
    return list(session.scalars(query.order_by(LoginAttempt.at)))


def last_success(session: Session, username: str) -> datetime | None:
    return session.scalar(select(func.max(LoginAttempt.at)).where(
        LoginAttempt.username == username, LoginAttempt.outcome == "ok"))


def record_attempt(session: Session, username: str, address: str, outcome: str,
                   at: datetime) -> None:
    session.add(LoginAttempt(username=username[:100], address=address[:64], outcome=outcome,
                             at=at))


def record_access(session: Session, username: str, action: str, target_kind: str,
                  target: str, path: str) -> None:
    session.add(AccessEntry(username=username[:100], action=action, target_kind=target_kind,
                            target=target[:40], path=path[:200]))


def access_entries(session: Session, *, username: str = "", target: str = "",
                   limit: int = 200) -> list[AccessEntry]:
    query = select(AccessEntry)
    if username:
        query = query.where(AccessEntry.username == username)
    if target:
        query = query.where(AccessEntry.target == target)
    return list(session.scalars(query.order_by(AccessEntry.id.desc()).limit(limit)))


def recent_failures(session: Session, limit: int = 100) -> list[LoginAttempt]:
    return list(session.scalars(select(LoginAttempt).where(LoginAttempt.outcome != "ok")
                                .order_by(LoginAttempt.id.desc()).limit(limit)))
