"""Hazards and vulnerability cues found in an item's own words, whatever the words.

The lexicons (classify/lexicons/*.toml) give each hazard with the words that raised it; the
trained hazard model may add a hazard the lexicon missed when it is confident enough (the
threshold is in hazards.toml, chosen on measured figures), with the sentence that weighed
most for it as evidence. Hazards come most urgent first, as the contract's `hazards`.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from classify.lexicon import (
    HAZARD_FILE,
    Lexicon,
    load_context,
    load_hazard_lexicon,
    load_vulnerability_lexicon,
)
from classify.spans import Found, find_in_text, reading_ranges, sentences

if TYPE_CHECKING:
    from classify.model import TrainedModel

NO_HAZARD = "none"
_MAX_EVIDENCE = 300


@dataclass(frozen=True)
class HazardFinding:
    """One hazard: its type, the exact words that raised it, and what found it."""

    type: str
    evidence: str
    found_by: str = "lexicon"  # lexicon | model
    confidence: float | None = None

    def contract(self) -> dict[str, str]:
        return {"type": self.type, "evidence": self.evidence}


@dataclass(frozen=True)
class VulnerabilityCue:
    """One cue about the household (age, child, health...) and the words that show it."""

    cue: str
    evidence: str

    def contract(self) -> dict[str, str]:
        return asdict(self)


@lru_cache(maxsize=4)
def model_add_threshold() -> float:
    """The hazard model's probability at which it adds a hazard the lexicon did not find."""
    raw = tomllib.loads(HAZARD_FILE.read_text(encoding="utf-8"))
    return float((raw.get("model") or {}).get("add_at", 1.01))


def _found(subject: str, body: str, lexicons: tuple[Lexicon, ...]
           ) -> list[list[tuple[str, Found]]]:
    """Each lexicon's matches in the subject and the body's own words, each with its text."""
    context = load_context()
    ranges = reading_ranges(subject, body)
    found: list[list[tuple[str, Found]]] = [[] for _ in lexicons]
    for part, text in (("subject", subject), ("body", body)):
        spans = [(a, b) for name, a, b in ranges if name == part]
        if spans:
            for kept, matches in zip(found, find_in_text(text, spans, lexicons, context),
                                     strict=True):
                kept.extend((text, f) for f in matches)
    return found


def _first_said(found: list[tuple[str, Found]], order: tuple[str, ...]
                ) -> list[tuple[str, str]]:
    """Per type in `order`, the evidence of its first match that is not unsaid."""
    evidence: dict[str, str] = {}
    for text, f in found:
        if f.unsaid is None and f.type not in evidence:
            evidence[f.type] = text[f.start:f.end][:_MAX_EVIDENCE].strip()
    return [(kind, evidence[kind]) for kind in order if kind in evidence]


def find_all(subject: str, body: str
             ) -> tuple[list[HazardFinding], list[VulnerabilityCue]]:
    """The lexicons' hazards (most urgent first) and vulnerability cues (in the lexicon's
    order) in the item's own words; the text is tokenised once for both."""
    hazards, cues = load_hazard_lexicon(), load_vulnerability_lexicon()
    found_hazards, found_cues = _found(subject, body, (hazards, cues))
    return ([HazardFinding(kind, words) for kind, words in
             _first_said(found_hazards, hazards.order)],
            [VulnerabilityCue(kind, words) for kind, words in
             _first_said(found_cues, cues.order)])


def find_hazards(subject: str, body: str) -> list[HazardFinding]:
    """The lexicon's hazards in the item's own words, most urgent first."""
    lexicon = load_hazard_lexicon()
    (found,) = _found(subject, body, (lexicon,))
    return [HazardFinding(kind, words) for kind, words in _first_said(found, lexicon.order)]


def find_vulnerability(subject: str, body: str) -> list[VulnerabilityCue]:
    """Cues about the household's vulnerability, in the lexicon's order."""
    lexicon = load_vulnerability_lexicon()
    (found,) = _found(subject, body, (lexicon,))
    return [VulnerabilityCue(kind, words) for kind, words in _first_said(found, lexicon.order)]


def hazard_order() -> tuple[str, ...]:
    """Every hazard type, most urgent first."""
    return load_hazard_lexicon().order


def combine(found: list[HazardFinding], added: HazardFinding | None) -> list[HazardFinding]:
    """The lexicon's hazards with the model's addition, if any, most urgent first."""
    if added is None or any(f.type == added.type for f in found):
        return found
    order = hazard_order()
    rank = {kind: i for i, kind in enumerate(order)}
    return sorted([*found, added], key=lambda f: rank.get(f.type, len(order)))


def _read_sentences(subject: str, body: str) -> list[str]:
    """The sentences of the subject and the body's own words (quoted history left out)."""
    ranges = reading_ranges(subject, body)
    found: list[str] = []
    for part, text in (("subject", subject), ("body", body)):
        spans = [(a, b) for name, a, b in ranges if name == part]
        for sentence in sentences(text, spans) if spans else []:
            words = text[sentence.toks[0].start:sentence.toks[-1].end].strip()
            if words:
                found.append(words)
    return found


def model_addition(model: TrainedModel, subject: str, body: str, found: list[HazardFinding],
                   probabilities: dict[str, float], threshold: float
                   ) -> HazardFinding | None:
    """The hazard the model adds, if any: its likeliest type when the lexicon did not find it
    and the model, reading only the item's own words (never a reply's quoted history), gives
    it at least `threshold`; the evidence is the sentence it rates highest for that type."""
    kinds = {k: v for k, v in probabilities.items() if k != NO_HAZARD}
    if not kinds:
        return None
    kind = max(kinds, key=kinds.__getitem__)
    if kinds[kind] < threshold or any(f.type == kind for f in found):
        return None
    candidates = _read_sentences(subject, body)
    classes = [str(c) for c in model.hazard.classes_]
    if not candidates or kind not in classes:
        return None
    column = classes.index(kind)
    confidence = kinds[kind]
    if _leaves_out_words(subject, body):  # the model read quoted history: read again
        confidence = float(model.hazard.predict_proba(model.matrix(
            ["\n".join(candidates)]))[0, column])
        if confidence < threshold:
            return None
    scores = model.hazard.predict_proba(model.matrix(candidates))[:, column]
    best = candidates[int(scores.argmax())][:_MAX_EVIDENCE]
    return HazardFinding(kind, best, "model", round(confidence, 4))


def _leaves_out_words(subject: str, body: str) -> bool:
    """Whether reading for hazards leaves out any of the body's words (quoted history)."""
    kept = [(a, b) for part, a, b in reading_ranges(subject, body) if part == "body"]
    cursor, left = 0, []
    for a, b in kept:
        left.append(body[cursor:a])
        cursor = b
    left.append(body[cursor:])
    return any(piece.strip() for piece in left)
