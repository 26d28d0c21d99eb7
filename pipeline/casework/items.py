"""Officers' decisions on items: one transaction each. A decision ends in the same plan
(workflow/plan.py) that triage builds for an item it decides alone, applied by the same code
(models/plans.py), so a reviewed item moves on exactly as the pipeline would have moved it.
Each decision is a `ReviewDecision` row with the officer and time; one that settles the
category is the confirmed label `triage train` learns from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from classify.fields import Extraction
from classify.predict import Prediction
from core.labels import HAZARDS, Action, ItemStatus
from core.settings import Settings
from ingest.items import IntakeItem
from models.casework import state_of
from models.db import session_scope
from models.hazards import save_hazards
from models.plans import apply_plan
from models.residents import settle_case_links
from models.retention import audit
from models.tables import (
    Case,
    CaseEvent,
    Classification,
    ExtractedFields,
    IntakeRecord,
    Item,
    ReviewDecision,
)
from models.web_tables import ItemClaim
from pipeline.casework.cases import CaseworkError, happened_on, policy_for, show
from pipeline.casework.claims import check_not_held_by_another
from workflow import lifecycle
from workflow.hazard_reports import build_reports, sentence_mentioning
from workflow.lifecycle import RefusedTransition
from workflow.officer_review import DecisionError, OfficerChoice, Prior, settle
from workflow.plan import CaseOpening, ItemContext, OfficerRefusal, Plan, plan_for
from workflow.policy import Policy
from workflow.rules import Decision, RuleResult, ThreadMatch, time_limit_verdict
from workflow.staging import LANDLORD_TIMEZONE, receipt_day, stage_case
from workflow.triage import TriageResult

# The fields an officer may correct, with the longest value each column holds.
EDITABLE_FIELDS: dict[str, int] = {
    "name": 200, "representative": 200, "address": 500, "postcode": 10, "staff": 2000,
    "desired_outcome": 4000, "contact_method": 16, "phone": 40, "email": 320,
    "incident_date": 10, "written_on": 10,
}
CONTACT_METHODS = ("email", "phone", "letter")


@dataclass(frozen=True)
class Outcome:
    """What the decision did, for the officer's confirmation message."""

    item_id: int
    message: str
    case_ref: str | None = None


def decide(settings: Settings, item_id: int, officer: str, choice: OfficerChoice, *,
           on: date | None = None) -> Outcome:
    """Settle an item waiting for review and move it on; refused if it no longer waits.

    `on` dates a refusal (today in the landlord's time zone unless given)."""
    with session_scope(settings.resolved_database_url) as session:
        item = _waiting_item(session, item_id)
        check_not_held_by_another(session, item_id, officer)
        label = item.classification
        if label is None:
            raise DecisionError(f"item {item_id} has no classification to decide on")
        policy = policy_for(settings, label.policy)
        prior = Prior(label.category, label.excluded_reason, item.hazard, label.escalation,
                      label.confidence)
        decision = settle(choice, prior, policy, officer)
        extraction = _stored_extraction(item.fields)
        plan, thread = _plan(session, item, extraction, policy, decision, choice, officer, on,
                             label)
        apply_plan(session, item, _stored_result(item, extraction, label, decision, plan,
                                                 policy.id, thread), policy)
        _settle_proposed_exclusion(session, item, officer, decision)
        if decision.hazard is not None:  # a hazard the officer named gets its record too
            _record_marked_hazard(session, item, decision.hazard, officer,
                                  _clean_note(choice.note))
        claimed = session.get(ItemClaim, item.id)
        if claimed is not None:
            session.delete(claimed)  # decided: nobody holds it any more
        settle_case_links(session, item, officer)
        verdict = _time_limit(item, extraction, policy, decision)
        session.add(ReviewDecision(
            item_id=item.id, officer=officer, action=choice.action, category=decision.category,
            excluded_reason=decision.excluded_reason, hazard=decision.hazard,
            note=_clean_note(choice.note),
            detail={"time_limit": verdict._asdict()} if verdict else None))
        session.flush()
        case_ref = item.case.ref if item.case_id and item.case else None
        return Outcome(item.id, _describe(item, decision, case_ref), case_ref)


