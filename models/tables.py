"""The schema, as typed SQLAlchemy 2 models. Changes go through an Alembic migration."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from core.labels import ItemStatus


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and read back timezone-aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store timestamps with a timezone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar = {datetime: UTCDateTime(), dict[str, Any]: JSON}


class Item(Base):
    """One email or letter. Its raw bytes are stored and committed before any processing."""

    __tablename__ = "items"
    __table_args__ = (Index("ix_items_review_queue", "status", "hazard", "review_due"),
                      # The items list, newest first (migration 0012).
                      Index("ix_items_received_at_id", "received_at", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    source_ref: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    raw_path: Mapped[str] = mapped_column(String(500))
    size_bytes: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime | None]
    message_id: Mapped[str | None] = mapped_column(String(998), index=True)
    subject: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    text_source: Mapped[str | None] = mapped_column(String(16))
    ocr_confidence: Mapped[float | None]
    status: Mapped[str] = mapped_column(String(16), default=ItemStatus.PENDING, index=True)
    error_code: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Scanned letters (migration 0004): the digest of the file as the post room scanned it,
    # and, for a letter cut out of a batch scan, its pages in that file.
    scan_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    first_page: Mapped[int | None] = mapped_column(Integer)
    last_page: Mapped[int | None] = mapped_column(Integer)
    # The review queue (migration 0005): the hazard as triage or an officer settled it, the day
    # an officer must have looked by, and the rule that sent the item to review.
    hazard: Mapped[str | None] = mapped_column(String(32))
    review_due: Mapped[date | None]
    review_reason: Mapped[str | None] = mapped_column(String(32))
    # The resident the item is about (migration 0011), linked by a confident match or an officer.
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), index=True)
    # When retention or an erasure removed its personal data and raw bytes (migration 0011).
    purged_at: Mapped[datetime | None]

    fields: Mapped[ExtractedFields | None] = relationship(back_populates="item", uselist=False)
    pages: Mapped[list[ItemPage]] = relationship(back_populates="item",
                                                 order_by="ItemPage.number",
                                                 cascade="all, delete-orphan")
    classifications: Mapped[list[Classification]] = relationship(
        back_populates="item", order_by="Classification.id"
    )
    case: Mapped[Case | None] = relationship(back_populates="items")

    @property
    def classification(self) -> Classification | None:
        return self.classifications[-1] if self.classifications else None


class ItemPage(Base):
    """One page of a scanned letter: its text and how it was read (officers see it beside the
    page image, which is rendered on demand from the stored bytes)."""

    __tablename__ = "item_pages"
    __table_args__ = (UniqueConstraint("item_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    source_page: Mapped[int | None] = mapped_column(Integer)
    text_source: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    ocr_confidence: Mapped[float | None]
    rotation: Mapped[int] = mapped_column(Integer, default=0)
    # OCR's blocks (migration 0013): [{"text", "side", "confidence", "box": [l, t, r, b]}],
    # for the item page's provenance of each field; None for a text layer or an older row.
    blocks: Mapped[list[Any] | None] = mapped_column(JSON)

    item: Mapped[Item] = relationship(back_populates="pages")


class ExtractedFields(Base):
    """The contract's fields as extraction found them (officers may correct them later)."""

    __tablename__ = "extracted_fields"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    representative: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(500))
    postcode: Mapped[str | None] = mapped_column(String(10), index=True)
    staff: Mapped[list[str]] = mapped_column(JSON, default=list)
    desired_outcome: Mapped[str | None] = mapped_column(Text)
    contact_method: Mapped[str | None] = mapped_column(String(16))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(320))
    incident_date: Mapped[date | None]
    # The date the letter bears on its own line (migration 0013): the time limit is judged
    # from it when plausible, on triage and on an officer's later decision alike.
    written_on: Mapped[date | None]
    # Adjustments the writer asked for (migration 0010): [{"adjustment", "evidence", ...}].
    adjustments: Mapped[list[Any] | None] = mapped_column(JSON)

    item: Mapped[Item] = relationship(back_populates="fields")


