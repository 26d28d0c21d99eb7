"""The landlord's own complaint form, filled in and posted back: its printed labels found in
the OCR text (forgiving OCR's slips), and each answer read from the lines under its label.

The labels are the form's own wording (data/complaint_form.json); a landlord that prints
another form lists its labels there.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path

FORM_LABELS = Path(__file__).resolve().parents[2] / "data" / "complaint_form.json"
# At least this many of the form's labels found: the page is the form.
MIN_LABELS = 3
_SIMILAR = 0.8


@dataclass(frozen=True)
class FormAnswers:
    """What the resident wrote in each box; None where a box is empty or not found."""

    name: str | None = None
    address: str | None = None
    postcode: str | None = None
    phone: str | None = None
    email: str | None = None
    what_happened: str | None = None
    desired_outcome: str | None = None
    staff: str | None = None


@lru_cache(maxsize=1)
def form_labels() -> dict[str, tuple[str, ...]]:
    """Each answer's printed label(s), from the data file."""
    data = json.loads(FORM_LABELS.read_text(encoding="utf-8"))
    return {field: tuple(labels) for field, labels in data["labels"].items()}


def _fold(text: str) -> str:
    return re.sub(r"[^a-z ]", "", text.lower()).strip()


def _label_of(line: str) -> tuple[str, str] | None:
    """The field whose label the line starts with, and what follows the label on the line."""
    folded = _fold(line)
    for field, labels in form_labels().items():
        for label in labels:
            wanted = _fold(label)
            head = folded[: len(wanted)]
            if head and SequenceMatcher(None, head, wanted).ratio() >= _SIMILAR:
                rest = line.strip()[len(label):] if len(line.strip()) > len(label) + 2 else ""
                return field, rest.strip(" :|")
    return None


def read_form(text: str) -> FormAnswers | None:
    """The answers when the text is the filled-in form, else None."""
    answers: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        found = _label_of(line) if line.strip() else None
        if found:
            current, rest = found
            answers.setdefault(current, [])
            if rest:
                answers[current].append(rest)
        elif current and line.strip():
            answers[current].append(line.strip())
    if len(answers) < MIN_LABELS:
        return None
    values = {field: " ".join(lines).strip() or None for field, lines in answers.items()
              if field in FormAnswers.__dataclass_fields__}
    return FormAnswers(**values)
