"""Users of the review web app: argon2 password hashes, never the password itself."""

from __future__ import annotations

import getpass
import sys
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from core.settings import Settings
from models.db import session_scope
from models.tables import User
from models.websessions import revoke_sessions

ROLES = ("officer", "manager")
_hasher = PasswordHasher()


class UserError(ValueError):
    """A user cannot be created or found as asked; the message says why."""


def read_password() -> str:
    """One line from stdin when it is not a terminal, else a prompt asked twice."""
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise UserError("the two passwords differ")
    if len(password) < 8:
        raise UserError("the password must be at least 8 characters")
    return password


def add_user(settings: Settings, username: str, role: str, password: str) -> None:
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    if not username.strip() or len(username) > 100:
        raise UserError("the username must be 1 to 100 characters")
    with session_scope(settings.resolved_database_url) as session:
        if session.scalar(select(User).where(User.username == username)) is not None:
            raise UserError(f"user {username!r} already exists")
        session.add(User(username=username, role=role, password_hash=_hasher.hash(password)))


def set_password(settings: Settings, username: str, password: str,
                 why: str = "password_reset") -> None:
    """A new password for an existing user (a manager's reset in the review app, or the user's
    own change); every session the user had ends with it."""
    if not 8 <= len(password) <= 1024:
        raise UserError("the password must be 8 to 1,024 characters")
    with session_scope(settings.resolved_database_url) as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise UserError(f"there is no user {username!r}")
        user.password_hash = _hasher.hash(password)
        revoke_sessions(session, username, why, datetime.now(UTC))


def change_own_password(settings: Settings, username: str, current: str, new: str) -> None:
    """The user's own change: the current password first; every session ends with it."""
    if len(current) > 1024 or check_password(settings, username, current) is None:
        raise UserError("the current password is wrong")
    set_password(settings, username, new, why="password_changed")


def change_user(settings: Settings, username: str, by: str, role: str = "",
                active: str = "") -> None:
    """A manager changes a user's role or switches the account off (its sessions end at once)
    or on (old sessions stay ended); nobody switches off or demotes themselves."""
    with session_scope(settings.resolved_database_url) as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise LookupError(username)
        if username == by and (active == "no" or (role and role != user.role)):
            raise UserError("you cannot switch off or demote your own account; ask another "
                            "manager")
        if role:
            if role not in ROLES:
                raise UserError("unknown role")
            user.role = role
        if active in {"yes", "no"}:
            user.active = active == "yes"
            if not user.active:
                revoke_sessions(session, username, "switched_off", datetime.now(UTC))


def list_users(settings: Settings) -> list[dict[str, object]]:
    """Every user with role and whether active; never a hash."""
    with session_scope(settings.resolved_database_url) as session:
        return [{"username": user.username, "role": user.role, "active": user.active}
                for user in session.scalars(select(User).order_by(User.username))]


def active_officers(settings: Settings) -> list[str]:
    """The names work can be assigned to: every active account."""
    return [user["username"] for user in list_users(settings) if user["active"]]


def check_password(settings: Settings, username: str, password: str) -> User | None:
    """The user when the password matches and the account is active; None otherwise (the same
    answer for unknown users)."""
    with session_scope(settings.resolved_database_url) as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None or not user.active:
            _hasher.hash(password)  # spend the same time, so timing does not reveal names
            return None
        try:
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        return user