def _plan(session: Session, item: Item, extraction: Extraction, policy: Policy,
          decision: Decision, choice: OfficerChoice, officer: str, on: date | None,
          label: Classification) -> tuple[Plan, ThreadMatch | None]:
    """The officer's decision as a plan; a refused escalation or refusal leaves it waiting."""
    received = receipt_day(item.received_at or datetime.now(UTC), policy)
    thread, refusal = None, None
    if decision.action in {Action.ADD_TO_CASE, Action.ESCALATE_CASE}:
        case = _open_case_by_ref(session, choice.case_ref or "")
        thread = ThreadMatch(case.ref, case.stage, f"officer {officer}", case.postcode,
                             state_of(case))
    elif decision.action == Action.REFUSE_COMPLAINT:
        reason = decision.excluded_reason or ""
        try:
            lifecycle.check_refusal(policy, reason, officer)
        except RefusedTransition as exc:
            raise DecisionError(str(exc)) from exc
        refusal = OfficerRefusal(reason, officer, happened_on(on, "record a refusal"),
                                 _clean_note(choice.note), label.excluded_reason)
    context = ItemContext.of(received, extraction, item.text, thread=thread)
    if choice.action == "open_stage":
        return _later_stage_opening(session, policy, context, choice.earlier_ref or ""), None
    plan = plan_for(decision, policy, context, refusal=refusal)
    if plan.review is not None and plan.update is not None:  # the policy refuses the escalation
        raise DecisionError(str(plan.update.change.detail.get("reason")))
    return plan, thread


def _time_limit(item: Item, extraction: Extraction, policy: Policy,
                decision: Decision) -> RuleResult | None:
    """The time limit as it stands for the officer's complaint or exclusion, judged from the
    letter's own date (stored with its fields) when plausible, with any corrected incident
    date: kept with the decision, so the record shows what the officer decided against."""
    if decision.category not in {"complaint", "excluded"}:
        return None
    received = receipt_day(item.received_at or datetime.now(UTC), policy)
    return time_limit_verdict(received, extraction.written_on, extraction.incident_date, policy)


def _later_stage_opening(session: Session, policy: Policy, context: ItemContext,
                         earlier_ref: str) -> Plan:
    """A stage 2 case for an escalation of a case this system does not hold, noting the
    earlier reference; refused when we do hold it (then the item is attached to it)."""
    earlier = " ".join(earlier_ref.split()).upper()
    if not earlier or len(earlier) > 40:
        raise DecisionError("give the earlier case's reference (at most 40 characters)")
    if session.scalar(select(Case.id).where(Case.ref == earlier)) is not None:
        raise DecisionError(f"case {earlier} is held here: attach the item to it and "
                            "escalate it instead")
    if policy.final_stage < 2:
        raise DecisionError(f"{policy.name} has one stage only: there is no stage to escalate to")
    return Plan(Action.OPEN_CASE, ItemStatus.STAGED, context.received, opening=CaseOpening(
        stage_case(policy, 2, context.received, context.received), "stage_acknowledgement",
        letter_context={"earlier_ref": earlier}, earlier_ref=earlier))


def mark_hazard(settings: Settings, item_id: int, officer: str, hazard: str | None,
                note: str | None = None) -> Outcome:
    """Mark (or clear) the item's hazard: it goes to the top of the queue, and its case, if it
    has one, carries the hazard and logs the change. The category is not settled by this."""
    if hazard is not None and hazard not in HAZARDS:
        raise DecisionError(f"unknown hazard {hazard!r}")
    with session_scope(settings.resolved_database_url) as session:
        item = session.get(Item, item_id)
        if item is None:
            raise DecisionError(f"there is no item {item_id}")
        if item.status == ItemStatus.QUARANTINED:
            raise DecisionError("a quarantined item has no reading to mark; retry it first")
        item.hazard = hazard
        session.add(ReviewDecision(item_id=item.id, officer=officer, action="mark_hazard",
                                   category=None, hazard=hazard, note=_clean_note(note)))
        if hazard is not None:
            _record_marked_hazard(session, item, hazard, officer, _clean_note(note))
        if item.case is not None:
            item.case.hazard = hazard
            session.add(CaseEvent(case_id=item.case.id, item_id=item.id, kind="hazard_marked",
                                  stage=item.case.stage,
                                  detail={"hazard": hazard, "by": officer}))
        label = hazard.replace("_", " ") if hazard else "no hazard"
        return Outcome(item.id, f"Item {item.id} marked: {label}.",
                       item.case.ref if item.case else None)


