"""How well hazards are found, item by item, against labelled JSON Lines files.

A labelled line gives its hazards as `hazards` (a list of types, or of {"type": ...}) or as
the single `hazard` of the training and development sets. Per item: recall is the share of
items with a hazard where one was found; precision the share of items where one was found
that have one; type right, of the items with a hazard where one was found, the share whose
found hazards include a labelled type (and, stricter, whose first found is labelled).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


def gold_hazards(row: dict[str, object]) -> list[str]:
    """The labelled hazard types of one line, whichever way the file writes them."""
    listed = row.get("hazards")
    if isinstance(listed, list):
        kinds = [h.get("type") if isinstance(h, dict) else h for h in listed]
        return [str(k) for k in kinds if k]
    single = row.get("hazard")
    return [str(single)] if single else []


def read_rows(paths: list[Path]) -> list[dict[str, object]]:
    """Every JSON line of the given files, in order (blank lines skipped)."""
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


@dataclass
class HazardTally:
    """Item-level counts, and the misses by labelled type."""

    items: int = 0
    gold: int = 0
    found: int = 0
    both: int = 0
    type_any: int = 0
    type_first: int = 0
    missed_by_type: Counter[str] = field(default_factory=Counter)
    wrong_type: Counter[str] = field(default_factory=Counter)
    false_by_type: Counter[str] = field(default_factory=Counter)

    def add(self, gold: list[str], found: list[str]) -> None:
        self.items += 1
        self.gold += bool(gold)
        self.found += bool(found)
        if gold and found:
            self.both += 1
            self.type_any += bool(set(gold) & set(found))
            self.type_first += found[0] in gold
            if not set(gold) & set(found):
                self.wrong_type[f"{gold[0]}->{found[0]}"] += 1
        elif gold:
            self.missed_by_type[gold[0]] += 1
        elif found:
            self.false_by_type[found[0]] += 1

    def figures(self) -> dict[str, object]:
        def ratio(a: int, b: int) -> float | None:
            return round(a / b, 4) if b else None

        return {
            "items": self.items, "with_hazard": self.gold, "found": self.found,
            "recall": ratio(self.both, self.gold), "precision": ratio(self.both, self.found),
            "type_right": ratio(self.type_any, self.both),
            "type_right_first": ratio(self.type_first, self.both),
            "missed_by_type": dict(self.missed_by_type),
            "false_by_type": dict(self.false_by_type),
            "wrong_type": dict(self.wrong_type),
        }
