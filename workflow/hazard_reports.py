"""A hazard record for every hazard an item reports, whatever its category: the type, the
words that raised it, the home, the severity the text suggests, the household's
vulnerability cues (which raise its priority) and the adjustments the writer asked for.

Pure: the triage result (or an item as stored) in, plain reports out; models/hazards.py
writes them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from classify.fields import Extraction
from classify.predict import Prediction
from ingest.items import IntakeItem
from workflow.hazard_severity import EMERGENCY, Proposal, propose_severity
from workflow.rules import Decision

# Words that show where in the text today's single hazard label was raised, so its evidence
# is the writer's own sentence (used only until the detector gives evidence itself).
_MENTIONS = {
    "damp_mould": r"damp|mou?ld|condensation|black spots|fungus",
    "gas": r"gas|carbon monoxide|\bco\b|fumes",
    "electrical": r"electric|wir(e|ing)|socket|fuse|sparks?|trip switch",
    "water_leak": r"leak|water|drip|flood|burst",
    "no_heating": r"heating|boiler|hot water|radiator|freezing|cold",
    "structural": r"ceiling|wall|crack|roof|collaps|subsid|floor",
    "fire_safety": r"fire|smoke|alarm|sprinkler",
    "falls": r"fall|fell|stair|banister|handrail|trip",
    "pests_hygiene": r"rats?\b|mice|mouse|cockroach|pest|bed ?bugs|sewage|vermin",
    "asbestos": r"asbestos",
}
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")


def sentence_mentioning(hazard: str, text: str) -> str:
    """The writer's first sentence that mentions the hazard (empty: none does)."""
    pattern = re.compile(_MENTIONS.get(hazard, re.escape(hazard.replace("_", " "))), re.I)
    for sentence in _SENTENCE.findall(text):
        if pattern.search(sentence):
            return " ".join(sentence.split())[:300]
    return ""


def hazards_of(item: IntakeItem, prediction: Prediction, decision: Decision
               ) -> list[dict[str, str]]:
    """The contract's `hazards` ({"type", "evidence"}, most urgent first): the hazard
    detector's list when the prediction carries one, else the classifier's single hazard with
    the writer's sentence that mentions it; none when the decision carries no hazard (mail
    that is `other`, automatic mail)."""
    if decision.hazard is None:
        return []
    found = [h.contract() for h in getattr(prediction, "hazards", ()) or ()]
    return found or [{"type": decision.hazard,
                      "evidence": sentence_mentioning(decision.hazard, item.text)}]


def vulnerability_of(prediction: Prediction) -> list[dict[str, str]]:
    """The contract's `vulnerability` ({"cue", "evidence"}) once the detector gives it."""
    cues = getattr(prediction, "vulnerability", ()) or ()
    return [cue.contract() if hasattr(cue, "contract") else dict(cue) for cue in cues]


@dataclass(frozen=True)
class HazardReport:
    type: str
    evidence: str
    aware_at: datetime
    proposal: Proposal
    address: str | None = None
    postcode: str | None = None
    vulnerability: tuple[dict[str, str], ...] = ()
    adjustments: tuple[dict[str, Any], ...] = field(default=())

    @property
    def priority(self) -> int:
        return priority(self.proposal.severity, bool(self.vulnerability))


def priority(severity: str, vulnerable: bool) -> int:
    """1 is first: an emergency; then a significant hazard in a vulnerable household; then
    the rest. Vulnerability raises a hazard's priority, never lowers an emergency's."""
    if severity == EMERGENCY:
        return 1
    return 2 if vulnerable else 3


def build_reports(hazards: list[dict[str, str]], text: str, aware_at: datetime, zone: ZoneInfo,
                  *, address: str | None, postcode: str | None,
                  vulnerability: list[dict[str, str]], adjustments: list[dict[str, Any]]
                  ) -> list[HazardReport]:
    """One report per hazard type (the first, most urgent, mention of a type stands)."""
    aware_on = aware_at.astimezone(zone).date()
    reports: dict[str, HazardReport] = {}
    for entry in hazards:
        kind = entry.get("type")
        if not kind or kind in reports:
            continue
        proposal = propose_severity(kind, text, aware_on, cues=vulnerability)
        reports[kind] = HazardReport(kind, entry.get("evidence") or "", aware_at, proposal,
                                     address, postcode, tuple(vulnerability),
                                     tuple(adjustments))
    return list(reports.values())


def reports_for(item: IntakeItem, extraction: Extraction, prediction: Prediction,
                decision: Decision, zone: ZoneInfo, adjustments: list[dict[str, Any]]
                ) -> list[HazardReport]:
    """The hazard reports of one triaged item (none for automatic mail)."""
    if item.automatic:
        return []
    return build_reports(hazards_of(item, prediction, decision), item.text, item.received_at,
                         zone, address=extraction.address, postcode=extraction.postcode,
                         vulnerability=vulnerability_of(prediction), adjustments=adjustments)
