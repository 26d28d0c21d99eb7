"""Adjustments a writer asks for (large print, an interpreter, British Sign Language, a phone
call rather than letters, a named contact...), found by the rules in
lexicons/adjustments.toml, each with the words that asked for it. They are kept with the
item's fields and its hazards, and the letters drafted for the item honour them."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

_WORD = re.compile(r"[\w']+")


@dataclass(frozen=True)
class AdjustmentRule:
    name: str
    patterns: tuple[re.Pattern[str], ...]
    contact: str | None
    detail: re.Pattern[str] | None


@lru_cache(maxsize=1)
def _rules() -> tuple[tuple[AdjustmentRule, ...], frozenset[str]]:
    data = tomllib.loads((resources.files("workflow") / "lexicons" / "adjustments.toml")
                         .read_text(encoding="utf-8"))
    rules = tuple(
        AdjustmentRule(entry["name"],
                       tuple(re.compile(p, re.IGNORECASE) for p in entry["patterns"]),
                       entry.get("contact"),
                       re.compile(entry["detail"]) if entry.get("detail") else None)
        for entry in data["adjustment"])
    return rules, frozenset(data.get("negations", ()))


def _negated(text: str, start: int, negations: frozenset[str]) -> bool:
    before = _WORD.findall(text[max(0, start - 60):start].lower())[-3:]
    return any(word in negations for word in before)


def _evidence(text: str, start: int, end: int) -> str:
    """The sentence around a match, trimmed to what an officer needs to see."""
    left = max(text.rfind(mark, 0, start) for mark in ".!?\n") + 1
    rights = [i for i in (text.find(mark, end) for mark in ".!?\n") if i != -1]
    right = min(rights) + 1 if rights else len(text)
    return " ".join(text[left:right].split())[:240]


def find_adjustments(text: str) -> list[dict[str, Any]]:
    """Each adjustment asked for once: {"adjustment", "evidence", "detail", "contact"}."""
    rules, negations = _rules()
    found = []
    for rule in rules:
        match = next((m for pattern in rule.patterns for m in pattern.finditer(text)
                      if not _negated(text, m.start(), negations)), None)
        if match is None:
            continue
        detail = None
        if rule.detail is not None:
            named = rule.detail.search(text)
            if named is not None:
                detail = next((g for g in named.groups() if g), None)
        found.append({"adjustment": rule.name, "evidence": _evidence(text, *match.span()),
                      "detail": detail, "contact": rule.contact})
    return found


def contact_method(adjustments: list[dict[str, Any]], stated: str | None) -> str | None:
    """How to contact the writer: an adjustment asking for a method wins over the one the
    fields found (a resident who cannot read letters is phoned)."""
    for entry in adjustments:
        if entry.get("contact"):
            return str(entry["contact"])
    return stated


def large_print(adjustments: list[dict[str, Any]]) -> bool:
    return any(entry.get("adjustment") == "large_print" for entry in adjustments)


# Large print: 18 point on A4 with the usual margins holds about 40 characters a line.
LARGE_PRINT_WIDTH = 40
LARGE_PRINT_NOTE = "LARGE PRINT: print this letter in 18 point or larger."


def as_large_print(subject: str, body: str, width: int = LARGE_PRINT_WIDTH) -> str:
    """A letter's body as its large-print variant: the printing instruction first, then each
    paragraph re-flowed to short lines (lists and blank lines kept)."""
    import textwrap

    lines = [LARGE_PRINT_NOTE, ""]
    for paragraph in body.split("\n\n"):
        rows = paragraph.splitlines()
        if any(row.lstrip().startswith(("-", "*", "•")) for row in rows):
            for row in rows:
                lines.extend(textwrap.wrap(row.strip(), width, subsequent_indent="  ") or [""])
        else:
            lines.extend(textwrap.wrap(" ".join(paragraph.split()), width) or [""])
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
