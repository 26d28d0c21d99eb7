"""Precision and recall of the same-matter proposal over a set of labelled pairs: the first
item of each pair is an open case, the second a new item; a proposal is a positive. Pure:
the pipeline's own matching (workflow/residents.py, workflow/related.py) over plain data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from workflow.related import OpenMatter, RelatedQuery, related_case
from workflow.residents import (
    Identity,
    ResidentRecord,
    home_key,
    match_resident,
    normalise_email,
    normalise_phone,
)


@dataclass(frozen=True)
class PairOutcome:
    id: str
    kind: str
    same_matter: bool
    proposed: bool
    score: float | None


def _identity(side: dict[str, Any]) -> Identity:
    return Identity(name=side.get("name"), email=side.get("email"), phone=side.get("phone"),
                    postcode=side.get("postcode"), address=side.get("address"),
                    representative=side.get("representative"))


def judge_pair(pair: dict[str, Any]) -> PairOutcome:
    """Whether the second item of the pair is proposed as about the first's open case."""
    first, second = pair["first"], pair["second"]
    known = _identity(first).about_resident()
    resident = ResidentRecord(1, known.name, normalise_email(known.email),
                              normalise_phone(known.phone), known.postcode, known.address)
    new = _identity(second)
    match = match_resident(new, [resident])
    me = new.about_resident()
    query = RelatedQuery(frozenset([1]) if match else frozenset(),
                         home_key(me.postcode, me.address), me.postcode,
                         date.fromisoformat(second["received"]), second["text"])
    matter = OpenMatter("CASE-1", 1, home_key(known.postcode, known.address), known.postcode,
                        date.fromisoformat(first["received"]), first["text"])
    found = related_case(query, [matter])
    return PairOutcome(pair["id"], pair["kind"], bool(pair["same_matter"]), found is not None,
                       found.score if found else None)


def evaluate_pairs(path: Path) -> dict[str, Any]:
    """Precision, recall and the outcome of every pair in a JSON Lines file."""
    pairs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    outcomes = [judge_pair(p) for p in pairs]
    tp = sum(o.proposed and o.same_matter for o in outcomes)
    fp = sum(o.proposed and not o.same_matter for o in outcomes)
    fn = sum(not o.proposed and o.same_matter for o in outcomes)
    return {
        "pairs": len(outcomes), "true_positive": tp, "false_positive": fp,
        "false_negative": fn,
        "precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 0.0,
        "wrong": [o.__dict__ for o in outcomes if o.proposed != o.same_matter],
    }
