"""The casework service: every officer action, one transaction each, called alike by the
command line and the review web app, on one clock (the landlord's time zone).

Cases (cases.py): show, acknowledge, assign, extend, escalate, close, refuse. Items
(items.py): decide a review item (accept, correct, attach, confirm or refuse a proposed
exclusion), mark a hazard, correct fields, retry a quarantined item. Letters (letters.py): edit
a draft, send it by SMTP, or record it as sent by post. Claims (claims.py): who holds an
item, assigning items. Reopening (reopen.py): re-queue a decided item, reverse a confirmed
exclusion, undo an escalation made by mistake.
"""

from pipeline.casework.cases import (
    CaseworkError,
    PolicyNotConfigured,
    acknowledge,
    assign,
    case_view,
    close,
    escalate,
    extend,
    happened_on,
    landlord_today,
    policy_for,
    refuse,
    show,
)
from pipeline.casework.claims import Holder, assign_items, claim, holders, release
from pipeline.casework.items import (
    CONTACT_METHODS,
    EDITABLE_FIELDS,
    Outcome,
    check_retryable,
    confirm_exclusion,
    decide,
    edit_fields,
    mark_hazard,
    parse_field_values,
    reject_exclusion,
    retry_quarantined,
)
from pipeline.casework.letters import (
    SENT_BY,
    LetterOutcome,
    edit_draft,
    mark_sent,
    send_draft,
)
from pipeline.casework.reopen import reopen_item, reverse_refusal, undo_escalation
from workflow.lifecycle import RefusedTransition
from workflow.officer_review import DecisionError
from workflow.policy import PolicyError

__all__ = [
    "CONTACT_METHODS",
    "EDITABLE_FIELDS",
    "SENT_BY",
    "CaseworkError",
    "DecisionError",
    "Holder",
    "LetterOutcome",
    "Outcome",
    "PolicyError",
    "PolicyNotConfigured",
    "RefusedTransition",
    "acknowledge",
    "assign",
    "assign_items",
    "case_view",
    "check_retryable",
    "claim",
    "close",
    "confirm_exclusion",
    "decide",
    "edit_draft",
    "edit_fields",
    "escalate",
    "extend",
    "happened_on",
    "holders",
    "landlord_today",
    "mark_hazard",
    "mark_sent",
    "parse_field_values",
    "policy_for",
    "refuse",
    "reject_exclusion",
    "release",
    "reopen_item",
    "retry_quarantined",
    "reverse_refusal",
    "send_draft",
    "show",
    "undo_escalation",
]
