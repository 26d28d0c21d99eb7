"""Sharing the queue: who holds an item (opening it claims it; a claim lapses), assigning
items to an officer, and the check every decision makes, so two officers never both work on
one item and the second learns it before starting, not from an error after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.labels import ItemStatus
from core.settings import Settings
from models.db import session_scope
from models.tables import Item, User
from models.web_tables import ItemClaim
from models.websessions import record_access
from pipeline.casework.cases import CaseworkError
from workflow.staging import LANDLORD_TIMEZONE


@dataclass(frozen=True)
class Holder:
    officer: str
    until: datetime
    assigned_by: str | None

    def until_text(self) -> str:
        return self.until.astimezone(LANDLORD_TIMEZONE).strftime("%H:%M on %d %b")


def _live(claim: ItemClaim | None, now: datetime) -> Holder | None:
    if claim is None or claim.expires_at <= now:
        return None
    return Holder(claim.officer, claim.expires_at, claim.assigned_by)


def holder_of(session: Session, item_id: int, now: datetime | None = None) -> Holder | None:
    return _live(session.get(ItemClaim, item_id), now or datetime.now(UTC))


def check_not_held_by_another(session: Session, item_id: int, officer: str) -> None:
    """Refuse a decision on an item another officer holds (their claim has not lapsed)."""
    holder = holder_of(session, item_id)
    if holder is not None and holder.officer != officer:
        raise CaseworkError(f"{holder.officer} holds item {item_id} until "
                            f"{holder.until_text()}; ask them, or take it over")


def claim(settings: Settings, item_id: int, officer: str, *, take_over: bool = False,
          viewed: str | None = None) -> Holder | None:
    """Hold a waiting item for `officer` (renewed on each opening); None when another holds
    it and `take_over` is not asked (the page then says who). `viewed`, the page's path,
    records in the access log that the officer opened the item, in the same transaction."""
    now = datetime.now(UTC)
    with session_scope(settings.resolved_database_url) as session:
        if viewed is not None:
            record_access(session, officer, "viewed", "item", str(item_id), viewed)
        item = session.get(Item, item_id)
        if item is None or item.status != ItemStatus.NEEDS_REVIEW:
            return None
        row = session.scalar(select(ItemClaim).where(ItemClaim.item_id == item_id)
                             .with_for_update())
        current = _live(row, now)
        if current is not None and current.officer != officer and not take_over:
            return None
        if current is not None and current.officer == officer and current.assigned_by:
            return current  # an assignment outlasts a glance
        until = now + timedelta(minutes=settings.claim_minutes)
        if row is None:
            row = ItemClaim(item_id=item_id, officer=officer, expires_at=until)
            session.add(row)
        row.officer, row.claimed_at, row.expires_at, row.assigned_by = officer, now, until, None
        return Holder(officer, until, None)


def release(settings: Settings, item_id: int, officer: str) -> None:
    with session_scope(settings.resolved_database_url) as session:
        row = session.get(ItemClaim, item_id)
        if row is not None and row.officer == officer:
            session.delete(row)


def assign_items(settings: Settings, item_ids: list[int], officer: str, by: str) -> int:
    """Put waiting items in an officer's hands for `assignment_hours`; returns how many."""
    now = datetime.now(UTC)
    until = now + timedelta(hours=settings.assignment_hours)
    with session_scope(settings.resolved_database_url) as session:
        user = session.scalar(select(User).where(User.username == officer))
        if user is None or not user.active:
            raise CaseworkError(f"there is no active officer {officer!r}")
        waiting = list(session.scalars(select(Item.id).where(
            Item.id.in_(item_ids), Item.status == ItemStatus.NEEDS_REVIEW)))
        for item_id in waiting:
            row = session.get(ItemClaim, item_id) or ItemClaim(item_id=item_id)
            row.officer, row.claimed_at, row.expires_at, row.assigned_by = (
                officer, now, until, by)
            session.add(row)
        return len(waiting)


def holders(settings: Settings, item_ids: list[int]) -> dict[int, Holder]:
    now = datetime.now(UTC)
    with session_scope(settings.resolved_database_url) as session:
        rows = session.scalars(select(ItemClaim).where(ItemClaim.item_id.in_(item_ids),
                                                       ItemClaim.expires_at > now))
        return {row.item_id: Holder(row.officer, row.expires_at, row.assigned_by)
                for row in rows}
