"""Stage one item as the pipeline would, with the category given instead of predicted: the
rules decide, `workflow.plan` plans, `models.plans` writes."""

from __future__ import annotations

from classify.fields import Extraction
from classify.predict import Prediction
from ingest.items import IntakeItem, RawItem
from models.db import session_scope
from models.plans import save_result
from models.repository import find_replied_request, find_thread, record_raw
from workflow.plan import ItemContext, plan_for
from workflow.policy import load_policy
from workflow.rules import Facts, Thresholds, apply_policies
from workflow.triage import TriageResult

POLICY = load_policy("code-2024")


def stage_with_category(settings, raw: bytes, item: IntakeItem, category: str,
                        extraction: Extraction, *, excluded_reason: str | None = None,
                        escalation: bool = False, hazard: str | None = None) -> int:
    """The item's id once its result is saved in one transaction, as the batch runner does."""
    with session_scope(settings.resolved_database_url) as session:
        row, _ = record_raw(session, settings.raw_dir, RawItem("email", raw, "file:x"))
        session.flush()
        thread = find_thread(session, item)
        received = item.received_at.date()
        facts = Facts(category=category, confidence=0.97, excluded_reason=excluded_reason,
                      escalation=escalation, hazard=hazard, received=received,
                      incident_date=None, has_identity=True, thread=thread)
        decision = apply_policies(facts, POLICY, Thresholds())
        plan = plan_for(decision, POLICY, ItemContext.of(
            received, extraction, item.text, thread=thread,
            replied_request=find_replied_request(session, item)))
        prediction = Prediction(category=category, confidence=0.97,
                                probabilities={category: 0.97},
                                excluded_reason=excluded_reason, model_version="test")
        save_result(session, row, TriageResult(item, extraction, prediction, decision, plan,
                                               POLICY.id, thread), POLICY)
        return row.id
