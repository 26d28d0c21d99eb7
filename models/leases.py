"""Database leases: at most one poll of a mailbox or scan folder at a time, on any machine.

A lease is a row with an expiry. Taking it is one atomic statement (insert, or update of an
expired row), so two workers starting together cannot both win; the holder renews it while it
works, and a holder that dies simply lets it expire.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from models.db import session_scope
from models.tables import Lease, utcnow

log = logging.getLogger("models.leases")


def new_holder() -> str:
    """Names the machine and process, so an operator can see who holds a lease."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(url: str, name: str, holder: str, ttl_seconds: float) -> bool:
    now = utcnow()
    expires = now + timedelta(seconds=ttl_seconds)
    with session_scope(url) as session:
        taken = session.execute(
            update(Lease).where(Lease.name == name,
                                or_(Lease.expires_at < now, Lease.holder == holder))
            .values(holder=holder, acquired_at=now, expires_at=expires)
            .execution_options(synchronize_session=False)).rowcount
        if taken:
            return True
    try:
        with session_scope(url) as session:
            session.add(Lease(name=name, holder=holder, acquired_at=now, expires_at=expires))
        return True
    except IntegrityError:  # someone holds it (or took it a moment ago)
        return False


def renew(url: str, name: str, holder: str, ttl_seconds: float) -> bool:
    with session_scope(url) as session:
        return session.execute(
            update(Lease).where(Lease.name == name, Lease.holder == holder)
            .values(expires_at=utcnow() + timedelta(seconds=ttl_seconds))
            .execution_options(synchronize_session=False)).rowcount == 1


def release(url: str, name: str, holder: str) -> None:
    with session_scope(url) as session:
        session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))


def current_holder(url: str, name: str) -> str | None:
    with session_scope(url) as session:
        lease = session.scalar(select(Lease).where(Lease.name == name))
        return lease.holder if lease is not None and lease.expires_at > utcnow() else None


@dataclass
class Held:
    """The outcome of asking for a lease: held (work on) or someone else's (skip)."""

    name: str
    held: bool
    holder: str | None = None  # who has it, when we do not


@contextmanager
def lease(url: str, name: str, *, ttl_seconds: float = 300.0) -> Iterator[Held]:
    """Hold the lease for the block, renewing it every third of its life; release after."""
    holder = new_holder()
    if not acquire(url, name, holder, ttl_seconds):
        yield Held(name, False, current_holder(url, name))
        return
    stop = threading.Event()

    def keep_renewing() -> None:
        while not stop.wait(ttl_seconds / 3):
            try:
                if not renew(url, name, holder, ttl_seconds):
                    log.error("lease %s was lost; another worker may have taken it", name)
                    return
            except Exception:  # the database was briefly away: try again next time
                log.warning("could not renew lease %s", name, exc_info=True)

    renewer = threading.Thread(target=keep_renewing, name=f"lease {name}", daemon=True)
    renewer.start()
    try:
        yield Held(name, True, holder)
    finally:
        stop.set()
        renewer.join(timeout=5)
        release(url, name, holder)
