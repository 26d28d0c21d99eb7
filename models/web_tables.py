"""The review app's own tables (migration 0012): server-side sessions, log-in attempts, the
access log of who viewed or changed which item or case, and who holds an item in the queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.tables import Base, utcnow


class WebSession(Base):
    """A signed-in browser (migration 0012): the cookie holds a random token, this table only
    its SHA-256, so neither a copied database nor a read cookie forges another session. Log-out,
    a password change or reset and switching the account off set `revoked_at`."""

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_username", "username", "revoked_at"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    csrf: Mapped[str] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the next flash message
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_why: Mapped[str | None] = mapped_column(String(32))


class LoginAttempt(Base):
    """Every log-in attempt (migration 0012): what throttling counts, and the record of failed
    attempts managers read. `outcome` is ok, wrong (password or unknown name) or locked."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_username_at", "username", "at"),
                      Index("ix_login_attempts_address_at", "address", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    username: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))


class AccessEntry(Base):
    """Who viewed or changed which item or case, and when (migration 0012); managers read it."""

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_target", "target_kind", "target", "at"),
                      Index("ix_access_log_username_at", "username", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    username: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(16))  # viewed | changed
    target_kind: Mapped[str] = mapped_column(String(16))  # item | case
    target: Mapped[str] = mapped_column(String(40))
    path: Mapped[str] = mapped_column(String(200))


class ItemClaim(Base):
    """Who holds an item in the queue, until when (migration 0012): opening it claims it, a
    claim lapses, and assigning puts it in an officer's hands for longer."""

    __tablename__ = "item_claims"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), primary_key=True)
    officer: Mapped[str] = mapped_column(String(100), index=True)
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    assigned_by: Mapped[str | None] = mapped_column(String(100))
