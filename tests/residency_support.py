"""Stage one item as the batch runner does, residents and related cases included, with the
category given instead of predicted (the rules, the plan and the writes are the real ones)."""

from __future__ import annotations

from datetime import UTC, datetime

from classify.fields import Extraction
from classify.predict import Prediction
from ingest.items import IntakeItem, RawItem
from models.db import session_scope
from models.plans import save_result
from models.repository import find_replied_request, find_thread, record_raw
from pipeline.residency import assess_residency, record_residency
from workflow.policy import load_policy
from workflow.rules import Thresholds
from workflow.staging import receipt_day
from workflow.triage import decide

POLICY = load_policy("code-2024")


def email_item(text: str, *, day: int, month: int = 11, subject: str = "",
               message_id: str | None = None) -> IntakeItem:
    return IntakeItem(source="email", text=text, subject=subject,
                      received_at=datetime(2026, month, day, 10, tzinfo=UTC),
                      message_id=message_id or f"<{abs(hash((text, day, month)))}@x>")


def stage_item(settings, item: IntakeItem, extraction: Extraction, category: str = "complaint",
               *, escalation: bool = False) -> int:
    """The item's id once triaged and saved in one transaction, as `pipeline.batch` does."""
    with session_scope(settings.resolved_database_url) as session:
        raw = f"{item.message_id}\n{item.text}".encode()
        row, _ = record_raw(session, settings.raw_dir, RawItem("email", raw, "file:x"))
        session.flush()
        prediction = Prediction(category=category, confidence=0.97,
                                probabilities={category: 0.97}, excluded_reason=None,
                                model_version="test", escalation=escalation)
        residency = assess_residency(session, item, extraction,
                                     receipt_day(item.received_at, POLICY))
        result = decide(item, extraction, prediction, policy=POLICY,
                        thresholds=Thresholds(auto=0.8, suggest=0.45),
                        thread=find_thread(session, item),
                        replied_request=find_replied_request(session, item),
                        related=residency.related)
        save_result(session, row, result, POLICY)
        record_residency(session, row, residency, result.decision)
        return row.id