def _record_marked_hazard(session: Session, item: Item, hazard: str, officer: str,
                          note: str | None) -> None:
    """A hazard an officer marks gets its record and clocks like one triage found (clearing
    a mark never closes a record: only the hazard lifecycle does)."""
    fields, label = item.fields, item.classification
    evidence = (note or sentence_mentioning(hazard, item.text or "")
                or f"marked by {officer}")
    stored = (label.rule_results or {}).get("vulnerability") if label else None
    reports = build_reports(
        [{"type": hazard, "evidence": evidence}], item.text or "",
        item.received_at or datetime.now(UTC), LANDLORD_TIMEZONE,
        address=fields.address if fields else None,
        postcode=fields.postcode if fields else None,
        vulnerability=[c for c in stored or [] if isinstance(c, dict)],
        adjustments=list((fields.adjustments if fields else None) or []))
    save_hazards(session, item, reports, by=officer)


def edit_fields(settings: Settings, item_id: int, officer: str, values: dict[str, str]
                ) -> Outcome:
    """Store an officer's corrections to the extracted fields; the decision row keeps each
    changed field's old and new value in `detail` (the note names the fields only)."""
    parsed = parse_field_values(values)
    with session_scope(settings.resolved_database_url) as session:
        item = session.get(Item, item_id)
        if item is None:
            raise DecisionError(f"there is no item {item_id}")
        row = session.get(ExtractedFields, item_id)
        if row is None:
            row = ExtractedFields(item_id=item_id, staff=[])
            session.add(row)
        changed = [name for name, value in parsed.items() if getattr(row, name) != value]
        changes = {name: {"old": _plain(getattr(row, name)), "new": _plain(parsed[name])}
                   for name in changed}
        for name in changed:
            setattr(row, name, parsed[name])
        if not changed:
            return Outcome(item.id, f"Item {item.id}: no field changed.")
        # The right to rectification: the old and new value of each corrected field, kept
        # (an erasure of the resident removes the values, leaving the field names).
        audit(session, kind="correction", record_class="extracted_fields", action="correct",
              count=len(changed), by=officer, detail={"item_id": item.id, "changes": {
                  name: changes[name]
                  for name in changed}})
        session.add(ReviewDecision(item_id=item.id, officer=officer, action="edit_fields",
                                   category=None, note="changed " + ", ".join(changed),
                                   detail={"changes": changes}))
        return Outcome(item.id, f"Item {item.id}: saved {', '.join(changed)}.")


def _plain(value: object) -> object:
    """A field's value as JSON holds it (a date as ISO text, a tuple as a list)."""
    return value.isoformat() if hasattr(value, "isoformat") else (
        list(value) if isinstance(value, tuple) else value)


def parse_field_values(values: dict[str, str]) -> dict[str, object]:
    """Form text to column values: blanks are None, staff a list, the date ISO; too long or
    malformed values are refused with the field's name."""
    parsed: dict[str, object] = {}
    for name, limit in EDITABLE_FIELDS.items():
        if name not in values:
            continue
        text = " ".join(values[name].split()) if name != "address" else values[name].strip()
        if len(text) > limit:
            raise DecisionError(f"{name.replace('_', ' ')} is longer than {limit} characters")
        if name == "staff":
            parsed[name] = [part.strip() for part in text.split(",") if part.strip()]
        elif name in ("incident_date", "written_on"):
            try:
                parsed[name] = date.fromisoformat(text) if text else None
            except ValueError as exc:
                label = "incident date" if name == "incident_date" else "letter's date"
                raise DecisionError(f"{label} must be a date like 2026-03-31") from exc
        elif name == "contact_method" and text and text not in CONTACT_METHODS:
            raise DecisionError(f"contact method must be one of {', '.join(CONTACT_METHODS)}")
        elif name == "postcode":
            parsed[name] = text.upper() or None
        else:
            parsed[name] = text or None
    return parsed


