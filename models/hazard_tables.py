"""The hazard lane's tables (migration 0010): a record for every hazard an item reports,
whatever its category, and its append-only event log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.tables import AppendOnlyViolation, Base, Item, utcnow


class HazardRecord(Base):
    """One hazard reported in one item: its present (the log keeps its past). The clocks are
    computed from these times under the configured hazard policy, never stored."""

    __tablename__ = "hazards"
    __table_args__ = (UniqueConstraint("item_id", "type"),
                      Index("ix_hazards_status_priority", "status", "priority", "aware_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    type: Mapped[str] = mapped_column(String(32))
    evidence: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str | None] = mapped_column(String(500))
    postcode: Mapped[str | None] = mapped_column(String(10))
    proposed_severity: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(16))
    severity_confirmed: Mapped[bool] = mapped_column(default=False)
    # The rules' signs for the proposed severity: [{"sign", "evidence"}].
    signs: Mapped[list[Any]] = mapped_column(JSON, default=list)
    vulnerability: Mapped[list[Any]] = mapped_column(JSON, default=list)
    adjustments: Mapped[list[Any]] = mapped_column(JSON, default=list)
    priority: Mapped[int] = mapped_column(Integer, default=3)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    aware_at: Mapped[datetime]
    investigated_at: Mapped[datetime | None]
    investigated_by: Mapped[str | None] = mapped_column(String(100))
    found: Mapped[bool | None]
    summary_sent_at: Mapped[datetime | None]
    made_safe_at: Mapped[datetime | None]
    accommodation_offered_at: Mapped[datetime | None]
    preventative_started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    item: Mapped[Item] = relationship()
    events: Mapped[list[HazardEvent]] = relationship(back_populates="hazard",
                                                     order_by="HazardEvent.id")


class HazardEvent(Base):
    """The hazard's append-only log: every change a new row, none edited or deleted."""

    __tablename__ = "hazard_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id"), index=True)
    at: Mapped[datetime]                      # when it happened
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))
    by: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    hazard: Mapped[HazardRecord] = relationship(back_populates="events")


@event.listens_for(HazardEvent, "before_update")
def _refuse_event_update(mapper, connection, target) -> None:
    raise AppendOnlyViolation("hazard events are append-only; add a new event instead")


@event.listens_for(HazardEvent, "before_delete")
def _refuse_event_delete(mapper, connection, target) -> None:
    raise AppendOnlyViolation("hazard events are append-only; they are never deleted")