class Classification(Base):
    """One prediction and the policy decision on it; a new row each time an item is triaged."""

    __tablename__ = "classifications"
    # The latest classification of an item, found in the index alone (migration 0005).
    __table_args__ = (Index("ix_classifications_item_latest", "item_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    excluded_reason: Mapped[str | None] = mapped_column(String(32))
    escalation: Mapped[bool] = mapped_column(default=False)
    hazard: Mapped[str | None] = mapped_column(String(32))
    confidence: Mapped[float]
    probabilities: Mapped[dict[str, Any]] = mapped_column(JSON)
    model_version: Mapped[str] = mapped_column(String(64))
    needs_review: Mapped[bool] = mapped_column(default=False)
    action: Mapped[str] = mapped_column(String(32))
    rule_results: Mapped[dict[str, Any]] = mapped_column(JSON)
    policy: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[Item] = relationship(back_populates="classifications")


class CaseSequence(Base):
    """The last reference number issued in a year, so references never repeat."""

    __tablename__ = "case_sequences"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Case(Base):
    """A complaint under a policy: its stage, status and the deadlines of the current stage."""

    __tablename__ = "cases"
    # The cases list in its order, whole or by status (migration 0005).
    __table_args__ = (Index("ix_cases_status_respond_by", "status", "respond_by", "id"),
                      Index("ix_cases_respond_by_id", "respond_by", "id"),
                      Index("ix_cases_postcode", "postcode"),
                      # An item's open cases at its postcode; acknowledgements due soon or
                      # late (migration 0013).
                      Index("ix_cases_status_postcode_id", "status", "postcode", "id"),
                      Index("ix_cases_open_acknowledge_by", "acknowledge_by",
                            postgresql_where=text("status = 'open' AND acknowledged_on IS NULL"),
                            sqlite_where=text("status = 'open' AND acknowledged_on IS NULL")))

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(20), unique=True)
    policy: Mapped[str] = mapped_column(String(64))
    stage: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    handler: Mapped[str | None] = mapped_column(String(200))
    received_at: Mapped[datetime]
    stage_started: Mapped[date]
    acknowledge_by: Mapped[date | None]
    respond_by: Mapped[date] = mapped_column(index=True)
    hazard: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The lifecycle (migration 0002): the present of the current stage; events keep the past.
    received_on: Mapped[date | None]  # day 0 of stage 1, after any after-hours cut-off
    officer: Mapped[str | None] = mapped_column(String(100))
    acknowledged_on: Mapped[date | None]
    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    responded_on: Mapped[date | None]
    outcome: Mapped[str | None] = mapped_column(String(32))
    remedy: Mapped[str | None] = mapped_column(Text)
    refused_reason: Mapped[str | None] = mapped_column(String(32))
    earlier_officers: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Residents (migration 0011): the reference as quoted references are compared (letters and
    # digits, upper case), the resident's contact as an imported case gives it, and for a case
    # brought in by `triage import cases` the hash of its row, so importing it again is a no-op.
    ref_key: Mapped[str | None] = mapped_column(String(20), index=True)
    address: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    contact_method: Mapped[str | None] = mapped_column(String(16))
    import_hash: Mapped[str | None] = mapped_column(String(64))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), index=True)
    legal_hold: Mapped[bool] = mapped_column(default=False)  # kept whatever the schedule says
    purged_at: Mapped[datetime | None]

    items: Mapped[list[Item]] = relationship(back_populates="case", order_by="Item.id")
    events: Mapped[list[CaseEvent]] = relationship(back_populates="case", order_by="CaseEvent.id")
    drafts: Mapped[list[DraftLetter]] = relationship(back_populates="case",
                                                     order_by="DraftLetter.id")


class CaseEvent(Base):
    """The case's append-only log: every change is a new row, none is edited or deleted."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))
    stage: Mapped[int] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    case: Mapped[Case] = relationship(back_populates="events")


class DraftLetter(Base):
    """A letter drafted from the policy's templates, kept with its case; sent only by SMTP when
    one is configured, else by the landlord's own mail system."""

    __tablename__ = "case_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    stage: Mapped[int | None] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    sent_to: Mapped[str | None] = mapped_column(String(320))
    send_error: Mapped[str | None] = mapped_column(Text)
    # Honouring the writer's adjustments (migration 0010): a large-print variant, and the
    # contact method asked for (a letter for `phone` is read out, never emailed); the hazard
    # a summary letter is about.
    large_print: Mapped[bool] = mapped_column(default=False)
    send_by: Mapped[str | None] = mapped_column(String(16))
    hazard_id: Mapped[int | None] = mapped_column(Integer)

    case: Mapped[Case | None] = relationship(back_populates="drafts")