def check_retryable(settings: Settings, item_ids: list[int]) -> None:
    """Refuse, naming each, items that do not exist or have nothing to retry (a retry is for
    quarantined items, and pending ones a crash left)."""
    problems = []
    with session_scope(settings.resolved_database_url) as session:
        for item_id in item_ids:
            item = session.get(Item, item_id)
            if item is None:
                problems.append(f"there is no item {item_id}")
            elif item.status not in (ItemStatus.QUARANTINED, ItemStatus.PENDING):
                problems.append(f"item {item_id} is {item.status}, not quarantined")
    if problems:
        raise CaseworkError("; ".join(problems))


def retry_quarantined(settings: Settings, item_id: int) -> Outcome:
    """Reprocess one quarantined item from its stored bytes, with the batch code the retry flow
    runs (one item needs no Prefect run of its own)."""
    from pipeline.batch import triage_stored_items

    with session_scope(settings.resolved_database_url) as session:
        item = session.get(Item, item_id)
        if item is None:
            raise DecisionError(f"there is no item {item_id}")
        if item.status != ItemStatus.QUARANTINED:
            raise DecisionError(f"item {item_id} is not quarantined (it is {item.status})")
    report = triage_stored_items(settings, [item_id], claimable=(ItemStatus.QUARANTINED,))
    status = next(iter(report.outcomes), "missing")
    if status == "taken":
        return Outcome(item_id, f"Item {item_id} was retried by someone else a moment ago.")
    if status == ItemStatus.QUARANTINED:
        with session_scope(settings.resolved_database_url) as session:
            item = session.get(Item, item_id)
            code = item.error_code if item else None
        return Outcome(item_id, f"Item {item_id} is still quarantined ({code}).")
    return Outcome(item_id, f"Item {item_id} retried: now {status.replace('_', ' ')}.")


def _settle_proposed_exclusion(session: Session, item: Item, officer: str,
                               decision: Decision) -> None:
    """The record of a proposed exclusion says how the officer settled it."""
    record = session.scalar(select(IntakeRecord).where(IntakeRecord.item_id == item.id))
    if record is None or record.kind != "proposed_exclusion":
        return
    record.status = "confirmed" if decision.category == "excluded" else "rejected"
    record.case_id = item.case_id
    record.detail = {**record.detail, "decided_by": officer,
                     "decision": "confirm_exclusion" if decision.category == "excluded"
                     else "reject_exclusion"}


def _waiting_item(session: Session, item_id: int) -> Item:
    # Locked on PostgreSQL, so two officers deciding the same item cannot both move it on.
    item = session.scalar(select(Item).where(Item.id == item_id).with_for_update())
    if item is None:
        raise DecisionError(f"there is no item {item_id}")
    if item.status != ItemStatus.NEEDS_REVIEW:
        last = session.scalar(select(ReviewDecision).where(ReviewDecision.item_id == item_id)
                              .order_by(ReviewDecision.id.desc()).limit(1))
        by = f": {last.officer} decided it ({last.action})" if last else ""
        raise DecisionError(f"item {item_id} no longer waits for review{by}")
    return item


def _open_case_by_ref(session: Session, ref: str) -> Case:
    case = session.scalar(select(Case).where(Case.ref == ref.strip().upper()))
    if case is None:
        raise DecisionError(f"there is no case {ref.strip() or '(none given)'}")
    return case


def _stored_extraction(fields: ExtractedFields | None) -> Extraction:
    """The item's fields as stored (with any officer's corrections), as triage's Extraction."""
    return Extraction() if fields is None else Extraction(
        name=fields.name, representative=fields.representative, address=fields.address,
        postcode=fields.postcode, staff=tuple(fields.staff or ()),
        desired_outcome=fields.desired_outcome, contact_method=fields.contact_method,
        phone=fields.phone, email=fields.email, incident_date=fields.incident_date,
        written_on=fields.written_on)


