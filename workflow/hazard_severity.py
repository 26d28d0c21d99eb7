"""The severity a hazard report suggests, by the rules in lexicons/hazard_severity.toml:
emergency when the writer's words show a sign the rules list for its type (a gas smell, live
wiring, water through a light fitting, a ceiling coming down, no heating for a vulnerable
household in winter), significant otherwise. An officer confirms or changes it."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path

EMERGENCY, SIGNIFICANT = "emergency", "significant"
_WORD = re.compile(r"[\w']+")


@dataclass(frozen=True)
class Rule:
    name: str
    types: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]
    household: bool = False
    months: frozenset[int] = frozenset()


@dataclass(frozen=True)
class SeverityRules:
    rules: tuple[Rule, ...]
    negations: frozenset[str]
    window: int
    household_cues: frozenset[str]
    household_patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class Proposal:
    """The proposed severity and the signs that made it so, each with the words found."""

    severity: str
    signs: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()


def _compile(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


def parse_rules(data: dict) -> SeverityRules:
    rules = tuple(
        Rule(name=entry["name"], types=frozenset(entry.get("types", ())),
             patterns=_compile(entry["patterns"]), household=bool(entry.get("household")),
             months=frozenset(entry.get("months", ())))
        for entry in data.get("emergency", []))
    return SeverityRules(rules, frozenset(data.get("negations", ())),
                         int(data.get("negation_window", 3)),
                         frozenset(data.get("household_cues", ())),
                         _compile(data.get("household_patterns", [])))


@lru_cache(maxsize=4)
def load_rules(path: str | None = None) -> SeverityRules:
    """The shipped rules, or a landlord's own file."""
    if path is None:
        text = (resources.files("workflow") / "lexicons" / "hazard_severity.toml").read_text(
            encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return parse_rules(tomllib.loads(text))


def _negated(text: str, start: int, rules: SeverityRules) -> bool:
    before = _WORD.findall(text[max(0, start - 80):start].lower())[-rules.window:]
    return any(word in rules.negations for word in before)


def _first_match(patterns: tuple[re.Pattern[str], ...], text: str,
                 rules: SeverityRules) -> str | None:
    for pattern in patterns:
        for match in pattern.finditer(text):
            if not _negated(text, match.start(), rules):
                return match.group(0)
    return None


def household_signs(text: str, cues: list[dict[str, str]], rules: SeverityRules) -> str | None:
    """The words showing a vulnerable household: a vulnerability cue the rules count, or
    one of their own patterns."""
    for cue in cues:
        if cue.get("cue") in rules.household_cues:
            return cue.get("evidence") or cue.get("cue")
    return _first_match(rules.household_patterns, text, rules)


def propose_severity(hazard: str, text: str, aware_on: date, *,
                     cues: list[dict[str, str]] | None = None,
                     rules: SeverityRules | None = None) -> Proposal:
    """Emergency when a rule for the hazard's type finds its sign (and, for a household rule,
    a vulnerable household, in its months); significant otherwise."""
    rules = rules or load_rules()
    signs, evidence = [], []
    for rule in rules.rules:
        if rule.types and hazard not in rule.types:
            continue
        if rule.months and aware_on.month not in rule.months:
            continue
        found = _first_match(rule.patterns, text, rules)
        if found is None:
            continue
        if rule.household:
            household = household_signs(text, cues or [], rules)
            if household is None:
                continue
            found = f"{found}; {household}"
        signs.append(rule.name)
        evidence.append(found)
    return Proposal(EMERGENCY if signs else SIGNIFICANT, tuple(signs), tuple(evidence))