class IntakeRecord(Base):
    """What became of an item that opened no case: a service request (with the resident's next
    step and right to complain), a compliment (with the staff it names), a proposed exclusion
    awaiting an officer, or archived mail."""

    __tablename__ = "intake_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    policy: Mapped[str] = mapped_column(String(64))
    received: Mapped[date]
    status: Mapped[str] = mapped_column(String(16))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ReviewDecision(Base):
    """An officer's decision on an item; it also becomes a confirmed label for retraining."""

    __tablename__ = "review_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    officer: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(32))
    category: Mapped[str | None] = mapped_column(String(32))
    excluded_reason: Mapped[str | None] = mapped_column(String(32))
    hazard: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    # What changed, e.g. a field edit's old and new values (migration 0012).
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class User(Base):
    """An officer or manager of the review web app; only a password hash is kept."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A manager switches an account off rather than deleting it: decisions keep its name.
    active: Mapped[bool] = mapped_column(default=True)


class ReportSetting(Base):
    """A policy's reporting settings, kept by managers in the review app (migration 0005)."""

    __tablename__ = "report_settings"

    policy: Mapped[str] = mapped_column(String(64), primary_key=True)
    homes: Mapped[int | None] = mapped_column(Integer)  # CH01 is per 1,000 homes
    due_soon_days: Mapped[int] = mapped_column(Integer, default=3)  # working days
    updated_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MailboxMessage(Base):
    """The IMAP ledger: one row per message seen, keyed as the server identifies it."""

    __tablename__ = "mailbox_messages"
    __table_args__ = (
        UniqueConstraint("account", "folder", "uidvalidity", "uid"),
        Index("ix_mailbox_messages_pending", "account", "folder", "uidvalidity", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(300))
    folder: Mapped[str] = mapped_column(String(300))
    uidvalidity: Mapped[int] = mapped_column(Integer)
    uid: Mapped[int] = mapped_column(Integer)
    message_id: Mapped[str | None] = mapped_column(String(998), index=True)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"))
    # stored | duplicate (its bytes or Message-ID were already an item) | too_large | settled
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int | None] = mapped_column(Integer)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the message was moved to the processed folder (or flagged): after its item and case
    # were committed, never before.
    settled_at: Mapped[datetime | None]


class AppendOnlyViolation(RuntimeError):
    """Raised when code tries to edit or delete a case event."""


@event.listens_for(CaseEvent, "before_update")
def _refuse_event_update(mapper, connection, target) -> None:
    raise AppendOnlyViolation("case events are append-only; add a new event instead")


@event.listens_for(CaseEvent, "before_delete")
def _refuse_event_delete(mapper, connection, target) -> None:
    raise AppendOnlyViolation("case events are append-only; they are never deleted")


class Lease(Base):
    """Who may run a poll of one mailbox or scan folder now; expires if its holder dies."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(500), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class Home(Base):
    """A home: a postcode and the house or flat in it (migration 0011)."""

    __tablename__ = "homes"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)  # postcode and house number
    postcode: Mapped[str] = mapped_column(String(10), index=True)
    address: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Resident(Base):
    """A resident as the landlord knows them: one record, however many letters and cases.

    Merging keeps the merged record, pointing at the one it became (`merged_into_id`)."""

    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    phone: Mapped[str | None] = mapped_column(String(40), index=True)  # digits, 0 for +44
    postcode: Mapped[str | None] = mapped_column(String(10), index=True)
    address: Mapped[str | None] = mapped_column(String(500))
    home_id: Mapped[int | None] = mapped_column(ForeignKey("homes.id"), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    legal_hold: Mapped[bool] = mapped_column(default=False)
    erased_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ResidentMatch(Base):
    """Why an item was (or may be) a resident's: the score, the evidence, and who decided.

    status: linked (a confident match or an officer), proposed (waits for an officer),
    rejected (an officer said no), unlinked (an officer undid a link)."""

    __tablename__ = "resident_matches"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    score: Mapped[float]
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), index=True)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseLink(Base):
    """An item proposed as about the same matter as an open case, with the evidence; no case
    opens for it until an officer attaches it (confirmed) or says it is separate."""

    __tablename__ = "case_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    score: Mapped[float]
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16))  # proposed | confirmed | separate
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DataAudit(Base):
    """What class of record was deleted, anonymised, exported or corrected, when, why and by
    whom: never the personal data itself (migration 0011)."""

    __tablename__ = "data_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))  # retention | erasure | export | correction
    record_class: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(16))  # anonymise | delete | export | correct
    count: Mapped[int] = mapped_column(Integer, default=0)
    dry_run: Mapped[bool] = mapped_column(default=False)
    by: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