def _stored_result(item: Item, extraction: Extraction, label: Classification,
                   decision: Decision, plan: Plan, policy_id: str,
                   thread: ThreadMatch | None) -> TriageResult:
    """The triage result as stored, with the officer's decision in place of the rules' one: the
    staging code needs nothing more, and nothing is read or predicted again."""
    intake = IntakeItem(source=item.source, text=item.text or "",  # type: ignore[arg-type]
                        received_at=item.received_at or datetime.now(UTC),
                        subject=item.subject or "", message_id=item.message_id,
                        text_source=item.text_source or "body")  # type: ignore[arg-type]
    prediction = Prediction(category=label.category, confidence=label.confidence,
                            probabilities=dict(label.probabilities or {}),
                            excluded_reason=label.excluded_reason, escalation=label.escalation,
                            hazard=label.hazard, model_version=label.model_version)
    return TriageResult(intake, extraction, prediction, decision, plan, policy_id, thread)


def _clean_note(note: str | None) -> str | None:
    note = (note or "").strip()
    if len(note) > 2000:
        raise DecisionError("the note is longer than 2,000 characters")
    return note or None


def _describe(item: Item, decision: Decision, case_ref: str | None) -> str:
    what = decision.category.replace("_", " ")
    if decision.action == "open_case" and case_ref and item.case and item.case.stage > 1:
        return (f"Item {item.id}: escalation; case {case_ref} opened at stage "
                f"{item.case.stage}, noting the earlier reference.")
    if decision.action == "open_case" and case_ref:
        return f"Item {item.id}: complaint; case {case_ref} opened."
    if decision.action == "add_to_case" and case_ref:
        return f"Item {item.id} added to case {case_ref}."
    if decision.action == "escalate_case" and case_ref:
        return f"Item {item.id}: case {case_ref} escalated to stage {item.case.stage}."
    if decision.action == "refuse_complaint":
        reason = (decision.excluded_reason or "").replace("_", " ")
        return f"Item {item.id}: exclusion confirmed ({reason})" + (
            f"; case {case_ref} refused." if case_ref else ".")
    if decision.action == "record_service_request":
        return f"Item {item.id}: service request recorded."
    if decision.action == "archive":
        return f"Item {item.id}: {what}; archived."
    return f"Item {item.id}: {what}."


def confirm_exclusion(settings: Settings, item_id: int, officer: str, reason: str | None,
                      note: str | None, on: date | None = None) -> dict[str, Any]:
    """An officer confirms a proposed exclusion: the complaint is logged as refused, with the
    reason, and a refusal letter giving the right to go to the Housing Ombudsman is drafted.
    The same decision as the web page's "confirm exclusion"; returns the refused case."""
    policy_id, proposed = _proposed_exclusion(settings, item_id)
    # Refused before anything is written: a reason the policy does not list, or no officer.
    lifecycle.check_refusal(policy_for(settings, policy_id), reason or proposed or "", officer)
    outcome = decide(settings, item_id, officer,
                     OfficerChoice("confirm_exclusion", excluded_reason=reason, note=note),
                     on=on)
    return show(settings, outcome.case_ref or "")


def reject_exclusion(settings: Settings, item_id: int, officer: str, note: str | None
                     ) -> dict[str, Any]:
    """An officer finds a proposed exclusion is a complaint after all: it opens a case (the
    web page's "refuse exclusion"); returns the case."""
    _proposed_exclusion(settings, item_id)
    outcome = decide(settings, item_id, officer, OfficerChoice("refuse_exclusion", note=note))
    return show(settings, outcome.case_ref or "")


def _proposed_exclusion(settings: Settings, item_id: int) -> tuple[str, str | None]:
    """(policy id, proposed reason) of a proposed exclusion waiting for an officer."""
    with session_scope(settings.resolved_database_url) as session:
        item = session.get(Item, item_id)
        if item is None:
            raise CaseworkError(f"no item {item_id}")
        label = item.classification
        if (item.status != ItemStatus.NEEDS_REVIEW or label is None
                or label.category != "excluded"):
            raise CaseworkError(
                f"item {item_id} is not a proposed exclusion awaiting an officer (status "
                f"{item.status}, category {label.category if label else 'none'})")
        return label.policy, label.excluded_reason
