"""The words the whole system shares, as `StrEnum`s: categories, hazards, exclusion reasons,
the statuses of items and cases, and the actions a decision ends in.

Each member equals its string, so rows, JSON and the contract keep the plain values."""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    COMPLAINT = "complaint"
    SERVICE_REQUEST = "service_request"
    EXCLUDED = "excluded"
    COMPLIMENT = "compliment"
    OTHER = "other"


class ExcludedReason(StrEnum):
    POLICY_DISAGREEMENT = "policy_disagreement"
    RENT_OR_CHARGE_LEVEL = "rent_or_charge_level"
    EMPLOYEE_POLICY_ONLY = "employee_policy_only"
    STATUTORY_APPEAL = "statutory_appeal"
    LEGAL_PROCEEDINGS = "legal_proceedings"
    OUT_OF_TIME = "out_of_time"


class Hazard(StrEnum):
    DAMP_MOULD = "damp_mould"
    GAS = "gas"
    ELECTRICAL = "electrical"
    WATER_LEAK = "water_leak"
    NO_HEATING = "no_heating"
    STRUCTURAL = "structural"
    FIRE_SAFETY = "fire_safety"
    FALLS = "falls"
    PESTS_HYGIENE = "pests_hygiene"
    ASBESTOS = "asbestos"


class ItemStatus(StrEnum):
    PENDING = "pending"
    STAGED = "staged"
    NEEDS_REVIEW = "needs_review"
    QUARANTINED = "quarantined"
    IGNORED = "ignored"


class CaseStatus(StrEnum):
    OPEN = "open"          # the current stage is being handled
    CLOSED = "closed"      # the current stage's response was sent (the resident may escalate)
    REFUSED = "refused"    # not accepted as a complaint, for a reason the policy allows
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    """What a decision on an item ends in."""

    OPEN_CASE = "open_case"
    ADD_TO_CASE = "add_to_case"
    ESCALATE_CASE = "escalate_case"
    RECORD_SERVICE_REQUEST = "record_service_request"
    RECORD_COMPLIMENT = "record_compliment"
    PROPOSE_EXCLUSION = "propose_exclusion"
    REFUSE_COMPLAINT = "refuse_complaint"
    HOLD_FOR_REVIEW = "hold_for_review"
    ARCHIVE = "archive"


CATEGORIES: tuple[str, ...] = tuple(Category)
EXCLUDED_REASONS: tuple[str, ...] = tuple(ExcludedReason)
HAZARDS: tuple[str, ...] = tuple(Hazard)
