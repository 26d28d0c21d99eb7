"""Whether a new item is about the same matter as an open case: who it concerns (the same
resident, the same home, the same block) and what it says (the same topics and words), within
a window. Pure; the weights, window and topic words are data (workflow/matters.toml).

A match is only proposed: no second case opens until an officer attaches the item or says it
is a separate matter.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from workflow.residents import Evidence

_WORD = re.compile(r"[a-z][a-z'-]{2,}")
_STOP_WORDS = """
the and for you your yours are was were have has had this that with from they them their
there been being not but all any can could would should will shall our ours out into onto
about after again also because before still since than then when what which while who whom
why how very just over under more most much many some such only own same too off its it's
i'm i've dont don't didn't isn't wasn't cannot can't won't dear sir madam sincerely regards
faithfully thanks thank please kind team complaint complaints housing landlord
write writing wrote email letter reply tenant resident flat house home property
constituent behalf mp member parliament office councillor cllr contacted contact
"""
_STOP = frozenset(_STOP_WORDS.split())


@dataclass(frozen=True)
class MattersConfig:
    window_days: int
    propose_at: float
    who: dict[str, float]
    topics: dict[str, tuple[str, ...]]


@lru_cache(maxsize=1)
def load_matters() -> MattersConfig:
    """The shipped weights, window and topics (workflow/matters.toml)."""
    raw: dict[str, Any] = tomllib.loads(
        (resources.files("workflow") / "matters.toml").read_text(encoding="utf-8"))
    return MattersConfig(int(raw["window_days"]), float(raw["propose_at"]),
                         {k: float(v) for k, v in raw["who"].items()},
                         {k: tuple(v) for k, v in raw["topics"].items()})


@dataclass(frozen=True)
class OpenMatter:
    """An open case as compared: whose it is, where, when, and its first item's words."""

    case_ref: str
    resident_id: int | None
    home_key: str | None
    postcode: str | None
    received: date
    text: str


@dataclass(frozen=True)
class RelatedQuery:
    """The new item: the residents it may be about, its home, its words, its day."""

    resident_ids: frozenset[int]
    home_key: str | None
    postcode: str | None
    received: date
    text: str


@dataclass(frozen=True)
class RelatedMatch:
    case_ref: str
    score: float
    evidence: tuple[Evidence, ...] = field(default=())


def _stem(word: str) -> str:
    for suffix in ("ings", "ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def words_of(text: str) -> frozenset[str]:
    return frozenset(_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP)


def topics_of(text: str, config: MattersConfig) -> frozenset[str]:
    lowered = f" {text.lower()} "
    return frozenset(topic for topic, stems in config.topics.items()
                     if any(re.search(rf"\b{re.escape(stem)}", lowered) for stem in stems))


def similarity(a: str, b: str, config: MattersConfig) -> tuple[float, frozenset[str]]:
    """How alike two texts are (0 to 1) and the topics they share: shared topics weigh most,
    then shared words as a share of the shorter text's."""
    ta, tb = topics_of(a, config), topics_of(b, config)
    wa, wb = words_of(a), words_of(b)
    words = len(wa & wb) / min(len(wa), len(wb)) if wa and wb else 0.0
    if not ta and not tb:
        return words, frozenset()
    topics = len(ta & tb) / len(ta | tb)
    return 0.6 * topics + 0.4 * words, ta & tb


def _who(query: RelatedQuery, matter: OpenMatter) -> tuple[str, float] | None:
    config = load_matters()
    if matter.resident_id is not None and matter.resident_id in query.resident_ids:
        return "same_resident", config.who["same_resident"]
    if query.home_key and query.home_key == matter.home_key:
        return "same_home", config.who["same_home"]
    # A neighbour at the same postcode is another complainant, however alike their words.
    return None


def related_case(query: RelatedQuery, matters: list[OpenMatter]) -> RelatedMatch | None:
    """The open case the item is most likely about, if any reaches the proposal score."""
    config = load_matters()
    best: RelatedMatch | None = None
    for matter in matters:
        days = (query.received - matter.received).days
        who = _who(query, matter)
        if who is None or not -7 <= days <= config.window_days:
            continue
        alike, shared = similarity(query.text, matter.text, config)
        score = round(min(1.0, who[1] + 0.6 * alike), 4)
        if score < config.propose_at or (best is not None and score <= best.score):
            continue
        topics = ", ".join(sorted(shared)) or "none"
        best = RelatedMatch(matter.case_ref, score, (
            Evidence(who[0], who[1], who[0].replace("_", " ")),
            Evidence("text", round(0.6 * alike, 4),
                     f"similar words (topics in common: {topics})"),
            Evidence("window", 0.0, f"{days} days after the case was received")))
    return best
